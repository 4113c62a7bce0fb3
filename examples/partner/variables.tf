variable "clients" {
  description = "The client accounts, by a short name used in URLs and names: each one's account id and the user of that account who consented to the partner's integration key (empty with an access token)."
  type = map(object({
    account_id = string
    user_id    = string
  }))
}

variable "webhook_base_url" {
  type    = string
  default = "https://hooks.partner.example.com"
}

variable "authorization_server_url" {
  type    = string
  default = "https://auth.partner.example.com/oauth2/token"
}

variable "oauth_client_id" {
  type    = string
  default = "docusign-connect"
}

variable "oauth_client_secret" {
  type      = string
  sensitive = true
  default   = "change-me"
}

variable "oauth_scope" {
  type    = string
  default = "webhooks"
}

variable "client_accounts" {
  description = "Two client account ids the provider reaches (through account_users with the JWT grant)."
  type        = list(string)
}

variable "account_users" {
  description = "With the JWT grant: client account id => the user of that account who consented to the partner's integration key."
  type        = map(string)
  default     = {}
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

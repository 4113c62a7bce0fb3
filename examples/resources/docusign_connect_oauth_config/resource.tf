# OAuth for Connect on the partner's own account (the account that holds the integration key).
resource "docusign_connect_oauth_config" "partner" {
  authorization_server_url = "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
  client_id                = "00000000-1111-2222-3333-444444444444"
  scope                    = "api://00000000-1111-2222-3333-444444444444/.default"
  custom_parameters = {
    resource = "https://hooks.example.com"
  }

  # Stored in state (marked sensitive). With Terraform 1.11 or later, prefer the write-only
  # pair, which never reaches state:
  #   client_secret_wo         = var.connect_client_secret
  #   client_secret_wo_version = 1
  client_secret = var.connect_client_secret
}

variable "connect_client_secret" {
  type      = string
  sensitive = true
}

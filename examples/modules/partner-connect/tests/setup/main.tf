# Test fixture: OAuth for Connect on the partner account (the account of the provider's
# credentials), which DocuSign requires before it accepts an integrator-managed configuration
# that authenticates with OAuth. (With Terraform 1.11 or later, prefer client_secret_wo from an
# ephemeral variable; this fixture stays valid on older Terraform too.)

terraform {
  required_providers {
    docusign = {
      source = "docusign-iac/docusign"
    }
  }
}

variable "client_secret" {
  type      = string
  sensitive = true
}

resource "docusign_connect_oauth_config" "partner" {
  authorization_server_url = "https://login.example.com/oauth2/token"
  client_id                = "partner-connect-module-tests"
  scope                    = "connect.events"
  client_secret            = var.client_secret
}

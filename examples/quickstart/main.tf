# The quickstart: OAuth for Connect on the account, and a Connect configuration that uses it.
#
# ./scripts/quickstart runs it against the local DocuSign emulator; the provider reads its
# settings from the DOCUSIGN_* environment variables the script exports. The script also starts
# a small listener with an authorization server beside it, points the two URL variables at them,
# and raises an envelope-completed event to show the message the configuration delivers.

terraform {
  required_providers {
    docusign = {
      source = "docusign-iac/docusign"
    }
  }
}

provider "docusign" {}

resource "docusign_connect_oauth_config" "this" {
  authorization_server_url = var.authorization_server_url
  client_id                = "docusign-connect"
  client_secret            = var.client_secret
  scope                    = "webhooks.write"
}

resource "docusign_connect_configuration" "completed" {
  name                     = "Quickstart: completed envelopes"
  url_to_publish_to        = var.webhook_url
  all_users                = true
  allow_envelope_publish   = true
  enable_log               = true
  include_oauth            = true
  integrator_managed       = true
  requires_acknowledgement = true
  delivery_mode            = "SIM"
  events                   = ["envelope-completed"]

  event_data {
    version      = "restv2.1"
    include_data = ["recipients", "custom_fields"]
  }

  depends_on = [docusign_connect_oauth_config.this]
}

variable "webhook_url" {
  description = "The https listener Connect delivers to."
  type        = string
  default     = "https://hooks.example.com/docusign"
}

variable "authorization_server_url" {
  description = "The token URL of your authorization server (OAuth for Connect)."
  type        = string
  default     = "https://auth.example.com/oauth2/token"
}

variable "client_secret" {
  type      = string
  sensitive = true
  default   = "quickstart-secret"
}

output "connect_id" {
  value = docusign_connect_configuration.completed.id
}

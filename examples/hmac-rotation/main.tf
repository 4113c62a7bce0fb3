# HMAC-signed Connect messages, with keys rotated without a moment in which the listener rejects
# a message. DocuSign signs every message with each of the account's keys (one
# X-DocuSign-Signature-N header per key), so while two keys exist the listener accepts either.
#
# To rotate: add the new generation to key_generations and apply; give its secret to the
# listener; then remove the old generation and apply again.

terraform {
  required_providers {
    docusign = {
      source = "docusign-iac/docusign"
    }
  }
}

provider "docusign" {}

variable "key_generations" {
  description = "The generations of the HMAC key that exist, e.g. [\"2026-12\"]; two during a rotation."
  type        = set(string)
  default     = ["2026-12"]
}

variable "webhook_url" {
  description = "The listener that verifies the signatures."
  type        = string
  default     = "https://hooks.example.com/docusign/signed"
}

resource "docusign_connect_hmac_key" "this" {
  for_each = var.key_generations
}

resource "docusign_connect_configuration" "signed" {
  name                   = "Signed with HMAC"
  url_to_publish_to      = var.webhook_url
  all_users              = true
  allow_envelope_publish = true
  include_hmac           = true
  events                 = ["envelope-completed"]

  event_data {
    version = "restv2.1"
  }

  # DocuSign signs only with keys that exist: create them first, delete them last.
  depends_on = [docusign_connect_hmac_key.this]
}

output "hmac_secrets" {
  description = "Each generation's secret, for the listener (HMAC-SHA256 of the raw body, Base64)."
  value       = { for generation, key in docusign_connect_hmac_key.this : generation => key.secret }
  sensitive   = true
}

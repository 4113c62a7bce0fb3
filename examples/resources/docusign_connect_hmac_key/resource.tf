# An HMAC key on the partner's own account. Integrator-managed configurations on client
# accounts with include_hmac = true are signed with it.
resource "docusign_connect_hmac_key" "partner" {
  # Change this value to rotate the key (a new key and secret replace the old ones).
  keepers = {
    rotation = "2026-12"
  }
}

# Hand the secret to the listener that verifies X-DocuSign-Signature-1, for example through
# your secret store; it is sensitive and shown only in state.
output "hmac_secret" {
  value     = docusign_connect_hmac_key.partner.secret
  sensitive = true
}

# A JSON SIM configuration for completed envelopes. With integrator_managed and include_oauth,
# DocuSign authenticates its messages with the OAuth for Connect settings of the account that
# owns the integration key the provider's token was issued to.
resource "docusign_connect_configuration" "example" {
  name                     = "Your configuration name"
  url_to_publish_to        = "https://hooks.example.com/docusign"
  configuration_type       = "custom"
  all_users                = true
  allow_envelope_publish   = true
  enable_log               = true
  include_oauth            = true
  integrator_managed       = true
  requires_acknowledgement = true
  delivery_mode            = "SIM"
  events                   = ["envelope-completed"]

  event_data {
    version = "restv2.1"
    include_data = [
      "tabs", "payment_tabs", "custom_fields", "powerform", "recipients",
      "folders", "extensions", "attachments", "prefill_tabs", "document_fields",
    ]
  }
}

# Basic authentication to the listener. With Terraform 1.11 or later, prefer the write-only
# `password_wo = var.listener_password` with `password_wo_version = 1`: the password then never
# enters the plan or the state.
resource "docusign_connect_configuration" "basic_auth" {
  name                   = "Listener with Basic auth"
  url_to_publish_to      = "https://hooks.example.com/docusign-basic"
  all_users              = true
  allow_envelope_publish = true
  envelope_events        = ["Sent", "Completed"]
  recipient_events       = ["Completed"]
  user_name              = "docusign"
  password               = var.listener_password
}

variable "listener_password" {
  type      = string
  sensitive = true
}

# One integrator-managed Connect configuration on a client's account.
#
# A partner instantiates this module once per client account. DocuSign then authenticates the
# client's Connect messages with the partner account's OAuth for Connect settings (auth = "oauth")
# or HMAC keys (auth = "hmac"): the account that owns the provider's credentials.

terraform {
  required_providers {
    docusign = {
      source = "docusign-iac/docusign"
    }
  }
}

resource "docusign_connect_configuration" "this" {
  account_id               = var.client_account_id
  name                     = var.name
  url_to_publish_to        = var.webhook_url
  all_users                = true
  allow_envelope_publish   = true
  enable_log               = var.enable_log
  requires_acknowledgement = true
  delivery_mode            = "SIM"
  events                   = var.events
  integrator_managed       = true
  include_oauth            = var.auth == "oauth"
  include_hmac             = var.auth == "hmac"

  event_data {
    version      = "restv2.1"
    include_data = var.include_data
  }
}

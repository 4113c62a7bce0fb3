# One integrator-managed Connect configuration on a client's account.
#
# A partner instantiates this module once per client account, typically with for_each. The
# provider reaches the client account by impersonating a user of that account who consented to
# the partner's integration key (the provider's account_users). DocuSign then authenticates the
# client's Connect messages with the OAuth for Connect settings (auth = "oauth") or HMAC keys
# (auth = "hmac") of the partner account: the account that owns the integration key.

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

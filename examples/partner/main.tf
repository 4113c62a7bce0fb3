# The partner flow: OAuth for Connect once on the partner's account, then one integrator-managed
# configuration per client account, through the reusable module.
#
# One provider block reaches every client account: with the JWT grant, account_users names the
# user to impersonate in each client account (a member of it who consented to the partner's
# integration key); each client configuration names its account. See README.md to run it against
# the local emulator.

terraform {
  required_providers {
    docusign = {
      source = "docusign-iac/docusign"
    }
  }
}

provider "docusign" {
  # Client account id => the user of that account who consented to the partner's integration
  # key (JWT grant only; with an access token, leave user_id empty and the token's user acts).
  account_users = { for c in var.clients : c.account_id => c.user_id if c.user_id != "" }
}

resource "docusign_connect_oauth_config" "partner" {
  authorization_server_url = var.authorization_server_url
  client_id                = var.oauth_client_id
  client_secret            = var.oauth_client_secret
  scope                    = var.oauth_scope
}

# One module instance per client, whatever their number.
module "client" {
  source   = "../modules/partner-connect"
  for_each = var.clients

  client_account_id = each.value.account_id
  webhook_url       = "${var.webhook_base_url}/clients/${each.key}"
  name              = "Partner integration (${each.key})"

  depends_on = [docusign_connect_oauth_config.partner]
}

# What each client account holds, read after the module made its configuration.
data "docusign_connect_configurations" "client" {
  for_each   = var.clients
  account_id = each.value.account_id
  depends_on = [module.client]
}

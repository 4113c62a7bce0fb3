# The partner flow: OAuth for Connect once on the partner's account, then one integrator-managed
# configuration per client account, through the reusable module.
#
# One provider block reaches every account the partner's credentials can use; each client
# configuration names its account. See README.md to run it against the local emulator.

terraform {
  required_providers {
    docusign = {
      source = "docusign-iac/docusign"
    }
  }
}

provider "docusign" {}

# The same flow with provider aliases instead of per-resource account ids: pass a provider
# configured with account_id = "<client account>" to the module.
provider "docusign" {
  alias      = "client_b"
  account_id = var.client_accounts[1]
}

resource "docusign_connect_oauth_config" "partner" {
  authorization_server_url = var.authorization_server_url
  client_id                = var.oauth_client_id
  client_secret            = var.oauth_client_secret
  scope                    = var.oauth_scope
}

module "client_a" {
  source            = "../modules/partner-connect"
  client_account_id = var.client_accounts[0]
  webhook_url       = "${var.webhook_base_url}/clients/a"
  name              = "Partner integration (client A)"

  depends_on = [docusign_connect_oauth_config.partner]
}

module "client_b" {
  source      = "../modules/partner-connect"
  webhook_url = "${var.webhook_base_url}/clients/b"
  name        = "Partner integration (client B)"
  providers = {
    docusign = docusign.client_b
  }

  depends_on = [docusign_connect_oauth_config.partner]
}

data "docusign_connect_configurations" "client_a" {
  account_id = module.client_a.account_id
  depends_on = [module.client_a]
}

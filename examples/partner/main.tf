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
  # Client account id => its consenting user (JWT grant only; empty with an access token).
  account_users = var.account_users
}

# The same flow with provider aliases instead of account_users: pass a provider configured with
# account_id = "<client account>" (and, with the JWT grant, user_id = that client's user) to the
# module. This takes one block per client, since Terraform cannot for_each over providers.
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

# terraform query (Terraform 1.14+): find the Connect objects that already exist, in every
# account the provider's credentials reach, and generate import blocks for them:
#
#   terraform query -generate-config-out=generated.tf
#
# The provider block comes from the configuration in the same directory (.tf files).

list "docusign_connect_configuration" "all" {
  provider = docusign
  limit    = 1000

  config {
    all_accounts = true
    # Optional exact filters:
    # name              = "Envelope events"
    # url_to_publish_to = "https://hooks.example.com/docusign"
  }
}

list "docusign_connect_hmac_key" "all" {
  provider = docusign

  config {
    all_accounts = true
  }
}

list "docusign_connect_oauth_config" "all" {
  provider = docusign

  config {
    account_id = "00000000-0000-0000-0000-000000000000"
  }
}

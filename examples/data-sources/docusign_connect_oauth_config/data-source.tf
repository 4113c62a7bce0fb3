data "docusign_connect_oauth_config" "partner" {}

output "oauth_token_url" {
  value = data.docusign_connect_oauth_config.partner.authorization_server_url
}

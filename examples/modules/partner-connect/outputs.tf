output "connect_id" {
  description = "The configuration's connectId in the client's account."
  value       = docusign_connect_configuration.this.id
}

output "account_id" {
  description = "The client account that holds the configuration."
  value       = docusign_connect_configuration.this.account_id
}

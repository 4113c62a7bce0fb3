output "client_connect_ids" {
  description = "Each client's Connect configuration id, by client name."
  value       = { for name, m in module.client : name => m.connect_id }
}

output "client_configurations" {
  description = "The names of the Connect configurations each client account holds, by client name."
  value = {
    for name, d in data.docusign_connect_configurations.client :
    name => [for c in d.configurations : c.name]
  }
}

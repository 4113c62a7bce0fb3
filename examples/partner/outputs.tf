output "client_connect_ids" {
  value = {
    a = module.client_a.connect_id
    b = module.client_b.connect_id
  }
}

output "client_a_configurations" {
  value = [for c in data.docusign_connect_configurations.client_a.configurations : c.name]
}

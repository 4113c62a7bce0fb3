data "docusign_connect_configurations" "all" {}

data "docusign_connect_configurations" "named" {
  name = "Quickstart: completed envelopes"
}

output "connect_ids" {
  value = [for c in data.docusign_connect_configurations.all.configurations : c.id]
}

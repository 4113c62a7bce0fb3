data "docusign_connect_configuration" "by_name" {
  name = "Quickstart: completed envelopes"
}

output "listener" {
  value = data.docusign_connect_configuration.by_name.url_to_publish_to
}

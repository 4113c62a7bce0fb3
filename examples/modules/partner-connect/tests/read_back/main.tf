# Test fixture: reads a configuration back from DocuSign (here the emulator) by id, so that a
# test asserts on what DocuSign holds, not only on what Terraform planned.

terraform {
  required_providers {
    docusign = {
      source = "docusign-iac/docusign"
    }
  }
}

variable "account_id" {
  type = string
}

variable "connect_id" {
  type = string
}

data "docusign_connect_configuration" "this" {
  account_id = var.account_id
  id         = var.connect_id
}

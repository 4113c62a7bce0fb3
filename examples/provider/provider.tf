terraform {
  required_providers {
    docusign = {
      source = "docusign-iac/docusign"
    }
  }
}

# JWT grant: the provider mints and renews its own tokens. The account defaults to the
# user's default account (from /oauth/userinfo).
provider "docusign" {
  environment      = "demo"
  integration_key  = var.integration_key
  user_id          = var.user_id
  private_key_file = var.private_key_file
}

variable "integration_key" {
  type = string
}

variable "user_id" {
  type = string
}

variable "private_key_file" {
  type = string
}

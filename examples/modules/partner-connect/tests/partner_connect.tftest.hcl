# `terraform test` for the module (Terraform 1.6 or later), against the DocuSign emulator:
# point the provider at it with the DOCUSIGN_* environment variables (see ../README.md).
# Runs share one state per module and are destroyed in reverse order at the end.

variables {
  webhook_url = "https://hooks.example.com/partner/acme"
  name        = "Partner integration for Acme"
}

# The partner account's OAuth for Connect settings, which the module's default auth needs.
run "partner_oauth_for_connect" {
  module {
    source = "./tests/setup"
  }

  variables {
    client_secret = "module-test-secret"
  }
}

run "creates_an_integrator_managed_configuration" {
  command = apply

  assert {
    condition     = docusign_connect_configuration.this.integrator_managed && docusign_connect_configuration.this.include_oauth && !docusign_connect_configuration.this.include_hmac
    error_message = "auth = \"oauth\" must give an integrator-managed configuration authenticated with OAuth only."
  }

  assert {
    condition     = docusign_connect_configuration.this.name == "Partner integration for Acme" && docusign_connect_configuration.this.url_to_publish_to == "https://hooks.example.com/partner/acme"
    error_message = "The name or the listener URL is not the one given."
  }

  assert {
    condition     = docusign_connect_configuration.this.event_data.version == "restv2.1" && contains(docusign_connect_configuration.this.events, "envelope-completed")
    error_message = "The configuration must send JSON SIM messages for the default events."
  }

  assert {
    condition     = can(regex("^[0-9]+$", output.connect_id)) && output.account_id == docusign_connect_configuration.this.account_id
    error_message = "The outputs must give DocuSign's connectId and the configuration's account."
  }
}

# What DocuSign holds, read back through the data source.
run "docusign_holds_the_configuration" {
  module {
    source = "./tests/read_back"
  }

  variables {
    account_id = run.creates_an_integrator_managed_configuration.account_id
    connect_id = run.creates_an_integrator_managed_configuration.connect_id
  }

  assert {
    condition     = data.docusign_connect_configuration.this.integrator_managed && data.docusign_connect_configuration.this.allow_envelope_publish && data.docusign_connect_configuration.this.delivery_mode == "SIM"
    error_message = "DocuSign does not hold the integrator-managed, enabled SIM configuration the module made."
  }

  assert {
    condition     = data.docusign_connect_configuration.this.event_data_include_data == toset(["recipients", "custom_fields"])
    error_message = "DocuSign does not include the default extra data in messages."
  }
}

# A rename is an in-place update: the connectId stays.
run "renaming_updates_in_place" {
  command = apply

  variables {
    name = "Partner integration for Acme (renamed)"
  }

  assert {
    condition     = output.connect_id == run.creates_an_integrator_managed_configuration.connect_id
    error_message = "Renaming replaced the configuration."
  }

  assert {
    condition     = docusign_connect_configuration.this.name == "Partner integration for Acme (renamed)"
    error_message = "The configuration was not renamed."
  }
}

# HMAC instead of OAuth flips both flags.
run "hmac_auth" {
  command = plan

  variables {
    auth = "hmac"
  }

  assert {
    condition     = docusign_connect_configuration.this.include_hmac && !docusign_connect_configuration.this.include_oauth
    error_message = "auth = \"hmac\" must sign messages with HMAC and not use OAuth."
  }
}

# The module refuses an authentication it does not offer, before anything reaches DocuSign.
run "rejects_an_unknown_auth" {
  command = plan

  variables {
    auth = "basic"
  }

  expect_failures = [
    var.auth,
  ]
}

# OAuth for Connect settings are one per account: import them by account id.
terraform import docusign_connect_oauth_config.partner 1d2c3b4a-0000-4000-8000-00000000abcd

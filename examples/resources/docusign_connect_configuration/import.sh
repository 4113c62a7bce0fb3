# A configuration in the provider's account, by connectId:
terraform import docusign_connect_configuration.example 22210641

# A configuration in another account the credentials reach:
terraform import docusign_connect_configuration.example 1d2c3b4a-0000-4000-8000-00000000abcd:22210641

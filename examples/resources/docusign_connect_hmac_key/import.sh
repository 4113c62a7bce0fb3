# A key of the provider's account, by keyId (the secret cannot be read back: it stays empty):
terraform import docusign_connect_hmac_key.partner 8f1c2a3b-0000-4000-8000-00000000beef

# A key of another account the credentials reach:
terraform import docusign_connect_hmac_key.partner 1d2c3b4a-0000-4000-8000-00000000abcd:8f1c2a3b-0000-4000-8000-00000000beef

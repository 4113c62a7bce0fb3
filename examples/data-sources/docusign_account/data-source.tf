data "docusign_account" "me" {}

output "client_accounts" {
  value = [for a in data.docusign_account.me.accounts : a.account_id if !a.is_default]
}

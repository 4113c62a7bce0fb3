//! The partner topology as DocuSign has it: accounts; users who are members of chosen
//! accounts; integration keys, each owned by an account, with RSA public keys; and consent
//! per (integration key, user). A [`Topology`] names accounts and users by labels (their
//! `name`, or their id); the emulator resolves the labels at start, creating what its data
//! lacks and keeping what a state file already holds.
//!
//! Without one, the emulator builds [`Topology::single_user`]: `accounts` accounts and one user
//! who is a member of all of them.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Accounts, users, integration keys and consents. Read from a JSON file with
/// `--topology`, or built in code.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topology {
    /// The accounts, in order; the first owns the development integration key.
    #[serde(default)]
    pub accounts: Vec<AccountSpec>,
    /// The users, in order; the first is the user of [`crate::Info::user_id`] and the
    /// development access token.
    #[serde(default)]
    pub users: Vec<UserSpec>,
    /// Integration keys usable with the JWT grant.
    #[serde(default)]
    pub integration_keys: Vec<IntegrationKeySpec>,
}

/// One account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountSpec {
    /// The account name, also its label in the topology.
    pub name: String,
    /// The account id (a GUID); generated when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// One user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSpec {
    /// The user's display name, also their label in the topology.
    pub name: String,
    /// The user id (a GUID, `sub` of JWT grants); generated when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The e-mail address; derived from the name when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Labels of the accounts the user is a member of; the first is the user's default.
    pub accounts: Vec<String>,
}

/// One integration key (an application registered with DocuSign).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntegrationKeySpec {
    /// The integration key (`iss` of JWT assertions).
    pub integration_key: String,
    /// Label of the account that owns the key: the settings account of `integratorManaged`
    /// configurations created with its tokens.
    pub account: String,
    /// The RSA public key in PEM (SPKI `PUBLIC KEY` or PKCS#1 `RSA PUBLIC KEY`). Without one
    /// (and without `public_key_file`), JWT grants with this key fail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// A file holding the public key, relative to the topology file; read by the command line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key_file: Option<PathBuf>,
    /// Labels of the users who consented to the key (`signature impersonation`).
    #[serde(default)]
    pub consented_users: Vec<String>,
}

impl AccountSpec {
    /// An account named `name`, its id generated.
    pub fn named(name: &str) -> Self {
        AccountSpec {
            name: name.to_owned(),
            id: None,
        }
    }
}

impl UserSpec {
    /// A user named `name` who is a member of `accounts` (labels; the first is the default),
    /// id and e-mail generated.
    pub fn member_of(name: &str, accounts: &[&str]) -> Self {
        UserSpec {
            name: name.to_owned(),
            id: None,
            email: None,
            accounts: accounts.iter().map(|a| (*a).to_owned()).collect(),
        }
    }
}

impl std::fmt::Debug for IntegrationKeySpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntegrationKeySpec")
            .field("integration_key", &self.integration_key)
            .field("account", &self.account)
            .field("public_key", &self.public_key.as_ref().map(|_| "[PEM]"))
            .field("public_key_file", &self.public_key_file)
            .field("consented_users", &self.consented_users)
            .finish()
    }
}

/// The name of the default topology's first account; later ones are numbered.
pub const DEFAULT_ACCOUNT_NAME: &str = "Emulator Account";
/// The name of the default topology's user.
pub const DEFAULT_USER_NAME: &str = "Emulator User";

impl Topology {
    /// `accounts` accounts (at least one) and one user who is a member of all of them, the
    /// first being the default.
    pub fn single_user(accounts: usize) -> Topology {
        let accounts: Vec<AccountSpec> = (0..accounts.max(1))
            .map(|i| AccountSpec {
                name: if i == 0 {
                    DEFAULT_ACCOUNT_NAME.to_owned()
                } else {
                    format!("{DEFAULT_ACCOUNT_NAME} {}", i + 1)
                },
                id: None,
            })
            .collect();
        let user = UserSpec {
            name: DEFAULT_USER_NAME.to_owned(),
            id: None,
            email: Some("emulator.user@example.com".to_owned()),
            accounts: accounts.iter().map(|a| a.name.clone()).collect(),
        };
        Topology {
            accounts,
            users: vec![user],
            integration_keys: Vec::new(),
        }
    }

    /// Parses a topology from JSON.
    pub fn from_json(text: &str) -> Result<Topology, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    /// Checks what needs no data: at least one account and one user, unique labels, and every
    /// user in at least one account.
    pub fn check(&self) -> Result<(), String> {
        if self.accounts.is_empty() {
            return Err("the topology needs at least one account".into());
        }
        if self.users.is_empty() {
            return Err("the topology needs at least one user".into());
        }
        unique("account", self.accounts.iter().map(|a| a.name.as_str()))?;
        unique("user", self.users.iter().map(|u| u.name.as_str()))?;
        unique(
            "integration key",
            self.integration_keys
                .iter()
                .map(|k| k.integration_key.as_str()),
        )?;
        for u in &self.users {
            if u.accounts.is_empty() {
                return Err(format!("user {:?} is a member of no account", u.name));
            }
        }
        for k in &self.integration_keys {
            if k.integration_key.trim().is_empty() {
                return Err("an integration key is empty".into());
            }
        }
        Ok(())
    }
}

fn unique<'a>(what: &str, names: impl Iterator<Item = &'a str>) -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for n in names {
        if n.trim().is_empty() {
            return Err(format!("a {what} has an empty name"));
        }
        if !seen.insert(n.to_ascii_lowercase()) {
            return Err(format!("{what} {n:?} is listed twice"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_partner_topology_from_json() {
        let t = Topology::from_json(
            r#"{"accounts": [{"name": "partner"}, {"name": "client-a", "id": "8a1c…"}],
                "users": [{"name": "admin", "accounts": ["partner"]},
                          {"name": "alice", "accounts": ["client-a"]}],
                "integration_keys": [{"integration_key": "ik", "account": "partner",
                                      "public_key_file": "pub.pem", "consented_users": ["alice"]}]}"#,
        )
        .unwrap();
        assert_eq!(t.accounts[1].id.as_deref(), Some("8a1c…"));
        assert_eq!(t.users[1].accounts, ["client-a"]);
        assert_eq!(t.integration_keys[0].consented_users, ["alice"]);
        t.check().unwrap();
        assert!(Topology::from_json(r#"{"acounts": []}"#).is_err());
    }

    #[test]
    fn check_refuses_duplicates_and_homeless_users() {
        let mut t = Topology::single_user(2);
        t.check().unwrap();
        t.accounts[1].name = t.accounts[0].name.to_uppercase();
        assert!(t.check().unwrap_err().contains("twice"));
        let mut t = Topology::single_user(1);
        t.users[0].accounts.clear();
        assert!(t.check().unwrap_err().contains("no account"));
    }
}

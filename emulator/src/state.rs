//! The emulator's data: accounts with their Connect configurations, OAuth-for-Connect
//! settings and HMAC keys; users and the accounts they are members of. Optionally persisted
//! as one JSON file, loaded at start and rewritten (atomically: temp file + rename) after
//! every change.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::topology::Topology;
use crate::util;

/// Everything that survives a restart when a state file is configured.
#[derive(Clone, Serialize, Deserialize)]
pub struct Data {
    /// The users; the first is the default user (`Info::user_id`).
    #[serde(default)]
    pub users: Vec<User>,
    /// The development integration key, owned by the first account: development tokens are
    /// bound to it.
    #[serde(default)]
    pub dev_integration_key: String,
    /// The accounts; the first owns the development integration key.
    pub accounts: Vec<Account>,
    /// The next `connectId` to hand out (numeric, shared across accounts like DocuSign's).
    pub next_connect_id: u64,
    /// The single user of state files written before users were modelled, read once.
    #[serde(default, skip_serializing, rename = "user_id")]
    legacy_user_id: Option<String>,
    /// That user's long-lived development token.
    #[serde(default, skip_serializing, rename = "dev_token")]
    legacy_dev_token: Option<String>,
}

/// One user.
#[derive(Clone, Serialize, Deserialize)]
pub struct User {
    /// User id (GUID); `sub` of JWT grants.
    pub id: String,
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Ids of the accounts the user is a member of; the first is the user's default.
    pub accounts: Vec<String>,
    /// A long-lived development token for this user (bound to the development integration
    /// key).
    pub dev_token: String,
}

/// One eSignature account.
#[derive(Clone, Serialize, Deserialize)]
pub struct Account {
    /// Account id (GUID).
    pub id: String,
    /// Account name.
    pub name: String,
    /// Connect configurations by `connectId`.
    pub configs: BTreeMap<String, StoredConfig>,
    /// The account-level OAuth for Connect settings (`connectOAuthConfig`, secret included).
    pub oauth: Option<Map<String, Value>>,
    /// HMAC keys, oldest first.
    pub hmac_keys: Vec<HmacKey>,
}

impl Account {
    /// An account without configurations, settings or keys.
    pub fn new(id: String, name: String) -> Self {
        Account {
            id,
            name,
            configs: BTreeMap::new(),
            oauth: None,
            hmac_keys: Vec::new(),
        }
    }
}

/// A stored configuration plus what the emulator derived about its message delivery.
#[derive(Clone, Serialize, Deserialize)]
pub struct StoredConfig {
    /// The configuration in wire form (string booleans), secrets included.
    pub body: Map<String, Value>,
    /// Which authentication and whose settings its messages would use.
    pub delivery: Delivery,
}

/// Which settings a configuration's Connect messages would use.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Delivery {
    /// `"oauth"`, `"hmac"`, `"oauth+hmac"` or `"none"`.
    pub auth: String,
    /// The account whose OAuth-for-Connect settings / HMAC keys sign the messages.
    pub settings_account_id: String,
    /// The account the configuration lives in.
    pub configuration_account_id: String,
    /// `integratorManaged` at the last write.
    pub integrator_managed: bool,
    /// Whether `oAuthConfiguration` on the configuration itself is used
    /// (`enableOAuthPerConfiguration`).
    pub per_configuration_oauth: bool,
}

/// One HMAC key.
#[derive(Clone, Serialize, Deserialize)]
pub struct HmacKey {
    /// Key id (GUID).
    pub key_id: String,
    /// The secret (base64).
    pub secret: String,
    /// Creation time (RFC 3339).
    pub created: String,
}

// Debug output never shows secrets: development tokens, HMAC keys, client secrets, passwords.
impl std::fmt::Debug for Data {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Data")
            .field("users", &self.users)
            .field("dev_integration_key", &self.dev_integration_key)
            .field("accounts", &self.accounts)
            .field("next_connect_id", &self.next_connect_id)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("accounts", &self.accounts)
            .field("dev_token", &"[REDACTED]")
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("id", &self.id)
            .field("configs", &self.configs.keys().collect::<Vec<_>>())
            .field("oauth", &self.oauth.as_ref().map(|_| "[set]"))
            .field("hmac_keys", &self.hmac_keys)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for StoredConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredConfig")
            .field("connect_id", &self.body.get("connectId"))
            .field("delivery", &self.delivery)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HmacKey")
            .field("key_id", &self.key_id)
            .field("created", &self.created)
            .field("secret", &"[REDACTED]")
            .finish()
    }
}

/// Errors reading or writing the state file.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The file could not be read or written.
    #[error("state file {path}: {source}")]
    Io {
        /// The state file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid emulator state.
    #[error("state file {path} is not valid emulator state: {source}")]
    Parse {
        /// The state file.
        path: PathBuf,
        /// The JSON error.
        source: serde_json::Error,
    },
}

impl Data {
    /// Data holding exactly what `topology` describes (ids generated where it gives none).
    pub fn fresh(topology: &Topology) -> Result<Self, String> {
        let mut data = Data {
            users: Vec::new(),
            dev_integration_key: util::guid(),
            accounts: Vec::new(),
            next_connect_id: 10_000_001,
            legacy_user_id: None,
            legacy_dev_token: None,
        };
        data.apply(topology)?;
        Ok(data)
    }

    /// Makes the data hold what `topology` describes: accounts and users found by label (id
    /// or name) are kept with their data, others are added; each listed user's memberships
    /// become the listed ones. Entries the topology does not list stay.
    pub fn apply(&mut self, topology: &Topology) -> Result<(), String> {
        topology.check()?;
        self.migrate();
        if self.dev_integration_key.is_empty() {
            self.dev_integration_key = util::guid();
        }
        for spec in &topology.accounts {
            let found = self.account_index(spec.id.as_deref().unwrap_or(&spec.name));
            if found.is_none() {
                self.accounts.push(Account::new(
                    spec.id.clone().unwrap_or_else(util::guid),
                    spec.name.clone(),
                ));
            }
        }
        for spec in &topology.users {
            let accounts = spec
                .accounts
                .iter()
                .map(|label| {
                    self.account_index(label)
                        .map(|i| self.accounts[i].id.clone())
                        .ok_or_else(|| {
                            format!("user {:?}: no account {label:?} in the topology", spec.name)
                        })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let label = spec.id.as_deref().unwrap_or(&spec.name);
            let user = match self.user_index(label) {
                Some(i) => &mut self.users[i],
                None => {
                    self.users.push(User {
                        id: spec.id.clone().unwrap_or_else(util::guid),
                        name: spec.name.clone(),
                        email: String::new(),
                        accounts: Vec::new(),
                        dev_token: util::token(),
                    });
                    let last = self.users.len() - 1;
                    &mut self.users[last]
                }
            };
            user.accounts = accounts;
            user.email = spec.email.clone().unwrap_or_else(|| email_for(&spec.name));
        }
        Ok(())
    }

    /// Turns a state file's single user of earlier versions into a member of every account.
    fn migrate(&mut self) {
        if let Some(id) = self.legacy_user_id.take()
            && self.users.is_empty()
        {
            self.users.push(User {
                id,
                name: crate::topology::DEFAULT_USER_NAME.to_owned(),
                email: email_for(crate::topology::DEFAULT_USER_NAME),
                accounts: self.accounts.iter().map(|a| a.id.clone()).collect(),
                dev_token: self.legacy_dev_token.take().unwrap_or_else(util::token),
            });
        }
    }

    fn account_index(&self, label: &str) -> Option<usize> {
        self.accounts
            .iter()
            .position(|a| a.id.eq_ignore_ascii_case(label))
            .or_else(|| self.accounts.iter().position(|a| a.name == label))
    }

    fn user_index(&self, label: &str) -> Option<usize> {
        self.users
            .iter()
            .position(|u| u.id.eq_ignore_ascii_case(label))
            .or_else(|| self.users.iter().position(|u| u.name == label))
    }

    /// The id of the account labelled `label` (its id or its name).
    pub fn account_id_of(&self, label: &str) -> Option<&str> {
        self.account_index(label)
            .map(|i| self.accounts[i].id.as_str())
    }

    /// The user labelled `label` (their id or their name).
    pub fn user_labelled(&self, label: &str) -> Option<&User> {
        self.user_index(label).map(|i| &self.users[i])
    }

    /// The user with id `id` (case-insensitive GUID match).
    pub fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id.eq_ignore_ascii_case(id))
    }

    /// The default user: the first.
    pub fn default_user(&self) -> Option<&User> {
        self.users.first()
    }

    /// Clears all configurations, OAuth settings and keys, keeping users and accounts.
    pub fn clear(&mut self) {
        for a in &mut self.accounts {
            a.configs.clear();
            a.oauth = None;
            a.hmac_keys.clear();
        }
    }

    /// The account with id `id` (case-insensitive GUID match).
    pub fn account(&self, id: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.id.eq_ignore_ascii_case(id))
    }

    /// Mutable access to the account with id `id`.
    pub fn account_mut(&mut self, id: &str) -> Option<&mut Account> {
        self.accounts
            .iter_mut()
            .find(|a| a.id.eq_ignore_ascii_case(id))
    }

    /// The account of `user_id` with id `account_id`, if the user is a member of it.
    pub fn member_account(&self, user_id: &str, account_id: &str) -> Option<&Account> {
        let user = self.user(user_id)?;
        user.accounts
            .iter()
            .any(|a| a.eq_ignore_ascii_case(account_id))
            .then(|| self.account(account_id))
            .flatten()
    }

    /// Hands out the next numeric `connectId`.
    pub fn take_connect_id(&mut self) -> String {
        let id = self.next_connect_id;
        self.next_connect_id += 1;
        id.to_string()
    }

    /// Loads state from `path`, or `None` if the file does not exist.
    pub fn load(path: &Path) -> Result<Option<Self>, StateError> {
        match std::fs::read(path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes)
                    .map(Some)
                    .map_err(|source| StateError::Parse {
                        path: path.to_owned(),
                        source,
                    })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(StateError::Io {
                path: path.to_owned(),
                source,
            }),
        }
    }

    /// Writes state to `path` atomically.
    pub fn save(&self, path: &Path) -> Result<(), StateError> {
        let io = |source| StateError::Io {
            path: path.to_owned(),
            source,
        };
        let bytes = serde_json::to_vec_pretty(self).map_err(|source| StateError::Parse {
            path: path.to_owned(),
            source,
        })?;
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, bytes).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let mut d = Data::fresh(&Topology::single_user(1)).unwrap();
        d.accounts[0].hmac_keys.push(HmacKey {
            key_id: "k".into(),
            secret: "hmacsecret".into(),
            created: "t".into(),
        });
        let mut oauth = Map::new();
        oauth.insert("clientSecret".into(), Value::String("clientsecret".into()));
        d.accounts[0].oauth = Some(oauth);
        let text = format!("{d:?}");
        assert!(
            !text.contains(&d.users[0].dev_token)
                && !text.contains("hmacsecret")
                && !text.contains("clientsecret"),
            "{text}"
        );
    }
}

#[cfg(test)]
mod topology_tests {
    use super::*;
    use crate::topology::{AccountSpec, UserSpec};

    fn partner() -> Topology {
        Topology {
            accounts: vec![
                AccountSpec::named("partner"),
                AccountSpec::named("client-a"),
            ],
            users: vec![
                UserSpec::member_of("admin", &["partner"]),
                UserSpec::member_of("alice", &["client-a"]),
            ],
            integration_keys: Vec::new(),
        }
    }

    #[test]
    fn users_reach_only_their_accounts() {
        let d = Data::fresh(&partner()).unwrap();
        let (partner, client) = (&d.accounts[0].id, &d.accounts[1].id);
        let alice = &d.users[1];
        assert!(d.member_account(&alice.id, client).is_some());
        assert!(d.member_account(&alice.id, partner).is_none());
        assert!(d.member_account(&d.users[0].id, client).is_none());
        assert_eq!(alice.email, "alice@example.com");
    }

    #[test]
    fn applying_again_keeps_ids_and_data_and_adds_what_is_new() {
        let mut d = Data::fresh(&partner()).unwrap();
        let ids: Vec<String> = d.accounts.iter().map(|a| a.id.clone()).collect();
        let alice = d.users[1].id.clone();
        d.accounts[1].hmac_keys.push(HmacKey {
            key_id: "k".into(),
            secret: "s".into(),
            created: "t".into(),
        });
        let mut more = partner();
        more.accounts.push(AccountSpec::named("client-b"));
        more.users[1].accounts.push("client-b".into());
        d.apply(&more).unwrap();
        assert_eq!(d.accounts.len(), 3);
        assert_eq!(
            d.accounts[..2]
                .iter()
                .map(|a| a.id.clone())
                .collect::<Vec<_>>(),
            ids
        );
        assert_eq!(d.accounts[1].hmac_keys.len(), 1);
        assert_eq!(d.users[1].id, alice);
        assert_eq!(d.users[1].accounts.len(), 2);
        let mut unknown = partner();
        unknown.users[1].accounts.push("nowhere".into());
        assert!(d.apply(&unknown).unwrap_err().contains("nowhere"));
    }

    #[test]
    fn a_single_user_state_file_of_earlier_versions_is_migrated() {
        let old = r#"{"user_id": "u-1", "user_name": "Emulator User", "email": "e@x",
            "dev_token": "tok", "accounts": [{"id": "a-1", "name": "Emulator Account", "configs": {},
            "oauth": null, "hmac_keys": []}], "next_connect_id": 7}"#;
        let mut d: Data = serde_json::from_str(old).unwrap();
        d.apply(&Topology::single_user(1)).unwrap();
        assert_eq!(d.users.len(), 1, "{d:?}");
        assert_eq!(d.users[0].id, "u-1");
        assert_eq!(d.users[0].dev_token, "tok");
        assert_eq!(d.users[0].accounts, ["a-1"]);
    }
}

/// An e-mail address derived from a display name: `Emulator User` → `emulator.user@example.com`.
fn email_for(name: &str) -> String {
    let local: String = name
        .split_whitespace()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(".");
    format!("{local}@example.com")
}

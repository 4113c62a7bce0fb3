//! The emulator's data: the user, their accounts, each account's Connect configurations,
//! OAuth-for-Connect settings and HMAC keys. Optionally persisted as one JSON file, loaded at
//! start and rewritten (atomically: temp file + rename) after every change.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::util;

/// Everything that survives a restart when a state file is configured.
#[derive(Clone, Serialize, Deserialize)]
pub struct Data {
    /// The (only) user's id, a GUID; `sub` of JWT grants.
    pub user_id: String,
    /// The user's display name.
    pub user_name: String,
    /// The user's e-mail.
    pub email: String,
    /// The long-lived development token printed at start.
    pub dev_token: String,
    /// The user's accounts; the first is the default (the "home"/integrator account).
    pub accounts: Vec<Account>,
    /// The next `connectId` to hand out (numeric, shared across accounts like DocuSign's).
    pub next_connect_id: u64,
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

// Debug output never shows secrets: the dev token, HMAC keys, client secrets, passwords.
impl std::fmt::Debug for Data {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Data")
            .field("user_id", &self.user_id)
            .field("accounts", &self.accounts)
            .field("next_connect_id", &self.next_connect_id)
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
    /// Fresh data: a new user with `accounts` accounts (at least one).
    pub fn fresh(accounts: usize) -> Self {
        let accounts = (0..accounts.max(1))
            .map(|i| Account {
                id: util::guid(),
                name: if i == 0 {
                    "Emulator Account".to_owned()
                } else {
                    format!("Emulator Account {}", i + 1)
                },
                configs: BTreeMap::new(),
                oauth: None,
                hmac_keys: Vec::new(),
            })
            .collect();
        Data {
            user_id: util::guid(),
            user_name: "Emulator User".to_owned(),
            email: "emulator.user@example.com".to_owned(),
            dev_token: util::token(),
            accounts,
            next_connect_id: 10_000_001,
        }
    }

    /// Clears all configurations, OAuth settings and keys, keeping the user and accounts.
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

    /// The default ("home") account id.
    pub fn home_account_id(&self) -> &str {
        self.accounts.first().map(|a| a.id.as_str()).unwrap_or("")
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
        let mut d = Data::fresh(1);
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
            !text.contains(&d.dev_token)
                && !text.contains("hmacsecret")
                && !text.contains("clientsecret"),
            "{text}"
        );
    }
}

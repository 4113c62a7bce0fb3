//! The `provider "docusign" {}` block: its schema, environment fallbacks, the checks that run at
//! plan time, and the translation into the client's [`ClientConfig`].
//!
//! Every attribute is optional and falls back to an environment variable. Credentials are
//! either an access token, or a JWT grant (integration key + user id + private key). Missing or
//! contradictory credentials give one diagnostic, on the attribute to fix.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::client::{ClientConfig, Credentials, Environment, Secret};
use crate::framework::schema::{Attribute, Block, Schema};
use crate::framework::{AttributePath, Diagnostic, Diagnostics, Type, Value};

/// One provider attribute and its environment variable.
struct Setting {
    name: &'static str,
    env: Option<&'static str>,
    ty: Ty,
    sensitive: bool,
    description: &'static str,
}

/// The type of a provider attribute.
#[derive(Clone, Copy)]
enum Ty {
    String,
    Number,
    StringMap,
}

impl Ty {
    fn schema_type(self) -> Type {
        match self {
            Ty::String => Type::String,
            Ty::Number => Type::Number,
            Ty::StringMap => Type::map(Type::String),
        }
    }
}

const SETTINGS: &[Setting] = &[
    Setting {
        name: "account_id",
        env: Some("DOCUSIGN_ACCOUNT_ID"),
        ty: Ty::String,
        sensitive: false,
        description: "The default account (GUID or account number) for resources that do not set their own `account_id`. Unset, the user's default account from `/oauth/userinfo` is used.",
    },
    Setting {
        name: "environment",
        env: Some("DOCUSIGN_ENVIRONMENT"),
        ty: Ty::String,
        sensitive: false,
        description: "`demo` (the default, OAuth host `account-d.docusign.com`) or `production` (`account.docusign.com`).",
    },
    Setting {
        name: "base_uri",
        env: Some("DOCUSIGN_BASE_URI"),
        ty: Ty::String,
        sensitive: false,
        description: "The account's base URI as `/oauth/userinfo` reports it, e.g. `https://demo.docusign.net`; the REST API is `base_uri` + `/restapi`. Setting it skips account discovery.",
    },
    Setting {
        name: "oauth_base_uri",
        env: Some("DOCUSIGN_OAUTH_BASE_URI"),
        ty: Ty::String,
        sensitive: false,
        description: "Overrides the OAuth host chosen by `environment` (for example, the local emulator).",
    },
    Setting {
        name: "access_token",
        env: Some("DOCUSIGN_ACCESS_TOKEN"),
        ty: Ty::String,
        sensitive: true,
        description: "A ready-made OAuth access token. Use it, or the JWT grant (`integration_key`, `user_id` and a private key), not both.",
    },
    Setting {
        name: "integration_key",
        env: Some("DOCUSIGN_INTEGRATION_KEY"),
        ty: Ty::String,
        sensitive: false,
        description: "The integration key (OAuth client id) for the JWT grant.",
    },
    Setting {
        name: "user_id",
        env: Some("DOCUSIGN_USER_ID"),
        ty: Ty::String,
        sensitive: false,
        description: "The GUID of the user the JWT grant impersonates in the default account and in every account `account_users` does not list. The user must be a member (an administrator) of those accounts and have consented to the integration key for the `signature impersonation` scopes. Optional when `account_users` lists every account used.",
    },
    Setting {
        name: "account_users",
        env: None,
        ty: Ty::StringMap,
        sensitive: false,
        description: "For the JWT grant: which user to impersonate in which account, as `{ \"<account id>\" = \"<user id>\" }`. A partner's integration key belongs to the partner's account; the partner reaches each client account by impersonating a user of that client account who consented to the integration key, and that user differs from client to client. A token is minted and cached per user, and every resource with an `account_id` listed here uses its user's token. Accounts not listed use `user_id`, which may then be left unset. No environment variable.",
    },
    Setting {
        name: "private_key",
        env: Some("DOCUSIGN_PRIVATE_KEY"),
        ty: Ty::String,
        sensitive: true,
        description: "The integration key's RSA private key, PEM, for the JWT grant. Conflicts with `private_key_file`.",
    },
    Setting {
        name: "private_key_file",
        env: Some("DOCUSIGN_PRIVATE_KEY_FILE"),
        ty: Ty::String,
        sensitive: false,
        description: "Path of a PEM file holding the RSA private key for the JWT grant.",
    },
    Setting {
        name: "max_retries",
        env: None,
        ty: Ty::Number,
        sensitive: false,
        description: "Retries after a failed call that is safe to retry (HTTP 429 and 5xx, DocuSign's rate-limit errors, connection errors). Default 5.",
    },
    Setting {
        name: "request_timeout",
        env: None,
        ty: Ty::Number,
        sensitive: false,
        description: "Timeout of one HTTP request, in seconds. Default 60.",
    },
];

/// Each provider attribute that falls back to an environment variable, and that variable, in
/// the order of the schema.
pub fn environment_variables() -> impl Iterator<Item = (&'static str, &'static str)> {
    SETTINGS.iter().filter_map(|s| Some((s.name, s.env?)))
}

/// The provider block schema.
pub fn schema() -> Schema {
    let mut block = Block::new().description(
        "The DocuSign provider manages DocuSign Connect (webhook) configurations and OAuth for \
         Connect settings through the eSignature REST API v2.1. Every attribute is optional; all \
         but `account_users`, `max_retries` and `request_timeout` fall back to an environment \
         variable.",
    );
    for s in SETTINGS {
        let mut description = s.description.to_string();
        if let Some(env) = s.env {
            description.push_str(&format!(" Environment variable: `{env}`."));
        }
        let a = Attribute::new(s.name, s.ty.schema_type())
            .optional()
            .description(description);
        block = block.attribute(if s.sensitive { a.sensitive() } else { a });
    }
    Schema::new(0, block)
}

/// The provider settings after environment fallbacks. Unknown config values are `Unknown`.
#[derive(Default)]
pub struct Settings {
    values: std::collections::BTreeMap<&'static str, Resolved>,
    /// `account_users`: account id → user id (a null entry is kept as an empty user id).
    account_users: BTreeMap<String, String>,
}

#[derive(Clone)]
enum Resolved {
    Unknown,
    /// Value and whether it came from the environment.
    Known(String, bool),
}

impl Settings {
    /// Resolves every setting from `config`, then from the environment through `env`.
    pub fn resolve(config: &Value, env: &dyn Fn(&str) -> Option<String>) -> Self {
        let mut values = std::collections::BTreeMap::new();
        let mut account_users = BTreeMap::new();
        for s in SETTINGS {
            let v = config.get_attr(s.name).unwrap_or(&Value::Null);
            let resolved = match v {
                Value::Map(entries) => {
                    for (account, user) in entries {
                        match user {
                            Value::Unknown => {
                                values.insert(s.name, Resolved::Unknown);
                            }
                            other => {
                                let user = other.as_str().unwrap_or_default().to_owned();
                                account_users.insert(account.clone(), user);
                            }
                        }
                    }
                    match values.get(s.name) {
                        Some(Resolved::Unknown) => Some(Resolved::Unknown),
                        _ if entries.is_empty() => None,
                        _ => Some(Resolved::Known(String::new(), false)),
                    }
                }
                Value::Unknown => Some(Resolved::Unknown),
                Value::String(text) if !text.is_empty() => {
                    Some(Resolved::Known(text.clone(), false))
                }
                Value::Number(n) => Some(Resolved::Known(n.to_string(), false)),
                _ => s
                    .env
                    .and_then(env)
                    .filter(|t| !t.is_empty())
                    .map(|t| Resolved::Known(t, true)),
            };
            if let Some(r) = resolved {
                values.insert(s.name, r);
            }
        }
        Settings {
            values,
            account_users,
        }
    }

    fn known(&self, name: &str) -> Option<&str> {
        match self.values.get(name) {
            Some(Resolved::Known(v, _)) => Some(v.as_str()),
            _ => None,
        }
    }

    fn is_set(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    fn is_unknown(&self) -> bool {
        self.values.values().any(|v| matches!(v, Resolved::Unknown))
    }

    /// Where a setting came from, for messages.
    fn origin(&self, name: &str) -> String {
        match self.values.get(name) {
            Some(Resolved::Known(_, true)) => {
                let env = SETTINGS
                    .iter()
                    .find(|s| s.name == name)
                    .and_then(|s| s.env)
                    .unwrap_or_default();
                format!("{name} (from {env})")
            }
            _ => name.to_string(),
        }
    }

    /// The configured default account, if any.
    pub fn account_id(&self) -> Option<String> {
        self.known("account_id").map(str::to_string)
    }

    /// Checks the settings. With `complete = false` (validation time) unknown values are
    /// skipped; errors point at the attribute to fix.
    pub fn check(&self) -> Diagnostics {
        let mut d = Diagnostics::new();
        let at = |n: &str| AttributePath::root().attr(n);
        if let Some(e) = self.known("environment")
            && !matches!(e, "demo" | "production")
        {
            d.error_at(
                at("environment"),
                "Unknown DocuSign environment",
                format!(
                    "{} must be \"demo\" or \"production\"; got {e:?}.",
                    self.origin("environment")
                ),
            );
        }
        for name in ["base_uri", "oauth_base_uri"] {
            if let Some(u) = self.known(name)
                && (!(u.starts_with("https://") || u.starts_with("http://")) || u.len() < 9)
            {
                d.error_at(
                    at(name),
                    "Invalid URI",
                    format!(
                        "{} must be an absolute http(s) URI; got {u:?}.",
                        self.origin(name)
                    ),
                );
            }
        }
        for name in ["max_retries", "request_timeout"] {
            if let Some(n) = self.known(name)
                && n.parse::<u32>().is_err()
            {
                d.error_at(
                    at(name),
                    "Invalid number",
                    format!("{name} must be a whole number ≥ 0; got {n}."),
                );
            }
        }
        if self.is_unknown() {
            return d; // credentials are judged once they are known
        }
        let token = self.is_set("access_token");
        let jwt_parts = [
            "integration_key",
            "user_id",
            "account_users",
            "private_key",
            "private_key_file",
        ];
        let any_jwt = jwt_parts.iter().any(|p| self.is_set(p));
        if token && any_jwt {
            let jwt_set: Vec<String> = jwt_parts
                .iter()
                .filter(|p| self.is_set(p))
                .map(|p| self.origin(p))
                .collect();
            d.error_at(
                at("access_token"),
                "Contradictory DocuSign credentials",
                format!(
                    "{} is set together with JWT grant settings ({}). Use either an access token \
                     or the JWT grant, not both.",
                    self.origin("access_token"),
                    jwt_set.join(", ")
                ),
            );
            return d;
        }
        if !token && !any_jwt {
            d.error_at(
                at("access_token"),
                "No DocuSign credentials",
                "Set access_token (or DOCUSIGN_ACCESS_TOKEN), or the JWT grant: integration_key, \
                 user_id and private_key or private_key_file (or their DOCUSIGN_* environment \
                 variables).",
            );
            return d;
        }
        if any_jwt {
            for (account, user) in &self.account_users {
                if account.trim().is_empty() || user.trim().is_empty() {
                    d.error_at(
                        at("account_users").key(account),
                        "Incomplete account_users entry",
                        format!(
                            "account_users maps account {account:?} to user {user:?}; each entry \
                             needs an account id and the id of the user to impersonate there."
                        ),
                    );
                }
            }
            let users = if self.account_users.is_empty() {
                &["integration_key", "user_id"][..]
            } else {
                &["integration_key"][..]
            };
            for &part in users {
                if !self.is_set(part) {
                    d.error_at(
                        at(part),
                        "Incomplete JWT grant settings",
                        format!(
                            "The JWT grant needs integration_key, a private key, and user_id or \
                             account_users; {part} is missing (set it or DOCUSIGN_{}).",
                            part.to_ascii_uppercase()
                        ),
                    );
                }
            }
            match (self.is_set("private_key"), self.is_set("private_key_file")) {
                (true, true) => d.error_at(
                    at("private_key_file"),
                    "Contradictory private key settings",
                    format!(
                        "{} and {} are both set; set only one.",
                        self.origin("private_key"),
                        self.origin("private_key_file")
                    ),
                ),
                (false, false) => d.error_at(
                    at("private_key"),
                    "Incomplete JWT grant settings",
                    "The JWT grant needs private_key or private_key_file (or DOCUSIGN_PRIVATE_KEY / \
                     DOCUSIGN_PRIVATE_KEY_FILE).",
                ),
                _ => {}
            }
        }
        d
    }

    /// Builds the client configuration from checked, known settings. Reads the private key file.
    pub fn client_config(&self) -> Result<ClientConfig, Diagnostic> {
        let at = |n: &str| AttributePath::root().attr(n);
        let credentials = if let Some(t) = self.known("access_token") {
            Credentials::AccessToken(Secret::new(t))
        } else {
            let private_key_pem = match (self.known("private_key"), self.known("private_key_file"))
            {
                (Some(k), _) => Secret::new(k),
                (None, Some(path)) => match std::fs::read_to_string(path) {
                    Ok(text) => Secret::new(text),
                    Err(e) => {
                        return Err(Diagnostic::error(
                            "Cannot read the private key file",
                            format!("{}: {path}: {e}", self.origin("private_key_file")),
                        )
                        .at(at("private_key_file")));
                    }
                },
                (None, None) => {
                    return Err(
                        Diagnostic::error("Missing private key", "No private key is set.")
                            .at(at("private_key")),
                    );
                }
            };
            Credentials::Jwt {
                integration_key: self
                    .known("integration_key")
                    .unwrap_or_default()
                    .to_string(),
                user_id: self.known("user_id").map(str::to_string),
                account_users: self.account_users.clone(),
                private_key_pem,
            }
        };
        let mut cfg = ClientConfig::new(credentials);
        if self.known("environment") == Some("production") {
            cfg.environment = Environment::Production;
        }
        cfg.base_uri = self.known("base_uri").map(str::to_string);
        cfg.oauth_base_uri = self.known("oauth_base_uri").map(str::to_string);
        cfg.account_id = self.account_id();
        if let Some(n) = self.known("max_retries").and_then(|n| n.parse().ok()) {
            cfg.max_retries = n;
        }
        if let Some(n) = self.known("request_timeout").and_then(|n| n.parse().ok()) {
            cfg.request_timeout = Duration::from_secs(n);
        }
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn config(pairs: &[(&str, &str)]) -> Value {
        let mut m: BTreeMap<String, Value> = SETTINGS
            .iter()
            .map(|s| (s.name.to_string(), Value::Null))
            .collect();
        for (k, v) in pairs {
            m.insert(k.to_string(), Value::String(v.to_string()));
        }
        Value::Object(m)
    }

    fn check(cfg: &[(&str, &str)], env: &[(&str, &str)]) -> Vec<String> {
        let env: BTreeMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let s = Settings::resolve(&config(cfg), &|k| env.get(k).cloned());
        attributes(&s.check())
    }

    #[test]
    fn credential_problems_point_at_the_attribute_to_fix() {
        assert_eq!(check(&[], &[]), vec!["access_token"]);
        assert!(check(&[("access_token", "t")], &[]).is_empty());
        assert!(check(&[], &[("DOCUSIGN_ACCESS_TOKEN", "t")]).is_empty());
        assert_eq!(
            check(
                &[("access_token", "t")],
                &[("DOCUSIGN_INTEGRATION_KEY", "ik")]
            ),
            vec!["access_token"]
        );
        assert_eq!(
            check(
                &[("integration_key", "ik"), ("private_key_file", "/k.pem")],
                &[]
            ),
            vec!["user_id"]
        );
        assert_eq!(
            check(&[("integration_key", "ik"), ("user_id", "u")], &[]),
            vec!["private_key"]
        );
        assert_eq!(
            check(
                &[
                    ("integration_key", "ik"),
                    ("user_id", "u"),
                    ("private_key", "k"),
                    ("private_key_file", "f")
                ],
                &[]
            ),
            vec!["private_key_file"]
        );
        assert_eq!(
            check(&[("access_token", "t"), ("environment", "prod")], &[]),
            vec!["environment"]
        );
    }

    fn with_account_users(pairs: &[(&str, &str)], users: Value) -> Settings {
        let mut cfg = config(pairs);
        if let Value::Object(m) = &mut cfg {
            m.insert("account_users".into(), users);
        }
        Settings::resolve(&cfg, &|_| None)
    }

    fn attributes(d: &Diagnostics) -> Vec<String> {
        d.iter()
            .map(|d| {
                d.attribute
                    .as_ref()
                    .map(|p| p.to_string())
                    .unwrap_or_default()
            })
            .collect()
    }

    #[test]
    fn account_users_stand_in_for_user_id_and_reach_the_client_config() {
        let jwt = [("integration_key", "ik"), ("private_key", "k")];
        let users = Value::Map(BTreeMap::from([
            ("acc-a".to_string(), Value::string("user-a")),
            ("acc-b".to_string(), Value::string("user-b")),
        ]));
        let s = with_account_users(&jwt, users.clone());
        assert!(s.check().is_empty(), "{:?}", attributes(&s.check()));
        let cfg = s.client_config().unwrap();
        let Credentials::Jwt {
            user_id,
            account_users,
            ..
        } = cfg.credentials
        else {
            panic!("expected JWT credentials");
        };
        assert_eq!(user_id, None);
        assert_eq!(
            account_users,
            BTreeMap::from([
                ("acc-a".to_string(), "user-a".to_string()),
                ("acc-b".to_string(), "user-b".to_string()),
            ])
        );
        // Without either, user_id is what is missing.
        let none = with_account_users(&jwt, Value::Map(BTreeMap::new()));
        assert_eq!(attributes(&none.check()), vec!["user_id"]);
        // An access token impersonates nobody: account_users contradicts it.
        let token = with_account_users(&[("access_token", "t")], users);
        assert_eq!(attributes(&token.check()), vec!["access_token"]);
        let text: String = token.check().iter().map(|d| d.to_string()).collect();
        assert!(text.contains("account_users"), "{text}");
        // An entry without a user points at that entry.
        let empty = with_account_users(
            &jwt,
            Value::Map(BTreeMap::from([("acc-a".to_string(), Value::string(""))])),
        );
        assert_eq!(attributes(&empty.check()), vec!["account_users[\"acc-a\"]"]);
        // An unknown user defers the credential checks.
        let unknown = with_account_users(
            &jwt,
            Value::Map(BTreeMap::from([("acc-a".to_string(), Value::Unknown)])),
        );
        assert!(unknown.check().is_empty());
    }

    #[test]
    fn messages_never_carry_the_token() {
        let s = Settings::resolve(
            &config(&[("access_token", "sekrit-token"), ("user_id", "u")]),
            &|_| None,
        );
        let text: String = s.check().iter().map(|d| d.to_string()).collect();
        assert!(!text.contains("sekrit-token"), "{text}");
    }

    #[test]
    fn schema_is_valid_and_documents_every_env_var() {
        let s = schema();
        assert_eq!(s.validate(), Ok(()));
        for setting in SETTINGS {
            let a = s.block.get_attribute(setting.name).expect("attribute");
            if let Some(env) = setting.env {
                assert!(a.description.contains(env), "{} lacks {env}", setting.name);
            }
        }
    }
}

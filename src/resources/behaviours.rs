//! Attribute behaviours the DocuSign resources share, each written once:
//!
//! * [`account_id`]: the account that holds an object, the provider's account by default;
//! * [`WriteOnlySecret`]: a secret settable in state (`password`) or write-only
//!   (`password_wo` with `password_wo_version`): the pair's schema, validation, warning and
//!   mapping onto the client's model;
//! * [`require_https`]: URLs DocuSign calls.
//!
//! The plan rules themselves (requires-replace, use-state-for-unknown, defaults) are declared on
//! the schema attributes and applied by the framework server.

use std::collections::BTreeMap;

use crate::client::Secret;
use crate::framework::schema::Attribute;
use crate::framework::{AttributePath, Diagnostic, Diagnostics, Severity, Type, Value};

/// The `account_id` attribute: the provider's account when unset (planned at create, once the
/// provider knows it), kept on update, and a change replaces the object. `description` says
/// what the account holds.
pub fn account_id(description: &str) -> Attribute {
    Attribute::new("account_id", Type::String)
        .optional()
        .computed()
        .default_from_provider()
        .use_state_for_unknown()
        .requires_replace()
        .description(description)
}

/// A secret DocuSign never returns, settable two ways: the plain sensitive attribute `name`
/// (kept in state) or the write-only `<name>_wo` (Terraform ≥ 1.11, never stored) with
/// `<name>_wo_version`, whose change makes Terraform send the write-only value again.
pub struct WriteOnlySecret<M> {
    /// The plain attribute, e.g. `password`.
    pub name: &'static str,
    /// What the secret is, e.g. `password`, `client secret` (for messages).
    pub noun: &'static str,
    /// Its use, appended to the noun in the description, e.g. ` for HTTP Basic
    /// authentication to the listener` (may be empty).
    pub purpose: &'static str,
    /// Puts the secret into the client's model.
    pub set: fn(&mut M, Secret),
}

impl<M> WriteOnlySecret<M> {
    /// `<name>_wo`.
    pub fn write_only_name(&self) -> String {
        format!("{}_wo", self.name)
    }

    /// `<name>_wo_version`.
    pub fn version_name(&self) -> String {
        format!("{}_wo_version", self.name)
    }

    /// The two schema attributes, `<name>_wo` then `<name>_wo_version`.
    pub fn attributes(&self) -> [Attribute; 2] {
        let (name, wo, version) = (self.name, self.write_only_name(), self.version_name());
        [
            Attribute::new(wo.as_str(), Type::String)
                .optional()
                .sensitive()
                .write_only()
                .description(format!(
                    "Write-only {}{}: sent to DocuSign, never stored in state or plan. Requires \
                     Terraform 1.11 or later. Change `{version}` to send a new value. \
                     Conflicts with `{name}`.",
                    self.noun, self.purpose
                )),
            Attribute::new(version.as_str(), Type::Number)
                .optional()
                .description(format!(
                    "Any number; change it to make Terraform send `{wo}` again."
                )),
        ]
    }

    /// The checks of a configuration: both forms set is an error; the write-only form without
    /// a version is a warning (Terraform cannot see a new write-only value).
    pub fn validate(&self, config: &Value, d: &mut Diagnostics) {
        let (wo, version) = (self.write_only_name(), self.version_name());
        let set = |n: &str| config.get_attr(n).is_some_and(|v| !v.is_null());
        if set(self.name) && set(&wo) {
            d.error_at(
                AttributePath::root().attr(wo.as_str()),
                format!("Conflicting {}s", self.noun),
                format!("Set either {} or {wo}, not both.", self.name),
            );
        }
        if set(&wo) && !set(&version) {
            d.warning_at(
                AttributePath::root().attr(version.as_str()),
                format!("{wo} without {version}"),
                format!(
                    "Terraform cannot see changes to a write-only value. Set {version} and \
                     change it whenever {wo} changes, so the new {} is sent.",
                    self.noun
                ),
            );
        }
    }

    /// Puts the write-only value of an apply's `config` into `model`, if set.
    pub fn write(&self, config: &Value, model: &mut M) {
        if let Some(s) = config.attr_str(&self.write_only_name()) {
            (self.set)(model, Secret::new(s));
        }
    }

    /// The pair's state: the write-only value null, the version as planned or stored in
    /// `prior`.
    pub fn state_into(&self, prior: &Value, out: &mut BTreeMap<String, Value>) {
        let version = self.version_name();
        let kept = prior
            .get_attr(&version)
            .filter(|v| v.is_known())
            .cloned()
            .unwrap_or(Value::Null);
        out.insert(self.write_only_name(), Value::Null);
        out.insert(version, kept);
    }

    /// Whether an update must send the secret: the plain value or the version changed.
    pub fn changed(&self, prior: &Value, planned: &Value) -> bool {
        [self.name.to_owned(), self.version_name()]
            .iter()
            .any(|a| prior.get_attr(a) != planned.get_attr(a))
    }
}

/// A diagnostic of `severity` on `attribute` unless `url` is an `https://` URL with a host;
/// `action` says what DocuSign does with it ("publishes to"). Credentials in the URL are hidden
/// in the message. An error where DocuSign documents the rule, a warning where it is assumed.
pub fn require_https(
    url: &str,
    attribute: &str,
    summary: &str,
    action: &str,
    severity: Severity,
    d: &mut Diagnostics,
) {
    let lower = url.to_ascii_lowercase();
    let ok = lower
        .strip_prefix("https://")
        .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/') && !rest.contains(' '));
    if ok {
        return;
    }
    let url = redact_userinfo(url);
    let diagnostic = match severity {
        Severity::Error => Diagnostic::error(
            summary,
            format!("DocuSign only {action} https:// URLs with a host; got {url:?}."),
        ),
        Severity::Warning => Diagnostic::warning(
            summary,
            format!(
                "DocuSign {action} this URL; it is expected to be an https:// URL with a host, \
                 and got {url:?}. It is sent as written."
            ),
        ),
    };
    d.push(diagnostic.at(AttributePath::root().attr(attribute)));
}

/// Hides credentials embedded in a URL (`https://user:pass@host`) before it enters a message.
fn redact_userinfo(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        let (authority, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        if let Some((_, host)) = authority.rsplit_once('@') {
            return format!("{scheme}://***@{host}{tail}");
        }
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Model {
        secret: Option<Secret>,
    }

    const PASSWORD: WriteOnlySecret<Model> = WriteOnlySecret {
        name: "password",
        noun: "password",
        purpose: " for the listener",
        set: |m, s| m.secret = Some(s),
    };

    fn config(pairs: &[(&str, Value)]) -> Value {
        let mut c = Value::object([
            ("password", Value::Null),
            ("password_wo", Value::Null),
            ("password_wo_version", Value::Null),
        ]);
        for (k, v) in pairs {
            c.set_attr(*k, v.clone());
        }
        c
    }

    fn summaries(d: &Diagnostics, severity: Severity) -> Vec<String> {
        d.iter()
            .filter(|d| d.severity == severity)
            .map(|d| d.summary.clone())
            .collect()
    }

    #[test]
    fn the_pair_is_named_after_the_secret() {
        let [wo, version] = PASSWORD.attributes();
        assert_eq!(
            (wo.name.as_str(), version.name.as_str()),
            ("password_wo", "password_wo_version")
        );
        assert!(wo.write_only && wo.sensitive && wo.optional && !wo.computed);
        assert!(
            wo.description
                .contains("Write-only password for the listener:")
        );
        assert!(wo.description.contains("`password_wo_version`"));
        assert!(version.description.contains("`password_wo`"));
    }

    #[test]
    fn both_forms_conflict_and_a_missing_version_warns() {
        let mut d = Diagnostics::new();
        let both = config(&[
            ("password", Value::string("a")),
            ("password_wo", Value::string("b")),
            ("password_wo_version", Value::from(1_i64)),
        ]);
        PASSWORD.validate(&both, &mut d);
        assert_eq!(summaries(&d, Severity::Error), ["Conflicting passwords"]);
        assert!(summaries(&d, Severity::Warning).is_empty());

        let mut d = Diagnostics::new();
        PASSWORD.validate(&config(&[("password_wo", Value::string("b"))]), &mut d);
        assert!(summaries(&d, Severity::Error).is_empty());
        assert_eq!(
            summaries(&d, Severity::Warning),
            ["password_wo without password_wo_version"]
        );

        let mut d = Diagnostics::new();
        PASSWORD.validate(&config(&[("password", Value::string("a"))]), &mut d);
        assert!(d.is_empty());
    }

    #[test]
    fn the_write_only_value_maps_from_config_and_never_into_state() {
        let mut m = Model::default();
        PASSWORD.write(&config(&[("password_wo", Value::string("wo"))]), &mut m);
        assert_eq!(m.secret.as_ref().map(Secret::expose), Some("wo"));
        let mut m = Model::default();
        PASSWORD.write(&config(&[]), &mut m);
        assert!(m.secret.is_none());

        let mut out = BTreeMap::new();
        let prior = config(&[
            ("password_wo", Value::string("wo")),
            ("password_wo_version", Value::from(3_i64)),
        ]);
        PASSWORD.state_into(&prior, &mut out);
        assert_eq!(out["password_wo"], Value::Null);
        assert_eq!(out["password_wo_version"], Value::from(3_i64));
        let mut out = BTreeMap::new();
        PASSWORD.state_into(
            &config(&[("password_wo_version", Value::Unknown)]),
            &mut out,
        );
        assert_eq!(out["password_wo_version"], Value::Null);
    }

    #[test]
    fn the_secret_is_resent_only_when_it_or_its_version_changes() {
        let a = config(&[("password", Value::string("x"))]);
        let b = config(&[("password", Value::string("y"))]);
        assert!(!PASSWORD.changed(&a, &a));
        assert!(PASSWORD.changed(&a, &b));
        let v1 = config(&[("password_wo_version", Value::from(1_i64))]);
        let v2 = config(&[("password_wo_version", Value::from(2_i64))]);
        assert!(PASSWORD.changed(&v1, &v2));
    }

    #[test]
    fn urls_must_be_https_with_a_host_and_credentials_are_hidden() {
        for good in ["https://h/x", "HTTPS://h"] {
            let mut d = Diagnostics::new();
            require_https(
                good,
                "url",
                "URL must be https",
                "calls",
                Severity::Error,
                &mut d,
            );
            assert!(d.is_empty(), "{good}");
        }
        for bad in [
            "http://h",
            "https://",
            "https:///x",
            "https://h x",
            "ftp://u:p@h/",
        ] {
            for severity in [Severity::Error, Severity::Warning] {
                let mut d = Diagnostics::new();
                require_https(bad, "url", "URL must be https", "calls", severity, &mut d);
                assert_eq!(summaries(&d, severity), ["URL must be https"], "{bad}");
                assert_eq!(d.len(), 1, "{bad}");
            }
        }
        let mut d = Diagnostics::new();
        require_https(
            "http://user:hunter2@h/p",
            "url",
            "s",
            "calls",
            Severity::Warning,
            &mut d,
        );
        let detail = d.iter().map(|d| d.detail.clone()).collect::<String>();
        assert!(
            detail.contains("http://***@h/p") && !detail.contains("hunter2"),
            "{detail}"
        );
    }
}

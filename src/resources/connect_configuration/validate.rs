//! Plan-time checks of a Connect configuration, each reported on its attribute's path.
//!
//! They run in `ValidateResourceTypeConfig`, before any plan, so nothing is sent to DocuSign
//! when one fails. Values still unknown at validation time are skipped.
//!
//! A rule is an error only where DocuSign documents that it refuses the value (or where the
//! provider could not manage the result); where that is an assumption, it is a warning and the
//! value is sent as written. docs/validation.md lists each rule with its evidence.

use crate::framework::{AttributePath, Diagnostics, Severity, Value};
use crate::resources::behaviours;

/// JSON SIM event names DocuSign documents (the `events` description of `connectCustomConfiguration`
/// in DocuSign's eSignature v2.1 Swagger).
pub const KNOWN_EVENTS: &[&str] = &[
    "envelope-created",
    "envelope-sent",
    "envelope-resent",
    "envelope-delivered",
    "envelope-completed",
    "envelope-declined",
    "envelope-voided",
    "envelope-corrected",
    "envelope-purge",
    "envelope-deleted",
    "envelope-discard",
    "envelope-removed",
    "envelope-reminder-sent",
    "recipient-sent",
    "recipient-resent",
    "recipient-delivered",
    "recipient-completed",
    "recipient-declined",
    "recipient-authenticationfailed",
    "recipient-autoresponded",
    "recipient-reassign",
    "recipient-delegate",
    "recipient-finish-later",
    "template-created",
    "template-modified",
    "template-deleted",
    "click-agreed",
    "click-declined",
];

/// Legacy envelope statuses, exact case.
pub const ENVELOPE_EVENTS: &[&str] = &["Sent", "Delivered", "Completed", "Declined", "Voided"];

/// Legacy recipient statuses, exact case.
pub const RECIPIENT_EVENTS: &[&str] = &[
    "Sent",
    "AutoResponded",
    "Delivered",
    "Completed",
    "Declined",
    "AuthenticationFailed",
];

/// `event_data.version` values.
pub const EVENT_DATA_VERSIONS: &[&str] = &["restv2.1", "legacy"];

/// `configuration_type` values this resource manages.
pub const CONFIGURATION_TYPES: &[&str] = &["custom", "customrecipient"];

/// `delivery_mode` values: the definition lists `SIM` and `Aggregate`, DocuSign's guides write
/// `aggregate`.
pub const DELIVERY_MODES: &[&str] = &["SIM", "Aggregate", "aggregate"];

fn path(name: &str) -> AttributePath {
    AttributePath::root().attr(name)
}

fn known_strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Set(items) | Value::List(items)) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

fn is_set_nonempty(v: Option<&Value>) -> Option<bool> {
    match v {
        None | Some(Value::Null) => Some(false),
        Some(Value::Set(items) | Value::List(items)) => Some(!items.is_empty()),
        _ => None, // unknown
    }
}

/// Checks one config; `config` may contain unknowns.
pub fn validate(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    let attr = |n: &str| config.get_attr(n);
    let bool_of = |n: &str| config.attr_bool(n);

    if let Some(url) = config.attr_str("url_to_publish_to") {
        behaviours::require_https(
            url,
            "url_to_publish_to",
            "Listener URL must be https",
            "publishes to",
            Severity::Error,
            &mut d,
        );
    }
    if let Some(t) = config.attr_str("configuration_type")
        && !CONFIGURATION_TYPES.contains(&t)
    {
        d.error_at(
            path("configuration_type"),
            "Unsupported configuration type",
            format!(
                "configuration_type must be one of {}; got {t:?}. Salesforce and eOriginal \
                     configurations cannot be managed through this API.",
                CONFIGURATION_TYPES.join(", ")
            ),
        );
    }
    if let Some(m) = config.attr_str("delivery_mode")
        && !DELIVERY_MODES.contains(&m)
    {
        d.warning_at(
            path("delivery_mode"),
            "Undocumented delivery mode",
            format!(
                "DocuSign documents delivery_mode \"SIM\" and \"aggregate\"; {m:?} is sent as \
                 written."
            ),
        );
    }

    for event in known_strings(attr("events")) {
        if !KNOWN_EVENTS.contains(&event.as_str()) {
            d.warning_at(
                path("events"),
                "Unknown Connect event",
                format!(
                    "{event:?} is not among the JSON SIM events DocuSign documents. It is sent \
                     as written; check its spelling if no messages arrive."
                ),
            );
        }
    }
    check_legacy(
        "envelope_events",
        ENVELOPE_EVENTS,
        known_strings(attr("envelope_events")),
        &mut d,
    );
    check_legacy(
        "recipient_events",
        RECIPIENT_EVENTS,
        known_strings(attr("recipient_events")),
        &mut d,
    );

    // all_users = false needs user_ids.
    if bool_of("all_users") == Some(false) && is_set_nonempty(attr("user_ids")) == Some(false) {
        d.warning_at(
            path("user_ids"),
            "No users to track",
            "With all_users = false and no user_ids, DocuSign's guidance is that the \
             configuration tracks no user's envelopes, so it may never send anything. List the \
             users in user_ids, or set all_users = true.",
        );
    }

    // use_soap_interface needs soap_namespace.
    if bool_of("use_soap_interface") == Some(true) {
        match attr("soap_namespace") {
            Some(Value::String(s)) if !s.is_empty() => {}
            Some(Value::Unknown) => {}
            _ => d.error_at(
                path("soap_namespace"),
                "Missing SOAP namespace",
                "use_soap_interface = true requires soap_namespace.",
            ),
        }
    }

    // events need event_data.version = "restv2.1".
    let event_data = attr("event_data").unwrap_or(&Value::Null);
    let version = event_data.get_attr("version").unwrap_or(&Value::Null);
    if let Some(v) = version.as_str()
        && !EVENT_DATA_VERSIONS.contains(&v)
    {
        d.warning_at(
            path("event_data").attr("version"),
            "Undocumented event data version",
            format!(
                "DocuSign documents event_data.version \"restv2.1\" (JSON) and \"legacy\"; {v:?} \
                 is sent as written."
            ),
        );
    }
    if is_set_nonempty(attr("events")) == Some(true)
        && !version.is_unknown()
        && !event_data.is_unknown()
        && version.as_str() != Some("restv2.1")
    {
        d.warning_at(
            path("event_data").attr("version"),
            "JSON SIM events without event_data version restv2.1",
            "events lists JSON SIM event names, which DocuSign documents with the JSON format: \
             add `event_data { version = \"restv2.1\" }` unless you know your account sends \
             them otherwise.",
        );
    }

    // integrator_managed needs include_oauth or include_hmac.
    if bool_of("integrator_managed") == Some(true) {
        let oauth = attr("include_oauth").unwrap_or(&Value::Null);
        let hmac = attr("include_hmac").unwrap_or(&Value::Null);
        let undecided = oauth.is_unknown() || hmac.is_unknown();
        if !undecided && oauth.as_bool() != Some(true) && hmac.as_bool() != Some(true) {
            d.warning_at(
                path("integrator_managed"),
                "Integrator-managed configuration without OAuth or HMAC",
                "integrator_managed = true makes DocuSign use the integrator account's OAuth for \
                 Connect settings (include_oauth = true) or HMAC keys (include_hmac = true); \
                 with neither set it has no documented effect.",
            );
        }
    }

    super::table::PASSWORD.validate(config, &mut d);
    d
}

fn check_legacy(name: &str, allowed: &[&str], values: Vec<String>, d: &mut Diagnostics) {
    for v in values {
        if allowed.contains(&v.as_str()) {
            continue;
        }
        let hint = allowed
            .iter()
            .find(|a| a.eq_ignore_ascii_case(&v))
            .map(|a| {
                format!(" DocuSign documents it as {a:?}, and accepts and stores {v:?} as written.")
            })
            .unwrap_or_default();
        d.warning_at(
            path(name),
            "Undocumented legacy event",
            format!(
                "{v:?} is not one of the statuses DocuSign documents ({}); it is sent as \
                 written.{hint}",
                allowed.join(", ")
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn cfg(pairs: &[(&str, Value)]) -> Value {
        let mut m = BTreeMap::new();
        for (k, v) in pairs {
            m.insert(k.to_string(), v.clone());
        }
        Value::Object(m)
    }
    fn s(v: &str) -> Value {
        Value::String(v.into())
    }
    fn set(v: &[&str]) -> Value {
        Value::Set(v.iter().map(|x| s(x)).collect())
    }
    fn paths(d: &Diagnostics) -> Vec<(bool, String)> {
        d.iter()
            .map(|x| {
                (
                    x.is_error(),
                    x.attribute
                        .as_ref()
                        .map(|p| p.to_string())
                        .unwrap_or_default(),
                )
            })
            .collect()
    }

    #[test]
    fn each_rule_reports_on_its_attribute() {
        let cases: Vec<(Value, Vec<(bool, &str)>)> = vec![
            (
                cfg(&[("url_to_publish_to", s("http://x.example"))]),
                vec![(true, "url_to_publish_to")],
            ),
            (
                cfg(&[("url_to_publish_to", s("https://x.example/hook"))]),
                vec![],
            ),
            (
                cfg(&[
                    ("events", set(&["envelope-sent"])),
                    ("event_data", cfg(&[("version", s("restv2.1"))])),
                ]),
                vec![],
            ),
            (
                cfg(&[("events", set(&["envelope-sent"]))]),
                vec![(false, "event_data.version")],
            ),
            (
                cfg(&[
                    ("events", set(&["envelope-teleported"])),
                    ("event_data", cfg(&[("version", s("restv2.1"))])),
                ]),
                vec![(false, "events")],
            ),
            (
                cfg(&[("envelope_events", set(&["sent"]))]),
                vec![(false, "envelope_events")],
            ),
            (
                cfg(&[("recipient_events", set(&["AutoResponded"]))]),
                vec![],
            ),
            (
                cfg(&[("all_users", Value::Bool(false))]),
                vec![(false, "user_ids")],
            ),
            (
                cfg(&[
                    ("all_users", Value::Bool(false)),
                    ("user_ids", set(&["u1"])),
                ]),
                vec![],
            ),
            (
                cfg(&[("use_soap_interface", Value::Bool(true))]),
                vec![(true, "soap_namespace")],
            ),
            (
                cfg(&[("integrator_managed", Value::Bool(true))]),
                vec![(false, "integrator_managed")],
            ),
            (
                cfg(&[
                    ("integrator_managed", Value::Bool(true)),
                    ("include_hmac", Value::Bool(true)),
                ]),
                vec![],
            ),
            (
                cfg(&[
                    ("integrator_managed", Value::Bool(true)),
                    ("include_oauth", Value::Unknown),
                ]),
                vec![],
            ),
            (
                cfg(&[("configuration_type", s("salesforce"))]),
                vec![(true, "configuration_type")],
            ),
            (cfg(&[("delivery_mode", s("Aggregate"))]), vec![]),
            (
                cfg(&[("delivery_mode", s("batch"))]),
                vec![(false, "delivery_mode")],
            ),
            (
                cfg(&[("event_data", cfg(&[("version", s("restv3"))]))]),
                vec![(false, "event_data.version")],
            ),
        ];
        for (config, want) in cases {
            let got = paths(&validate(&config));
            let want: Vec<(bool, String)> =
                want.into_iter().map(|(e, p)| (e, p.to_string())).collect();
            assert_eq!(got, want, "config {config:?}");
        }
    }

    #[test]
    fn unknown_values_are_not_judged() {
        let c = cfg(&[
            ("url_to_publish_to", Value::Unknown),
            ("events", Value::Unknown),
            ("all_users", Value::Unknown),
        ]);
        assert!(validate(&c).is_empty());
    }

    #[test]
    fn credentials_in_the_url_never_reach_a_diagnostic() {
        let d = validate(&cfg(&[(
            "url_to_publish_to",
            s("http://bob:hunter2@x.example/a"),
        )]));
        let text: String = d.iter().map(|x| x.to_string()).collect();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("***@x.example/a"), "{text}");
    }
}

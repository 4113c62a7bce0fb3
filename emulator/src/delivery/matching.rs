//! Which configurations of an account receive an event, and why the others do not.
//!
//! A configuration receives the event when all of these hold:
//! * `configurationType` is `custom` (the users considered are the envelope's sender) or
//!   `customrecipient` (Recipient Connect: the users considered are the envelope's recipients
//!   who are DocuSign users); `salesforce` and `eOriginal` are not emulated;
//! * `allowEnvelopePublish` is true and `pausePublish` is not;
//! * the event is in `events`, or its legacy name is in `envelopeEvents` / `recipientEvents`
//!   (compared without letter case: DocuSign stores lower-case legacy names, and whether they
//!   fire is unconfirmed, so the emulator does not stop them);
//! * `allUsers`, or a considered user is in `userIds`, or with `allUsersExcept` a considered
//!   user is not in `userIds`.

use serde_json::{Map, Value};

use super::message::Event;
use crate::model;

/// Why a configuration does not receive an event.
pub type Skip = String;

fn list<'a>(cfg: &'a Map<String, Value>, name: &str) -> Vec<&'a str> {
    cfg.get(name)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn subscribes(cfg: &Map<String, Value>, event: &Event) -> bool {
    if list(cfg, "events")
        .iter()
        .any(|e| e.eq_ignore_ascii_case(&event.name))
    {
        return true;
    }
    event.legacy().is_some_and(|(field, name)| {
        list(cfg, field)
            .iter()
            .any(|e| e.eq_ignore_ascii_case(name))
    })
}

fn user_matches(cfg: &Map<String, Value>, users: &[String]) -> bool {
    if model::flag(cfg, "allUsers") {
        return true;
    }
    let ids = list(cfg, "userIds");
    let listed = |u: &String| ids.iter().any(|id| id.eq_ignore_ascii_case(u));
    if model::flag(cfg, "allUsersExcept") {
        users.iter().any(|u| !listed(u))
    } else {
        users.iter().any(listed)
    }
}

/// Whether configuration `cfg` receives `event` for an envelope sent by `sender` to recipients
/// of whom `recipient_users` are DocuSign users.
pub fn decide(
    cfg: &Map<String, Value>,
    event: &Event,
    sender: &str,
    recipient_users: &[String],
) -> Result<(), Skip> {
    let kind = model::text(cfg, "configurationType");
    let users: Vec<String> = if kind.eq_ignore_ascii_case("custom") {
        vec![sender.to_owned()]
    } else if kind.eq_ignore_ascii_case("customrecipient") {
        if recipient_users.is_empty() {
            return Err(
                "a customrecipient configuration receives only envelopes one of the account's users receives, and no recipient is a user"
                    .into(),
            );
        }
        recipient_users.to_vec()
    } else {
        return Err(format!(
            "configurationType '{kind}' is not emulated (only custom and customrecipient deliver)"
        ));
    };
    if !model::flag(cfg, "allowEnvelopePublish") {
        return Err("allowEnvelopePublish is false".into());
    }
    if model::flag(cfg, "pausePublish") {
        return Err("pausePublish is true".into());
    }
    if !subscribes(cfg, event) {
        return Err(format!(
            "'{}' is not in events, envelopeEvents or recipientEvents",
            event.name
        ));
    }
    if !user_matches(cfg, &users) {
        return Err(format!(
            "the event's {} ({}) not selected by allUsers/userIds/allUsersExcept",
            if users.len() == 1 {
                "user is"
            } else {
                "users are"
            },
            users.join(", ")
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cfg(v: Value) -> Map<String, Value> {
        let mut base = json!({
            "configurationType": "custom", "allowEnvelopePublish": "true",
            "allUsers": "true", "events": ["envelope-completed"]
        });
        if let (Value::Object(b), Value::Object(extra)) = (&mut base, v) {
            b.extend(extra);
        }
        match base {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    fn ev(n: &str) -> Event {
        Event::parse(n).unwrap()
    }

    #[test]
    fn events_and_legacy_lists() {
        assert!(decide(&cfg(json!({})), &ev("envelope-completed"), "u", &[]).is_ok());
        assert!(decide(&cfg(json!({})), &ev("envelope-sent"), "u", &[]).is_err());
        let legacy = cfg(json!({"events": null, "envelopeEvents": ["sent"],
                                "recipientEvents": ["Completed"]}));
        assert!(decide(&legacy, &ev("envelope-sent"), "u", &[]).is_ok());
        assert!(decide(&legacy, &ev("recipient-completed"), "u", &[]).is_ok());
        assert!(decide(&legacy, &ev("envelope-completed"), "u", &[]).is_err());
    }

    #[test]
    fn publish_switches() {
        let off = cfg(json!({"allowEnvelopePublish": "false"}));
        assert_eq!(
            decide(&off, &ev("envelope-completed"), "u", &[]).unwrap_err(),
            "allowEnvelopePublish is false"
        );
        let paused = cfg(json!({"pausePublish": "true"}));
        assert!(decide(&paused, &ev("envelope-completed"), "u", &[]).is_err());
    }

    #[test]
    fn user_selection() {
        let some = cfg(json!({"allUsers": "false", "userIds": ["A"]}));
        assert!(decide(&some, &ev("envelope-completed"), "a", &[]).is_ok());
        assert!(decide(&some, &ev("envelope-completed"), "b", &[]).is_err());
        let except = cfg(json!({"allUsers": "false", "allUsersExcept": "true", "userIds": ["a"]}));
        assert!(decide(&except, &ev("envelope-completed"), "a", &[]).is_err());
        assert!(decide(&except, &ev("envelope-completed"), "b", &[]).is_ok());
        let none = cfg(json!({"allUsers": "false"}));
        assert!(decide(&none, &ev("envelope-completed"), "a", &[]).is_err());
    }

    #[test]
    fn recipient_flavour_looks_at_recipients() {
        let r = cfg(
            json!({"configurationType": "customrecipient", "allUsers": "false",
                           "userIds": ["r"]}),
        );
        assert!(decide(&r, &ev("envelope-completed"), "r", &[]).is_err());
        assert!(decide(&r, &ev("envelope-completed"), "s", &["r".into()]).is_ok());
        let sf = cfg(json!({"configurationType": "salesforce"}));
        assert!(decide(&sf, &ev("envelope-completed"), "u", &[]).is_err());
    }
}

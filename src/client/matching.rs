//! Matching a configuration against what was sent, for recovery after an ambiguous create.
//!
//! DocuSign allows duplicate names, so a match compares every field that was sent (except the
//! id and secrets, which DocuSign does not return): a sent empty value matches an absent one,
//! lists match regardless of order, objects match field by field.

use serde_json::{Map, Value};

use super::model::ConnectConfiguration;

/// Fields never compared: the server-set id and secrets DocuSign does not echo back.
const SKIPPED: &[&str] = &[
    "connectId",
    "password",
    "salesforceAuthcode",
    "clientSecret",
];

/// True when `candidate` carries every field of `sent` with the same value.
pub fn matches(sent: &ConnectConfiguration, candidate: &ConnectConfiguration) -> bool {
    match (serde_json::to_value(sent), serde_json::to_value(candidate)) {
        (Ok(Value::Object(s)), Ok(Value::Object(c))) => object_matches(&s, &c),
        _ => false,
    }
}

/// The configurations of `list` that match `sent`.
pub fn find_matching<'a>(
    sent: &ConnectConfiguration,
    list: &'a [ConnectConfiguration],
) -> Vec<&'a ConnectConfiguration> {
    list.iter().filter(|c| matches(sent, c)).collect()
}

fn object_matches(sent: &Map<String, Value>, cand: &Map<String, Value>) -> bool {
    sent.iter().all(|(k, v)| {
        if SKIPPED.contains(&k.as_str()) {
            return true;
        }
        match cand.get(k) {
            Some(cv) => value_matches(v, cv),
            None => is_empty(v),
        }
    })
}

fn value_matches(sent: &Value, cand: &Value) -> bool {
    match (sent, cand) {
        (Value::Object(s), Value::Object(c)) => object_matches(s, c),
        (Value::Array(s), Value::Array(c)) => {
            if s.len() != c.len() {
                return false;
            }
            if s.iter().zip(c).all(|(a, b)| value_matches(a, b)) {
                return true;
            }
            let mut a: Vec<String> = s.iter().map(Value::to_string).collect();
            let mut b: Vec<String> = c.iter().map(Value::to_string).collect();
            a.sort();
            b.sort();
            a == b
        }
        (Value::String(s), Value::String(c)) => s == c,
        (Value::String(s), Value::Bool(b)) | (Value::Bool(b), Value::String(s)) => {
            s.eq_ignore_ascii_case(if *b { "true" } else { "false" })
        }
        (s, Value::Null) => is_empty(s),
        (s, c) => s == c,
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::model::EventData;
    use crate::client::secret::Secret;

    fn sent() -> ConnectConfiguration {
        ConnectConfiguration {
            name: Some("hook".into()),
            url_to_publish_to: Some("https://l.test/a".into()),
            configuration_type: Some("custom".into()),
            all_users: Some(true),
            events: Some(vec!["envelope-sent".into(), "envelope-completed".into()]),
            event_data: Some(EventData {
                version: Some("restv2.1".into()),
                include_data: Some(vec![]),
                ..Default::default()
            }),
            password: Some(Secret::new("pw")),
            delivery_mode: Some(String::new()),
            ..Default::default()
        }
    }

    fn echoed() -> ConnectConfiguration {
        let mut c: ConnectConfiguration = serde_json::from_str(
            r#"{"connectId":"7","name":"hook","urlToPublishTo":"https://l.test/a",
                "configurationType":"custom","allUsers":"true","requiresAcknowledgement":"true",
                "events":["envelope-completed","envelope-sent"],
                "eventData":{"version":"restv2.1","includeData":[]},"extra":"x"}"#,
        )
        .unwrap();
        c.other.insert("x2".into(), Value::from(1));
        c
    }

    #[test]
    fn server_defaults_order_and_secrets_do_not_prevent_a_match() {
        assert!(matches(&sent(), &echoed()));
    }

    #[test]
    fn any_differing_sent_field_prevents_a_match() {
        let mut other_url = echoed();
        other_url.url_to_publish_to = Some("https://l.test/b".into());
        assert!(!matches(&sent(), &other_url));
        let mut flag = echoed();
        flag.all_users = Some(false);
        assert!(!matches(&sent(), &flag));
        let mut ev = echoed();
        ev.events = Some(vec!["envelope-sent".into()]);
        assert!(!matches(&sent(), &ev));
        let mut ed = echoed();
        ed.event_data = Some(EventData {
            version: Some("legacy".into()),
            ..Default::default()
        });
        assert!(!matches(&sent(), &ed));
        let mut missing = echoed();
        missing.all_users = None;
        assert!(!matches(&sent(), &missing));
    }

    #[test]
    fn find_matching_returns_all_candidates() {
        let list = vec![echoed(), ConnectConfiguration::default(), echoed()];
        assert_eq!(find_matching(&sent(), &list).len(), 2);
    }
}

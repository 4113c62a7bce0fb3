//! Mapping between Terraform values of `docusign_connect_configuration` and the client's
//! typed [`ConnectConfiguration`].

use std::collections::BTreeMap;

use super::schema::DEFAULT_CONFIGURATION_TYPE;
use super::table::{EVENT_DATA_FIELDS, FIELDS, PASSWORD};
use crate::client::{ConnectConfiguration, EventData};
use crate::framework::Value;
use crate::resources::fields::{self, Kind, Presence, Wire};

/// Builds the body of a create from a planned state: only what the plan sets is sent, so a
/// configuration written in HCL produces exactly the body its author expects.
pub fn create_body(planned: &Value, config: &Value) -> ConnectConfiguration {
    let mut m = ConnectConfiguration {
        configuration_type: Some(
            planned
                .attr_str("configuration_type")
                .unwrap_or(DEFAULT_CONFIGURATION_TYPE)
                .to_string(),
        ),
        ..Default::default()
    };
    fields::write_model(FIELDS, planned, &mut m);
    if let Some(block) = planned
        .get_attr("event_data")
        .filter(|b| b.is_known() && !b.is_null())
    {
        let mut ed = EventData::default();
        fields::write_model(EVENT_DATA_FIELDS, block, &mut ed);
        m.event_data = Some(ed);
    }
    PASSWORD.write(config, &mut m);
    m
}

/// The object a state implies: what [`create_body`] would send for it, with its id. Private
/// data is stored as the difference between this and what DocuSign returned
/// (`private`).
pub fn implied_model(state: &Value) -> ConnectConfiguration {
    let mut m = create_body(state, &Value::Null);
    m.connect_id = state.attr_str("id").map(str::to_string);
    m
}

/// Builds the body of an update: the last object DocuSign returned (`base`), overlaid with the
/// planned values. Optional attributes the user removed (set in `prior`, null in `planned`) are
/// cleared explicitly, with DocuSign's empty forms.
pub fn update_body(
    base: ConnectConfiguration,
    prior: &Value,
    planned: &Value,
    config: &Value,
    connect_id: &str,
) -> ConnectConfiguration {
    let mut m = base;
    m.connect_id = Some(connect_id.to_string());
    if let Some(t) = planned.attr_str("configuration_type") {
        m.configuration_type = Some(t.to_string());
    }
    fields::write_model(FIELDS, planned, &mut m);
    clear_removed(FIELDS, prior, planned, &mut m);
    let prior_block = prior.get_attr("event_data").unwrap_or(&Value::Null);
    match planned.get_attr("event_data") {
        Some(block) if block.is_known() && !block.is_null() => {
            let mut ed = m.event_data.take().unwrap_or_default();
            fields::write_model(EVENT_DATA_FIELDS, block, &mut ed);
            clear_removed(EVENT_DATA_FIELDS, prior_block, block, &mut ed);
            m.event_data = Some(ed);
        }
        _ if !prior_block.is_null() => {
            // The block was removed: back to DocuSign's defaults.
            let mut ed = m.event_data.take().unwrap_or_default();
            ed.version = Some(String::new());
            ed.include_data = Some(Vec::new());
            m.event_data = Some(ed);
        }
        _ => {}
    }
    PASSWORD.write(config, &mut m);
    m
}

fn clear_removed<M>(table: &[fields::Field<M>], prior: &Value, planned: &Value, m: &mut M) {
    for f in table {
        if f.presence != Presence::Optional {
            continue;
        }
        let was = prior.get_attr(f.name).is_some_and(|v| !v.is_null());
        let now = planned.get_attr(f.name).is_some_and(|v| !v.is_null());
        if was && !now {
            let empty = match f.kind {
                Kind::StringSet => Wire::List(Vec::new()),
                Kind::StringMap => Wire::Map(BTreeMap::new()),
                Kind::String => Wire::Str(String::new()),
                Kind::Bool => continue,
            };
            (f.write)(m, empty);
        }
    }
}

/// The state for a configuration DocuSign returned, normalised against `prior` (prior state on
/// refresh, planned state on apply, null on import).
pub fn state_from_model(m: &ConnectConfiguration, prior: &Value, account_id: &str) -> Value {
    let mut out = BTreeMap::new();
    out.insert("id".to_string(), Value::opt_string(m.connect_id.clone()));
    out.insert("account_id".to_string(), Value::string(account_id));
    out.insert(
        "configuration_type".to_string(),
        match m.configuration_type.as_deref() {
            Some(t) if !t.is_empty() => Value::string(t),
            _ => Value::Null,
        },
    );
    fields::read_model(FIELDS, m, prior, &mut out);
    PASSWORD.state_into(prior, &mut out);
    out.insert(
        "event_data".to_string(),
        event_data_state(m.event_data.as_ref(), prior),
    );
    Value::Object(out)
}

fn event_data_state(ed: Option<&EventData>, prior: &Value) -> Value {
    let prior_block = prior.get_attr("event_data").unwrap_or(&Value::Null);
    let empty = EventData::default();
    let ed = ed.unwrap_or(&empty);
    let mut block = BTreeMap::new();
    fields::read_model(EVENT_DATA_FIELDS, ed, prior_block, &mut block);
    let all_null = block.values().all(Value::is_null);
    if all_null && prior_block.is_null() {
        Value::Null
    } else {
        Value::Object(block)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Secret;

    fn s(v: &str) -> Value {
        Value::String(v.into())
    }

    /// The state a config of `pairs` plans to, with every other attribute null.
    fn planned(pairs: Vec<(&str, Value)>) -> Value {
        let schema = super::super::schema::schema();
        let mut obj: BTreeMap<String, Value> = schema
            .block
            .attributes
            .iter()
            .map(|a| (a.name.clone(), Value::Null))
            .collect();
        obj.insert("event_data".into(), Value::Null);
        for (k, v) in pairs {
            obj.insert(k.into(), v);
        }
        Value::Object(obj)
    }

    fn block(version: Option<&str>, include: Option<Vec<&str>>) -> Value {
        let mut b = BTreeMap::new();
        b.insert("version".to_string(), version.map_or(Value::Null, s));
        b.insert(
            "include_data".to_string(),
            include.map_or(Value::Null, |l| Value::Set(l.into_iter().map(s).collect())),
        );
        Value::Object(b)
    }

    #[test]
    fn a_create_sends_event_data_only_when_the_block_is_set() {
        let without = create_body(&planned(vec![("name", s("n"))]), &Value::Null);
        assert_eq!(without.event_data, None);
        assert_eq!(without.configuration_type.as_deref(), Some("custom"));
        let with = create_body(
            &planned(vec![("event_data", block(Some("restv2.1"), None))]),
            &Value::Null,
        );
        assert_eq!(
            with.event_data.and_then(|e| e.version).as_deref(),
            Some("restv2.1")
        );
    }

    #[test]
    fn a_write_only_password_from_the_config_is_sent() {
        let mut config = planned(vec![]);
        config.set_attr("password_wo", s("from-config"));
        let m = create_body(&planned(vec![]), &config);
        assert_eq!(m.password.as_ref().map(Secret::expose), Some("from-config"));
    }

    #[test]
    fn an_update_overlays_removes_or_keeps_the_event_data_block() {
        let base = || ConnectConfiguration {
            event_data: Some(EventData {
                version: Some("restv2.1".into()),
                format: Some("json".into()),
                include_data: Some(vec!["recipients".into()]),
                ..Default::default()
            }),
            ..Default::default()
        };
        let set = block(Some("restv2.1"), Some(vec!["recipients"]));
        // Changed in the plan: overlaid on what DocuSign had, its other fields kept.
        let now = planned(vec![(
            "event_data",
            block(Some("restv2.1"), Some(vec!["tabs"])),
        )]);
        let prior = planned(vec![("event_data", set.clone())]);
        let ed = update_body(base(), &prior, &now, &Value::Null, "1").event_data;
        let ed = ed.unwrap_or_default();
        assert_eq!(ed.include_data, Some(vec!["tabs".to_string()]));
        assert_eq!(ed.format.as_deref(), Some("json"));
        // Removed from the configuration: back to DocuSign's defaults.
        let ed = update_body(base(), &prior, &planned(vec![]), &Value::Null, "1").event_data;
        let ed = ed.unwrap_or_default();
        assert_eq!(ed.version.as_deref(), Some(""));
        assert_eq!(ed.include_data, Some(vec![]));
        // Never managed: DocuSign's value is sent back untouched.
        let m = update_body(
            base(),
            &planned(vec![]),
            &planned(vec![]),
            &Value::Null,
            "1",
        );
        assert_eq!(m.event_data, base().event_data);
    }

    #[test]
    fn a_removed_event_data_block_resets_both_fields_and_an_absent_one_is_not_sent() {
        let base = || ConnectConfiguration {
            event_data: Some(EventData {
                version: Some("restv2.1".into()),
                include_data: Some(vec!["recipients".into()]),
                ..Default::default()
            }),
            ..Default::default()
        };
        // The block set the version only; removing it still resets the list DocuSign kept.
        let prior = planned(vec![("event_data", block(Some("restv2.1"), None))]);
        let ed = update_body(base(), &prior, &planned(vec![]), &Value::Null, "1").event_data;
        let ed = ed.unwrap_or_default();
        assert_eq!(ed.version.as_deref(), Some(""));
        assert_eq!(ed.include_data, Some(vec![]));
        // Never set here and absent at DocuSign: the update sends no eventData at all.
        let none = ConnectConfiguration::default();
        let m = update_body(none, &planned(vec![]), &planned(vec![]), &Value::Null, "1");
        assert_eq!(m.event_data, None);
    }

    #[test]
    fn an_update_leaves_settings_the_configuration_never_set() {
        let base = ConnectConfiguration {
            soap_namespace: Some("urn:set-elsewhere".into()),
            group_ids: Some(vec!["g1".into()]),
            ..Default::default()
        };
        let m = update_body(base, &planned(vec![]), &planned(vec![]), &Value::Null, "1");
        assert_eq!(m.soap_namespace.as_deref(), Some("urn:set-elsewhere"));
        assert_eq!(m.group_ids, Some(vec!["g1".to_string()]));
    }

    #[test]
    fn the_state_takes_the_configuration_type_docusign_answers_and_no_empty_one() {
        let typed = ConnectConfiguration {
            configuration_type: Some("customrecipient".into()),
            ..Default::default()
        };
        let st = state_from_model(&typed, &Value::Null, "acct");
        assert_eq!(
            st.get_attr("configuration_type"),
            Some(&s("customrecipient"))
        );
        let empty = ConnectConfiguration {
            configuration_type: Some(String::new()),
            ..Default::default()
        };
        let st = state_from_model(&empty, &Value::Null, "acct");
        assert_eq!(st.get_attr("configuration_type"), Some(&Value::Null));
    }

    #[test]
    fn the_password_version_is_kept_from_a_known_prior_and_never_unknown() {
        let m = ConnectConfiguration::default();
        let known = planned(vec![("password_wo_version", Value::from(2i64))]);
        let st = state_from_model(&m, &known, "acct");
        assert_eq!(st.get_attr("password_wo_version"), Some(&Value::from(2i64)));
        let unknown = planned(vec![("password_wo_version", Value::Unknown)]);
        let st = state_from_model(&m, &unknown, "acct");
        assert_eq!(st.get_attr("password_wo_version"), Some(&Value::Null));
    }

    #[test]
    fn an_imported_event_data_is_read_into_the_block() {
        let m = ConnectConfiguration {
            event_data: Some(EventData {
                version: Some("restv2.1".into()),
                include_data: Some(vec![]),
                ..Default::default()
            }),
            ..Default::default()
        };
        let st = state_from_model(&m, &Value::Null, "acct");
        let version = st
            .get_attr("event_data")
            .and_then(|b| b.get_attr("version"));
        assert_eq!(version, Some(&s("restv2.1")));
    }

    #[test]
    fn removed_optional_attributes_are_cleared_on_update() {
        let prior = planned(vec![
            ("user_ids", Value::Set(vec![s("u1")])),
            ("soap_namespace", s("urn:x")),
        ]);
        let now = planned(vec![]);
        let base = ConnectConfiguration {
            user_ids: Some(vec!["u1".into()]),
            soap_namespace: Some("urn:x".into()),
            enable_log: Some(true),
            ..Default::default()
        };
        let m = update_body(base, &prior, &now, &Value::Null, "42");
        assert_eq!(m.user_ids, Some(vec![]));
        assert_eq!(m.soap_namespace.as_deref(), Some(""));
        assert_eq!(m.enable_log, Some(true), "unmanaged settings are kept");
        assert_eq!(m.connect_id.as_deref(), Some("42"));
    }

    #[test]
    fn docusign_defaults_read_back_as_the_planned_form() {
        let plan = planned(vec![("name", s("n")), ("group_ids", Value::Set(vec![]))]);
        let from_api = ConnectConfiguration {
            connect_id: Some("7".into()),
            name: Some("n".into()),
            soap_namespace: Some(String::new()),
            delivery_mode: Some(String::new()),
            event_data: Some(EventData {
                version: Some(String::new()),
                include_data: Some(vec![]),
                ..Default::default()
            }),
            ..Default::default()
        };
        let st = state_from_model(&from_api, &plan, "acct");
        assert_eq!(st.get_attr("soap_namespace"), Some(&Value::Null));
        assert_eq!(st.get_attr("delivery_mode"), Some(&Value::Null));
        assert_eq!(st.get_attr("group_ids"), Some(&Value::Set(vec![])));
        assert_eq!(st.get_attr("event_data"), Some(&Value::Null));
        assert_eq!(st.get_attr("id"), Some(&s("7")));
    }
}

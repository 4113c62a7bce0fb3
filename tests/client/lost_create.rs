//! A create whose answer is lost, for bodies carrying the empty forms DocuSign does not echo:
//! the configuration it made is found and adopted, never created a second time, and a
//! configuration that differs from the body is never mistaken for it.

use serde_json::{Value, json};
use terraform_provider_docusign::client::{Client, ConnectConfiguration, EventData};

use crate::support::*;

/// Creates `body` with its connection dropped after DocuSign stored it, and checks that the
/// client adopted that configuration without a second POST.
async fn lost_create_is_adopted(what: &str, body: ConnectConfiguration) {
    let emu = Emu::start().await;
    let client = Client::new(emu.token_config()).unwrap();
    emu.fault(json!({"method": "POST", "path": emu.connect_path(""), "drop": "after_commit"}))
        .await;
    let adopted = client.create_configuration_safely(None, &body).await;
    let posts = emu.count("POST", &emu.connect_path("")).await;
    let list = client.list_configurations(None).await.unwrap();
    assert_eq!(posts, 1, "{what}: the create was sent again");
    assert_eq!(list.len(), 1, "{what}: a duplicate configuration was made");
    let adopted = adopted.unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(adopted.connect_id.is_some(), "{what}");
    assert_eq!(adopted.connect_id, list[0].connect_id, "{what}");
}

#[tokio::test]
async fn a_lost_create_with_empty_lists_is_adopted() {
    // DocuSign clears a field sent as an empty list: it is absent from the list answer.
    let mut body = sample("empty-lists");
    body.user_ids = Some(vec![]);
    body.group_ids = Some(vec![]);
    body.envelope_events = Some(vec![]);
    body.sf_objects = Some(vec![]);
    lost_create_is_adopted("empty lists", body).await;
}

#[tokio::test]
async fn a_lost_create_with_an_empty_event_data_is_adopted() {
    // DocuSign answers its default `{"version":"","includeData":[]}` for both.
    let mut body = sample("empty-event-data");
    body.event_data = Some(EventData::default());
    lost_create_is_adopted("empty eventData", body).await;
    let mut body = sample("empty-event-data-fields");
    body.event_data = Some(EventData {
        version: Some(String::new()),
        include_data: Some(vec![]),
        ..Default::default()
    });
    lost_create_is_adopted("eventData with empty fields", body).await;
}

#[tokio::test]
async fn a_lost_create_with_empty_settings_docusign_omits_is_adopted() {
    // Settings DocuSign does not know are dropped from its answer; empty ones must not stop
    // the match (a non-empty one would, rightly: it was not stored).
    let cases: [(&str, Value); 3] = [
        ("an empty object", json!({})),
        ("a null", Value::Null),
        ("an empty list", json!([])),
    ];
    for (what, value) in cases {
        let mut body = sample("omitted-setting");
        body.other.insert("settingDocuSignOmits".into(), value);
        lost_create_is_adopted(what, body).await;
    }
}

#[tokio::test]
async fn a_lost_create_is_not_mistaken_for_a_configuration_differing_in_a_number() {
    let emu = Emu::start().await;
    let client = Client::new(emu.token_config()).unwrap();
    // Numbers only: any other number or boolean in the object would make a matcher that
    // compares them inverted fall back to comparing the lists as text, which hides the flaw.
    let with_objects = |count: u64| {
        let mut c = sample("salesforce-objects");
        c.sf_objects = Some(vec![
            json!({"sfObject": "Opportunity", "sfFieldCount": count}),
        ]);
        c
    };
    let decoy = client
        .create_configuration(None, &with_objects(3))
        .await
        .unwrap();
    // The create is lost before DocuSign stores it: nothing matches, so it is sent again.
    emu.fault(json!({"method": "POST", "path": emu.connect_path(""), "drop": "before"}))
        .await;
    let created = client
        .create_configuration_safely(None, &with_objects(2))
        .await
        .unwrap();
    assert_ne!(
        created.connect_id, decoy.connect_id,
        "a configuration with another count was adopted; ours was never created"
    );
    let list = client.list_configurations(None).await.unwrap();
    assert_eq!(list.len(), 2);
    assert!(
        list.iter()
            .any(|c| c.connect_id == created.connect_id
                && c.sf_objects == with_objects(2).sf_objects)
    );
}

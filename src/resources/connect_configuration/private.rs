//! Private state of a Connect configuration: the last object DocuSign returned, kept so that an
//! update can send the complete object without reading it again.
//!
//! It is stored as a delta ([`crate::client::delta`]) against the object the resource's own
//! state implies ([`implied_model`]). The state and its private bytes always travel together
//! (ReadResource and ApplyResourceChange return both; PlanResourceChange passes the prior
//! private through), so decoding against the same state gives the object back exactly. A
//! typical configuration's private data is then ~150 bytes instead of ~1.1 KiB.
//!
//! Why it matters: Terraform 1.0 copies every instance's state *and private bytes* once per
//! instance of the resource while it plans (its `AttachStateTransformer` deep-copies the whole
//! resource for each instance, so N² copies for `count = N`), and compares them byte by byte
//! through reflection. Measured on a plan of 500 configurations: ~10 % of Terraform's CPU.
//!
//! It holds no secrets: DocuSign never returns them, and the password is dropped before the
//! delta is taken. Private data written by earlier versions (the full object) is still read.

use super::mapping::implied_model;
use crate::client::{ConnectConfiguration, delta};
use crate::framework::Value;

/// The private bytes for `m`, the object DocuSign returned, stored with `state`.
pub fn encode(m: &ConnectConfiguration, state: &Value) -> Vec<u8> {
    let mut snapshot = m.clone();
    snapshot.password = None;
    delta::encode(&snapshot, &implied_model(state))
}

/// The object stored in `bytes`, given the state they were stored with; `None` when there is
/// none or it cannot be read (the caller then reads the object from DocuSign).
pub fn decode(bytes: &[u8], state: &Value) -> Option<ConnectConfiguration> {
    delta::decode(bytes, &implied_model(state))
}

#[cfg(test)]
mod tests {
    use super::super::mapping::state_from_model;
    use super::*;
    use crate::client::{EventData, Secret};

    /// What DocuSign returns for a typical configuration: empty strings for unset text, string
    /// booleans for every flag, and a field the model does not know.
    fn from_docusign() -> ConnectConfiguration {
        let json = serde_json::json!({
            "connectId": "10000021", "configurationType": "custom", "name": "bench-0",
            "urlToPublishTo": "https://hooks.example.com/0", "allowEnvelopePublish": "false",
            "allUsers": "true", "allUsersExcept": "false", "deliveryMode": "",
            "events": ["envelope-completed"],
            "eventData": {"version": "restv2.1", "includeData": []},
            "enableLog": "false", "requiresAcknowledgement": "true",
            "includeDocuments": "false", "includeHMAC": "false", "soapNamespace": "",
            "enableOAuthPerConfiguration": "false", "someFutureField": {"a": [1, 2]}
        });
        serde_json::from_value(json).unwrap_or_default()
    }

    #[test]
    fn the_object_comes_back_exactly_from_its_delta_and_state() {
        let m = from_docusign();
        assert_eq!(m.connect_id.as_deref(), Some("10000021"), "fixture parsed");
        let state = state_from_model(&m, &Value::Null, "acct");
        let bytes = encode(&m, &state);
        assert_eq!(decode(&bytes, &state), Some(m.clone()));
        let full = serde_json::to_vec(&m).unwrap_or_default();
        assert!(
            bytes.len() * 2 < full.len(),
            "the delta ({} bytes) should be far smaller than the object ({} bytes): {}",
            bytes.len(),
            full.len(),
            String::from_utf8_lossy(&bytes)
        );
        // What the state cannot say is what the delta holds.
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("someFutureField") && text.contains("enableOAuthPerConfiguration"));
        assert!(
            !text.contains("bench-0"),
            "the name is in state already: {text}"
        );
    }

    #[test]
    fn fields_the_state_implies_but_docusign_lacks_are_removed_again() {
        let mut m = from_docusign();
        m.event_data = Some(EventData {
            version: Some("restv2.1".into()),
            ..Default::default()
        });
        m.configuration_type = None;
        let state = state_from_model(&m, &Value::Null, "acct");
        let bytes = encode(&m, &state);
        assert!(String::from_utf8_lossy(&bytes).contains("configurationType"));
        assert_eq!(decode(&bytes, &state), Some(m));
    }

    #[test]
    fn the_password_never_enters_private_data() {
        let mut m = from_docusign();
        m.password = Some(Secret::new("hunter2-very-secret"));
        let mut state = state_from_model(&m, &Value::Null, "acct");
        state.set_attr("password", Value::string("hunter2-very-secret"));
        let bytes = encode(&m, &state);
        assert!(!String::from_utf8_lossy(&bytes).contains("hunter2"));
        let back = decode(&bytes, &state);
        assert_eq!(back.as_ref().and_then(|b| b.password.as_ref()), None);
        assert_eq!(back.map(|b| b.name), Some(m.name));
    }

    #[test]
    fn the_full_object_stored_by_earlier_versions_is_still_read() {
        let m = from_docusign();
        let old = serde_json::to_vec(&m).unwrap_or_default();
        assert_eq!(decode(&old, &Value::Null), Some(m));
    }

    #[test]
    fn empty_or_damaged_bytes_read_as_nothing() {
        let state = state_from_model(&from_docusign(), &Value::Null, "acct");
        for bytes in [&b""[..], b"{", b"[]", b"{\"$delta\": 3}", b"\x93\x01"] {
            assert_eq!(decode(bytes, &state), None, "{bytes:?}");
        }
    }
}

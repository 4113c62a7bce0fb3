//! Private state: the last object DocuSign returned for a resource, kept so that an update can
//! send the complete object without reading it again. It holds no secrets (DocuSign never
//! returns them, and the client's model drops none of the fields it does not know). The bytes
//! are the client model's own serde form: only the client knows what DocuSign's fields are.

use crate::client::ConnectConfiguration;

pub fn encode(m: &ConnectConfiguration) -> Vec<u8> {
    let mut snapshot = m.clone();
    snapshot.password = None;
    serde_json::to_vec(&snapshot).unwrap_or_default()
}

pub fn decode(bytes: &[u8]) -> Option<ConnectConfiguration> {
    if bytes.is_empty() {
        return None;
    }
    serde_json::from_slice(bytes).ok()
}

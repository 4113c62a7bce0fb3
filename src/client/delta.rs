//! A compact wire form of a [`ConnectConfiguration`] relative to another one: the top-level
//! DocuSign fields whose value differs (`set`) and the fields the base has but the object lacks
//! (`unset`), compared key by key in the model's own serde form. Decoding against the same base
//! gives the object back exactly, including fields the model does not know (`other`).
//!
//! Resources keep DocuSign's last answer this way in private state, against the object their
//! state implies, so they never handle DocuSign's JSON themselves. The full object (no delta
//! marker) is still read, as earlier versions stored it.

use serde_json::{Map, Value as Json};

use super::model::ConnectConfiguration;

/// The key that marks the delta form; DocuSign field names never start with `$`.
const DELTA: &str = "$delta";

/// The bytes of `object` as a delta against `base` (empty if either cannot be serialised).
pub fn encode(object: &ConnectConfiguration, base: &ConnectConfiguration) -> Vec<u8> {
    let (Some(full), Some(implied)) = (object_of(object), object_of(base)) else {
        return Vec::new();
    };
    let set: Map<String, Json> = full
        .iter()
        .filter(|(k, v)| implied.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let unset: Vec<Json> = implied
        .keys()
        .filter(|k| !full.contains_key(*k))
        .map(|k| Json::String(k.clone()))
        .collect();
    let mut delta = Map::new();
    delta.insert("set".into(), Json::Object(set));
    delta.insert("unset".into(), Json::Array(unset));
    let mut out = Map::new();
    out.insert(DELTA.into(), Json::Object(delta));
    serde_json::to_vec(&Json::Object(out)).unwrap_or_default()
}

/// The object stored in `bytes` against `base`; `None` when there is none or it cannot be read.
pub fn decode(bytes: &[u8], base: &ConnectConfiguration) -> Option<ConnectConfiguration> {
    if bytes.is_empty() {
        return None;
    }
    let stored: Json = serde_json::from_slice(bytes).ok()?;
    let Some(delta) = stored.get(DELTA) else {
        // The full object, as earlier versions stored it.
        return serde_json::from_value(stored).ok();
    };
    let mut object = object_of(base)?;
    for key in delta.get("unset")?.as_array()? {
        object.remove(key.as_str()?);
    }
    for (k, v) in delta.get("set")?.as_object()? {
        object.insert(k.clone(), v.clone());
    }
    serde_json::from_value(Json::Object(object)).ok()
}

fn object_of(m: &ConnectConfiguration) -> Option<Map<String, Json>> {
    match serde_json::to_value(m).ok()? {
        Json::Object(o) => Some(o),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_object_comes_back_from_its_delta_against_the_same_base() {
        let base = ConnectConfiguration {
            name: Some("n".into()),
            soap_namespace: Some("urn:x".into()),
            ..Default::default()
        };
        let object = ConnectConfiguration {
            name: Some("n".into()),
            enable_log: Some(true),
            ..Default::default()
        };
        let bytes = encode(&object, &base);
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains("enableLog") && text.contains("soapNamespace"),
            "{text}"
        );
        assert!(
            !text.contains("\"n\""),
            "what the base says is not repeated: {text}"
        );
        assert_eq!(decode(&bytes, &base), Some(object));
        assert_eq!(decode(b"", &base), None);
    }
}

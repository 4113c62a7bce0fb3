//! DocuSign's string booleans (`"true"` / `"false"`) as Rust `Option<bool>`.
//!
//! Use as `#[serde(default, with = "strbool", skip_serializing_if = "Option::is_none")]`.
//! Reading accepts `"true"`, `"false"` (any case, surrounding spaces ignored), JSON booleans,
//! `null` and `""` (the last two mean "not set"). Writing always produces the strings
//! `"true"` / `"false"`, which is what DocuSign documents and returns.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserializer, Serializer};

/// Writes `Some(b)` as `"true"` / `"false"`; `None` as `null` (skip it with
/// `skip_serializing_if`, DocuSign never gets `null` from this client).
pub fn serialize<S: Serializer>(value: &Option<bool>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(true) => serializer.serialize_str("true"),
        Some(false) => serializer.serialize_str("false"),
        None => serializer.serialize_none(),
    }
}

/// Reads a string or JSON boolean.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    deserializer.deserialize_any(BoolVisitor)
}

/// Parses one textual boolean; `Ok(None)` for the empty string.
pub fn parse(text: &str) -> Result<Option<bool>, String> {
    let t = text.trim();
    if t.is_empty() {
        Ok(None)
    } else if t.eq_ignore_ascii_case("true") {
        Ok(Some(true))
    } else if t.eq_ignore_ascii_case("false") {
        Ok(Some(false))
    } else {
        Err(format!(
            "expected \"true\" or \"false\", got a {}-character string",
            t.chars().count()
        ))
    }
}

struct BoolVisitor;

impl<'de> Visitor<'de> for BoolVisitor {
    type Value = Option<bool>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a boolean or the string \"true\" or \"false\"")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        parse(v).map_err(E::custom)
    }

    /// JSON `null` (serde_json's `deserialize_any` calls this, never `visit_none`).
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct T {
        #[serde(default, with = "super", skip_serializing_if = "Option::is_none")]
        flag: Option<bool>,
    }

    fn read(json: &str) -> Result<Option<bool>, serde_json::Error> {
        serde_json::from_str::<T>(json).map(|t| t.flag)
    }

    #[test]
    fn reads_strings_bools_null_empty_and_absent() {
        assert_eq!(read(r#"{"flag":"true"}"#).unwrap(), Some(true));
        assert_eq!(read(r#"{"flag":"false"}"#).unwrap(), Some(false));
        assert_eq!(read(r#"{"flag":"True"}"#).unwrap(), Some(true));
        assert_eq!(read(r#"{"flag":true}"#).unwrap(), Some(true));
        assert_eq!(read(r#"{"flag":false}"#).unwrap(), Some(false));
        assert_eq!(read(r#"{"flag":null}"#).unwrap(), None);
        assert_eq!(read(r#"{"flag":""}"#).unwrap(), None);
        assert_eq!(read(r#"{}"#).unwrap(), None);
    }

    #[test]
    fn rejects_other_values() {
        assert!(read(r#"{"flag":"yes"}"#).is_err());
        assert!(read(r#"{"flag":1}"#).is_err());
        assert!(read(r#"{"flag":["true"]}"#).is_err());
    }

    #[test]
    fn a_value_of_the_wrong_type_is_reported_with_the_accepted_forms() {
        for json in [r#"{"flag":1}"#, r#"{"flag":["true"]}"#, r#"{"flag":{}}"#] {
            let text = read(json).unwrap_err().to_string();
            assert!(
                text.contains("boolean") && text.contains(r#""true""#),
                "{json}: {text}"
            );
        }
    }

    #[test]
    fn writes_strings_and_skips_none() {
        let on = serde_json::to_string(&T { flag: Some(true) }).unwrap();
        assert_eq!(on, r#"{"flag":"true"}"#);
        let off = serde_json::to_string(&T { flag: Some(false) }).unwrap();
        assert_eq!(off, r#"{"flag":"false"}"#);
        assert_eq!(serde_json::to_string(&T { flag: None }).unwrap(), "{}");
    }
}

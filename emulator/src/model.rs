//! The `connectCustomConfiguration` wire model: which fields exist, their wire types, the
//! defaults DocuSign fills on create, and the conversion between what clients send (JSON
//! booleans or `"true"`/`"false"` strings) and what DocuSign answers (always strings).
//!
//! Field order and defaults follow create and update responses recorded against DocuSign's
//! demo API (a `custom` configuration created with only name, URL, `allUsers`,
//! `allowEnvelopePublish` and event lists came back with the string-boolean defaults below,
//! `requiresAcknowledgement` `"true"`, and `eventData` `{"version":"","includeData":[]}`).
//! Fields without a default are absent from responses until set.
//! Unknown input fields are ignored, as DocuSign's deserializer does; the stored object only
//! ever contains the fields below.

use serde_json::{Map, Value};

/// Wire type of one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A string boolean: accepts `true`/`false` and `"true"`/`"false"`, answers strings.
    Bool,
    /// A plain string (numbers are accepted and stringified).
    Str,
    /// A list of strings; an empty list clears the field (it becomes absent).
    StrList,
    /// `connectEventData`.
    EventData,
    /// `sfObjects`, kept as sent.
    ObjList,
    /// `oAuthConfiguration` (a `connectOAuthConfig`, `clientSecret` never echoed).
    OAuth,
}

/// Default filled on create when the client did not send the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Default {
    /// Absent until set.
    None,
    /// A string value (`"false"`, `"true"`, `""`).
    Str(&'static str),
    /// `{"version":"","includeData":[]}`.
    EventData,
}

/// One field of `connectCustomConfiguration`.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Wire name.
    pub name: &'static str,
    /// Wire type.
    pub kind: Kind,
    /// Default on create.
    pub default: Default,
    /// Never echoed in responses (`password`).
    pub secret: bool,
}

const fn f(name: &'static str, kind: Kind, default: Default) -> Field {
    Field {
        name,
        kind,
        default,
        secret: false,
    }
}

const FALSE: Default = Default::Str("false");

/// Every field, in the order DocuSign answers them.
pub const FIELDS: &[Field] = &[
    f("connectId", Kind::Str, Default::None),
    f("configurationType", Kind::Str, Default::None),
    f("urlToPublishTo", Kind::Str, Default::None),
    f("name", Kind::Str, Default::None),
    f("allowEnvelopePublish", Kind::Bool, FALSE),
    f("deliveryMode", Kind::Str, Default::Str("")),
    f("enableLog", Kind::Bool, FALSE),
    f("includeDocuments", Kind::Bool, FALSE),
    f("includeCertificateOfCompletion", Kind::Bool, FALSE),
    f("requiresAcknowledgement", Kind::Bool, Default::Str("true")),
    f("signMessageWithX509Certificate", Kind::Bool, FALSE),
    f("useSoapInterface", Kind::Bool, FALSE),
    f("includeTimeZoneInformation", Kind::Bool, FALSE),
    f("includeOAuth", Kind::Bool, FALSE),
    f("includeHMAC", Kind::Bool, FALSE),
    f("integratorManaged", Kind::Bool, FALSE),
    f("includeEnvelopeVoidReason", Kind::Bool, FALSE),
    f("includeSenderAccountasCustomField", Kind::Bool, FALSE),
    f("envelopeEvents", Kind::StrList, Default::None),
    f("recipientEvents", Kind::StrList, Default::None),
    f("events", Kind::StrList, Default::None),
    f("soapNamespace", Kind::Str, Default::Str("")),
    f("allUsers", Kind::Bool, FALSE),
    f("allUsersExcept", Kind::Bool, FALSE),
    f("userIds", Kind::StrList, Default::None),
    f("groupIds", Kind::StrList, Default::None),
    f("includeCertSoapHeader", Kind::Bool, FALSE),
    f("requireMutualTls", Kind::Bool, FALSE),
    f("includeDocumentFields", Kind::Bool, FALSE),
    f("pausePublish", Kind::Bool, FALSE),
    f("eventData", Kind::EventData, Default::EventData),
    f("enableOAuthPerConfiguration", Kind::Bool, FALSE),
    f("oAuthConfiguration", Kind::OAuth, Default::None),
    f("userName", Kind::Str, Default::None),
    Field {
        name: "password",
        kind: Kind::Str,
        default: Default::None,
        secret: true,
    },
    f("allowSalesforcePublish", Kind::Bool, Default::None),
    f("salesforceApiVersion", Kind::Str, Default::None),
    f("salesforceAuthcode", Kind::Str, Default::None),
    f("salesforceCallBackUrl", Kind::Str, Default::None),
    f(
        "salesforceDocumentsAsContentFiles",
        Kind::Bool,
        Default::None,
    ),
    f("sfObjects", Kind::ObjList, Default::None),
    f("senderOverride", Kind::Str, Default::None),
    f("senderSelectableItems", Kind::StrList, Default::None),
    f("externalFolderId", Kind::Str, Default::None),
    f("externalFolderLabel", Kind::Str, Default::None),
    f("disabledBy", Kind::Str, Default::None),
];

/// Why an input value was rejected: the field name and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadField {
    /// Wire name of the field.
    pub field: String,
    /// Human-readable reason.
    pub reason: String,
}

fn bad(field: &str, reason: impl Into<String>) -> BadField {
    BadField {
        field: field.to_owned(),
        reason: reason.into(),
    }
}

/// Parses a string boolean as DocuSign accepts it: JSON booleans or `"true"`/`"false"`
/// (any letter case).
pub fn parse_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn bool_str(b: bool) -> Value {
    Value::String(if b { "true" } else { "false" }.to_owned())
}

fn scalar_string(name: &str, v: &Value) -> Result<String, BadField> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(bad(name, "expected a string")),
    }
}

fn string_list(name: &str, v: &Value) -> Result<Vec<Value>, BadField> {
    let Value::Array(items) = v else {
        return Err(bad(name, "expected an array of strings"));
    };
    items
        .iter()
        .map(|item| scalar_string(name, item).map(Value::String))
        .collect()
}

fn event_data(v: &Value) -> Result<Value, BadField> {
    let Value::Object(input) = v else {
        return Err(bad("eventData", "expected an object"));
    };
    let mut out = Map::new();
    let version = match input.get("version") {
        None | Some(Value::Null) => String::new(),
        Some(v) => scalar_string("eventData.version", v)?,
    };
    out.insert("version".into(), Value::String(version));
    if let Some(format) = input.get("format").filter(|v| !v.is_null()) {
        out.insert(
            "format".into(),
            Value::String(scalar_string("eventData.format", format)?),
        );
    }
    let include = match input.get("includeData") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => string_list("eventData.includeData", v)?,
    };
    out.insert("includeData".into(), Value::Array(include));
    Ok(Value::Object(out))
}

/// The string fields of `connectOAuthConfig`.
const OAUTH_STRING_FIELDS: &[&str] = &[
    "authorizationServerUrl",
    "clientId",
    "clientSecret",
    "scope",
];

/// Normalizes a `connectOAuthConfig` input: known string fields, `customParameters` as a
/// string map (the 2023 spec's `type: string` is a known spec bug fixed in the SDKs).
/// Unknown fields are ignored; `null` drops a field.
pub fn normalize_oauth(input: &Map<String, Value>) -> Result<Map<String, Value>, BadField> {
    let mut out = Map::new();
    for name in OAUTH_STRING_FIELDS {
        match input.get(*name) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => {
                out.insert((*name).to_owned(), Value::String(s.clone()));
            }
            Some(_) => return Err(bad(name, "expected a string")),
        }
    }
    match input.get("customParameters") {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => {
            let mut params = Map::new();
            for (k, v) in m {
                let Value::String(s) = v else {
                    return Err(bad("customParameters", "expected string values"));
                };
                params.insert(k.clone(), Value::String(s.clone()));
            }
            out.insert("customParameters".to_owned(), Value::Object(params));
        }
        Some(_) => return Err(bad("customParameters", "expected an object of strings")),
    }
    Ok(out)
}

/// The response form of stored OAuth settings: `clientSecret` removed.
pub fn render_oauth(stored: &Value) -> Value {
    let mut v = stored.clone();
    if let Value::Object(m) = &mut v {
        m.remove("clientSecret");
    }
    v
}

fn oauth_config(v: &Value) -> Result<Value, BadField> {
    let Value::Object(input) = v else {
        return Err(bad("oAuthConfiguration", "expected an object"));
    };
    normalize_oauth(input)
        .map(Value::Object)
        .map_err(|e| bad(&format!("oAuthConfiguration.{}", e.field), e.reason))
}

/// Converts one input value to its stored (wire) form. `Ok(None)` clears the field.
fn normalize_value(field: &Field, v: &Value) -> Result<Option<Value>, BadField> {
    if v.is_null() {
        return Ok(None);
    }
    Ok(Some(match field.kind {
        Kind::Bool => bool_str(
            parse_bool(v).ok_or_else(|| bad(field.name, "expected \"true\" or \"false\""))?,
        ),
        Kind::Str => Value::String(scalar_string(field.name, v)?),
        Kind::StrList => {
            let list = string_list(field.name, v)?;
            if list.is_empty() {
                return Ok(None);
            }
            Value::Array(list)
        }
        Kind::EventData => event_data(v)?,
        Kind::ObjList => match v {
            Value::Array(items) if items.is_empty() => return Ok(None),
            Value::Array(items) if items.iter().all(Value::is_object) => v.clone(),
            _ => return Err(bad(field.name, "expected an array of objects")),
        },
        Kind::OAuth => oauth_config(v)?,
    }))
}

/// Applies the known fields of `input` onto `stored` (the create base or the stored
/// configuration for an update). Fields absent from `input` are left untouched; `null`,
/// and empty lists, clear them. `connectId` is never taken from input.
pub fn apply(stored: &mut Map<String, Value>, input: &Map<String, Value>) -> Result<(), BadField> {
    for field in FIELDS {
        if field.name == "connectId" {
            continue;
        }
        let Some(v) = input.get(field.name) else {
            continue;
        };
        match normalize_value(field, v)? {
            Some(value) => {
                stored.insert(field.name.to_owned(), value);
            }
            None => {
                if field.default == Default::None {
                    stored.remove(field.name);
                } else {
                    stored.insert(field.name.to_owned(), default_value(field.default));
                }
            }
        }
    }
    Ok(())
}

fn default_value(d: Default) -> Value {
    match d {
        Default::None => Value::Null,
        Default::Str(s) => Value::String(s.to_owned()),
        Default::EventData => serde_json::json!({"version": "", "includeData": []}),
    }
}

/// A new configuration holding DocuSign's create defaults.
pub fn with_defaults() -> Map<String, Value> {
    let mut out = Map::new();
    for field in FIELDS {
        if field.default != Default::None {
            out.insert(field.name.to_owned(), default_value(field.default));
        }
    }
    out
}

/// The response form of a stored configuration: DocuSign's field order, secrets removed.
pub fn render(stored: &Map<String, Value>) -> Value {
    let mut out = Map::new();
    for field in FIELDS {
        if field.secret {
            continue;
        }
        if let Some(v) = stored.get(field.name) {
            let v = if field.kind == Kind::OAuth {
                render_oauth(v)
            } else {
                v.clone()
            };
            out.insert(field.name.to_owned(), v);
        }
    }
    Value::Object(out)
}

/// True when the stored string boolean `name` is `"true"`.
pub fn flag(stored: &Map<String, Value>, name: &str) -> bool {
    stored.get(name).and_then(parse_bool).unwrap_or(false)
}

/// The stored string `name`, or `""`.
pub fn text<'a>(stored: &'a Map<String, Value>, name: &str) -> &'a str {
    stored.get(name).and_then(Value::as_str).unwrap_or("")
}

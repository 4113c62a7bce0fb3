//! The typed DocuSign Connect model: what goes over the wire, in Rust names and types.
//!
//! * Every field is an `Option`; `None` is never sent (no `null` reaches DocuSign).
//! * DocuSign's string booleans are `Option<bool>` here (see [`super::strbool`]).
//! * Every object keeps the fields it does not know in `other`, and sends them back, so an
//!   update never drops a setting the model (or the user) does not manage.
//! * Passwords, client secrets and HMAC keys are [`Secret`]s.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::secret::Secret;

/// A custom Connect configuration (`connectCustomConfiguration` in DocuSign's eSignature v2.1
/// Swagger).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectConfiguration {
    /// DocuSign-generated id (numeric string); read-only, required in the PUT body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect_id: Option<String>,
    /// `custom`, `customrecipient`, `salesforce`, `eOriginal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_to_publish_to: Option<String>,
    #[serde(
        default,
        with = "super::strbool",
        skip_serializing_if = "Option::is_none"
    )]
    pub allow_envelope_publish: Option<bool>,
    #[serde(
        default,
        with = "super::strbool",
        skip_serializing_if = "Option::is_none"
    )]
    pub all_users: Option<bool>,
    #[serde(
        default,
        with = "super::strbool",
        skip_serializing_if = "Option::is_none"
    )]
    pub all_users_except: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_ids: Option<Vec<String>>,
    /// `SIM` or `aggregate`; DocuSign returns `""` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_mode: Option<String>,
    /// JSON SIM event names (`envelope-sent`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub envelope_events: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_events: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_data: Option<EventData>,
    #[serde(
        default,
        with = "super::strbool",
        skip_serializing_if = "Option::is_none"
    )]
    pub enable_log: Option<bool>,
    #[serde(
        default,
        with = "super::strbool",
        skip_serializing_if = "Option::is_none"
    )]
    pub requires_acknowledgement: Option<bool>,
    #[serde(
        default,
        with = "super::strbool",
        skip_serializing_if = "Option::is_none"
    )]
    pub include_documents: Option<bool>,
    #[serde(
        default,
        with = "super::strbool",
        skip_serializing_if = "Option::is_none"
    )]
    pub include_certificate_of_completion: Option<bool>,
    #[serde(
        default,
        with = "super::strbool",
        skip_serializing_if = "Option::is_none"
    )]
    pub include_document_fields: Option<bool>,
    #[serde(
        default,
        with = "super::strbool",
        skip_serializing_if = "Option::is_none"
    )]
    pub include_envelope_void_reason: Option<bool>,
    /// Wire name `includeSenderAccountasCustomField` (DocuSign's casing).
    #[serde(
        rename = "includeSenderAccountasCustomField",
        default,
        with = "super::strbool",
        skip_serializing_if = "Option::is_none"
    )]
    pub include_sender_account_as_custom_field: Option<bool>,
    #[serde(
        default,
        with = "super::strbool",
        skip_serializing_if = "Option::is_none"
    )]
    pub include_time_zone_information: Option<bool>,
    #[serde(
        rename = "includeHMAC",
        default,
        with = "super::strbool",
        skip_serializing_if = "Option::is_none"
    )]
    pub include_hmac: Option<bool>,
    #[serde(
        rename = "includeOAuth",
        default,
        with = "super::strbool",
        skip_serializing_if = "Option::is_none"
    )]
    pub include_oauth: Option<bool>,
    #[serde(
        default,
        with = "super::strbool",
        skip_serializing_if = "Option::is_none"
    )]
    pub integrator_managed: Option<bool>,
    #[serde(
        rename = "enableOAuthPerConfiguration",
        default,
        with = "super::strbool",
        skip_serializing_if = "Option::is_none"
    )]
    pub enable_oauth_per_configuration: Option<bool>,
    /// Per-configuration OAuth settings (`oAuthConfiguration`).
    #[serde(
        rename = "oAuthConfiguration",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub oauth_configuration: Option<ConnectOAuthConfig>,
    #[serde(
        default,
        with = "super::strbool",
        skip_serializing_if = "Option::is_none"
    )]
    pub pause_publish: Option<bool>,
    /// Server-set; read-only in practice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_by: Option<String>,
    #[serde(
        rename = "signMessageWithX509Certificate",
        default,
        with = "super::strbool",
        skip_serializing_if = "Option::is_none"
    )]
    pub sign_message_with_x509_certificate: Option<bool>,
    #[serde(
        default,
        with = "super::strbool",
        skip_serializing_if = "Option::is_none"
    )]
    pub require_mutual_tls: Option<bool>,
    #[serde(
        default,
        with = "super::strbool",
        skip_serializing_if = "Option::is_none"
    )]
    pub use_soap_interface: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soap_namespace: Option<String>,
    #[serde(
        default,
        with = "super::strbool",
        skip_serializing_if = "Option::is_none"
    )]
    pub include_cert_soap_header: Option<bool>,
    /// Basic-auth user name for the listener.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// Basic-auth password for the listener (sensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_override: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_selectable_items: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_folder_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_folder_label: Option<String>,
    #[serde(
        default,
        with = "super::strbool",
        skip_serializing_if = "Option::is_none"
    )]
    pub allow_salesforce_publish: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salesforce_api_version: Option<String>,
    /// Salesforce authorization code (sensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salesforce_authcode: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salesforce_call_back_url: Option<String>,
    #[serde(
        default,
        with = "super::strbool",
        skip_serializing_if = "Option::is_none"
    )]
    pub salesforce_documents_as_content_files: Option<bool>,
    /// Salesforce object mappings, kept as DocuSign sends them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sf_objects: Option<Vec<Value>>,
    /// Fields this model does not know: kept from responses and sent back on update.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// `connectEventData`: which data a JSON SIM message carries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventData {
    /// `restv2.1` for JSON; empty or `legacy` for XML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_data: Option<Vec<String>>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// `connectOAuthConfig`: OAuth for Connect (account level, or per configuration).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectOAuthConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_server_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// A map of extra token-request parameters. Older specs typed it as a string; a string
    /// (JSON-encoded object or not) is accepted when reading.
    #[serde(
        default,
        deserialize_with = "string_map",
        skip_serializing_if = "Option::is_none"
    )]
    pub custom_parameters: Option<BTreeMap<String, String>>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// `connectConfigResults`: the answer of list and get.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectConfigResults {
    #[serde(default)]
    pub configurations: Vec<ConnectConfiguration>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// One account-level HMAC secret (`/connect/secret`). DocuSign does not document the shape; the
/// client accepts an object (`keyId`, `secret`, `createdDateTime`, ...) or a bare string
/// (taken as the secret text).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HmacSecret {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// The secret itself: in full only in the answer that created it, truncated afterwards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// The answer of `GET` / `POST /connect/secret`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HmacSecrets {
    #[serde(default)]
    pub secrets: Vec<HmacSecret>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// `connectLog`: one Connect log or failure entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectLog {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub envelope_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_try: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// `connectLogs`: the answer of `/connect/logs` and `/connect/failures`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectLogs {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logs: Option<Vec<ConnectLog>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failures: Option<Vec<ConnectLog>>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// `GET /oauth/userinfo`: the user and the accounts the token can reach.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserInfo {
    #[serde(default)]
    pub sub: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub accounts: Vec<AccountInfo>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// One account of [`UserInfo`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountInfo {
    pub account_id: String,
    #[serde(
        default,
        with = "super::strbool",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_default: Option<bool>,
    #[serde(default)]
    pub account_name: Option<String>,
    /// e.g. `https://demo.docusign.net`; the REST API is `base_uri + "/restapi"`.
    #[serde(default)]
    pub base_uri: Option<String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl<'de> Deserialize<'de> for HmacSecret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Obj {
            #[serde(default, alias = "id", alias = "secretId")]
            key_id: Option<String>,
            #[serde(default, alias = "secretKey", alias = "value", alias = "hmacSecret")]
            secret: Option<Secret>,
            #[serde(default, alias = "createdDateTime", alias = "createdDate")]
            created: Option<String>,
            #[serde(flatten)]
            other: Map<String, Value>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(Secret),
            Obj(Obj),
        }
        Ok(match Raw::deserialize(deserializer)? {
            Raw::Text(secret) => HmacSecret {
                secret: Some(secret),
                ..HmacSecret::default()
            },
            Raw::Obj(o) => HmacSecret {
                key_id: o.key_id,
                secret: o.secret,
                created: o.created,
                other: o.other,
            },
        })
    }
}

fn string_map<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<BTreeMap<String, String>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Map(BTreeMap<String, Value>),
        Text(String),
    }
    let raw: Option<Raw> = Option::deserialize(deserializer)?;
    let map = match raw {
        None => return Ok(None),
        Some(Raw::Map(m)) => m,
        Some(Raw::Text(t)) if t.trim().is_empty() => return Ok(None),
        Some(Raw::Text(t)) => serde_json::from_str::<BTreeMap<String, Value>>(&t)
            .map_err(|_| serde::de::Error::custom("customParameters: expected an object"))?,
    };
    Ok(Some(
        map.into_iter()
            .map(|(k, v)| {
                let s = match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                (k, s)
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NANGO_CREATE_RESPONSE: &str = r#"{"connectId":"22210641","configurationType":"custom",
      "urlToPublishTo":"https://example.com/webhook/nango","name":"Nango Connect Validation",
      "allowEnvelopePublish":"true","deliveryMode":"","enableLog":"false",
      "requiresAcknowledgement":"true","includeSenderAccountasCustomField":"false",
      "includeHMAC":"true","includeOAuth":"false","signMessageWithX509Certificate":"false",
      "enableOAuthPerConfiguration":"false","allUsers":true,"allUsersExcept":"false",
      "envelopeEvents":["sent"],"eventData":{"version":"","includeData":[],"futureKnob":"x"},
      "brandNewSetting":"keep-me","anotherOne":{"nested":["a"]}}"#;

    #[test]
    fn decodes_string_booleans_and_odd_wire_names() {
        let c: ConnectConfiguration = serde_json::from_str(NANGO_CREATE_RESPONSE).unwrap();
        assert_eq!(c.connect_id.as_deref(), Some("22210641"));
        assert_eq!(c.allow_envelope_publish, Some(true));
        assert_eq!(c.all_users, Some(true));
        assert_eq!(c.enable_log, Some(false));
        assert_eq!(c.include_sender_account_as_custom_field, Some(false));
        assert_eq!(c.include_hmac, Some(true));
        assert_eq!(c.include_oauth, Some(false));
        assert_eq!(c.sign_message_with_x509_certificate, Some(false));
        assert_eq!(c.enable_oauth_per_configuration, Some(false));
        assert_eq!(c.delivery_mode.as_deref(), Some(""));
        assert_eq!(c.password, None);
        let ed = c.event_data.as_ref().unwrap();
        assert_eq!(ed.include_data.as_deref(), Some(&[][..]));
        assert_eq!(ed.other.get("futureKnob"), Some(&Value::from("x")));
    }

    #[test]
    fn unknown_fields_survive_a_round_trip() {
        let c: ConnectConfiguration = serde_json::from_str(NANGO_CREATE_RESPONSE).unwrap();
        assert_eq!(c.other.len(), 2, "{:?}", c.other.keys().collect::<Vec<_>>());
        let out = serde_json::to_value(&c).unwrap();
        assert_eq!(out["brandNewSetting"], "keep-me");
        assert_eq!(out["anotherOne"]["nested"][0], "a");
        assert_eq!(out["eventData"]["futureKnob"], "x");
        // Booleans go back as DocuSign strings, with DocuSign's names.
        assert_eq!(out["allUsers"], "true");
        assert_eq!(out["includeHMAC"], "true");
        assert_eq!(out["includeSenderAccountasCustomField"], "false");
        assert_eq!(out["enableOAuthPerConfiguration"], "false");
    }

    #[test]
    fn none_is_never_sent() {
        let c = ConnectConfiguration {
            name: Some("n".into()),
            allow_envelope_publish: Some(false),
            ..Default::default()
        };
        let out = serde_json::to_string(&c).unwrap();
        assert_eq!(out, r#"{"name":"n","allowEnvelopePublish":"false"}"#);
    }

    #[test]
    fn password_is_sent_but_not_debugged() {
        let c = ConnectConfiguration {
            password: Some(Secret::new("listener-pw-123")),
            ..Default::default()
        };
        assert!(
            serde_json::to_string(&c)
                .unwrap()
                .contains("listener-pw-123")
        );
        assert!(!format!("{c:?}").contains("listener-pw-123"));
    }

    #[test]
    fn oauth_config_custom_parameters_map_or_string() {
        let a: ConnectOAuthConfig = serde_json::from_str(
            r#"{"clientId":"c","clientSecret":"s3cr3t","customParameters":{"resource":"r"}}"#,
        )
        .unwrap();
        assert_eq!(a.custom_parameters.unwrap()["resource"], "r");
        assert!(!format!("{:?}", a.client_secret).contains("s3cr3t"));
        let b: ConnectOAuthConfig =
            serde_json::from_str(r#"{"customParameters":"{\"aud\":\"x\"}"}"#).unwrap();
        assert_eq!(b.custom_parameters.unwrap()["aud"], "x");
    }

    #[test]
    fn hmac_secrets_accept_objects_and_strings() {
        let s: HmacSecrets = serde_json::from_str(
            r#"{"secrets":[{"keyId":"k1","secret":"abc","createdDateTime":"t"},"def"]}"#,
        )
        .unwrap();
        assert_eq!(s.secrets[0].key_id.as_deref(), Some("k1"));
        assert_eq!(s.secrets[0].created.as_deref(), Some("t"));
        assert_eq!(s.secrets[1].secret.as_ref().unwrap().expose(), "def");
        assert!(!format!("{s:?}").contains("abc"));
    }

    #[test]
    fn userinfo_accounts() {
        let u: UserInfo = serde_json::from_str(
            r#"{"sub":"u","accounts":[{"account_id":"a1","is_default":false,"base_uri":"https://x"},
               {"account_id":"a2","is_default":"true","account_name":"B"}]}"#,
        )
        .unwrap();
        assert_eq!(u.accounts[1].is_default, Some(true));
        assert_eq!(u.accounts[0].is_default, Some(false));
    }
}

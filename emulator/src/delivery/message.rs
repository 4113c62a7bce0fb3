//! What a raised event carries (the envelope: sender, recipients with tabs, custom fields,
//! documents) and the JSON SIM message DocuSign builds from it (`eventData.version`
//! `restv2.1`): `event`, `apiVersion`, `uri`, `retryCount`, `configurationId`,
//! `generatedDateTime`, and `data` with `accountId`, `userId`, `envelopeId`, `recipientId` for
//! recipient events, and `envelopeSummary` filled according to `includeData`.

use base64::Engine as _;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::util;

/// The events the control route raises: DocuSign's JSON SIM envelope and recipient events.
pub const EVENTS: &[&str] = &[
    "envelope-created",
    "envelope-sent",
    "envelope-resent",
    "envelope-delivered",
    "envelope-completed",
    "envelope-declined",
    "envelope-voided",
    "envelope-corrected",
    "envelope-purge",
    "envelope-deleted",
    "envelope-discard",
    "recipient-sent",
    "recipient-resent",
    "recipient-delivered",
    "recipient-completed",
    "recipient-declined",
    "recipient-authenticationfailed",
    "recipient-autoresponded",
    "recipient-reassign",
    "recipient-delegate",
    "recipient-finish-later",
];

/// A raised event, by its JSON SIM name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// E.g. `envelope-completed`.
    pub name: String,
}

impl Event {
    /// Parses a JSON SIM event name the emulator can raise.
    pub fn parse(name: &str) -> Result<Event, String> {
        let lower = name.trim().to_ascii_lowercase();
        if EVENTS.contains(&lower.as_str()) {
            Ok(Event { name: lower })
        } else {
            Err(format!(
                "unknown event '{name}'; one of: {}",
                EVENTS.join(", ")
            ))
        }
    }

    /// A recipient event (`recipient-…`).
    pub fn is_recipient(&self) -> bool {
        self.name.starts_with("recipient-")
    }

    fn suffix(&self) -> &str {
        self.name.split_once('-').map_or("", |(_, s)| s)
    }

    /// The legacy list this event belongs to (`envelopeEvents` or `recipientEvents`) and its
    /// sentence-case name there, if the legacy lists have one.
    pub fn legacy(&self) -> Option<(&'static str, &'static str)> {
        let list = if self.is_recipient() {
            "recipientEvents"
        } else {
            "envelopeEvents"
        };
        let name = match (self.is_recipient(), self.suffix()) {
            (_, "sent") => "Sent",
            (_, "delivered") => "Delivered",
            (_, "completed") => "Completed",
            (_, "declined") => "Declined",
            (false, "voided") => "Voided",
            (true, "autoresponded") => "AutoResponded",
            (true, "authenticationfailed") => "AuthenticationFailed",
            _ => return None,
        };
        Some((list, name))
    }

    /// The envelope's status after this event.
    pub fn envelope_status(&self) -> &'static str {
        match (self.is_recipient(), self.suffix()) {
            (false, "created") => "created",
            (false, "delivered") => "delivered",
            (false, "completed") => "completed",
            (false, "declined") | (true, "declined") => "declined",
            (false, "voided") => "voided",
            (false, "purge") | (false, "deleted") | (false, "discard") => "deleted",
            _ => "sent",
        }
    }

    /// The status of the event's recipient (recipient events) or of every recipient.
    pub fn recipient_status(&self) -> &'static str {
        match self.suffix() {
            "created" => "created",
            "delivered" => "delivered",
            "completed" => "completed",
            "declined" => "declined",
            "autoresponded" => "autoresponded",
            "authenticationfailed" => "authenticationfailed",
            _ => "sent",
        }
    }
}

/// The envelope an event is raised for, as the control route accepts it; everything has a
/// default.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnvelopeInput {
    /// The envelope id (default: a new GUID).
    pub envelope_id: Option<String>,
    /// The e-mail subject.
    pub email_subject: Option<String>,
    /// The signers (default: two).
    pub recipients: Option<Vec<RecipientInput>>,
    /// Text custom fields, name to value (default: one).
    pub custom_fields: Option<Map<String, Value>>,
}

/// One signer of a raised envelope.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecipientInput {
    /// Display name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// The DocuSign user id when the recipient is a user (matters to `customrecipient`).
    pub user_id: Option<String>,
}

/// The sender of an envelope.
#[derive(Debug, Clone)]
pub struct Sender {
    /// User id.
    pub user_id: String,
    /// Display name.
    pub user_name: String,
    /// E-mail.
    pub email: String,
}

/// A complete envelope, with ids and times fixed at the moment the event was raised.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// The envelope id.
    pub id: String,
    /// The account the event was raised on.
    pub account_id: String,
    /// The subject.
    pub subject: String,
    /// The sender.
    pub sender: Sender,
    /// The signers.
    pub recipients: Vec<RecipientInput>,
    /// Text custom fields.
    pub custom_fields: Vec<(String, String)>,
    /// When the event happened (RFC 3339).
    pub at: String,
}

impl Envelope {
    /// Fills the defaults of `input`.
    pub fn new(account_id: &str, sender: Sender, input: EnvelopeInput) -> Envelope {
        let recipients = input.recipients.unwrap_or_else(|| {
            vec![
                RecipientInput {
                    name: "Alice Signer".into(),
                    email: "alice.signer@example.com".into(),
                    user_id: None,
                },
                RecipientInput {
                    name: "Bob Countersigner".into(),
                    email: "bob.countersigner@example.com".into(),
                    user_id: None,
                },
            ]
        });
        let custom_fields = match input.custom_fields {
            Some(m) => m
                .into_iter()
                .map(|(k, v)| {
                    let v = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                    (k, v)
                })
                .collect(),
            None => vec![("ContractNumber".into(), "C-1001".into())],
        };
        Envelope {
            id: input.envelope_id.unwrap_or_else(util::guid),
            account_id: account_id.to_owned(),
            subject: input
                .email_subject
                .unwrap_or_else(|| "Please DocuSign: Emulator Agreement.pdf".into()),
            sender,
            recipients,
            custom_fields,
            at: util::rfc3339(util::now_secs()),
        }
    }

    /// The REST path of the envelope.
    pub fn uri(&self) -> String {
        format!(
            "/restapi/v2.1/accounts/{}/envelopes/{}",
            self.account_id, self.id
        )
    }

    /// The `recipientId` a recipient event is about (the first signer).
    pub fn event_recipient_id(&self) -> &'static str {
        "1"
    }

    /// The user ids of recipients who are DocuSign users.
    pub fn recipient_user_ids(&self) -> Vec<String> {
        self.recipients
            .iter()
            .filter_map(|r| r.user_id.clone())
            .collect()
    }
}

/// The data items of `eventData.includeData` the emulator fills.
pub const INCLUDE_DATA: &[&str] = &[
    "recipients",
    "tabs",
    "custom_fields",
    "documents",
    "attachments",
    "folders",
];

fn tabs(index: usize, recipient_id: &str, signed: bool) -> Value {
    let value = |v: &str| if signed { v.to_owned() } else { String::new() };
    json!({
        "signHereTabs": [{
            "tabId": util::guid(), "tabLabel": "Signature", "documentId": "1", "pageNumber": "1",
            "recipientId": recipient_id, "xPosition": "100", "yPosition": (600 + 60 * index).to_string(),
            "status": if signed { "signed" } else { "active" }, "tabType": "signHere"
        }],
        "textTabs": [{
            "tabId": util::guid(), "tabLabel": "Company", "documentId": "1", "pageNumber": "1",
            "recipientId": recipient_id, "value": value("Example Ltd"), "required": "true",
            "tabType": "text"
        }],
        "dateSignedTabs": [{
            "tabId": util::guid(), "tabLabel": "Date Signed", "documentId": "1", "pageNumber": "1",
            "recipientId": recipient_id, "value": value("12/2/2026"), "tabType": "dateSigned"
        }]
    })
}

fn recipients(env: &Envelope, event: &Event, with_tabs: bool) -> Value {
    let signers: Vec<Value> = env
        .recipients
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let id = (i + 1).to_string();
            let status = if !event.is_recipient() || id == env.event_recipient_id() {
                event.recipient_status()
            } else {
                "sent"
            };
            let mut s = json!({
                "recipientId": id, "recipientIdGuid": util::guid(), "name": r.name,
                "email": r.email, "routingOrder": (i + 1).to_string(), "status": status,
                "recipientType": "signer", "deliveryMethod": "email"
            });
            if let (Some(uid), Value::Object(m)) = (&r.user_id, &mut s) {
                m.insert("userId".into(), Value::String(uid.clone()));
            }
            if status == "completed"
                && let Value::Object(m) = &mut s
            {
                m.insert("signedDateTime".into(), Value::String(env.at.clone()));
            }
            if with_tabs && let Value::Object(m) = &mut s {
                m.insert("tabs".into(), tabs(i, &id, status == "completed"));
            }
            s
        })
        .collect();
    json!({
        "signers": signers, "agents": [], "editors": [], "intermediaries": [],
        "carbonCopies": [], "certifiedDeliveries": [], "inPersonSigners": [], "seals": [],
        "witnesses": [], "notaries": [],
        "recipientCount": env.recipients.len().to_string(), "currentRoutingOrder": "1"
    })
}

fn document() -> Value {
    // A minimal one-page PDF so `documentBase64` decodes to something a PDF reader accepts.
    const PDF: &str = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
    json!({
        "documentId": "1", "documentIdGuid": util::guid(), "name": "Emulator Agreement.pdf",
        "type": "content", "uri": "", "order": "1", "pages": "1",
        "documentBase64": base64::engine::general_purpose::STANDARD.encode(PDF)
    })
}

/// `envelopeSummary` for `include_data` (the configuration's `eventData.includeData`).
pub fn envelope_summary(env: &Envelope, event: &Event, include_data: &[String]) -> Value {
    let has = |item: &str| include_data.iter().any(|i| i.eq_ignore_ascii_case(item));
    let status = event.envelope_status();
    let uri = env.uri();
    let mut s = json!({
        "status": status,
        "documentsUri": format!("{uri}/documents"),
        "recipientsUri": format!("{uri}/recipients"),
        "attachmentsUri": format!("{uri}/attachments"),
        "envelopeUri": uri,
        "emailSubject": env.subject,
        "envelopeId": env.id,
        "signingLocation": "online",
        "customFieldsUri": format!("{uri}/custom_fields"),
        "notificationUri": format!("{uri}/notification"),
        "enableWetSign": "true",
        "allowMarkup": "false",
        "allowReassign": "true",
        "createdDateTime": env.at,
        "lastModifiedDateTime": env.at,
        "initialSentDateTime": env.at,
        "sentDateTime": env.at,
        "statusChangedDateTime": env.at,
        "documentsCombinedUri": format!("{uri}/documents/combined"),
        "certificateUri": format!("{uri}/documents/certificate"),
        "templatesUri": format!("{uri}/templates"),
        "expireEnabled": "true",
        "expireAfter": "120",
        "sender": {
            "userName": env.sender.user_name,
            "userId": env.sender.user_id,
            "accountId": env.account_id,
            "email": env.sender.email
        },
        "purgeState": "unpurged",
        "envelopeIdStamping": "true",
        "is21CFRPart11": "false",
        "signerCanSignOnMobile": "true",
        "isSignatureProviderEnvelope": "false",
        "allowViewHistory": "true",
        "anySigner": null
    });
    let Value::Object(m) = &mut s else {
        return s;
    };
    match status {
        "delivered" => {
            m.insert("deliveredDateTime".into(), Value::String(env.at.clone()));
        }
        "completed" => {
            m.insert("deliveredDateTime".into(), Value::String(env.at.clone()));
            m.insert("completedDateTime".into(), Value::String(env.at.clone()));
        }
        "declined" => {
            m.insert("declinedDateTime".into(), Value::String(env.at.clone()));
        }
        "voided" => {
            m.insert("voidedDateTime".into(), Value::String(env.at.clone()));
        }
        _ => {}
    }
    if has("recipients") || has("tabs") {
        m.insert("recipients".into(), recipients(env, event, has("tabs")));
    }
    if has("custom_fields") {
        let text: Vec<Value> = env
            .custom_fields
            .iter()
            .enumerate()
            .map(|(i, (name, value))| {
                json!({"fieldId": (10_000_000 + i).to_string(), "name": name,
                       "show": "true", "required": "false", "value": value})
            })
            .collect();
        m.insert(
            "customFields".into(),
            json!({"textCustomFields": text, "listCustomFields": []}),
        );
    }
    if has("documents") {
        m.insert("envelopeDocuments".into(), json!([document()]));
    }
    if has("attachments") {
        m.insert("envelopeAttachments".into(), json!([]));
    }
    if has("folders") {
        m.insert(
            "folders".into(),
            json!([{"folderId": util::guid(), "name": "Sent Items", "type": "sentitems"}]),
        );
    }
    s
}

/// Everything that fixes a message's bytes except `retryCount`.
#[derive(Debug, Clone)]
pub struct Message {
    /// The event.
    pub event: Event,
    /// The configuration's `connectId` (a number in the message).
    pub configuration_id: String,
    /// The user the event is about (the sender).
    pub user_id: String,
    /// `data.envelopeSummary`, if the configuration's message has one.
    pub summary: Value,
    /// The envelope's REST path.
    pub uri: String,
    /// The account.
    pub account_id: String,
    /// The envelope id.
    pub envelope_id: String,
    /// `recipientId` of a recipient event.
    pub recipient_id: Option<String>,
}

impl Message {
    /// The message for one configuration.
    pub fn new(env: &Envelope, event: &Event, connect_id: &str, include_data: &[String]) -> Self {
        Message {
            event: event.clone(),
            configuration_id: connect_id.to_owned(),
            user_id: env.sender.user_id.clone(),
            summary: envelope_summary(env, event, include_data),
            uri: env.uri(),
            account_id: env.account_id.clone(),
            envelope_id: env.id.clone(),
            recipient_id: event
                .is_recipient()
                .then(|| env.event_recipient_id().to_owned()),
        }
    }

    /// The JSON body of attempt `retry_count` (0 for the first send).
    pub fn body(&self, retry_count: u32) -> Vec<u8> {
        let mut data = Map::new();
        data.insert("accountId".into(), Value::String(self.account_id.clone()));
        data.insert("userId".into(), Value::String(self.user_id.clone()));
        data.insert("envelopeId".into(), Value::String(self.envelope_id.clone()));
        if let Some(r) = &self.recipient_id {
            data.insert("recipientId".into(), Value::String(r.clone()));
        }
        data.insert("envelopeSummary".into(), self.summary.clone());
        let configuration_id = self.configuration_id.parse::<u64>().map_or_else(
            |_| Value::String(self.configuration_id.clone()),
            Value::from,
        );
        let v = json!({
            "event": self.event.name,
            "apiVersion": "v2.1",
            "uri": self.uri,
            "retryCount": retry_count,
            "configurationId": configuration_id,
            "generatedDateTime": util::rfc3339(util::now_secs()),
            "data": Value::Object(data),
        });
        serde_json::to_vec(&v).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Envelope {
        Envelope::new(
            "acct",
            Sender {
                user_id: "u".into(),
                user_name: "U".into(),
                email: "u@example.com".into(),
            },
            EnvelopeInput::default(),
        )
    }

    #[test]
    fn include_data_selects_the_summary_parts() {
        let e = Event::parse("envelope-completed").unwrap();
        let bare = envelope_summary(&env(), &e, &[]);
        assert!(bare.get("recipients").is_none() && bare.get("customFields").is_none());
        let full = envelope_summary(&env(), &e, &["recipients".into(), "tabs".into()]);
        let signer = &full["recipients"]["signers"][0];
        assert_eq!(signer["status"], "completed");
        assert!(signer["tabs"]["textTabs"][0]["value"] == "Example Ltd");
        let fields = envelope_summary(&env(), &e, &["custom_fields".into()]);
        assert_eq!(
            fields["customFields"]["textCustomFields"][0]["name"],
            "ContractNumber"
        );
        assert!(fields.get("recipients").is_none());
    }

    #[test]
    fn legacy_names_and_statuses() {
        let e = Event::parse("Recipient-AutoResponded").unwrap();
        assert_eq!(e.legacy(), Some(("recipientEvents", "AutoResponded")));
        assert_eq!(
            Event::parse("envelope-voided").unwrap().legacy(),
            Some(("envelopeEvents", "Voided"))
        );
        assert_eq!(Event::parse("envelope-created").unwrap().legacy(), None);
        assert!(Event::parse("template-created").is_err());
    }

    #[test]
    fn body_has_the_documented_top_level_fields() {
        let e = Event::parse("recipient-completed").unwrap();
        let m = Message::new(&env(), &e, "10000001", &[]);
        let v: Value = serde_json::from_slice(&m.body(2)).unwrap();
        assert_eq!(v["retryCount"], 2);
        assert_eq!(v["configurationId"], 10_000_001);
        assert_eq!(v["apiVersion"], "v2.1");
        assert_eq!(v["data"]["recipientId"], "1");
        assert!(v["uri"].as_str().unwrap().ends_with(&m.envelope_id));
    }
}

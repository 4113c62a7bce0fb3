//! The attribute table of `docusign_connect_configuration`: one line per DocuSign field.
//!
//! Attributes that are not a 1:1 mapping of a model field (`id`, `account_id`,
//! `configuration_type`'s default, the `event_data` block and the write-only password) are
//! declared in [`super::schema`].

use crate::client::{ConnectConfiguration, EventData};
use crate::resources::behaviours::WriteOnlySecret;
use crate::resources::fields::Field;
use crate::wire_field;

type C = ConnectConfiguration;

/// The plain attributes of a Connect configuration, in documentation order.
pub static FIELDS: &[Field<C>] = &[
    wire_field!(C, "name", "name", name, String, Required,
        "The configuration's name, as shown in DocuSign's Connect settings. DocuSign allows several configurations with the same name."),
    wire_field!(C, "url_to_publish_to", "urlToPublishTo", url_to_publish_to, String, Required,
        "The listener URL Connect sends messages to. It must be an `https://` URL. Prefer `user_name`/`password` over credentials embedded in the URL."),
    wire_field!(C, "allow_envelope_publish", "allowEnvelopePublish", allow_envelope_publish, Bool, OptionalComputed,
        "Whether Connect sends messages at all. DocuSign creates configurations disabled (`false`) unless this is `true`."),
    wire_field!(C, "all_users", "allUsers", all_users, Bool, OptionalComputed,
        "Track envelopes of every user of the account, including future users. When `false`, `user_ids` must list the users to track."),
    wire_field!(C, "all_users_except", "allUsersExcept", all_users_except, Bool, OptionalComputed,
        "When `true`, `user_ids` lists the users to *exclude* instead of those to include."),
    wire_field!(C, "user_ids", "userIds", user_ids, StringSet, Optional,
        "User GUIDs whose envelopes are tracked (or excluded, with `all_users_except`)."),
    wire_field!(C, "group_ids", "groupIds", group_ids, StringSet, Optional,
        "Group ids associated with the configuration."),
    wire_field!(C, "delivery_mode", "deliveryMode", delivery_mode, String, Optional,
        "`SIM` (send individual messages, recommended) or `aggregate`. Unset, DocuSign uses the account's default."),
    wire_field!(C, "events", "events", events, StringSet, Optional,
        "JSON SIM event names that trigger a message, such as `envelope-sent` or `recipient-completed`. Requires `event_data` with `version = \"restv2.1\"`. Unknown names give a warning, since DocuSign adds events over time."),
    wire_field!(C, "envelope_events", "envelopeEvents", envelope_events, StringSet, Optional,
        "Legacy envelope statuses, in DocuSign's exact case: `Sent`, `Delivered`, `Completed`, `Declined`, `Voided`."),
    wire_field!(C, "recipient_events", "recipientEvents", recipient_events, StringSet, Optional,
        "Legacy recipient statuses, in DocuSign's exact case: `Sent`, `AutoResponded`, `Delivered`, `Completed`, `Declined`, `AuthenticationFailed`."),
    wire_field!(C, "enable_log", "enableLog", enable_log, Bool, OptionalComputed,
        "Keep a Connect log for this configuration (DocuSign keeps at most 100 active logs per account)."),
    wire_field!(C, "requires_acknowledgement", "requiresAcknowledgement", requires_acknowledgement, Bool, OptionalComputed,
        "Require the listener to answer 2xx within 100 s; failed messages are queued and retried. DocuSign's default is `true`."),
    wire_field!(C, "include_documents", "includeDocuments", include_documents, Bool, OptionalComputed,
        "Include the envelope's documents (PDFs) in messages."),
    wire_field!(C, "include_certificate_of_completion", "includeCertificateOfCompletion", include_certificate_of_completion, Bool, OptionalComputed,
        "Include the certificate of completion with completed envelopes."),
    wire_field!(C, "include_document_fields", "includeDocumentFields", include_document_fields, Bool, OptionalComputed,
        "Include document fields in messages."),
    wire_field!(C, "include_envelope_void_reason", "includeEnvelopeVoidReason", include_envelope_void_reason, Bool, OptionalComputed,
        "Include the reason an envelope was voided."),
    wire_field!(C, "include_sender_account_as_custom_field", "includeSenderAccountasCustomField", include_sender_account_as_custom_field, Bool, OptionalComputed,
        "Include the sender's account as a custom field."),
    wire_field!(C, "include_time_zone_information", "includeTimeZoneInformation", include_time_zone_information, Bool, OptionalComputed,
        "Include the envelope's time zone information."),
    wire_field!(C, "include_hmac", "includeHMAC", include_hmac, Bool, OptionalComputed,
        "Sign messages with the account's HMAC keys (`X-DocuSign-Signature-N` headers). With `integrator_managed`, the integrator account's keys are used."),
    wire_field!(C, "include_oauth", "includeOAuth", include_oauth, Bool, OptionalComputed,
        "Send an OAuth bearer token obtained with the account's *OAuth for Connect* settings. With `integrator_managed`, the integrator account's settings are used."),
    wire_field!(C, "integrator_managed", "integratorManaged", integrator_managed, Bool, OptionalComputed,
        "Use the OAuth for Connect settings (with `include_oauth`) or HMAC keys (with `include_hmac`) of the account that owns the integration key the provider's token was issued to (the partner or integrator account) instead of this account's. Needs `include_oauth` or `include_hmac`."),
    wire_field!(C, "sign_message_with_x509_certificate", "signMessageWithX509Certificate", sign_message_with_x509_certificate, Bool, OptionalComputed,
        "Sign messages with DocuSign's X.509 certificate (mutual TLS initiated by the listener)."),
    wire_field!(C, "require_mutual_tls", "requireMutualTls", require_mutual_tls, Bool, OptionalComputed,
        "Require mutual TLS authentication with the listener."),
    wire_field!(C, "use_soap_interface", "useSoapInterface", use_soap_interface, Bool, OptionalComputed,
        "The listener is a SOAP interface (legacy). Needs `soap_namespace`."),
    wire_field!(C, "soap_namespace", "soapNamespace", soap_namespace, String, Optional,
        "The SOAP namespace of the listener; required when `use_soap_interface` is `true`."),
    wire_field!(C, "include_cert_soap_header", "includeCertSoapHeader", include_cert_soap_header, Bool, OptionalComputed,
        "Include DocuSign's certificate in the SOAP header (the deprecated SOAP digital signature)."),
    wire_field!(C, "pause_publish", "pausePublish", pause_publish, Bool, OptionalComputed,
        "Pause sending messages; paused events are skipped and shown in the Connect dashboard."),
    wire_field!(C, "allow_salesforce_publish", "allowSalesforcePublish", allow_salesforce_publish, Bool, OptionalComputed,
        "Whether DocuSign may also publish this configuration's events to Salesforce. Unset, DocuSign decides (its documented default is `true`)."),
    wire_field!(C, "user_name", "userName", user_name, String, Optional,
        "User name for HTTP Basic authentication to the listener."),
    wire_field!(C, "password", "password", password, String, Optional,
        "Password for HTTP Basic authentication to the listener. DocuSign never returns it, so drift cannot be detected; prefer `password_wo`.")
        .secret(),
    wire_field!(C, "sender_override", "senderOverride", sender_override, String, Optional,
        "Sender override setting, where DocuSign exposes it."),
    wire_field!(C, "sender_selectable_items", "senderSelectableItems", sender_selectable_items, StringSet, Optional,
        "Items a sender can select when adding or editing Connect objects."),
    wire_field!(C, "external_folder_id", "externalFolderId", external_folder_id, String, Optional,
        "The id of an external folder."),
    wire_field!(C, "external_folder_label", "externalFolderLabel", external_folder_label, String, Optional,
        "The label of an external folder."),
    wire_field!(C, "disabled_by", "disabledBy", disabled_by, String, Computed,
        "Set by DocuSign when it disables a configuration."),
];

/// `password_wo` and `password_wo_version`, the write-only form of `password`.
pub static PASSWORD: WriteOnlySecret<C> = WriteOnlySecret {
    name: "password",
    noun: "password",
    purpose: " for HTTP Basic authentication to the listener",
    set: |m, s| m.password = Some(s),
};

/// The attributes of the `event_data` block.
pub static EVENT_DATA_FIELDS: &[Field<EventData>] = &[
    wire_field!(
        EventData,
        "version",
        "eventData.version",
        version,
        String,
        Optional,
        "`restv2.1` for JSON messages (required with `events`); unset for the legacy XML format."
    ),
    wire_field!(
        EventData,
        "include_data",
        "eventData.includeData",
        include_data,
        StringSet,
        Optional,
        "Extra data in JSON messages: `attachments`, `custom_fields`, `documents`, `extensions`, `folders`, `payment_tabs`, `powerform`, `prefill_tabs`, `recipients`, `tabs`, `document_fields`."
    ),
];

#[cfg(test)]
mod tests {
    use crate::resources::fields::assert_wire_names;

    #[test]
    fn every_rows_wire_name_is_the_models_serialised_key() {
        assert_wire_names(super::FIELDS);
        assert_wire_names(super::EVENT_DATA_FIELDS);
    }
}

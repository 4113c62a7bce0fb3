//! The schema of `docusign_connect_configuration`: the plain attribute table plus the
//! attributes that are not a 1:1 mapping of a DocuSign field.

use super::table::{EVENT_DATA_FIELDS, FIELDS, PASSWORD};
use crate::framework::Type;
use crate::framework::schema::{Attribute, Block, NestedBlock, Schema};
use crate::resources::behaviours;

/// State schema version. Bump it, and teach `upgrade_state`, when the shape of state changes.
pub const VERSION: i64 = 0;

/// The default `configuration_type`.
pub const DEFAULT_CONFIGURATION_TYPE: &str = "custom";

pub fn schema() -> Schema {
    let mut block = Block::new().description(
        "A DocuSign Connect configuration: an account-level webhook that sends envelope and \
         recipient events to a listener URL.\n\nCreate is one `POST /connect`; update is a `PUT \
         /connect` carrying the complete object, so settings this configuration does not manage \
         are kept. A configuration deleted outside Terraform is removed from state with a warning \
         and planned for creation.",
    );
    block = block
        .attribute(
            Attribute::new("id", Type::String)
                .computed()
                .use_state_for_unknown()
                .description(
                    "The configuration's `connectId`, assigned by DocuSign. Stable across updates.",
                ),
        )
        .attribute(behaviours::account_id(
            "The account that holds the configuration; defaults to the provider's account. \
                 One provider block can manage configurations on every account its credentials \
                 reach (the partner flow). Changing it replaces the configuration.",
        ))
        .attribute(
            Attribute::new("configuration_type", Type::String)
                .optional()
                .computed()
                .default_string(DEFAULT_CONFIGURATION_TYPE)
                .requires_replace()
                .description(
                    "`custom` (account-level Connect, the default) or `customrecipient` \
                     (Recipient Connect). DocuSign field: `configurationType`. Changing it \
                     replaces the configuration.",
                ),
        );
    for f in FIELDS {
        block = block.attribute(f.attribute());
    }
    for a in PASSWORD.attributes() {
        block = block.attribute(a);
    }
    let mut event_data = Block::new()
        .description("Which message format and data Connect sends. DocuSign field: `eventData`.");
    for f in EVENT_DATA_FIELDS {
        event_data = event_data.attribute(f.attribute());
    }
    block = block.block(NestedBlock::single("event_data", event_data));
    Schema::new(VERSION, block)
}

#[cfg(test)]
mod tests {
    #[test]
    fn schema_passes_terraforms_internal_validation() {
        let s = super::schema();
        assert_eq!(s.validate(), Ok(()));
    }

    #[test]
    fn every_attribute_has_a_description() {
        let s = super::schema();
        for a in &s.block.attributes {
            assert!(
                !a.description.trim().is_empty(),
                "{} has no description",
                a.name
            );
        }
    }
}

//! The provider framework: protocol-agnostic values, types, codecs, schemas, diagnostics, plan
//! rules and the traits resources implement. No protobuf and no HTTP in here.
//!
//! * [`value`]: [`Value`] (with null/unknown) and [`Number`] (arbitrary precision).
//! * [`types`]: [`Type`], the cty type, and its JSON form.
//! * [`msgpack`], [`json`]: DynamicValue / RawState codecs (never panic).
//! * [`path`]: [`AttributePath`]; [`diag`]: [`Diagnostics`].
//! * [`schema`]: [`Schema`] builder and Terraform's InternalValidate checks.
//! * [`plan`]: computed-unknown, use-state-for-unknown, requires-replace, write-only helpers.
//! * [`identity`]: resource identity schemas, declared on resources (Terraform 1.12+).
//! * [`list`]: list resources for `terraform query` (Terraform 1.14+) and their sink.
//! * [`provider`]: [`Provider`], [`Resource`], [`DataSource`] and their request/response types.
//! * [`server`]: [`Server`], Terraform's rules for every resource, one method per RPC.

pub mod codec;
pub mod diag;
pub mod identity;
pub mod json;
pub mod list;
pub mod msgpack;
pub mod number;
pub mod path;
pub mod plan;
pub mod provider;
pub mod schema;
pub mod server;
pub mod types;
pub mod value;

#[cfg(test)]
mod proptests;

pub use codec::{DecodeError, EncodeError};
pub use diag::{Diagnostic, Diagnostics, Severity};
pub use identity::{IdentityAttribute, IdentitySchema};
pub use list::{Found, ListRequest, ListResource, ListSink};
pub use number::Number;
pub use path::{AttributePath, PathStep};
pub use provider::{
    Applied, ApplyResult, ClientCapabilities, CreateRequest, Ctx, DataSource, DeleteRequest,
    ImportResponse, PlanRequest, PlanResponse, Provider, ReadDataResponse, ReadRequest,
    ReadResponse, Resource, UpdateRequest, UpgradeResponse,
};
pub use schema::{Attribute, Block, NestedBlock, Nesting, PlanBehaviour, PlanDefault, Schema};
pub use server::{DynamicValue, Server};
pub use types::Type;
pub use value::Value;

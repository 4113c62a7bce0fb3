//! terraform-provider-docusign: DocuSign Connect as code.
//!
//! Layers, each depending only on the ones above it:
//!
//! * [`protocol`]: Rust types generated from `proto/` (tfplugin5 and go-plugin).
//! * [`framework`]: protocol-agnostic values, types, schema, diagnostics and plan rules,
//!   plus the `Provider` / `Resource` / `DataSource` traits.
//! * [`client`]: the DocuSign REST client; the only code that knows DocuSign's HTTP and JSON.
//! * [`resources`]: the DocuSign provider, its resources and data sources.
//! * [`host`]: the plugin host: handshake, AutoMTLS, gRPC services, lifecycle, logging.
//!
//! See ARCHITECTURE.md for the map and its invariants; `layers` (a test) enforces the direction.

pub mod client;
pub mod framework;
pub mod host;
mod layers;
pub mod protocol;
pub mod resources;

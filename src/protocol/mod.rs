//! Rust types and gRPC services generated from `proto/` by `build.rs`.
//!
//! * [`tfplugin5`]: Terraform plugin protocol 5.10 (`/tfplugin5.Provider/*`).
//! * [`plugin`]: go-plugin's own services (`GRPCController`, `GRPCStdio`,
//!   `GRPCBroker`).
//!
//! Google's well-known types map to [`prost_types`].

#[allow(clippy::all, clippy::pedantic, missing_docs)]
pub mod tfplugin5 {
    //! Terraform plugin protocol 5 messages, `provider_server` and `provider_client`.
    tonic::include_proto!("tfplugin5");
}

#[allow(clippy::all, clippy::pedantic, missing_docs)]
pub mod plugin {
    //! go-plugin's controller, stdio and broker services.
    tonic::include_proto!("plugin");
}

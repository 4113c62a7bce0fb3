//! List resources (Terraform 1.14+, `terraform query`): a way to find existing remote objects of
//! a managed resource type, so Terraform can write import blocks and configuration for them.
//!
//! A [`ListResource`] has the type name of the managed resource it lists and its own schema (the
//! `config { … }` block of a `list` block). It reports each object it finds to a [`ListSink`]
//! as that resource's state. Everything else is the server's ([`super::server`]): it derives
//! the identity from the state with the resource's identity schema, drops the state unless
//! Terraform asked for it, ends the stream after `limit` objects or at an error, and encodes
//! the events. A send to a closed sink returns `false`: the stream is over (limit reached or
//! Terraform gone), and the list should stop making API calls.

use async_trait::async_trait;
use tokio::sync::mpsc;

use super::diag::Diagnostics;
use super::provider::Ctx;
use super::schema::Schema;
use super::value::Value;

/// `ListResource` input.
#[derive(Debug, Clone, Default)]
pub struct ListRequest {
    /// The `config` block (wholly known).
    pub config: Value,
    /// Terraform wants each object's full state, not only its identity.
    pub include_resource_object: bool,
    /// The most objects Terraform will take; the server stops the stream there.
    pub limit: i64,
}

/// One object found.
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// A short name for people (`terraform query` prints it).
    pub display_name: String,
    /// The object's state in the managed resource's schema (the identity is derived from it).
    pub state: Value,
}

/// What a list resource reports.
#[derive(Debug)]
pub enum ListEvent {
    /// An object.
    Found(Found),
    /// Problems; an error ends the stream.
    Diagnostics(Diagnostics),
}

/// Where a list resource reports what it finds.
#[derive(Debug, Clone)]
pub struct ListSink {
    tx: mpsc::Sender<ListEvent>,
}

impl ListSink {
    /// A sink and the receiving end the server reads.
    pub fn channel() -> (Self, mpsc::Receiver<ListEvent>) {
        let (tx, rx) = mpsc::channel(1);
        (Self { tx }, rx)
    }

    /// Reports an object; `false` once the stream is over (stop listing then).
    pub async fn found(&self, found: Found) -> bool {
        self.tx.send(ListEvent::Found(found)).await.is_ok()
    }

    /// Reports problems; `false` once the stream is over.
    pub async fn diagnostics(&self, diags: Diagnostics) -> bool {
        if diags.is_empty() {
            return !self.tx.is_closed();
        }
        self.tx.send(ListEvent::Diagnostics(diags)).await.is_ok()
    }

    /// True once the stream is over.
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }
}

/// A list resource type.
#[async_trait]
pub trait ListResource: Send + Sync {
    /// The managed resource type it lists, e.g. `docusign_connect_configuration`.
    fn type_name(&self) -> &str;
    /// The schema of the `config` block.
    fn schema(&self) -> Schema;
    /// Static checks of the config (may contain unknowns).
    async fn validate(&self, _ctx: &Ctx, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    /// Finds the objects and reports each to `sink`, stopping when a send returns `false`.
    async fn list(&self, ctx: &Ctx, req: ListRequest, sink: &ListSink);
}

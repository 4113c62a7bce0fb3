//! State shared by the provider and its resources: the lazily built client and the
//! configured default account.
//!
//! Every DocuSign call of a resource goes through [`Shared::client`] with the call's [`Ctx`], so
//! Terraform's `Stop` cuts short the client's waits (rate limit, retry backoff).

use std::sync::OnceLock;

use crate::client::{self, Client};
use crate::framework::{Ctx, Diagnostic, Diagnostics, Value};

/// Filled once by `Configure`; read by every resource and data source.
#[derive(Default)]
pub struct Shared {
    client: OnceLock<Client>,
    configured_account: OnceLock<Option<String>>,
}

impl Shared {
    /// Stores the configured client (no I/O happens until its first call).
    pub fn set(&self, client: Client, account: Option<String>) {
        let _ = self.client.set(client);
        let _ = self.configured_account.set(account);
    }

    /// The client for one call, whose waits end when `ctx` is cancelled (Terraform's `Stop`),
    /// or a diagnostic if the provider was not configured.
    pub fn client(&self, ctx: &Ctx) -> Result<Client, Diagnostics> {
        let client = self.client.get().ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Provider not configured",
                "The DocuSign provider was used before Terraform configured it. This is a bug \
                 in the provider or in Terraform.",
            ))
        })?;
        Ok(client.with_cancel(ctx.cancel.clone()))
    }

    /// The account from the provider configuration, if one was given (known at plan time).
    pub fn configured_account(&self) -> Option<String> {
        self.configured_account.get().cloned().flatten()
    }

    /// `explicit` if set, else the provider's account (discovered once, on first need).
    /// Discovery, when needed, is cut short like any call by `ctx`'s cancellation. A failure is
    /// the diagnostic "Failed to resolve the DocuSign account", with the client's error.
    pub async fn account_for(
        &self,
        ctx: &Ctx,
        explicit: Option<&str>,
    ) -> Result<String, Diagnostics> {
        self.resolve_account(ctx, explicit)
            .await
            .map_err(|e| super::api_diagnostic("resolve the DocuSign account", &e).into())
    }

    /// [`Self::account_for`] the `account_id` attribute of a state or config (null: the
    /// provider's account).
    pub async fn account_of(&self, ctx: &Ctx, object: &Value) -> Result<String, Diagnostics> {
        self.account_for(ctx, object.attr_str("account_id")).await
    }

    async fn resolve_account(
        &self,
        ctx: &Ctx,
        explicit: Option<&str>,
    ) -> Result<String, client::Error> {
        if let Some(a) = explicit.filter(|a| !a.is_empty()) {
            return Ok(a.to_string());
        }
        if let Some(a) = self.configured_account() {
            return Ok(a);
        }
        match self.client.get() {
            Some(c) => Ok(c
                .with_cancel(ctx.cancel.clone())
                .target(None)
                .await?
                .account_id),
            None => Err(client::Error::Config {
                message: "the provider was used before it was configured".into(),
            }),
        }
    }
}

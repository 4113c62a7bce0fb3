//! State shared by the provider and its resources: the lazily built client and the
//! configured default account.

use std::sync::OnceLock;

use crate::client::{self, Client};
use crate::framework::{Diagnostic, Diagnostics};

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

    /// The client, or a diagnostic if the provider was not configured.
    pub fn client(&self) -> Result<&Client, Diagnostics> {
        self.client.get().ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Provider not configured",
                "The DocuSign provider was used before Terraform configured it. This is a bug \
                 in the provider or in Terraform.",
            ))
        })
    }

    /// The account from the provider configuration, if one was given (known at plan time).
    pub fn configured_account(&self) -> Option<String> {
        self.configured_account.get().cloned().flatten()
    }

    /// `explicit` if set, else the provider's account (discovered once, on first need).
    pub async fn account_for(&self, explicit: Option<&str>) -> Result<String, client::Error> {
        if let Some(a) = explicit.filter(|a| !a.is_empty()) {
            return Ok(a.to_string());
        }
        if let Some(a) = self.configured_account() {
            return Ok(a);
        }
        match self.client.get() {
            Some(c) => Ok(c.target(None).await?.account_id),
            None => Err(client::Error::Config {
                message: "the provider was used before it was configured".into(),
            }),
        }
    }
}

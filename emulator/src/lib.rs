//! `docusign-emulator`: a local emulator of DocuSign's eSignature **Connect** API and the
//! OAuth JWT grant, behaving like DocuSign on the wire as DocuSign's eSignature REST v2.1
//! documentation (<https://developers.docusign.com/docs/esign-rest-api/reference/connect/>),
//! its Swagger definitions and responses recorded against its demo API describe it. It
//! serves plain HTTP on loopback only.
//!
//! Use it in-process ([`start`], [`start_blocking`]) or through the `docusign-emulator`
//! binary, which prints [`Info`] as the first stdout line.
//!
//! # Routes
//! * `POST /oauth/token` (JWT bearer grant), `GET /oauth/userinfo`.
//! * Under `/restapi/v2.1/accounts/{accountId}/`: `connect` (GET list, POST create, PUT
//!   update with `connectId` in the body), `connect/{connectId}` (GET, DELETE),
//!   `connect/oauth` (GET, POST, PUT, DELETE), `connect/secret` (GET, POST),
//!   `connect/secret/{keyId}` (DELETE), `connect/logs` (GET, DELETE), `connect/failures` (GET).
//! * The control surface under `/_emulator/` (see [`control`]).
//!
//! # Choices where DocuSign's behaviour is unconfirmed
//! Where DocuSign's behaviour is unconfirmed, the emulator accepts and logs a warning rather
//! than refusing (`docs/validation.md` lists every check and its evidence).
//! * **Creates answer 200** (`POST /connect`), as recorded against DocuSign's demo API,
//!   although its Swagger declares 201.
//! * **PUT `/connect` merges**: fields omitted from the body keep their stored values
//!   (DocuSign's general update style: omitted = unchanged); `null` resets a field to its
//!   default / absent, and an empty list clears a list (unset lists are absent). The provider
//!   sends the complete object anyway.
//! * **Unknown `connectId`** (GET/DELETE/PUT): HTTP 400 (the only error status the spec
//!   declares for these operations) with `errorCode` `INVALID_REQUEST_PARAMETER`;
//!   `Config::not_found_status` can switch the status (e.g. to 404) to test both paths.
//! * **Rate limits** answer HTTP 400 by default ([`limits`]).
//! * **`connect/oauth`**: GET with nothing configured answers 200 `{}`; POST when one exists
//!   replaces it (with a warning); PUT upserts (merge); DELETE answers 200 with an empty body even if none.
//! * **`connect/secret`** shapes ([`settings`]): POST 201
//!   `{"keyId","secretKey","createdDateTime"}` (the only time the full key is shown);
//!   GET 200 `{"secrets":[{"keyId","secretKey":"<first 4 chars>…","createdDateTime"}]}`.
//! * **Another account**: a token reaches the accounts its user is a member of; any other
//!   account id answers 401 `USER_AUTHENTICATION_FAILED` "… Invalid account specified for
//!   user.".
//! * **integratorManaged**: a configuration with `integratorManaged "true"` uses the
//!   OAuth-for-Connect settings (`includeOAuth`) or HMAC keys (`includeHMAC`) of the account
//!   that owns the calling token's integration key. If that account lacks them, the
//!   configuration is stored and a warning logged.
//! * **HMAC keys**: no limit per account; more than 100 logs a warning.
//!
//! # Topology
//! A [`Topology`] describes accounts, users who are members of chosen accounts, integration
//! keys owned by accounts, and consents; without one, one user is a member of
//! [`Config::accounts`] accounts. Tokens are bound to their integration key and user:
//! development tokens ([`UserInfo::access_token`]) to the development integration key
//! ([`Info::integration_key`]), owned by the first account.

mod config;
mod connect;
mod control;
mod faults;
mod http;
mod limits;
mod model;
mod oauth;
mod publish;
mod reqlog;
mod router;
mod server;
mod settings;
mod shared;
mod state;
mod topology;
mod util;

pub mod cli;
pub mod delivery;
pub mod listener;
pub mod swagger;
pub mod tls;

pub use config::{AccountInfo, Config, Error, Info, IntegrationKeyInfo, JwtApp, UserInfo};
pub use server::{BlockingRunning, Running, start, start_blocking};
pub use state::StateError;
pub use topology::{AccountSpec, IntegrationKeySpec, Topology, UserSpec};

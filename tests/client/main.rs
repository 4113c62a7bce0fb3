//! Client tests against the DocuSign emulator on loopback: JWT grant, discovery, every Connect
//! call, each retry path, the shared limiter under a burst limit, ambiguous creates, and secret
//! redaction, and Stop cutting waits short. Each test starts its own emulator.

mod account_users;
mod auth;
mod cancel;
mod connect;
mod limits;
mod lost_create;
mod reliability;
mod secrets;
mod support;

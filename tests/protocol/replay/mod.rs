//! Terraform 1.12+ and OpenTofu, proven by replay: the real binary, launched as go-plugin does,
//! receives the calls each version makes and its answers get the checks that version applies.
//! The sequences and checks, with the files and tags they were read from, are in
//! `docs/protocol-replay.md`; [`host`] implements them, and each test names its sources.

pub mod host;
mod unimplemented;

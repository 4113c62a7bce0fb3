//! Client tests against the DocuSign emulator (filled in below).

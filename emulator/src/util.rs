//! Small helpers: random identifiers (GUIDs, tokens, HMAC keys), clock readings, an RFC 3339
//! formatter (so no date crate is needed), and a poison-tolerant mutex lock. A leaf: it
//! imports nothing from the crate.

use base64::Engine;
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

/// Locks a mutex, recovering the data if a previous holder panicked.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// `n` random bytes from the operating system. Falls back to a time-derived filler only if
/// the OS source fails, which it does not on supported platforms.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    if getrandom::fill(&mut buf).is_err() {
        let seed = now_nanos();
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (seed.rotate_left((i % 64) as u32) as u8) ^ (i as u8);
        }
    }
    buf
}

/// A random version-4 GUID in lowercase, e.g. `3f2c9d8e-…`.
pub fn guid() -> String {
    let mut b = random_bytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// An opaque bearer token.
pub fn token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes(48))
}

/// A new HMAC secret as DocuSign shows it: base64 of 32 random bytes.
pub fn hmac_secret() -> String {
    base64::engine::general_purpose::STANDARD.encode(random_bytes(32))
}

fn now_nanos() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

/// Seconds since the Unix epoch.
pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Formats epoch seconds as `YYYY-MM-DDTHH:MM:SS.0000000Z` (DocuSign's date-time style).
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.0000000Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.0000000Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00.0000000Z");
        assert_eq!(rfc3339(1_782_304_352), "2026-06-24T12:32:32.0000000Z");
    }

    #[test]
    fn guid_shape() {
        let g = guid();
        assert_eq!(g.len(), 36);
        assert_eq!(&g[14..15], "4");
        assert_ne!(guid(), g);
    }
}

//! Per-account API rate limits, as DocuSign documents them: an hourly limit that resets at
//! the top of the (UTC) hour and a burst limit per window (30 s by default). Every REST
//! response carries `X-RateLimit-Limit/Remaining/Reset` (reset = epoch seconds of the next
//! top of the hour) and `X-BurstLimit-Limit/Remaining`.
//!
//! Exceeding a limit answers `HOURLY_APIINVOCATION_LIMIT_EXCEEDED` or
//! `BURST_APIINVOCATION_LIMIT_EXCEEDED`. DocuSign's pages do not say which HTTP status these
//! carry (400 or 429); the emulator answers **400** by default, like DocuSign's documented sibling
//! limits (envelope polling) and the only status the spec declares; `Config::limit_status`
//! can switch it to 429. Rejected calls are not counted. The counters and headers apply to
//! every `/restapi/...` answer (401s and unknown paths included); `/oauth/*` and
//! `/_emulator/*` answers carry no limit headers (they belong to no account).

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::util;

/// Limits of one account.
#[derive(Debug)]
struct Bucket {
    hour: u64,
    hour_count: u32,
    burst_start: Instant,
    burst_count: u32,
}

/// The outcome of counting one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The call may proceed.
    Allowed,
    /// The hourly limit is exhausted.
    Hourly,
    /// The burst limit is exhausted.
    Burst,
}

/// Per-account counters.
#[derive(Debug)]
pub struct Limiter {
    hourly: u32,
    burst: u32,
    window: Duration,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl Limiter {
    /// A limiter with the given limits.
    pub fn new(hourly: u32, burst: u32, window: Duration) -> Self {
        Limiter {
            hourly,
            burst,
            window,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// The hourly limit.
    pub fn hourly(&self) -> u32 {
        self.hourly
    }

    /// The burst limit and its window.
    pub fn burst(&self) -> (u32, Duration) {
        (self.burst, self.window)
    }

    /// Forgets all counters.
    pub fn reset(&self) {
        crate::util::lock(&self.buckets).clear();
    }

    /// Counts one call for `account` and returns the verdict and the headers to send.
    pub fn check(&self, account: &str) -> (Verdict, HeaderMap) {
        let now_secs = util::now_secs();
        let hour = now_secs / 3600;
        let now = Instant::now();
        let mut buckets = crate::util::lock(&self.buckets);
        let b = buckets
            .entry(account.to_ascii_lowercase())
            .or_insert(Bucket {
                hour,
                hour_count: 0,
                burst_start: now,
                burst_count: 0,
            });
        if b.hour != hour {
            b.hour = hour;
            b.hour_count = 0;
        }
        if now.duration_since(b.burst_start) >= self.window {
            b.burst_start = now;
            b.burst_count = 0;
        }
        let verdict = if b.hour_count >= self.hourly {
            Verdict::Hourly
        } else if b.burst_count >= self.burst {
            Verdict::Burst
        } else {
            b.hour_count += 1;
            b.burst_count += 1;
            Verdict::Allowed
        };
        let mut h = HeaderMap::new();
        let mut put = |name: &'static str, v: u64| {
            if let Ok(v) = HeaderValue::from_str(&v.to_string()) {
                h.insert(HeaderName::from_static(name), v);
            }
        };
        put("x-ratelimit-limit", u64::from(self.hourly));
        put(
            "x-ratelimit-remaining",
            u64::from(self.hourly.saturating_sub(b.hour_count)),
        );
        put("x-ratelimit-reset", (hour + 1) * 3600);
        put("x-burstlimit-limit", u64::from(self.burst));
        put(
            "x-burstlimit-remaining",
            u64::from(self.burst.saturating_sub(b.burst_count)),
        );
        (verdict, h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_window_reset() {
        let l = Limiter::new(100, 2, Duration::from_millis(50));
        assert_eq!(l.check("A").0, Verdict::Allowed);
        let (v, h) = l.check("a");
        assert_eq!(v, Verdict::Allowed);
        assert_eq!(h["x-burstlimit-remaining"], "0");
        assert_eq!(h["x-ratelimit-remaining"], "98");
        assert_eq!(l.check("A").0, Verdict::Burst);
        assert_eq!(l.check("other").0, Verdict::Allowed);
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(l.check("A").0, Verdict::Allowed);
    }

    #[test]
    fn hourly_wins_over_burst() {
        let l = Limiter::new(1, 1, Duration::from_secs(30));
        assert_eq!(l.check("a").0, Verdict::Allowed);
        let (v, h) = l.check("a");
        assert_eq!(v, Verdict::Hourly);
        let reset: u64 = h["x-ratelimit-reset"].to_str().unwrap().parse().unwrap();
        assert_eq!(reset % 3600, 0);
        assert!(reset > util::now_secs());
    }
}

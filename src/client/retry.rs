//! The retry policy: which answers are retried, and how long to wait before the next attempt.
//!
//! Pure functions of the answer and the attempt number; the transport runs the loop.
//! Backoff is exponential with "equal jitter" (half fixed, half random), capped; a server-given
//! wait (`Retry-After`, `X-RateLimit-Reset`, `X-BurstLimit-Reset`) takes precedence when longer.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;

/// DocuSign's hourly call limit error code.
pub const HOURLY_LIMIT: &str = "HOURLY_APIINVOCATION_LIMIT_EXCEEDED";
/// DocuSign's 30-second burst limit error code.
pub const BURST_LIMIT: &str = "BURST_APIINVOCATION_LIMIT_EXCEEDED";

/// Backoff settings.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// Total time one call may spend waiting to retry.
    pub budget: Duration,
}

/// What an answer means for the retry loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Class {
    Success,
    /// DocuSign's call limits: the request was not processed, so retrying is safe for any
    /// method. `Some` = a burst limit (the whole account should pause).
    RateLimited {
        burst: bool,
    },
    /// 5xx: retry an idempotent request; for a POST the outcome is unknown.
    ServerError,
    Unauthorized,
    NotFound,
    /// Any other failure: not retried.
    Fatal,
}

/// Classifies an answer by status and DocuSign `errorCode`.
pub fn classify(status: u16, error_code: Option<&str>) -> Class {
    let limit_code = error_code.is_some_and(|c| {
        c.eq_ignore_ascii_case(HOURLY_LIMIT) || c.eq_ignore_ascii_case(BURST_LIMIT)
    });
    if (200..300).contains(&status) {
        Class::Success
    } else if status == 429 || limit_code {
        let burst = error_code.is_some_and(|c| c.eq_ignore_ascii_case(BURST_LIMIT))
            || !error_code.is_some_and(|c| c.eq_ignore_ascii_case(HOURLY_LIMIT));
        Class::RateLimited { burst }
    } else if (500..600).contains(&status) {
        Class::ServerError
    } else if status == 401 {
        Class::Unauthorized
    } else if status == 404 {
        Class::NotFound
    } else {
        Class::Fatal
    }
}

impl RetryPolicy {
    /// The backoff before retry number `retry` (0 for the first retry), `jitter` in [0, 1).
    pub fn backoff(&self, retry: u32, jitter: f64) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(30));
        let exp = self.base_delay.saturating_mul(factor).min(self.max_delay);
        let half = exp / 2;
        half + half.mul_f64(jitter.clamp(0.0, 1.0))
    }

    /// The wait before retry number `retry`: the backoff, or the server's hint when longer
    /// (plus up to 10% jitter so waiting callers do not all return at once).
    pub fn delay(&self, retry: u32, hint: Option<Duration>, jitter: f64) -> Duration {
        let backoff = self.backoff(retry, jitter);
        match hint {
            Some(h) if h > backoff => h + h.mul_f64(0.1 * jitter.clamp(0.0, 1.0)),
            _ => backoff,
        }
    }
}

/// The server's hint of how long to wait, from the rate-limit headers: `Retry-After` (seconds),
/// `X-BurstLimit-Reset` for a burst limit, `X-RateLimit-Reset` for the hourly limit (Unix
/// seconds). `None`: use the exponential backoff.
pub fn server_hint(headers: &HeaderMap, class: &Class, now_unix: u64) -> Option<Duration> {
    let num = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|s| s.trim().parse::<u64>().ok())
    };
    let until = |reset: u64| Duration::from_secs(reset.saturating_sub(now_unix).max(1));
    if let Some(secs) = num("retry-after") {
        return Some(Duration::from_secs(secs));
    }
    let Class::RateLimited { burst } = class else {
        return None;
    };
    if *burst {
        // DocuSign names no reset for its 30-second burst window: exponential backoff (which
        // spans a whole window within a few retries) unless a reset header is given.
        return num("x-burstlimit-reset").map(until);
    }
    num("x-ratelimit-reset").map(until)
}

/// Seconds since the Unix epoch (0 if the clock is before it).
pub fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A jitter value in [0, 1), from the standard library's random hasher keys.
pub fn jitter() -> f64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            budget: Duration::from_secs(60),
        }
    }

    #[test]
    fn backoff_doubles_with_equal_jitter_and_caps() {
        let p = policy();
        assert_eq!(p.backoff(0, 0.0), Duration::from_millis(250));
        assert_eq!(p.backoff(0, 0.5), Duration::from_millis(375));
        assert_eq!(p.backoff(1, 0.0), Duration::from_millis(500));
        assert_eq!(p.backoff(2, 0.0), Duration::from_secs(1));
        assert_eq!(p.backoff(10, 0.0), Duration::from_secs(4));
        assert_eq!(p.backoff(10, 1.0), Duration::from_secs(8));
        assert_eq!(p.backoff(u32::MAX, 0.5), Duration::from_secs(6));
    }

    #[test]
    fn longer_server_hint_wins() {
        let p = policy();
        assert_eq!(
            p.delay(0, Some(Duration::from_secs(3)), 0.0),
            Duration::from_secs(3)
        );
        assert_eq!(
            p.delay(3, Some(Duration::from_millis(10)), 0.0),
            Duration::from_secs(2)
        );
    }

    #[test]
    fn a_longer_hint_gets_up_to_a_tenth_more_and_an_equal_one_nothing() {
        let p = policy();
        // Callers told the same reset spread over the next tenth of it.
        assert_eq!(
            p.delay(0, Some(Duration::from_secs(3)), 0.5),
            Duration::from_millis(3150)
        );
        assert_eq!(
            p.delay(0, Some(Duration::from_secs(3)), 1.0),
            Duration::from_millis(3300)
        );
        // A hint no longer than the backoff (375 ms at this jitter) leaves the backoff alone.
        assert_eq!(
            p.delay(0, Some(Duration::from_millis(375)), 0.5),
            Duration::from_millis(375)
        );
    }

    #[test]
    fn now_unix_is_the_current_unix_time() {
        // 2023-11-14: any clock this code runs under is later.
        assert!(now_unix() > 1_700_000_000, "{}", now_unix());
    }

    #[test]
    fn classification() {
        assert_eq!(classify(200, None), Class::Success);
        assert_eq!(classify(201, None), Class::Success);
        assert_eq!(classify(429, None), Class::RateLimited { burst: true });
        assert_eq!(
            classify(400, Some(BURST_LIMIT)),
            Class::RateLimited { burst: true }
        );
        assert_eq!(
            classify(400, Some(HOURLY_LIMIT)),
            Class::RateLimited { burst: false }
        );
        assert_eq!(
            classify(429, Some(HOURLY_LIMIT)),
            Class::RateLimited { burst: false }
        );
        assert_eq!(
            classify(400, Some("INVALID_REQUEST_PARAMETER")),
            Class::Fatal
        );
        assert_eq!(classify(503, None), Class::ServerError);
        assert_eq!(classify(500, Some("UNSPECIFIED_ERROR")), Class::ServerError);
        assert_eq!(classify(401, None), Class::Unauthorized);
        assert_eq!(classify(404, None), Class::NotFound);
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn hints_from_headers() {
        let hourly = Class::RateLimited { burst: false };
        let burst = Class::RateLimited { burst: true };
        let now = 1_000_000;
        assert_eq!(
            server_hint(&headers(&[("x-ratelimit-reset", "1000042")]), &hourly, now),
            Some(Duration::from_secs(42))
        );
        assert_eq!(
            server_hint(&headers(&[("retry-after", "7")]), &burst, now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            server_hint(&headers(&[("x-burstlimit-reset", "1000010")]), &burst, now),
            Some(Duration::from_secs(10))
        );
        // A burst refusal names no reset: backoff, not the hourly reset an hour away.
        assert_eq!(
            server_hint(
                &headers(&[
                    ("x-burstlimit-remaining", "0"),
                    ("x-ratelimit-reset", "1003600")
                ]),
                &burst,
                now
            ),
            None
        );
        // A reset in the past still waits a little rather than hammering.
        assert_eq!(
            server_hint(&headers(&[("x-ratelimit-reset", "5")]), &hourly, now),
            Some(Duration::from_secs(1))
        );
        assert_eq!(server_hint(&headers(&[]), &Class::ServerError, now), None);
        assert_eq!(
            server_hint(&headers(&[("retry-after", "3")]), &Class::ServerError, now),
            Some(Duration::from_secs(3)),
            "a 503's Retry-After is a hint too"
        );
    }

    #[test]
    fn jitter_in_range_and_varies() {
        let xs: Vec<f64> = (0..64).map(|_| jitter()).collect();
        assert!(xs.iter().all(|x| (0.0..1.0).contains(x)));
        assert!(xs.iter().any(|x| (x - xs[0]).abs() > 1e-9));
    }
}

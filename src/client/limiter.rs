//! A sliding-window call limiter, one per account, shared by every concurrent call.
//!
//! At most `max_calls` calls start within any `window`, so Terraform's parallelism cannot trip
//! DocuSign's burst limit (200 per 30 s on demo). When DocuSign nevertheless answers with a
//! burst-limit error, [`Limiter::pause_until`] holds every caller of that account back.
//! Time is `tokio::time`, so tests can pause and advance it.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::config::RateLimit;

/// The limiter of one account.
#[derive(Debug)]
pub struct Limiter {
    max_calls: usize,
    window: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    starts: VecDeque<Instant>,
    paused_until: Option<Instant>,
}

impl Limiter {
    /// A limiter for `limit`; `max_calls == 0` lets every call through at once.
    pub fn new(limit: RateLimit) -> Self {
        Limiter {
            max_calls: usize::try_from(limit.max_calls).unwrap_or(usize::MAX),
            window: limit.window,
            state: Mutex::new(State::default()),
        }
    }

    /// Waits until a call may start, and records it (`true`). Returns `false`, recording
    /// nothing, as soon as `cancel` fires (Terraform's `Stop`), even in the middle of a wait.
    #[must_use = "false means the wait was cancelled and the call must not start"]
    pub async fn acquire(&self, cancel: &CancellationToken) -> bool {
        loop {
            if cancel.is_cancelled() {
                return false;
            }
            let wait = match self.try_acquire(Instant::now()) {
                None => return true,
                Some(wait) => wait,
            };
            tokio::select! {
                biased;
                () = cancel.cancelled() => return false,
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Records a call at `now` if allowed (`None`), or says how long to wait.
    fn try_acquire(&self, now: Instant) -> Option<Duration> {
        let mut st = match self.state.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(until) = st.paused_until {
            if until > now {
                return Some(until - now);
            }
            st.paused_until = None;
        }
        if self.max_calls == 0 {
            return None;
        }
        while let Some(&first) = st.starts.front() {
            if first + self.window <= now {
                st.starts.pop_front();
            } else {
                break;
            }
        }
        if st.starts.len() < self.max_calls {
            st.starts.push_back(now);
            return None;
        }
        let first = st.starts.front().copied().unwrap_or(now);
        Some(
            (first + self.window)
                .saturating_duration_since(now)
                .max(Duration::from_millis(1)),
        )
    }

    /// Holds every caller back until `until` (extends, never shortens, a pause).
    pub fn pause_until(&self, until: Instant) {
        let mut st = match self.state.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        st.paused_until = Some(st.paused_until.map_or(until, |p| p.max(until)));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn limit(max_calls: u32, secs: u64) -> RateLimit {
        RateLimit {
            max_calls,
            window: Duration::from_secs(secs),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn never_more_than_max_calls_in_any_window() {
        let lim = Arc::new(Limiter::new(limit(10, 30)));
        let t0 = Instant::now();
        let mut handles = Vec::new();
        for _ in 0..35 {
            let lim = lim.clone();
            handles.push(tokio::spawn(async move {
                assert!(lim.acquire(&CancellationToken::new()).await);
                Instant::now()
            }));
        }
        let mut starts = Vec::new();
        for h in handles {
            starts.push(h.await.unwrap());
        }
        starts.sort();
        // Sliding check: any 10 consecutive+1 starts span at least the window.
        for w in starts.windows(11) {
            assert!(
                w[10] - w[0] >= Duration::from_secs(30),
                "{:?}",
                w[10] - w[0]
            );
        }
        // 35 calls at 10 per 30 s need three full windows, not more.
        let total = *starts.last().unwrap() - t0;
        assert!(total >= Duration::from_secs(90), "{total:?}");
        assert!(total < Duration::from_secs(91), "{total:?}");
        assert_eq!(starts.iter().filter(|s| **s == t0).count(), 10);
    }

    #[tokio::test(start_paused = true)]
    async fn pause_holds_everyone_back() {
        let lim = Limiter::new(limit(100, 30));
        let t0 = Instant::now();
        lim.pause_until(t0 + Duration::from_secs(7));
        lim.pause_until(t0 + Duration::from_secs(3)); // shorter: ignored
        assert!(lim.acquire(&CancellationToken::new()).await);
        assert_eq!(Instant::now() - t0, Duration::from_secs(7));
    }

    #[tokio::test(start_paused = true)]
    async fn cancel_cuts_a_wait_short_and_records_nothing() {
        let lim = Arc::new(Limiter::new(limit(1, 600)));
        let never = CancellationToken::new();
        assert!(lim.acquire(&never).await);
        let t0 = Instant::now();
        let cancel = CancellationToken::new();
        let waiting = {
            let (lim, cancel) = (lim.clone(), cancel.clone());
            tokio::spawn(async move { lim.acquire(&cancel).await })
        };
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert!(
            !waiting.is_finished(),
            "the second call waits for the window"
        );
        cancel.cancel();
        assert!(!waiting.await.unwrap(), "cancelled, not acquired");
        assert_eq!(Instant::now() - t0, Duration::from_secs(5));
        // Already cancelled: no call is recorded even when one could start at once.
        let free = Limiter::new(limit(1, 600));
        assert!(!free.acquire(&cancel).await);
        assert!(free.acquire(&never).await, "the slot was not used up");
        // The cancelled waiter took no slot: the next one starts when the window slides.
        assert!(lim.acquire(&never).await);
        assert_eq!(Instant::now() - t0, Duration::from_secs(600));
    }

    #[test]
    fn a_full_window_waits_exactly_until_its_first_call_leaves_it() {
        let lim = Limiter::new(limit(2, 30));
        let t0 = Instant::now();
        let at = |secs| t0 + Duration::from_secs(secs);
        assert_eq!(lim.try_acquire(at(0)), None);
        assert_eq!(lim.try_acquire(at(10)), None);
        assert_eq!(lim.try_acquire(at(12)), Some(Duration::from_secs(18)));
        // The call of t0 leaves the window at t0 + 30 s: one more may start then, not later.
        assert_eq!(lim.try_acquire(at(30)), None);
        assert_eq!(lim.try_acquire(at(31)), Some(Duration::from_secs(9)));
    }

    #[test]
    fn a_pause_waits_exactly_until_its_end() {
        let lim = Limiter::new(limit(100, 30));
        let t0 = Instant::now();
        lim.pause_until(t0 + Duration::from_secs(7));
        assert_eq!(
            lim.try_acquire(t0 + Duration::from_secs(2)),
            Some(Duration::from_secs(5))
        );
        assert_eq!(lim.try_acquire(t0 + Duration::from_secs(7)), None);
    }

    #[tokio::test(start_paused = true)]
    async fn zero_disables() {
        let lim = Limiter::new(limit(0, 30));
        let t0 = Instant::now();
        let never = CancellationToken::new();
        for _ in 0..1000 {
            assert!(lim.acquire(&never).await);
        }
        assert_eq!(Instant::now(), t0);
    }
}

//! The per-account list cache that serves refreshes: one `GET /connect` per account per refresh.
//!
//! All reads of one account are served by one `GET /connect`: concurrent readers wait for the
//! one in-flight request; any write through this client to the account bumps a generation
//! counter, and a list fetched before a write finished is never served after it. So a read never
//! returns data older than this process's own last write.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::Mutex;

use super::error::Result;
use super::model::ConnectConfiguration;

/// The cached list of one account.
#[derive(Debug, Default)]
pub struct AccountCache {
    writes: AtomicU64,
    entry: Mutex<Option<(u64, Arc<Vec<ConnectConfiguration>>)>>,
}

impl AccountCache {
    /// Records a finished write: lists fetched before now are stale.
    pub fn invalidate(&self) {
        self.writes.fetch_add(1, Ordering::SeqCst);
    }

    /// The cached list if still fresh, or the result of `fetch` (one fetch at a time).
    pub async fn get_or_fetch<F, Fut>(&self, fetch: F) -> Result<Arc<Vec<ConnectConfiguration>>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Vec<ConnectConfiguration>>>,
    {
        let mut entry = self.entry.lock().await;
        if let Some((generation, list)) = entry.as_ref()
            && *generation == self.writes.load(Ordering::SeqCst)
        {
            return Ok(list.clone());
        }
        let generation = self.writes.load(Ordering::SeqCst);
        let list = Arc::new(fetch().await?);
        *entry = Some((generation, list.clone()));
        Ok(list)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    use super::*;

    fn conf(id: &str) -> ConnectConfiguration {
        ConnectConfiguration {
            connect_id: Some(id.into()),
            ..Default::default()
        }
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_readers_share_one_fetch() {
        let cache = Arc::new(AccountCache::default());
        let fetches = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let (cache, fetches) = (cache.clone(), fetches.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .get_or_fetch(|| async {
                        fetches.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        Ok(vec![conf("1")])
                    })
                    .await
                    .unwrap()
                    .len()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), 1);
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_write_during_a_fetch_makes_that_fetch_stale() {
        let cache = Arc::new(AccountCache::default());
        let c2 = cache.clone();
        // The fetch starts, a write finishes while it is in flight.
        let first = tokio::spawn(async move {
            c2.get_or_fetch(|| async {
                tokio::time::sleep(Duration::from_millis(100)).await;
                Ok(vec![conf("old")])
            })
            .await
            .unwrap()
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        cache.invalidate();
        assert_eq!(first.await.unwrap()[0].connect_id.as_deref(), Some("old"));
        // The next read must not be served the list fetched before the write finished.
        let next = cache
            .get_or_fetch(|| async { Ok(vec![conf("new")]) })
            .await
            .unwrap();
        assert_eq!(next[0].connect_id.as_deref(), Some("new"));
        // And with no write since, it is cached.
        let again = cache
            .get_or_fetch(|| async { Ok(vec![conf("unexpected")]) })
            .await
            .unwrap();
        assert_eq!(again[0].connect_id.as_deref(), Some("new"));
    }

    #[tokio::test]
    async fn a_failed_fetch_is_not_cached() {
        let cache = AccountCache::default();
        let err = cache
            .get_or_fetch(|| async { Err(crate::client::Error::config("boom")) })
            .await;
        assert!(err.is_err());
        let ok = cache
            .get_or_fetch(|| async { Ok(vec![conf("1")]) })
            .await
            .unwrap();
        assert_eq!(ok.len(), 1);
    }
}

//! Key reads made at the same moment go out as one request (one BatchGetItem, or a GetItem
//! when they come to one key).
//!
//! A request often reads several sets of items at once (`futures_util::future::join`): the
//! reference pointer beside the records of the dataset it expects, a tenant's record beside the
//! customer's standing, a page's reference records beside their cap counters and open claims.
//! Each set would be a BatchGetItem of its own, and a warm invocation's CPU is mostly its AWS
//! calls (signing, serialising, HTTP: 70–100 µs each on the bench host, `README.md`), so they
//! are gathered: the first reader of a moment opens a batch and lets the scheduler run once;
//! every reader that asks meanwhile adds its keys and waits; then the first sends them all
//! ([`DynamoStore::batch_get_now`]) and hands each reader the items it asked for. Every batch
//! read is consistent, so a reader sees what it would have seen alone.
//!
//! A reader that is dropped before its batch went out takes the batch with it: the others
//! waiting on it read their keys themselves.

use super::*;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::oneshot;

type Keys = Vec<(String, String)>;
type Reply = oneshot::Sender<Result<Vec<Item>, StoreError>>;

/// The batch still open for readers to join, if any: the readers that joined its first (who
/// holds its own keys).
#[derive(Clone, Default)]
pub(super) struct Gathering(Arc<Mutex<Option<Joined>>>);

impl std::fmt::Debug for Gathering {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Gathering")
    }
}

/// The readers that joined an open batch: their keys and where their items go.
type Joined = Vec<(Keys, Reply)>;

impl Gathering {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Joined>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The first reader's hold on its open batch: closing it takes the joined readers out, and so
/// does dropping it before then (their replies dropped, they read for themselves).
struct Leading<'a>(&'a Gathering);

impl Leading<'_> {
    fn close(self) -> Joined {
        let joined = self.0.lock().take();
        std::mem::forget(self);
        joined.unwrap_or_default()
    }
}

impl Drop for Leading<'_> {
    fn drop(&mut self) {
        drop(self.0.lock().take());
    }
}

impl DynamoStore {
    /// Reads items by key (consistently; missing ones are left out), in one BatchGetItem with
    /// whatever else this process asks for at the same moment.
    pub(super) async fn batch_get(&self, wanted: Keys) -> Result<Vec<Item>, StoreError> {
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let waiting = {
            let mut open = self.gathering.lock();
            match open.as_mut() {
                Some(joined) => {
                    let (reply, waiting) = oneshot::channel();
                    joined.push((wanted.clone(), reply));
                    Some(waiting)
                }
                None => {
                    *open = Some(Joined::new());
                    None
                }
            }
        };
        match waiting {
            Some(waiting) => match waiting.await {
                Ok(answer) => answer,
                Err(_abandoned) => self.batch_get_now(wanted).await,
            },
            None => self.lead(wanted).await,
        }
    }

    /// Lets the readers of this moment join, sends the batch, hands out the answer.
    async fn lead(&self, mine: Keys) -> Result<Vec<Item>, StoreError> {
        let leading = Leading(&self.gathering);
        tokio::task::yield_now().await;
        let joined = leading.close();
        if joined.is_empty() {
            return self.batch_get_now(mine).await;
        }
        let mut keys = mine.clone();
        keys.extend(joined.iter().flat_map(|(k, _)| k.iter().cloned()));
        let answer = self.batch_get_now(keys).await;
        for (theirs, reply) in joined {
            // (a reader that has gone no longer wants its items)
            let _ = reply.send(match &answer {
                Ok(items) => Ok(asked_for(items, &theirs)),
                Err(e) => Err(copy(e)),
            });
        }
        answer.map(|items| asked_for(&items, &mine))
    }

    /// Reads items by key now: one key with GetItem, more in pages of 100, retrying what
    /// DynamoDB leaves unprocessed.
    pub(super) async fn batch_get_now(&self, mut wanted: Keys) -> Result<Vec<Item>, StoreError> {
        use aws_sdk_dynamodb::types::KeysAndAttributes;
        // A request may not name a key twice.
        wanted.sort_unstable();
        wanted.dedup();
        if let [(pk, sk)] = wanted.as_slice() {
            let out = self
                .client
                .get_item()
                .table_name(&self.table)
                .key(n::PK, s(pk))
                .key(n::SK, s(sk))
                .consistent_read(true)
                .send()
                .await
                .map_err(unavailable("get item"))?;
            return Ok(out.item.into_iter().collect());
        }
        let mut found = Vec::new();
        for chunk in wanted.chunks(BATCH_GET_MAX) {
            let mut pending: Vec<Item> = chunk
                .iter()
                .map(|(pk, sk)| HashMap::from([(n::PK.into(), s(pk)), (n::SK.into(), s(sk))]))
                .collect();
            let mut attempt = 0;
            while !pending.is_empty() {
                attempt += 1;
                let request = KeysAndAttributes::builder()
                    .set_keys(Some(std::mem::take(&mut pending)))
                    .consistent_read(true)
                    .build()
                    .map_err(|e| corrupt("batch get", e))?;
                let out = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, request)
                    .send()
                    .await
                    .map_err(unavailable("batch get"))?;
                if let Some(items) = out.responses().and_then(|r| r.get(&self.table)) {
                    found.extend(items.iter().cloned());
                }
                if let Some(left) = out.unprocessed_keys().and_then(|u| u.get(&self.table)) {
                    pending = left.keys().to_vec();
                    if attempt >= claims::MAX_TRANSACTION_ATTEMPTS {
                        return Err(Unavailable::new("batch get", "keys left unprocessed").into());
                    }
                    tokio::time::sleep(claims::backoff_delay(attempt)).await;
                }
            }
        }
        Ok(found)
    }
}

/// BatchGetItem's limit per request.
const BATCH_GET_MAX: usize = 100;

/// The items of `items` whose keys are among `keys`.
fn asked_for(items: &[Item], keys: &Keys) -> Vec<Item> {
    items
        .iter()
        .filter(|item| {
            let (pk, sk) = (get_s(item, n::PK), get_s(item, n::SK));
            keys.iter()
                .any(|(p, s)| pk == Some(p.as_str()) && sk == Some(s.as_str()))
        })
        .cloned()
        .collect()
}

/// The same failure for another reader of the batch.
fn copy(e: &StoreError) -> StoreError {
    match e {
        StoreError::Unavailable(u) => Unavailable::new(u.operation, u.source.to_string()).into(),
        StoreError::Corrupt { what, message } => StoreError::Corrupt {
            what,
            message: message.clone(),
        },
    }
}

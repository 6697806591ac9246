//! The DynamoDB single-table store: claims, history (comments are history entries), workload
//! locks, outbox entries and idempotency records in one table. The design — keys, indexes and
//! access patterns — is documented in `docs/storage.md`; [`table`] is the only place that
//! knows it.
//!
//! Every state change is one `TransactWriteItems`: the claim (conditioned on the version and
//! history counter it was read at), its history entry, its lock puts and deletes, its outbox
//! entries and, when the request carried an `Idempotency-Key`, the completed idempotency record.
//! A cancelled transaction's reasons are mapped back to the item that failed.

mod claims;
mod engagements;
mod gather;
mod idempotency;
mod outbox;
mod reference;
pub mod table;

pub use outbox::announced_entry;
pub use table::{DUE_SHARDS, keys, names};

use crate::domain::{Claim, ClaimId, HistoryEntry, LockKey, Outcome, Write};
use crate::outbox::{OutboxEntry, OutboxRef};
use crate::ports::{
    ClaimQuery, ClaimReader, ClaimWriter, Commit, CommitError, Continuation, DueWork,
    IdempotencyCompletion, IdempotencyKey, IdempotencyStart, IdempotencyStore, ListFilter, Listed,
    OutboxStore, Page, StoreError, StoredResponse, Unavailable,
};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, Delete, GlobalSecondaryIndex,
    KeySchemaElement, KeyType, Projection, ProjectionType, Put,
    ReturnValuesOnConditionCheckFailure, ScalarAttributeType, StreamSpecification, StreamViewType,
    TimeToLiveSpecification, TransactWriteItem,
};
use chrono::{DateTime, Duration, Utc};
use names as n;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::time::Duration as StdDuration;
use table::*;

type Item = HashMap<String, AttributeValue>;

/// The DynamoDB adapter for the claim, outbox and idempotency ports.
#[derive(Clone, Debug)]
pub struct DynamoStore {
    client: Client,
    table: String,
    /// The reference dataset this process last found current, and what it has read of it
    /// that every request shares (see `reference.rs`).
    last_dataset: std::sync::Arc<std::sync::Mutex<Option<reference::KnownDataset>>>,
    /// Key reads of the same moment, gathered into one request (see `gather.rs`).
    gathering: gather::Gathering,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
            last_dataset: Default::default(),
            gathering: Default::default(),
        }
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// Opens the client's connection to DynamoDB (TCP and TLS) with the cheapest request that
    /// is also of use: the reference data's pointer, projecting the dataset's ID only, so the
    /// first reference read already knows which dataset to read beside the pointer (see
    /// `reference.rs`). A function that never reads reference data pays one small read.
    pub async fn open_connection(&self) {
        let result = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(n::PK, s(keys::REFERENCE_PK))
            .key(n::SK, s(keys::REFERENCE_CURRENT_SK))
            .projection_expression("#d")
            .expression_attribute_names("#d", n::DATASET)
            .send()
            .await;
        match result {
            Ok(out) => {
                if let Some(dataset) = out.item().and_then(|i| get_s(i, n::DATASET)) {
                    self.remember_dataset(dataset);
                }
            }
            Err(e) => tracing::warn!(error = %e, "warming the table's connection failed"),
        }
    }
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}
fn num(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn unavailable<E, R>(operation: &'static str) -> impl FnOnce(SdkError<E, R>) -> Unavailable
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    move |e| Unavailable::new(operation, e)
}

fn corrupt(what: &'static str, message: impl ToString) -> StoreError {
    StoreError::Corrupt {
        what,
        message: message.to_string(),
    }
}

fn get_s<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
}

fn get_n(item: &Item, name: &str) -> Option<u64> {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
}

fn doc<T: serde::de::DeserializeOwned>(item: &Item, what: &'static str) -> Result<T, StoreError> {
    let raw = get_s(item, n::DOC).ok_or_else(|| corrupt(what, "no doc attribute"))?;
    serde_json::from_str(raw).map_err(|e| corrupt(what, e))
}

/// The `H#<seq>` items of a partition after `after_seq`, in order, at most `limit`: a CPOR
/// claim's history or an engagement claim's. `seq` reads an entry's number for the next page.
async fn history_page<T: serde::de::DeserializeOwned>(
    store: &DynamoStore,
    pk: String,
    after_seq: u64,
    limit: u32,
    seq: impl Fn(&T) -> u64,
) -> Result<Page<T>, StoreError> {
    let from = keys::history_sk(after_seq.saturating_add(1));
    let out = partition_range(store, pk, from, limit.clamp(1, 1000)).await?;
    entries_page(out.items(), out.last_evaluated_key().is_some(), seq)
}

/// A claim and a page of its history at once, so that who may read the claim and the page
/// are one round trip. The first page is one Query of the partition from `CLAIM` on: the claim
/// sorts just before its history (`CLAIM` < `H#…`, nothing between; the outbox's `O#…` after
/// it) — one request, not a GetItem beside a Query. A later page starts in the middle of the
/// history, so it is `get` (the claim's GetItem) and [`history_page`] side by side.
async fn claim_and_history<C, T>(
    store: &DynamoStore,
    pk: String,
    after_seq: u64,
    limit: u32,
    get: impl Future<Output = Result<Option<C>, StoreError>>,
    seq: impl Fn(&T) -> u64,
) -> Result<(Option<C>, Page<T>), StoreError>
where
    C: serde::de::DeserializeOwned,
    T: serde::de::DeserializeOwned,
{
    if after_seq > 0 {
        let (claim, page) =
            futures_util::future::join(get, history_page(store, pk, after_seq, limit, seq)).await;
        return Ok((claim?, page?));
    }
    // One more than `limit`: the claim's own item counts against a Query's limit.
    let out = partition_range(
        store,
        pk,
        keys::CLAIM_SK.to_owned(),
        limit.clamp(1, 1000) + 1,
    )
    .await?;
    let (claim, entries) = match out.items().split_first() {
        Some((first, rest)) if get_s(first, n::SK) == Some(keys::CLAIM_SK) => {
            (Some(doc(first, "claim")?), rest)
        }
        _ => (None, out.items()),
    };
    let page = entries_page(entries, out.last_evaluated_key().is_some(), seq)?;
    Ok((claim, page))
}

/// The items of partition `pk` from sort key `from` to the end of its history, at most
/// `limit`, in order, strongly consistent.
async fn partition_range(
    store: &DynamoStore,
    pk: String,
    from: String,
    limit: u32,
) -> Result<aws_sdk_dynamodb::operation::query::QueryOutput, StoreError> {
    store
        .client
        .query()
        .table_name(&store.table)
        .key_condition_expression("#pk = :pk AND #sk BETWEEN :from AND :to")
        .expression_attribute_names("#pk", n::PK)
        .expression_attribute_names("#sk", n::SK)
        .expression_attribute_values(":pk", s(pk))
        .expression_attribute_values(":from", s(from))
        .expression_attribute_values(":to", s(keys::history_sk(u64::MAX)))
        .limit(limit as i32)
        .consistent_read(true)
        .send()
        .await
        .map_err(|e| unavailable("query history")(e).into())
}

/// History items as a page: the next one starts after the last entry read when the Query
/// stopped before the end (`more`).
fn entries_page<T: serde::de::DeserializeOwned>(
    items: &[Item],
    more: bool,
    seq: impl Fn(&T) -> u64,
) -> Result<Page<T>, StoreError> {
    let items = items
        .iter()
        .map(|i| doc::<T>(i, "history entry"))
        .collect::<Result<Vec<_>, _>>()?;
    let next = match (more, items.last()) {
        (true, Some(last)) => Some(Continuation(seq(last).to_be_bytes().to_vec())),
        _ => None,
    };
    Ok(Page { items, next })
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    // Serialising our own types to a String cannot fail (no maps with non-string keys).
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::claims::*;
    use super::*;

    #[test]
    fn due_keys_round_trip_and_sort_by_time() {
        let id = ClaimId::generate();
        let t = Utc::now();
        let c = format!("{}#C#{id}", sortable(t));
        assert_eq!(
            parse_due(&c).unwrap(),
            DueWork::Deadline {
                claim: id,
                due_at: t
            }
        );
        let o = outbox_due_sk(t, id, "ev-x-v2");
        match parse_due(&o).unwrap() {
            DueWork::Outbox(r) => {
                assert_eq!(r.entry_id, "ev-x-v2");
                assert_eq!(r.due_at, t);
            }
            other => panic!("{other:?}"),
        }
        let later = format!("{}#C#{id}", sortable(t + Duration::nanoseconds(1)));
        let bound = format!("{}#~", sortable(t));
        assert!(c < bound && o < bound && later > bound);
        assert!(parse_due("garbage").is_err());
    }

    #[test]
    fn a_continuation_cannot_leave_its_partition() {
        let key: Item = HashMap::from([
            (n::PK.into(), s("CLAIM#1")),
            (n::SK.into(), s("CLAIM")),
            (n::ORG_PK.into(), s("ORG#a")),
            (n::CREATED_SK.into(), s("x")),
        ]);
        let c = encode_start_key(&key);
        let allowed = [n::PK, n::SK, n::ORG_PK, n::CREATED_SK];
        assert!(decode_start_key(&c, &allowed, n::ORG_PK, "ORG#a").is_ok());
        assert!(decode_start_key(&c, &allowed, n::ORG_PK, "ORG#b").is_err());
        assert!(
            decode_start_key(&Continuation(b"[1]".to_vec()), &allowed, n::ORG_PK, "ORG#a").is_err()
        );
    }

    #[test]
    fn cancellation_maps_stale_claim_before_taken_locks() {
        let key = LockKey::Subscription {
            subscription: crate::domain::SubscriptionId::parse(crate::testing::SUB_1).unwrap(),
        };
        let roles = [
            Role::Claim {
                create: false,
                expected: 3,
            },
            Role::Acquire(key),
        ];
        let old: Item = HashMap::from([(n::VERSION.into(), num(4))]);
        let both = [
            (Some("ConditionalCheckFailed".into()), Some(old)),
            (Some("ConditionalCheckFailed".into()), None),
        ];
        assert!(matches!(
            map_cancellation(&both, &roles),
            Some(CommitError::Stale {
                expected: 3,
                found: Some(4)
            })
        ));
        let lock_only = [
            (Some("None".into()), None),
            (Some("ConditionalCheckFailed".into()), None),
        ];
        match map_cancellation(&lock_only, &roles) {
            Some(CommitError::WorkloadTaken { keys }) => assert_eq!(keys, vec![key]),
            other => panic!("{other:?}"),
        }
        let conflict = [
            (Some("TransactionConflict".into()), None),
            (Some("None".into()), None),
        ];
        assert!(map_cancellation(&conflict, &roles).is_none());
    }
}

//! The DynamoDB single-table store: claims, history (comments are history entries), workload
//! locks, outbox entries and idempotency records in one table. The design — keys, indexes and
//! access patterns — is documented in `shared/STORAGE.md`; the key builders below are the only
//! place that knows it.
//!
//! Every state change is one `TransactWriteItems`: the claim (conditioned on the version and
//! history counter it was read at), its history entry, its lock puts and deletes, its outbox
//! entries and, when the request carried an `Idempotency-Key`, the completed idempotency record.
//! A cancelled transaction's reasons are mapped back to the item that failed.

use crate::domain::{Claim, ClaimId, HistoryEntry, LockKey, Outcome, Write};
use crate::outbox::{OutboxEntry, OutboxRef};
use crate::ports::{
    ClaimQuery, ClaimReader, ClaimWriter, Commit, CommitError, Continuation, DueWork,
    IdempotencyCompletion, IdempotencyKey, IdempotencyStart, IdempotencyStore, ListFilter,
    OutboxStore, Page, StoreError, StoredResponse, Unavailable,
};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, Delete, GlobalSecondaryIndex,
    KeySchemaElement, KeyType, Projection, ProjectionType, Put,
    ReturnValuesOnConditionCheckFailure, ScalarAttributeType, TimeToLiveSpecification,
    TransactWriteItem,
};
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::time::Duration as StdDuration;

type Item = HashMap<String, AttributeValue>;

/// The due index is spread over this many partitions (by claim ID) so no single partition key
/// takes every write; the sweep queries each.
pub const DUE_SHARDS: u8 = 4;

/// Attribute and index names (the table design, in one place).
pub mod names {
    pub const PK: &str = "pk";
    pub const SK: &str = "sk";
    pub const ITEM_TYPE: &str = "itemType";
    pub const DOC: &str = "doc";
    pub const VERSION: &str = "version";
    pub const HISTORY_SEQ: &str = "historySeq";
    pub const STATUS: &str = "status";
    pub const SOLUTION_AREA: &str = "solutionArea";
    pub const TENANT: &str = "tenantId";
    pub const CLAIM_ID: &str = "claimId";
    pub const PARTNER_ID: &str = "partnerId";
    pub const ORG_PK: &str = "orgPk";
    pub const ORG_STATUS_PK: &str = "orgStatusPk";
    pub const CREATED_SK: &str = "createdSk";
    pub const QUEUE_PK: &str = "queuePk";
    pub const QUEUE_SK: &str = "queueSk";
    pub const DUE_PK: &str = "duePk";
    pub const DUE_SK: &str = "dueSk";
    pub const LEASE: &str = "lease";
    pub const ATTEMPTS: &str = "attempts";
    pub const LAST_ERROR: &str = "lastError";
    pub const DELIVERED_AT: &str = "deliveredAt";
    pub const TTL: &str = "expiresAt";
    pub const REQUEST_HASH: &str = "requestHash";
    pub const STATE: &str = "state";
    pub const RESPONSE_STATUS: &str = "responseStatus";
    pub const RESPONSE_BODY: &str = "responseBody";
    pub const LEASE_UNTIL: &str = "leaseUntil";

    pub const BY_ORG: &str = "byOrg";
    pub const BY_ORG_STATUS: &str = "byOrgStatus";
    pub const QUEUE: &str = "queue";
    pub const DUE: &str = "due";
}
use names as n;

/// Key builders: the table's key scheme.
pub mod keys {
    use super::DUE_SHARDS;
    use crate::domain::{ClaimId, LockKey, PartnerId, Status};

    pub fn claim_pk(id: ClaimId) -> String {
        format!("CLAIM#{id}")
    }
    pub const CLAIM_SK: &str = "CLAIM";
    pub fn history_sk(seq: u64) -> String {
        format!("H#{seq:020}")
    }
    pub fn outbox_sk(entry_id: &str) -> String {
        format!("O#{entry_id}")
    }
    pub fn lock_pk(key: &LockKey) -> String {
        format!("LOCK#{}", key.storage_key())
    }
    pub const LOCK_SK: &str = "LOCK";
    pub fn idempotency_pk(scope: &str, key: &str) -> String {
        format!("IDEM#{scope}#{key}")
    }
    pub const IDEMPOTENCY_SK: &str = "IDEM";
    pub fn org_pk(partner: &PartnerId) -> String {
        format!("ORG#{partner}")
    }
    pub fn org_status_pk(partner: &PartnerId, status: Status) -> String {
        format!("ORG#{partner}#{}", status.code())
    }
    pub fn queue_pk(status: Status) -> String {
        format!("Q#{}", status.code())
    }
    pub fn due_shard(id: ClaimId) -> u8 {
        id.as_uuid().as_bytes()[15] % DUE_SHARDS
    }
    pub fn due_pk(shard: u8) -> String {
        format!("DUE#{shard}")
    }
    /// Parked outbox entries (gave up after the maximum attempts): out of the sweep's way.
    pub const DEAD_PK: &str = "DEAD";
}

/// The DynamoDB adapter for the claim, outbox and idempotency ports.
#[derive(Clone, Debug)]
pub struct DynamoStore {
    client: Client,
    table: String,
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

fn to_json<T: serde::Serialize>(value: &T) -> String {
    // Serialising our own types to a String cannot fail (no maps with non-string keys).
    serde_json::to_string(value).unwrap_or_default()
}

/// Why an item is in a transaction, to map cancellation reasons back.
#[derive(Debug, Clone)]
enum Role {
    Claim { create: bool, expected: u64 },
    History(u64),
    Acquire(LockKey),
    Release(LockKey),
    Outbox(String),
    Idempotency,
}

fn build_err(e: impl std::error::Error + Send + Sync + 'static) -> CommitError {
    CommitError::Unavailable(Unavailable::new("build transaction", e))
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// Creates the table with its indexes (the local stack and tests; `infra/` does this in
    /// AWS). On-demand billing; TTL on `expiresAt`.
    pub async fn create_table(&self) -> Result<(), Unavailable> {
        let attr = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
        };
        let key = |name: &str, kind: KeyType| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(kind)
                .build()
        };
        let gsi = |name: &str,
                   pk: &str,
                   sk: &str,
                   projection: ProjectionType|
         -> Result<GlobalSecondaryIndex, aws_sdk_dynamodb::error::BuildError> {
            GlobalSecondaryIndex::builder()
                .index_name(name)
                .key_schema(key(pk, KeyType::Hash)?)
                .key_schema(key(sk, KeyType::Range)?)
                .projection(Projection::builder().projection_type(projection).build())
                .build()
        };
        let build = || -> Result<_, aws_sdk_dynamodb::error::BuildError> {
            let mut attrs = Vec::new();
            for a in [
                n::PK,
                n::SK,
                n::ORG_PK,
                n::ORG_STATUS_PK,
                n::CREATED_SK,
                n::QUEUE_PK,
                n::QUEUE_SK,
                n::DUE_PK,
                n::DUE_SK,
            ] {
                attrs.push(attr(a)?);
            }
            Ok((
                attrs,
                vec![key(n::PK, KeyType::Hash)?, key(n::SK, KeyType::Range)?],
                vec![
                    gsi(n::BY_ORG, n::ORG_PK, n::CREATED_SK, ProjectionType::All)?,
                    gsi(
                        n::BY_ORG_STATUS,
                        n::ORG_STATUS_PK,
                        n::CREATED_SK,
                        ProjectionType::All,
                    )?,
                    gsi(n::QUEUE, n::QUEUE_PK, n::QUEUE_SK, ProjectionType::All)?,
                    gsi(n::DUE, n::DUE_PK, n::DUE_SK, ProjectionType::KeysOnly)?,
                ],
            ))
        };
        let (attrs, key_schema, gsis) =
            build().map_err(|e| Unavailable::new("build create table", e))?;
        self.client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .set_attribute_definitions(Some(attrs))
            .set_key_schema(Some(key_schema))
            .set_global_secondary_indexes(Some(gsis))
            .send()
            .await
            .map_err(unavailable("create table"))?;
        let ttl = TimeToLiveSpecification::builder()
            .enabled(true)
            .attribute_name(n::TTL)
            .build()
            .map_err(|e| Unavailable::new("build ttl", e))?;
        self.client
            .update_time_to_live()
            .table_name(&self.table)
            .time_to_live_specification(ttl)
            .send()
            .await
            .map_err(unavailable("enable ttl"))?;
        Ok(())
    }

    fn claim_item(claim: &Claim) -> Item {
        let id = claim.id();
        let created = format!("{}#{id}", sortable(claim.created_at()));
        let content = claim.content();
        let mut item: Item = HashMap::from([
            (n::PK.into(), s(keys::claim_pk(id))),
            (n::SK.into(), s(keys::CLAIM_SK)),
            (n::ITEM_TYPE.into(), s("claim")),
            (n::DOC.into(), s(to_json(claim))),
            (n::VERSION.into(), num(claim.version())),
            (n::HISTORY_SEQ.into(), num(claim.history_seq())),
            (n::STATUS.into(), s(claim.status().code())),
            (n::SOLUTION_AREA.into(), s(content.solution_area().code())),
            (
                n::TENANT.into(),
                s(content.customer().tenant_id.to_string()),
            ),
            (n::PARTNER_ID.into(), s(claim.partner_id().to_string())),
            (n::ORG_PK.into(), s(keys::org_pk(claim.partner_id()))),
            (
                n::ORG_STATUS_PK.into(),
                s(keys::org_status_pk(claim.partner_id(), claim.status())),
            ),
            (n::CREATED_SK.into(), s(created.clone())),
            (n::QUEUE_PK.into(), s(keys::queue_pk(claim.status()))),
            (
                n::QUEUE_SK.into(),
                s(format!(
                    "{}#{created}",
                    claim.due_at().map_or_else(|| "~".to_owned(), sortable)
                )),
            ),
        ]);
        // The sparse due index: present only while a deadline is pending.
        if let Some(due) = claim.sweep_due_at() {
            item.insert(n::DUE_PK.into(), s(keys::due_pk(keys::due_shard(id))));
            item.insert(n::DUE_SK.into(), s(format!("{}#C#{id}", sortable(due))));
        }
        item
    }

    fn outbox_item(entry: &OutboxEntry) -> Item {
        HashMap::from([
            (n::PK.into(), s(keys::claim_pk(entry.claim_id))),
            (n::SK.into(), s(keys::outbox_sk(&entry.id))),
            (n::ITEM_TYPE.into(), s("outbox")),
            (n::DOC.into(), s(to_json(entry))),
            (n::LEASE.into(), s(entry.lease_id.clone())),
            (n::ATTEMPTS.into(), num(entry.attempts)),
            (
                n::DUE_PK.into(),
                s(keys::due_pk(keys::due_shard(entry.claim_id))),
            ),
            (
                n::DUE_SK.into(),
                s(outbox_due_sk(entry.lease_until, entry.claim_id, &entry.id)),
            ),
        ])
    }

    fn idempotency_item(c: &IdempotencyCompletion, now: DateTime<Utc>) -> Item {
        HashMap::from([
            (
                n::PK.into(),
                s(keys::idempotency_pk(&c.key.scope, &c.key.key)),
            ),
            (n::SK.into(), s(keys::IDEMPOTENCY_SK)),
            (n::ITEM_TYPE.into(), s("idempotency")),
            (n::REQUEST_HASH.into(), s(c.request_hash.clone())),
            (n::STATE.into(), s("done")),
            (n::RESPONSE_STATUS.into(), num(c.response.status)),
            (n::RESPONSE_BODY.into(), s(c.response.body.clone())),
            (n::TTL.into(), num((now + IDEMPOTENCY_TTL).timestamp())),
        ])
    }

    fn transaction(
        &self,
        c: &Commit<'_>,
    ) -> Result<(Vec<TransactWriteItem>, Vec<Role>), CommitError> {
        let outcome: &Outcome = c.outcome;
        let claim = &outcome.claim;
        let id = claim.id();
        let mut items = Vec::new();
        let mut roles = Vec::new();

        // 1. The claim, conditioned on what was read.
        let mut put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(Self::claim_item(claim)))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .expression_attribute_names("#pk", n::PK);
        let (create, expected) = match c.prior {
            None => {
                put = put.condition_expression("attribute_not_exists(#pk)");
                (true, 0)
            }
            Some(rev) => {
                put = put
                    .condition_expression("attribute_exists(#pk) AND #v = :v AND #h = :h")
                    .expression_attribute_names("#v", n::VERSION)
                    .expression_attribute_names("#h", n::HISTORY_SEQ)
                    .expression_attribute_values(":v", num(rev.version))
                    .expression_attribute_values(":h", num(rev.history_seq));
                (false, rev.version)
            }
        };
        items.push(
            TransactWriteItem::builder()
                .put(put.build().map_err(build_err)?)
                .build(),
        );
        roles.push(Role::Claim { create, expected });

        // 2. History entries: append-only, never overwritten.
        for entry in &outcome.history {
            let item: Item = HashMap::from([
                (n::PK.into(), s(keys::claim_pk(id))),
                (n::SK.into(), s(keys::history_sk(entry.seq))),
                (n::ITEM_TYPE.into(), s("history")),
                (n::DOC.into(), s(to_json(entry))),
            ]);
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(#pk)")
                .expression_attribute_names("#pk", n::PK)
                .build()
                .map_err(build_err)?;
            items.push(TransactWriteItem::builder().put(put).build());
            roles.push(Role::History(entry.seq));
        }

        // 3. Locks: take (free, or already ours) and give back (only ours).
        for key in &outcome.locks.acquire {
            let item: Item = HashMap::from([
                (n::PK.into(), s(keys::lock_pk(key))),
                (n::SK.into(), s(keys::LOCK_SK)),
                (n::ITEM_TYPE.into(), s("lock")),
                (n::CLAIM_ID.into(), s(id.to_string())),
                (n::PARTNER_ID.into(), s(claim.partner_id().to_string())),
                (n::DOC.into(), s(to_json(key))),
            ]);
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(#pk) OR #c = :me")
                .expression_attribute_names("#pk", n::PK)
                .expression_attribute_names("#c", n::CLAIM_ID)
                .expression_attribute_values(":me", s(id.to_string()))
                .build()
                .map_err(build_err)?;
            items.push(TransactWriteItem::builder().put(put).build());
            roles.push(Role::Acquire(*key));
        }
        for key in &outcome.locks.release {
            let del = Delete::builder()
                .table_name(&self.table)
                .key(n::PK, s(keys::lock_pk(key)))
                .key(n::SK, s(keys::LOCK_SK))
                .condition_expression("attribute_not_exists(#pk) OR #c = :me")
                .expression_attribute_names("#pk", n::PK)
                .expression_attribute_names("#c", n::CLAIM_ID)
                .expression_attribute_values(":me", s(id.to_string()))
                .build()
                .map_err(build_err)?;
            items.push(TransactWriteItem::builder().delete(del).build());
            roles.push(Role::Release(*key));
        }

        // 4. The outbox.
        for entry in c.outbox {
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(Self::outbox_item(entry)))
                .condition_expression("attribute_not_exists(#pk)")
                .expression_attribute_names("#pk", n::PK)
                .build()
                .map_err(build_err)?;
            items.push(TransactWriteItem::builder().put(put).build());
            roles.push(Role::Outbox(entry.id.clone()));
        }

        // 5. The idempotency record, completed with the change.
        if let Some(idem) = c.idempotency {
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(Self::idempotency_item(idem, claim.updated_at())))
                .build()
                .map_err(build_err)?;
            items.push(TransactWriteItem::builder().put(put).build());
            roles.push(Role::Idempotency);
        }
        Ok((items, roles))
    }

    /// A token that makes a retry of the same transaction by the same writer (the SDK's own
    /// retry after a timeout, or ours) succeed instead of failing on its own version condition
    /// when the first attempt did commit. `cancelled` counts attempts DynamoDB definitely
    /// cancelled (nothing applied): each gets a fresh token, so a cancellation is never replayed.
    fn request_token(c: &Commit<'_>, cancelled: u32) -> String {
        let claim = &c.outcome.claim;
        let mut h = Sha256::new();
        h.update(claim.id().to_string());
        h.update(claim.version().to_be_bytes());
        h.update(claim.history_seq().to_be_bytes());
        for e in c.outbox.iter().take(1) {
            h.update(e.lease_id.as_bytes());
        }
        h.update(to_json(&c.outcome.history));
        h.update(cancelled.to_be_bytes());
        let digest = h.finalize();
        digest[..16].iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Formats an instant for keys and conditions: fixed width, so strings sort as times do.
fn sortable(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string()
}

const IDEMPOTENCY_TTL: Duration = Duration::hours(24);
/// A pending idempotency record older than this belonged to a request that died: a retry may
/// take it over.
const IDEMPOTENCY_PENDING: Duration = Duration::minutes(2);

fn outbox_due_sk(at: DateTime<Utc>, claim: ClaimId, entry: &str) -> String {
    format!("{}#O#{claim}#{entry}", sortable(at))
}

/// How a cancelled transaction maps to a commit error.
fn map_cancellation(
    reasons: &[(Option<String>, Option<Item>)],
    roles: &[Role],
) -> Option<CommitError> {
    let failed = |code: &'static str| {
        reasons
            .iter()
            .zip(roles)
            .filter(move |((c, _), _)| c.as_deref() == Some(code))
    };
    // The claim first: a stale writer must hear "stale", not a lock error caused by acting on
    // an old view.
    for ((_, old), role) in failed("ConditionalCheckFailed") {
        if let Role::Claim { create, expected } = role {
            return Some(if *create {
                CommitError::AlreadyExists
            } else {
                CommitError::Stale {
                    expected: *expected,
                    found: old.as_ref().and_then(|i| get_n(i, n::VERSION)),
                }
            });
        }
    }
    let taken: Vec<LockKey> = failed("ConditionalCheckFailed")
        .filter_map(|(_, role)| match role {
            Role::Acquire(k) => Some(*k),
            _ => None,
        })
        .collect();
    if !taken.is_empty() {
        return Some(CommitError::WorkloadTaken { keys: taken });
    }
    if let Some((_, role)) = failed("ConditionalCheckFailed").next() {
        return Some(CommitError::Inconsistent(match role {
            Role::Release(k) => format!("lock {k} is held by another claim"),
            Role::History(seq) => format!("history entry {seq} exists"),
            Role::Outbox(id) => format!("outbox entry {id} exists"),
            other => format!("{other:?}"),
        }));
    }
    // Only transient reasons left: the caller retries.
    None
}

const MAX_TRANSACTION_ATTEMPTS: u32 = 5;

impl ClaimWriter for DynamoStore {
    #[tracing::instrument(skip_all, fields(claim_id = %commit.outcome.claim.id(), version = commit.outcome.claim.version()))]
    async fn commit(&self, commit: Commit<'_>) -> Result<(), CommitError> {
        if commit.outcome.write == Write::Nothing {
            return Ok(());
        }
        let (items, roles) = self.transaction(&commit)?;
        let mut attempt = 0;
        let mut cancelled = 0;
        loop {
            attempt += 1;
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .client_request_token(Self::request_token(&commit, cancelled))
                .send()
                .await;
            let err = match result {
                Ok(_) => return Ok(()),
                Err(e) => e,
            };
            if let Some(TransactWriteItemsError::TransactionCanceledException(tce)) =
                err.as_service_error()
            {
                let reasons: Vec<(Option<String>, Option<Item>)> = tce
                    .cancellation_reasons()
                    .iter()
                    .map(|r| (r.code().map(str::to_owned), r.item().cloned()))
                    .collect();
                if let Some(mapped) = map_cancellation(&reasons, &roles) {
                    tracing::info!(error = %mapped, "transaction refused");
                    return Err(mapped);
                }
                if attempt >= MAX_TRANSACTION_ATTEMPTS {
                    tracing::warn!(attempt, "transaction kept conflicting");
                    return Err(CommitError::Contention);
                }
                cancelled += 1;
            } else if let Some(TransactWriteItemsError::IdempotentParameterMismatchException(_)) =
                err.as_service_error()
            {
                // Another writer used this token with a different change: we lost the race.
                return Err(CommitError::Stale {
                    expected: commit.prior.map_or(0, |p| p.version),
                    found: None,
                });
            } else if is_transient(&err) && attempt < MAX_TRANSACTION_ATTEMPTS {
                tracing::warn!(attempt, error = %err, "transient transaction error");
            } else {
                return Err(CommitError::Unavailable(Unavailable::new(
                    "transact write",
                    err,
                )));
            }
            tokio::time::sleep(backoff_delay(attempt)).await;
        }
    }
}

fn is_transient<R>(err: &SdkError<TransactWriteItemsError, R>) -> bool {
    match err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => true,
        SdkError::ServiceError(_) => matches!(
            err.as_service_error(),
            Some(
                TransactWriteItemsError::TransactionInProgressException(_)
                    | TransactWriteItemsError::ProvisionedThroughputExceededException(_)
                    | TransactWriteItemsError::ThrottlingException(_)
                    | TransactWriteItemsError::RequestLimitExceeded(_)
                    | TransactWriteItemsError::InternalServerError(_)
            )
        ),
        _ => false,
    }
}

/// Exponential backoff with full jitter: 0–25 ms, 0–50 ms, ...
fn backoff_delay(attempt: u32) -> StdDuration {
    let cap = 25u64 << attempt.min(6);
    let jitter = u64::from(uuid::Uuid::new_v4().as_bytes()[0]) * cap / 255;
    StdDuration::from_millis(jitter.max(1))
}

impl ClaimReader for DynamoStore {
    async fn get(&self, id: ClaimId) -> Result<Option<Claim>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(n::PK, s(keys::claim_pk(id)))
            .key(n::SK, s(keys::CLAIM_SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable("get claim"))?;
        out.item().map(|item| doc(item, "claim")).transpose()
    }

    async fn history(
        &self,
        id: ClaimId,
        after_seq: u64,
        limit: u32,
    ) -> Result<Page<HistoryEntry>, StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk AND #sk BETWEEN :from AND :to")
            .expression_attribute_names("#pk", n::PK)
            .expression_attribute_names("#sk", n::SK)
            .expression_attribute_values(":pk", s(keys::claim_pk(id)))
            .expression_attribute_values(":from", s(keys::history_sk(after_seq.saturating_add(1))))
            .expression_attribute_values(":to", s(keys::history_sk(u64::MAX)))
            .limit(limit.clamp(1, 1000) as i32)
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable("query history"))?;
        let items = out
            .items()
            .iter()
            .map(|i| doc::<HistoryEntry>(i, "history entry"))
            .collect::<Result<Vec<_>, _>>()?;
        let next = match (out.last_evaluated_key(), items.last()) {
            (Some(_), Some(last)) => Some(Continuation(last.seq.to_be_bytes().to_vec())),
            _ => None,
        };
        Ok(Page { items, next })
    }

    async fn list(
        &self,
        query: &ClaimQuery,
        filter: &ListFilter,
        limit: u32,
        from: Option<&Continuation>,
    ) -> Result<Page<Claim>, StoreError> {
        let (index, pk_name, pk, key_names, forward) = match query {
            ClaimQuery::Organisation {
                partner,
                status: None,
            } => (
                n::BY_ORG,
                n::ORG_PK,
                keys::org_pk(partner),
                [n::ORG_PK, n::CREATED_SK],
                false,
            ),
            ClaimQuery::Organisation {
                partner,
                status: Some(st),
            } => (
                n::BY_ORG_STATUS,
                n::ORG_STATUS_PK,
                keys::org_status_pk(partner, *st),
                [n::ORG_STATUS_PK, n::CREATED_SK],
                false,
            ),
            ClaimQuery::Queue { status } => (
                n::QUEUE,
                n::QUEUE_PK,
                keys::queue_pk(*status),
                [n::QUEUE_PK, n::QUEUE_SK],
                true,
            ),
        };
        let start = from
            .map(|c| {
                decode_start_key(
                    c,
                    &[n::PK, n::SK, key_names[0], key_names[1]],
                    key_names[0],
                    &pk,
                )
            })
            .transpose()?;
        let mut req = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(index)
            .key_condition_expression("#ipk = :ipk")
            .expression_attribute_names("#ipk", pk_name)
            .expression_attribute_values(":ipk", s(pk))
            .scan_index_forward(forward)
            .limit(limit.clamp(1, 100) as i32)
            .set_exclusive_start_key(start);
        let mut conditions = Vec::new();
        if let Some(area) = filter.solution_area {
            conditions.push("#area = :area");
            req = req
                .expression_attribute_names("#area", n::SOLUTION_AREA)
                .expression_attribute_values(":area", s(area.code()));
        }
        if let Some(tenant) = filter.tenant {
            conditions.push("#tenant = :tenant");
            req = req
                .expression_attribute_names("#tenant", n::TENANT)
                .expression_attribute_values(":tenant", s(tenant.to_string()));
        }
        if !conditions.is_empty() {
            req = req.filter_expression(conditions.join(" AND "));
        }
        let out = req.send().await.map_err(unavailable("query claims"))?;
        let items = out
            .items()
            .iter()
            .map(|i| doc::<Claim>(i, "claim"))
            .collect::<Result<Vec<_>, _>>()?;
        let next = out.last_evaluated_key().map(encode_start_key);
        Ok(Page { items, next })
    }
}

/// A LastEvaluatedKey (string attributes only, in our design) as opaque bytes.
fn encode_start_key(key: &Item) -> Continuation {
    let map: std::collections::BTreeMap<&str, &str> = key
        .iter()
        .filter_map(|(k, v)| v.as_s().ok().map(|v| (k.as_str(), v.as_str())))
        .collect();
    Continuation(to_json(&map).into_bytes())
}

/// Reads a continuation back, accepting only the attributes of this index and only a position
/// inside the partition being queried.
fn decode_start_key(
    c: &Continuation,
    allowed: &[&str],
    partition_attr: &str,
    partition: &str,
) -> Result<Item, StoreError> {
    let map: std::collections::BTreeMap<String, String> =
        serde_json::from_slice(&c.0).map_err(|e| corrupt("continuation", e))?;
    if map.len() != allowed.len() || !map.keys().all(|k| allowed.contains(&k.as_str())) {
        return Err(corrupt("continuation", "unexpected attributes"));
    }
    if map.get(partition_attr).map(String::as_str) != Some(partition) {
        return Err(corrupt("continuation", "belongs to another query"));
    }
    Ok(map.into_iter().map(|(k, v)| (k, s(v))).collect())
}

impl DynamoStore {
    /// An UpdateItem on one outbox entry.
    fn outbox_update(
        &self,
        entry: &OutboxRef,
    ) -> aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder {
        self.client
            .update_item()
            .table_name(&self.table)
            .key(n::PK, s(keys::claim_pk(entry.claim_id)))
            .key(n::SK, s(keys::outbox_sk(&entry.entry_id)))
    }
}

impl OutboxStore for DynamoStore {
    async fn due(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<DueWork>, StoreError> {
        let bound = format!("{}#~", sortable(now));
        let mut work = Vec::new();
        for shard in 0..DUE_SHARDS {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(n::DUE)
                .key_condition_expression("#p = :p AND #s < :b")
                .expression_attribute_names("#p", n::DUE_PK)
                .expression_attribute_names("#s", n::DUE_SK)
                .expression_attribute_values(":p", s(keys::due_pk(shard)))
                .expression_attribute_values(":b", s(bound.clone()))
                .limit(limit.clamp(1, 1000) as i32)
                .send()
                .await
                .map_err(unavailable("query due index"))?;
            for item in out.items() {
                let sk =
                    get_s(item, n::DUE_SK).ok_or_else(|| corrupt("due entry", "no sort key"))?;
                work.push(parse_due(sk)?);
            }
        }
        Ok(work)
    }

    async fn lease(
        &self,
        entry: &OutboxRef,
        lease_id: &str,
        until: DateTime<Utc>,
    ) -> Result<Option<OutboxEntry>, StoreError> {
        let result = self
            .outbox_update(entry)
            .update_expression("SET #l = :l, #s = :new")
            .condition_expression("#s = :seen")
            .expression_attribute_names("#l", n::LEASE)
            .expression_attribute_names("#s", n::DUE_SK)
            .expression_attribute_values(":l", s(lease_id))
            .expression_attribute_values(
                ":new",
                s(outbox_due_sk(until, entry.claim_id, &entry.entry_id)),
            )
            .expression_attribute_values(
                ":seen",
                s(outbox_due_sk(entry.due_at, entry.claim_id, &entry.entry_id)),
            )
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(out) => {
                let item = out
                    .attributes()
                    .ok_or_else(|| corrupt("outbox entry", "no attributes returned"))?;
                let mut e: OutboxEntry = doc(item, "outbox entry")?;
                e.lease_id = lease_id.to_owned();
                e.lease_until = until;
                e.attempts = get_n(item, n::ATTEMPTS).unwrap_or(0) as u32;
                Ok(Some(e))
            }
            Err(err) if is_conditional_update(&err) => Ok(None),
            Err(err) => Err(Unavailable::new("lease outbox entry", err).into()),
        }
    }

    async fn delivered(
        &self,
        entry: &OutboxRef,
        lease_id: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (names, values) = delivered_attributes(lease_id, at);
        let result = self
            .outbox_update(entry)
            .update_expression(DELIVERED_UPDATE)
            .condition_expression(DELIVERED_CONDITION)
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .send()
            .await;
        held(result, "mark outbox entry delivered")
    }

    async fn delivered_all(
        &self,
        entries: &[(OutboxRef, String)],
        at: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        if let [(entry, lease_id)] = entries {
            return Ok(usize::from(self.delivered(entry, lease_id, at).await?));
        }
        let mut marked = 0;
        // A transaction takes at most 100 actions; a commit writes a handful of entries.
        for chunk in entries.chunks(100) {
            let mut actions = Vec::with_capacity(chunk.len());
            for (entry, lease_id) in chunk {
                let (names, values) = delivered_attributes(lease_id, at);
                let update = aws_sdk_dynamodb::types::Update::builder()
                    .table_name(&self.table)
                    .key(n::PK, s(keys::claim_pk(entry.claim_id)))
                    .key(n::SK, s(keys::outbox_sk(&entry.entry_id)))
                    .update_expression(DELIVERED_UPDATE)
                    .condition_expression(DELIVERED_CONDITION)
                    .set_expression_attribute_names(Some(names))
                    .set_expression_attribute_values(Some(values))
                    .build()
                    .map_err(|e| Unavailable::new("mark outbox entries delivered", e))?;
                actions.push(TransactWriteItem::builder().update(update).build());
            }
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(actions))
                .send()
                .await;
            match result {
                Ok(_) => marked += chunk.len(),
                Err(err)
                    if matches!(
                        err.as_service_error(),
                        Some(TransactWriteItemsError::TransactionCanceledException(_))
                    ) =>
                {
                    // A lease was lost (or a write conflicted): one by one, so every entry
                    // still held is marked.
                    for (entry, lease_id) in chunk {
                        marked += usize::from(self.delivered(entry, lease_id, at).await?);
                    }
                }
                Err(err) => {
                    return Err(Unavailable::new("mark outbox entries delivered", err).into());
                }
            }
        }
        Ok(marked)
    }

    async fn retry_at(
        &self,
        entry: &OutboxRef,
        lease_id: &str,
        next_attempt: Option<DateTime<Utc>>,
        error: &str,
    ) -> Result<bool, StoreError> {
        let (pk, at) = match next_attempt {
            Some(at) => (keys::due_pk(keys::due_shard(entry.claim_id)), at),
            None => (keys::DEAD_PK.to_owned(), entry.due_at),
        };
        let result = self
            .outbox_update(entry)
            .update_expression("SET #p = :p, #s = :s, #e = :e ADD #a :one")
            .condition_expression("#l = :l AND attribute_exists(#s)")
            .expression_attribute_names("#p", n::DUE_PK)
            .expression_attribute_names("#s", n::DUE_SK)
            .expression_attribute_names("#e", n::LAST_ERROR)
            .expression_attribute_names("#a", n::ATTEMPTS)
            .expression_attribute_names("#l", n::LEASE)
            .expression_attribute_values(":p", s(pk))
            .expression_attribute_values(
                ":s",
                s(outbox_due_sk(at, entry.claim_id, &entry.entry_id)),
            )
            .expression_attribute_values(":e", s(error.chars().take(500).collect::<String>()))
            .expression_attribute_values(":one", num(1))
            .expression_attribute_values(":l", s(lease_id))
            .send()
            .await;
        held(result, "reschedule outbox entry")
    }
}

/// `true` if the conditional update applied, `false` if its condition failed (someone else
/// holds the lease, or the entry moved on).
/// Marking an outbox entry delivered: it leaves the due index and expires after 30 days, if
/// the lease is still the deliverer's (one update alone, or several in one transaction).
const DELIVERED_UPDATE: &str = "REMOVE #p, #s SET #d = :at, #ttl = :ttl";
const DELIVERED_CONDITION: &str = "#l = :l AND attribute_exists(#s)";

fn delivered_attributes(
    lease_id: &str,
    at: DateTime<Utc>,
) -> (HashMap<String, String>, HashMap<String, AttributeValue>) {
    let names = [
        ("#p", n::DUE_PK),
        ("#s", n::DUE_SK),
        ("#d", n::DELIVERED_AT),
        ("#ttl", n::TTL),
        ("#l", n::LEASE),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let values = [
        (":at", s(sortable(at))),
        (":ttl", num((at + Duration::days(30)).timestamp())),
        (":l", s(lease_id)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    (names, values)
}

fn held<O, R: std::fmt::Debug + Send + Sync + 'static>(
    result: Result<O, SdkError<aws_sdk_dynamodb::operation::update_item::UpdateItemError, R>>,
    operation: &'static str,
) -> Result<bool, StoreError> {
    match result {
        Ok(_) => Ok(true),
        Err(err) if is_conditional_update(&err) => Ok(false),
        Err(err) => Err(Unavailable::new(operation, err).into()),
    }
}

fn is_conditional_update<R>(
    err: &SdkError<aws_sdk_dynamodb::operation::update_item::UpdateItemError, R>,
) -> bool {
    matches!(
        err.as_service_error(),
        Some(aws_sdk_dynamodb::operation::update_item::UpdateItemError::ConditionalCheckFailedException(_))
    )
}

/// Parses a due-index sort key: `<time>#C#<claim>` or `<time>#O#<claim>#<entry>`.
fn parse_due(sk: &str) -> Result<DueWork, StoreError> {
    let bad = || corrupt("due entry", sk);
    let mut parts = sk.splitn(4, '#');
    let at = parts.next().ok_or_else(bad)?;
    let at = DateTime::parse_from_rfc3339(at)
        .map_err(|_| bad())?
        .with_timezone(&Utc);
    let kind = parts.next().ok_or_else(bad)?;
    let claim = parts
        .next()
        .and_then(|c| ClaimId::parse(c).ok())
        .ok_or_else(bad)?;
    match (kind, parts.next()) {
        ("C", None) => Ok(DueWork::Deadline { claim, due_at: at }),
        ("O", Some(entry)) => Ok(DueWork::Outbox(OutboxRef {
            claim_id: claim,
            entry_id: entry.to_owned(),
            due_at: at,
        })),
        _ => Err(bad()),
    }
}

impl IdempotencyStore for DynamoStore {
    async fn begin(
        &self,
        key: &IdempotencyKey,
        request_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<IdempotencyStart, StoreError> {
        let item: Item = HashMap::from([
            (n::PK.into(), s(keys::idempotency_pk(&key.scope, &key.key))),
            (n::SK.into(), s(keys::IDEMPOTENCY_SK)),
            (n::ITEM_TYPE.into(), s("idempotency")),
            (n::REQUEST_HASH.into(), s(request_hash)),
            (n::STATE.into(), s("pending")),
            (
                n::LEASE_UNTIL.into(),
                num((now + IDEMPOTENCY_PENDING).timestamp()),
            ),
            (n::TTL.into(), num((now + IDEMPOTENCY_TTL).timestamp())),
        ]);
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(
                "attribute_not_exists(#pk) OR #ttl < :now OR (#st = :pending AND #lu < :now AND #rh = :rh)",
            )
            .expression_attribute_names("#pk", n::PK)
            .expression_attribute_names("#ttl", n::TTL)
            .expression_attribute_names("#st", n::STATE)
            .expression_attribute_names("#lu", n::LEASE_UNTIL)
            .expression_attribute_names("#rh", n::REQUEST_HASH)
            .expression_attribute_values(":now", num(now.timestamp()))
            .expression_attribute_values(":pending", s("pending"))
            .expression_attribute_values(":rh", s(request_hash))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        let err = match result {
            Ok(_) => return Ok(IdempotencyStart::Fresh),
            Err(e) => e,
        };
        use aws_sdk_dynamodb::operation::put_item::PutItemError;
        let Some(PutItemError::ConditionalCheckFailedException(ccf)) = err.as_service_error()
        else {
            return Err(Unavailable::new("begin idempotent request", err).into());
        };
        let Some(old) = ccf.item() else {
            // Emulators may not return the old item: read it.
            return self.read_idempotency(key, request_hash).await;
        };
        Ok(classify_idempotency(old, request_hash))
    }

    async fn complete(
        &self,
        completion: &IdempotencyCompletion,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(Self::idempotency_item(completion, now)))
            .send()
            .await
            .map_err(unavailable("complete idempotent request"))?;
        Ok(())
    }

    async fn abandon(&self, key: &IdempotencyKey) -> Result<(), StoreError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key(n::PK, s(keys::idempotency_pk(&key.scope, &key.key)))
            .key(n::SK, s(keys::IDEMPOTENCY_SK))
            .condition_expression("#st = :pending")
            .expression_attribute_names("#st", n::STATE)
            .expression_attribute_values(":pending", s("pending"))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err)
                if matches!(
                    err.as_service_error(),
                    Some(aws_sdk_dynamodb::operation::delete_item::DeleteItemError::ConditionalCheckFailedException(_))
                ) =>
            {
                Ok(())
            }
            Err(err) => Err(Unavailable::new("abandon idempotent request", err).into()),
        }
    }
}

impl DynamoStore {
    async fn read_idempotency(
        &self,
        key: &IdempotencyKey,
        request_hash: &str,
    ) -> Result<IdempotencyStart, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(n::PK, s(keys::idempotency_pk(&key.scope, &key.key)))
            .key(n::SK, s(keys::IDEMPOTENCY_SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable("read idempotency record"))?;
        Ok(match out.item() {
            Some(item) => classify_idempotency(item, request_hash),
            // Deleted between our put and our read (abandoned): let the caller retry.
            None => IdempotencyStart::InProgress,
        })
    }
}

fn classify_idempotency(item: &Item, request_hash: &str) -> IdempotencyStart {
    if get_s(item, n::REQUEST_HASH) != Some(request_hash) {
        return IdempotencyStart::Mismatch;
    }
    match get_s(item, n::STATE) {
        Some("done") => IdempotencyStart::Completed(StoredResponse {
            status: get_n(item, n::RESPONSE_STATUS).unwrap_or(200) as u16,
            body: get_s(item, n::RESPONSE_BODY).unwrap_or_default().to_owned(),
        }),
        _ => IdempotencyStart::InProgress,
    }
}

#[cfg(test)]
mod tests {
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

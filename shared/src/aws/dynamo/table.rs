//! The table design, in one place: attribute and index names, the key scheme, creating the
//! table, and the items every write builds. `docs/storage.md` documents it; nothing else in the crate
//! spells a key or an attribute name.

use super::*;

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
    pub const AWAITING_REVIEWER: &str = "awaitingReviewer";
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
    pub const CAP_CLAIMS: &str = "claims";
    pub const OPEN: &str = "open";
    pub const KNOWN: &str = "known";
    pub const DATASET: &str = "dataset";
    pub const SEQUENCER: &str = "sequencer";

    pub const BY_ORG: &str = "byOrg";
    pub const BY_ORG_STATUS: &str = "byOrgStatus";
    /// A partner's claims in one status by due date: the same partition, sorted as the queue.
    pub const BY_ORG_STATUS_DUE: &str = "byOrgStatusDue";
    pub const QUEUE: &str = "queue";
    pub const DUE: &str = "due";
}
use names as n;

/// Key builders: the table's key scheme.
pub mod keys {
    use super::DUE_SHARDS;
    use crate::domain::engagement::{
        CustomerIdentifier, EngagementId, EngagementStatus, PageGroup,
    };
    use crate::domain::{ClaimId, LocationId, LockKey, PartnerId, Status};

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

    // MCI engagements (SPEC §9).

    /// An engagement claim and its history (`CLAIM_SK`, `history_sk`). Its outbox entries
    /// live under [`claim_pk`] like every claim's, so delivery does not tell them apart.
    pub fn engagement_claim_pk(id: ClaimId) -> String {
        format!("ECLAIM#{id}")
    }
    /// The open claims on an engagement for one customer identifier, any partner: the cap.
    pub fn cap_pk(engagement: &EngagementId, customer: &CustomerIdentifier) -> String {
        format!("ECAP#{engagement}#{}", customer.storage_key())
    }
    pub const CAP_SK: &str = "CAP";
    /// A partner's one open claim on an engagement for one customer ("add or claim, never both").
    pub fn slot_pk(
        partner: &PartnerId,
        engagement: &EngagementId,
        customer: &CustomerIdentifier,
    ) -> String {
        format!("ESLOT#{partner}#{engagement}#{}", customer.storage_key())
    }
    pub const SLOT_SK: &str = "SLOT";
    /// A partner's customers, one item each (sort key: the identifier's storage key).
    pub fn partner_customers_pk(partner: &PartnerId) -> String {
        format!("PCUST#{partner}")
    }
    /// The partner's claims on one engagement (the `byOrg` index).
    pub fn engagement_org_pk(partner: &PartnerId, engagement: &EngagementId) -> String {
        format!("EORG#{partner}#{engagement}")
    }
    /// The same, by page group (the `byOrgStatus` index).
    pub fn engagement_group_pk(
        partner: &PartnerId,
        engagement: &EngagementId,
        group: PageGroup,
    ) -> String {
        let group = match group {
            PageGroup::Open => "open",
            PageGroup::Complete => "complete",
            PageGroup::Dropped => "dropped",
        };
        format!("EORG#{partner}#{engagement}#{group}")
    }
    /// Engagement claims by status for reviewers (the `queue` index; CPOR claims use `Q#`).
    pub fn engagement_queue_pk(status: EngagementStatus) -> String {
        format!("EQ#{}", status.code())
    }
    /// The current reference dataset's pointer.
    pub const REFERENCE_PK: &str = "REF";
    pub const REFERENCE_CURRENT_SK: &str = "CURRENT";
    /// One dataset's records.
    pub fn dataset_pk(dataset: &str) -> String {
        format!("REF#{dataset}")
    }
    pub fn engagement_sk(id: &EngagementId) -> String {
        format!("{ENGAGEMENT_SK_PREFIX}{id}")
    }
    pub const ENGAGEMENT_SK_PREFIX: &str = "ENG#";
    pub fn location_sk(id: &LocationId) -> String {
        format!("{LOCATION_SK_PREFIX}{id}")
    }
    pub const LOCATION_SK_PREFIX: &str = "LOC#";
    pub fn customer_sk(id: &CustomerIdentifier) -> String {
        format!("CUST#{}", id.storage_key())
    }
}

impl DynamoStore {
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
                    gsi(
                        n::BY_ORG_STATUS_DUE,
                        n::ORG_STATUS_PK,
                        n::QUEUE_SK,
                        ProjectionType::All,
                    )?,
                    gsi(n::QUEUE, n::QUEUE_PK, n::QUEUE_SK, ProjectionType::All)?,
                    gsi(n::DUE, n::DUE_PK, n::DUE_SK, ProjectionType::KeysOnly)?,
                ],
            ))
        };
        let (attrs, key_schema, gsis) =
            build().map_err(|e| Unavailable::new("build create table", e))?;
        // The stream carries new items (`deliver-outbox` reads new outbox entries from it).
        let stream = StreamSpecification::builder()
            .stream_enabled(true)
            .stream_view_type(StreamViewType::NewImage)
            .build()
            .map_err(|e| Unavailable::new("build stream specification", e))?;
        self.client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .set_attribute_definitions(Some(attrs))
            .set_key_schema(Some(key_schema))
            .set_global_secondary_indexes(Some(gsis))
            .stream_specification(stream)
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

    pub(super) fn claim_item(claim: &Claim) -> Item {
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
        if claim.awaiting_reviewer() {
            item.insert(n::AWAITING_REVIEWER.into(), AttributeValue::Bool(true));
        }
        // The sparse due index: present only while a deadline is pending.
        if let Some(due) = claim.sweep_due_at() {
            item.insert(n::DUE_PK.into(), s(keys::due_pk(keys::due_shard(id))));
            item.insert(n::DUE_SK.into(), s(format!("{}#C#{id}", sortable(due))));
        }
        item
    }

    pub(super) fn outbox_item(entry: &OutboxEntry) -> Item {
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

    pub(super) fn idempotency_item(c: &IdempotencyCompletion, now: DateTime<Utc>) -> Item {
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
}

/// Formats an instant for keys and conditions: fixed width, so strings sort as times do.
pub(super) fn sortable(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string()
}
pub(super) const IDEMPOTENCY_TTL: Duration = Duration::hours(24);
/// A pending idempotency record older than this belonged to a request that died: a retry may
/// take it over.
pub(super) const IDEMPOTENCY_PENDING: Duration = Duration::minutes(2);
pub(super) fn outbox_due_sk(at: DateTime<Utc>, claim: ClaimId, entry: &str) -> String {
    format!("{}#O#{claim}#{entry}", sortable(at))
}
/// Parses a due-index sort key: `<time>#C#<claim>` or `<time>#O#<claim>#<entry>`.
pub(super) fn parse_due(sk: &str) -> Result<DueWork, StoreError> {
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
        ("E", None) => Ok(DueWork::EngagementDeadline { claim, due_at: at }),
        ("O", Some(entry)) => Ok(DueWork::Outbox(OutboxRef {
            claim_id: claim,
            entry_id: entry.to_owned(),
            due_at: at,
        })),
        _ => Err(bad()),
    }
}

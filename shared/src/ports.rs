//! The ports the functions use: one small trait per capability, each with its contract
//! (idempotency, pagination, what "not found" means). The AWS adapters in `crate::aws`
//! implement them; handlers are generic over them, so they are testable without AWS.
//!
//! Futures are `Send` so a handler can run on the Lambda runtime's multi-threaded executor.

use crate::domain::effects::SOURCE as CLAIM_SOURCE;
use crate::domain::engagement::customers::PartnerCustomer;
use crate::domain::engagement::events::{EngagementEvent, SOURCE as ENGAGEMENT_SOURCE};
use crate::domain::engagement::{
    CustomerIdentifier, CustomerRecord, Due, Engagement, EngagementClaim, EngagementHistoryEntry,
    EngagementId, EngagementOutcome, EngagementStatus, PageGroup, PartnerLocation, ReferenceData,
};
use crate::domain::{
    Claim, ClaimId, DomainEvent, HistoryEntry, LocationId, LockKey, Outcome, PartnerId,
    ScheduleSpec, Status,
};
use crate::outbox::{OutboxEntry, OutboxRef};
use chrono::{DateTime, Utc};
use std::future::Future;

/// A boxed error from an adapter, kept as the source of a port error so nothing is lost.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// An infrastructure failure: the call did not succeed and may be retried. Its `Display` names
/// the operation only (safe for logs); the cause is the `source`.
#[derive(Debug, thiserror::Error)]
#[error("{operation} failed")]
pub struct Unavailable {
    pub operation: &'static str,
    #[source]
    pub source: BoxError,
}

impl Unavailable {
    pub fn new(operation: &'static str, source: impl Into<BoxError>) -> Self {
        Self {
            operation,
            source: source.into(),
        }
    }
}

/// What a stored item could not be read as (a bug or a hand-edited item, never user input).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Unavailable(#[from] Unavailable),
    #[error("stored {what} is unreadable: {message}")]
    Corrupt { what: &'static str, message: String },
}

/// A claim's version and history counter as read: what a writer expects to replace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revision {
    pub version: u64,
    pub history_seq: u64,
}

impl Revision {
    pub fn of(claim: &Claim) -> Self {
        Self {
            version: claim.version(),
            history_seq: claim.history_seq(),
        }
    }
}

/// Completes an idempotent request in the same transaction as the change it made, so a retry
/// sees the stored response if and only if the change happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyCompletion {
    pub key: IdempotencyKey,
    pub request_hash: String,
    pub response: StoredResponse,
}

/// One state change to persist: the outcome of a command on a claim read at `prior`
/// (`None` for a new claim).
#[derive(Debug, Clone, Copy)]
pub struct Commit<'a> {
    pub prior: Option<Revision>,
    pub outcome: &'a Outcome,
    /// The outbox entries for the outcome, from [`crate::outbox::entries_for`].
    pub outbox: &'a [OutboxEntry],
    pub idempotency: Option<&'a IdempotencyCompletion>,
}

/// Why a commit did not happen. Nothing was written in every case.
#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    /// Creating a claim whose ID exists.
    #[error("claim already exists")]
    AlreadyExists,
    /// The claim changed since it was read (optimistic concurrency): re-read and retry, or
    /// tell the caller (HTTP 412/409).
    #[error("claim changed since it was read (expected version {expected}, found {found:?})")]
    Stale {
        expected: u64,
        /// The version now stored, `None` if the claim is gone.
        found: Option<u64>,
    },
    /// Another claim holds these workloads or subscriptions (SPEC §5).
    #[error("{}", LockKey::describe_all(keys))]
    WorkloadTaken { keys: Vec<LockKey> },
    /// The engagement allows no more open claims for this customer (seed 004's cap).
    #[error("the customer reached the cap of open claims on engagement {engagement}")]
    CapReached { engagement: EngagementId },
    /// The partner already has an open claim for this customer on the engagement.
    #[error("you already registered this customer for engagement {engagement}")]
    AlreadyRegistered { engagement: EngagementId },
    /// The change was refused for a reason the store cannot attribute (a history or outbox
    /// item already existed: a bug, or an item written by hand).
    #[error("the change conflicts with stored data: {0}")]
    Inconsistent(String),
    /// Concurrent transactions kept colliding after retries with backoff.
    #[error("too much contention on this claim; retry")]
    Contention,
    #[error(transparent)]
    Unavailable(#[from] Unavailable),
}

pub use crate::domain::access::{ClaimQuery, ListFilter};
pub use crate::domain::listing::Listed;

/// Where the next page starts. Opaque bytes of the store's choosing; they leave the service
/// only sealed by [`crate::tokens::KeyRing::seal_cursor`] under the query's scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Continuation(pub Vec<u8>);

#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Continuation>,
}

/// Reading claims. `get` is one strongly consistent read; `None` means no such claim (the
/// caller maps it to 404, as it does another organisation's claim).
pub trait ClaimReader: Send + Sync {
    fn get(&self, id: ClaimId) -> impl Future<Output = Result<Option<Claim>, StoreError>> + Send;

    /// History entries in order, starting after `after_seq`, at most `limit`.
    fn history(
        &self,
        id: ClaimId,
        after_seq: u64,
        limit: u32,
    ) -> impl Future<Output = Result<Page<HistoryEntry>, StoreError>> + Send;

    /// The claim (`None`: no such claim) and its history page as [`ClaimReader::history`]
    /// reads it, read at once: the first page and the claim come in one request.
    fn with_history(
        &self,
        id: ClaimId,
        after_seq: u64,
        limit: u32,
    ) -> impl Future<Output = Result<(Option<Claim>, Page<HistoryEntry>), StoreError>> + Send;

    /// One page of a query. A continuation the store cannot read is `Corrupt`, never a panic.
    fn list(
        &self,
        query: &ClaimQuery,
        filter: &ListFilter,
        limit: u32,
        from: Option<&Continuation>,
    ) -> impl Future<Output = Result<Page<Listed<Continuation>>, StoreError>> + Send;
}

/// Writing claims: every state change is one transaction (claim + history + locks + outbox
/// [+ idempotency record]) or nothing.
pub trait ClaimWriter: Send + Sync {
    fn commit(&self, commit: Commit<'_>) -> impl Future<Output = Result<(), CommitError>> + Send;
}

/// Something the sweep must look at, found through the sparse due index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DueWork {
    /// A claim whose deadline has passed.
    Deadline {
        claim: ClaimId,
        due_at: DateTime<Utc>,
    },
    /// An outbox entry not delivered (or whose delivery lease ran out).
    Outbox(OutboxRef),
    /// An MCI engagement claim whose consent or submission deadline has passed.
    EngagementDeadline {
        claim: ClaimId,
        due_at: DateTime<Utc>,
    },
}

/// The outbox side of the store. Delivery is leased: an entry is delivered by whoever holds its
/// lease, and the lease is taken with a conditional write, so two sweeps never both deliver it.
pub trait OutboxStore: Send + Sync {
    /// Due work at `now`, at most `limit` items per index partition, by due time.
    fn due(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<DueWork>, StoreError>> + Send;

    /// Takes the lease on a due entry until `until`: `Some(entry)` if taken, `None` if another
    /// deliverer took it first or it was delivered meanwhile.
    fn lease(
        &self,
        entry: &OutboxRef,
        lease_id: &str,
        until: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<OutboxEntry>, StoreError>> + Send;

    /// Marks an entry delivered (it leaves the due index) if `lease_id` still holds it.
    /// Returns whether it did.
    fn delivered(
        &self,
        entry: &OutboxRef,
        lease_id: &str,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Records a failed attempt and when to try again (`None`: never again — the entry is
    /// parked as dead, out of the sweep's way, for an operator), if `lease_id` still holds it.
    fn retry_at(
        &self,
        entry: &OutboxRef,
        lease_id: &str,
        next_attempt: Option<DateTime<Utc>>,
        error: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// Which reference records to read (SPEC §9: what Microsoft's systems know).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReferenceKeys {
    pub engagements: Vec<EngagementId>,
    pub locations: Vec<LocationId>,
    pub customers: Vec<CustomerIdentifier>,
    /// Every engagement of the dataset too ([`ReferenceView::catalogue`]).
    pub catalogue: bool,
}

/// The reference records found in one dataset; one that is not there is absent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReferenceView {
    /// The dataset read (`None` before any import): a request that reads again reads from it
    /// ([`ReferenceStore::reference_in`]), so it sees one dataset however an import falls.
    pub dataset: Option<String>,
    pub engagements: Vec<Engagement>,
    pub locations: Vec<PartnerLocation>,
    pub customers: Vec<CustomerRecord>,
    /// Every engagement of the dataset, when asked for.
    pub catalogue: Vec<Engagement>,
}

impl ReferenceView {
    pub fn engagement(&self, id: &EngagementId) -> Option<&Engagement> {
        self.engagements.iter().find(|e| &e.id == id)
    }
    pub fn location(&self, id: &LocationId) -> Option<&PartnerLocation> {
        self.locations.iter().find(|l| &l.location_id == id)
    }
    pub fn customer(&self, id: &CustomerIdentifier) -> Option<&CustomerRecord> {
        self.customers.iter().find(|c| &c.identifier == id)
    }
}

/// Where an imported dataset came from: its ID is the document's SHA-256 (the same document
/// is the same dataset), `sequencer` orders the bucket's writes of the key (S3's event
/// sequencer, zero-padded), so an older document delivered late never replaces a newer one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetInfo {
    pub id: String,
    pub source: String,
    pub sequencer: String,
    pub imported_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportResult {
    /// Written and made current.
    Imported,
    /// This document is the current dataset already (a repeated event).
    AlreadyCurrent,
    /// A document written to the bucket later is current: this one is not used.
    Superseded,
}

/// The reference dataset. Readers see one whole dataset or the previous one, never a mix: a
/// dataset is written under its own ID, then made current with one conditional write.
pub trait ReferenceStore: Send + Sync {
    /// The records named by `keys` in the current dataset.
    fn reference(
        &self,
        keys: &ReferenceKeys,
    ) -> impl Future<Output = Result<ReferenceView, StoreError>> + Send;

    /// The records named by `keys` in `dataset`, one a [`ReferenceView`] of this request came
    /// from (a superseded dataset stays readable for a day).
    fn reference_in(
        &self,
        dataset: &str,
        keys: &ReferenceKeys,
    ) -> impl Future<Output = Result<ReferenceView, StoreError>> + Send;

    /// Every engagement of the current dataset.
    fn catalogue(&self) -> impl Future<Output = Result<Vec<Engagement>, StoreError>> + Send {
        async {
            let keys = ReferenceKeys {
                catalogue: true,
                ..ReferenceKeys::default()
            };
            Ok(self.reference(&keys).await?.catalogue)
        }
    }

    /// The engagements of the catalogue this process keeps — of the dataset it last found
    /// current — in catalogue order; empty when it keeps none. A guess, not a read: what a
    /// request reads on it beside the records it must check against the view it is given.
    fn kept_catalogue(&self) -> Vec<EngagementId> {
        Vec::new()
    }

    fn import(
        &self,
        data: &ReferenceData,
        dataset: &DatasetInfo,
    ) -> impl Future<Output = Result<ImportResult, StoreError>> + Send;
}

/// One engagement change to persist: the outcomes (one per claim, several for a registration)
/// read at `prior` (`None` for new claims), with their outbox entries.
#[derive(Debug, Clone, Copy)]
pub struct EngagementCommit<'a> {
    pub prior: Option<Revision>,
    pub outcomes: &'a [EngagementOutcome],
    pub outbox: &'a [OutboxEntry],
    pub idempotency: Option<&'a IdempotencyCompletion>,
}

/// How a customer stands for a registration: open claims per engagement (any partner), and
/// the partner's own record of the customer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerStanding {
    pub open_claims: Vec<usize>,
    pub partner_customer: Option<PartnerCustomer>,
}

/// Engagement claims, their history, the cap and the partner's customers.
pub trait EngagementStore: Send + Sync {
    fn engagement_claim(
        &self,
        id: ClaimId,
    ) -> impl Future<Output = Result<Option<EngagementClaim>, StoreError>> + Send;

    fn engagement_claims(
        &self,
        ids: &[ClaimId],
    ) -> impl Future<Output = Result<Vec<EngagementClaim>, StoreError>> + Send;

    /// The engagement claim (`None`: no such claim) and its history page (entries after
    /// `after_seq`, at most `limit`), read at once as [`ClaimReader::with_history`] reads a
    /// CPOR claim's.
    #[allow(clippy::type_complexity)]
    fn engagement_with_history(
        &self,
        id: ClaimId,
        after_seq: u64,
        limit: u32,
    ) -> impl Future<
        Output = Result<(Option<EngagementClaim>, Page<EngagementHistoryEntry>), StoreError>,
    > + Send;

    /// Open claims on each engagement for `customer` (any partner), and `partner`'s record.
    fn standing(
        &self,
        partner: &PartnerId,
        customer: &CustomerIdentifier,
        engagements: &[EngagementId],
    ) -> impl Future<Output = Result<CustomerStanding, StoreError>> + Send;

    /// Open claims on `engagement` for each of `customers` (any partner).
    fn open_counts(
        &self,
        engagement: &EngagementId,
        customers: &[CustomerIdentifier],
    ) -> impl Future<Output = Result<Vec<usize>, StoreError>> + Send;

    /// A page of the partner's customers, in identifier order.
    fn partner_customers(
        &self,
        partner: &PartnerId,
        limit: u32,
        from: Option<&Continuation>,
    ) -> impl Future<Output = Result<Page<PartnerCustomer>, StoreError>> + Send;

    /// A page of every partner's engagement claims in `status`, oldest submission first (a
    /// reviewer's queue).
    fn engagement_queue(
        &self,
        status: EngagementStatus,
        limit: u32,
        from: Option<&Continuation>,
    ) -> impl Future<Output = Result<Page<EngagementClaim>, StoreError>> + Send;

    /// A page of the partner's claims on `engagement` in `group`, newest first.
    fn engagement_claims_in(
        &self,
        partner: &PartnerId,
        engagement: &EngagementId,
        group: PageGroup,
        limit: u32,
        from: Option<&Continuation>,
    ) -> impl Future<Output = Result<Page<EngagementClaim>, StoreError>> + Send;

    /// One transaction: the claims, their history, the cap and slot changes, the partner's
    /// customer record, the outbox and the idempotency record — or nothing.
    fn commit_engagement(
        &self,
        commit: EngagementCommit<'_>,
    ) -> impl Future<Output = Result<(), CommitError>> + Send;
}

/// An idempotency key as the client sent it, scoped to the caller (organisation + route).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    pub scope: String,
    pub key: String,
}

/// The response a completed request returned, replayed to a retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub body: String,
}

/// What starting an idempotent request found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyStart {
    /// First time: go ahead (and complete it in the commit).
    Fresh,
    /// Done before: replay this response.
    Completed(StoredResponse),
    /// Another request with this key is still running.
    InProgress,
    /// The key was used with a different request.
    Mismatch,
}

pub trait IdempotencyStore: Send + Sync {
    /// Claims `key` for a request with this body hash, or reports what holds it. Records expire
    /// after a day, so a key can be reused after that.
    fn begin(
        &self,
        key: &IdempotencyKey,
        request_hash: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<IdempotencyStart, StoreError>> + Send;

    /// Completes a request that changed nothing (so no commit carried the completion).
    fn complete(
        &self,
        completion: &IdempotencyCompletion,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Gives the key up after a request failed without a change, so a retry can run.
    fn abandon(&self, key: &IdempotencyKey) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Metadata of a stored object, as S3 reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectMeta {
    pub size_bytes: u64,
    pub content_type: Option<String>,
    /// Base64 SHA-256, when the upload carried one.
    pub sha256_b64: Option<String>,
}

/// Why an object could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("the object is larger than {max_bytes} bytes")]
    TooLarge { max_bytes: u64 },
    #[error(transparent)]
    Unavailable(#[from] Unavailable),
}

/// A presigned request for a browser or client to perform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresignedRequest {
    pub method: String,
    pub url: String,
    /// Headers the client must send exactly as given (they are signed).
    pub headers: Vec<(String, String)>,
    pub expires_at: DateTime<Utc>,
}

/// What an upload must be, for a presigned PUT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadSpec {
    pub key: String,
    pub content_type: String,
    pub size_bytes: u64,
    pub sha256_b64: String,
}

/// PoE object storage. Presigning is local (no network call).
pub trait PoeStorage: Send + Sync {
    fn presign_upload(
        &self,
        spec: &UploadSpec,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<PresignedRequest, Unavailable>> + Send;

    fn presign_download(
        &self,
        key: &str,
        file_name: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<PresignedRequest, Unavailable>> + Send;

    /// `None` if there is no such object.
    fn head(
        &self,
        key: &str,
    ) -> impl Future<Output = Result<Option<ObjectMeta>, Unavailable>> + Send;

    /// Marks an uploaded object as attached to a submitted claim, so the lifecycle rule for
    /// uploads never attached (tag `cpor-upload=pending`, set by the presigned PUT) spares it.
    /// A missing object is success (nothing to keep).
    fn mark_attached(&self, key: &str) -> impl Future<Output = Result<(), Unavailable>> + Send;

    /// An object's bytes (`None`: no such object), refusing one larger than `max_bytes` — the
    /// reference data documents dropped under `reference/`.
    fn read(
        &self,
        key: &str,
        max_bytes: u64,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, ReadError>> + Send;

    /// `false` for [`Unwired`]: attaching is handed to the sweep.
    fn wired(&self) -> bool {
        true
    }
}

/// A rendered email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub html: String,
    pub text: String,
    /// The template, sent as a message tag (for the configuration set's metrics, and so a
    /// bounce report says which email it was).
    pub template: &'static str,
    /// The claim it is about, sent as a message tag: SES bounce and complaint reports carry
    /// it back (`email-feedback`).
    pub claim_id: Option<crate::domain::ClaimId>,
}

pub trait Mailer: Send + Sync {
    /// Sends one email; returns the provider's message ID. Not idempotent: the outbox lease is
    /// what keeps an email from going out twice.
    fn send(&self, email: &Email) -> impl Future<Output = Result<String, Unavailable>> + Send;

    /// `false` for [`Unwired`]: this function has no mail permission; its emails are handed
    /// to the sweep.
    fn wired(&self) -> bool {
        true
    }
}

/// One-time deadline schedules.
pub trait Schedules: Send + Sync {
    /// Creates the schedule; one that exists already (same deterministic name) is success.
    fn create(&self, spec: &ScheduleSpec) -> impl Future<Output = Result<(), Unavailable>> + Send;
    /// Creates an engagement claim's schedule for what is next due on it (the same rule).
    fn create_engagement(
        &self,
        claim: ClaimId,
        due: &Due,
    ) -> impl Future<Output = Result<(), Unavailable>> + Send;
    /// Deletes the schedule; one that does not exist is success.
    fn delete(&self, name: &str) -> impl Future<Output = Result<(), Unavailable>> + Send;

    fn wired(&self) -> bool {
        true
    }
}

/// An event as the bus takes it: where it comes from, its `detail-type`, its detail as JSON
/// and when it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusEvent {
    pub source: &'static str,
    pub detail_type: String,
    pub detail: String,
    pub at: DateTime<Utc>,
}

impl BusEvent {
    pub fn new(
        source: &'static str,
        detail_type: &str,
        at: DateTime<Utc>,
        detail: &impl serde::Serialize,
    ) -> Result<Self, Unavailable> {
        Ok(Self {
            source,
            detail_type: detail_type.to_owned(),
            detail: serde_json::to_string(detail)
                .map_err(|e| Unavailable::new("encode event", e))?,
            at,
        })
    }

    /// A CPOR claim's event (source `cpor.claims`).
    pub fn claim(event: &DomainEvent) -> Result<Self, Unavailable> {
        Self::new(CLAIM_SOURCE, &event.detail_type, event.at, event)
    }

    /// An MCI engagement claim's or referral's event (source `cpor.engagements`).
    pub fn engagement(event: &EngagementEvent) -> Result<Self, Unavailable> {
        Self::new(ENGAGEMENT_SOURCE, &event.detail_type, event.at, event)
    }
}

/// Publishing events on the bus.
pub trait EventPublisher: Send + Sync {
    /// Publishes the events; entries that fail are retried alone; an error means some were not
    /// published after retries (the outbox tries again later; consumers de-duplicate by ID).
    fn publish(&self, events: &[BusEvent]) -> impl Future<Output = Result<(), Unavailable>> + Send;

    fn wired(&self) -> bool {
        true
    }
}

/// A port a function does not have (and has no IAM permission for). Delivery hands its outbox
/// entries to the sweep (which has every permission) instead of failing; any other use is an
/// error naming the missing port.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unwired;

fn unwired(port: &'static str) -> Unavailable {
    Unavailable::new(port, "not wired in this function")
}

impl Mailer for Unwired {
    async fn send(&self, _: &Email) -> Result<String, Unavailable> {
        Err(unwired("mailer"))
    }
    fn wired(&self) -> bool {
        false
    }
}

impl Schedules for Unwired {
    async fn create(&self, _: &ScheduleSpec) -> Result<(), Unavailable> {
        Err(unwired("schedules"))
    }
    async fn create_engagement(&self, _: ClaimId, _: &Due) -> Result<(), Unavailable> {
        Err(unwired("schedules"))
    }
    async fn delete(&self, _: &str) -> Result<(), Unavailable> {
        Err(unwired("schedules"))
    }
    fn wired(&self) -> bool {
        false
    }
}

impl EventPublisher for Unwired {
    async fn publish(&self, _: &[BusEvent]) -> Result<(), Unavailable> {
        Err(unwired("events"))
    }
    fn wired(&self) -> bool {
        false
    }
}

impl PoeStorage for Unwired {
    async fn presign_upload(
        &self,
        _: &UploadSpec,
        _: DateTime<Utc>,
    ) -> Result<PresignedRequest, Unavailable> {
        Err(unwired("poe storage"))
    }
    async fn presign_download(
        &self,
        _: &str,
        _: &str,
        _: DateTime<Utc>,
    ) -> Result<PresignedRequest, Unavailable> {
        Err(unwired("poe storage"))
    }
    async fn head(&self, _: &str) -> Result<Option<ObjectMeta>, Unavailable> {
        Err(unwired("poe storage"))
    }
    async fn mark_attached(&self, _: &str) -> Result<(), Unavailable> {
        Err(unwired("poe storage"))
    }
    async fn read(&self, _: &str, _: u64) -> Result<Option<Vec<u8>>, ReadError> {
        Err(unwired("poe storage").into())
    }
    fn wired(&self) -> bool {
        false
    }
}

/// What a deadline schedule sends to the sweep: the claim, and the status and version
/// (generation) it was set for. A payload for a claim that has moved on does nothing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeadlinePayload {
    pub claim_id: ClaimId,
    pub status: Status,
    pub version: u64,
}

impl DeadlinePayload {
    pub fn for_schedule(spec: &ScheduleSpec) -> Self {
        Self {
            claim_id: spec.claim_id,
            status: spec.status,
            version: spec.generation,
        }
    }
}

/// Why a stored PoE object does not match its declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PoeMismatch {
    Missing,
    Size {
        declared: u64,
        stored: u64,
    },
    ContentType {
        declared: String,
        stored: Option<String>,
    },
    Checksum,
}

impl UploadSpec {
    /// What the partner must upload for this declaration: the key is generated, never taken
    /// from the client's file name.
    pub fn for_document(claim: ClaimId, doc: &crate::domain::PoeDocument) -> Self {
        use base64::Engine as _;
        Self {
            key: doc.object_key(claim),
            content_type: doc.content_type.clone(),
            size_bytes: doc.size_bytes,
            sha256_b64: base64::engine::general_purpose::STANDARD.encode(doc.sha256.as_bytes()),
        }
    }
}

impl ObjectMeta {
    /// Checks a stored object against its declaration (exists, size, type, checksum). The
    /// checksum is compared when S3 reports one; the presigned PUT already made S3 verify it.
    pub fn verify(meta: Option<&ObjectMeta>, spec: &UploadSpec) -> Result<(), PoeMismatch> {
        let meta = meta.ok_or(PoeMismatch::Missing)?;
        if meta.size_bytes != spec.size_bytes {
            return Err(PoeMismatch::Size {
                declared: spec.size_bytes,
                stored: meta.size_bytes,
            });
        }
        let stored_type = meta
            .content_type
            .as_deref()
            .map(|t| t.split(';').next().unwrap_or(t).trim().to_ascii_lowercase());
        if stored_type.as_deref() != Some(spec.content_type.as_str()) {
            return Err(PoeMismatch::ContentType {
                declared: spec.content_type.clone(),
                stored: meta.content_type.clone(),
            });
        }
        // The upload URL signs the checksum, so an upload through it always has one; an object
        // without one did not come through that URL and proves nothing.
        match &meta.sha256_b64 {
            Some(sum) if *sum == spec.sha256_b64 => Ok(()),
            _ => Err(PoeMismatch::Checksum),
        }
    }
}

//! Per-test AWS resources on the shared moto server: a fresh table (and bucket, bus, group
//! when asked), so tests never see each other's items.

use aws_config::SdkConfig;
use chrono::{DateTime, Utc};
use cpor::aws::dynamo::DynamoStore;
use cpor::domain::{Actor, Claim, ClaimId, ClaimInput, Command, DeadlinePolicy, Outcome};
use cpor::outbox::{OutboxEntry, entries_for};
use cpor::ports::{ClaimWriter, Commit, CommitError, Revision};
use cpor_tests::{moto, unique};

pub async fn config() -> SdkConfig {
    let endpoint = moto().endpoint.clone();
    cpor::aws::emulator_config(&endpoint).await
}

pub struct Db {
    pub config: SdkConfig,
    pub client: aws_sdk_dynamodb::Client,
    pub store: DynamoStore,
}

/// A store on a table of its own.
pub async fn db() -> Db {
    let config = config().await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let store = DynamoStore::new(client.clone(), unique("claims"));
    store.create_table().await.expect("create table");
    Db {
        config,
        client,
        store,
    }
}

/// Commits an outcome the way a function does (entries leased to `lease`).
pub async fn save(
    store: &DynamoStore,
    prior: Option<&Claim>,
    outcome: &Outcome,
    now: DateTime<Utc>,
) -> Result<Vec<OutboxEntry>, CommitError> {
    let entries = entries_for(outcome, now, "lease-test");
    store
        .commit(Commit {
            prior: prior.map(Revision::of),
            outcome,
            outbox: &entries,
            idempotency: None,
        })
        .await?;
    Ok(entries)
}

/// Creates and stores a draft.
pub async fn create(store: &DynamoStore, actor: &Actor, input: &ClaimInput, now: DateTime<Utc>) -> Claim {
    let outcome = Claim::create(ClaimId::generate(), actor, input, now).expect("valid draft");
    save(store, None, &outcome, now).await.expect("stored");
    outcome.claim
}

/// Handles a command on a stored claim and stores the result.
pub async fn act(
    store: &DynamoStore,
    claim: &Claim,
    actor: &Actor,
    cmd: Command,
    now: DateTime<Utc>,
) -> Result<Claim, CommitError> {
    let outcome = claim
        .handle(actor, cmd, now, &DeadlinePolicy::default())
        .expect("command allowed");
    save(store, Some(claim), &outcome, now).await?;
    Ok(outcome.claim)
}

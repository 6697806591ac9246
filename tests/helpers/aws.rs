//! Per-test AWS resources on the shared moto server — a fresh table (and bucket, bus, group
//! when asked), so tests never see each other's items — and store helpers that commit outcomes
//! the way a function does.

use super::moto::{moto, unique};
use aws_config::SdkConfig;
use chrono::{DateTime, Utc};
use cpor::aws::dynamo::DynamoStore;
use cpor::aws::events::EventBridgePublisher;
use cpor::aws::scheduler::{EventBridgeSchedules, SchedulerSettings};
use cpor::aws::ses::SesMailer;
use cpor::delivery::LinkSettings;
use cpor::domain::{Actor, Claim, ClaimId, ClaimInput, Command, DeadlinePolicy, Outcome};
use cpor::outbox::{OutboxEntry, entries_for};
use cpor::ports::{ClaimWriter, Commit, CommitError, Revision};
use cpor::testing::sequential_rounds;
use cpor::tokens::KeyRing;
use std::time::Instant;

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

/// Every item of partition `pk` of the store's table, as stored (the test's own view, not the
/// store's).
pub async fn partition_items(
    db: &Db,
    pk: &str,
) -> Vec<std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>> {
    db.client
        .query()
        .table_name(db.store.table())
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(
            ":pk",
            aws_sdk_dynamodb::types::AttributeValue::S(pk.to_owned()),
        )
        .send()
        .await
        .expect("query the partition")
        .items
        .unwrap_or_default()
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
pub async fn create(
    store: &DynamoStore,
    actor: &Actor,
    input: &ClaimInput,
    now: DateTime<Utc>,
) -> Claim {
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

/// The AWS side of delivery on moto: a sender identity and configuration set, a schedule
/// group, and a bus whose rule copies every event to a queue the test can read.
pub struct Delivery {
    pub bucket: String,
    pub s3: aws_sdk_s3::Client,
    pub sender: String,
    pub configuration_set: String,
    pub group: String,
    pub bus: String,
    pub queue_url: String,
    pub ses: aws_sdk_sesv2::Client,
    pub scheduler: aws_sdk_scheduler::Client,
    pub eventbridge: aws_sdk_eventbridge::Client,
    pub sqs: aws_sdk_sqs::Client,
}

/// Provisions them the way the local stack does (`cpor_local::provision`), with unique names.
pub async fn delivery(config: &SdkConfig) -> Delivery {
    let names = cpor_local::provision::Names::unique();
    let queue_url = cpor_local::provision::provision(config, &names)
        .await
        .unwrap_or_else(|e| panic!("provision: {e}"));
    Delivery {
        bucket: names.bucket,
        s3: aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(config)
                .force_path_style(true)
                .build(),
        ),
        sender: names.sender,
        configuration_set: names.configuration_set,
        group: names.schedule_group,
        bus: names.bus,
        queue_url,
        ses: aws_sdk_sesv2::Client::new(config),
        scheduler: aws_sdk_scheduler::Client::new(config),
        eventbridge: aws_sdk_eventbridge::Client::new(config),
        sqs: aws_sdk_sqs::Client::new(config),
    }
}

impl Delivery {
    /// A deliverer with every adapter real (on moto).
    pub fn deliverer(
        &self,
        store: &DynamoStore,
    ) -> cpor::delivery::Deliverer<
        DynamoStore,
        cpor::aws::s3::S3PoeStorage,
        SesMailer,
        EventBridgeSchedules,
        EventBridgePublisher,
    > {
        cpor::delivery::Deliverer {
            store: store.clone(),
            poe: self.poe(),
            mailer: self.mailer(),
            schedules: self.schedules(),
            events: self.events(),
            keys: Some(cpor::tokens::LiveKeys::fixed(keys())),
            links: Some(links()),
            policy: Default::default(),
            language: Default::default(),
            reviewers_email: None,
        }
    }

    pub fn poe(&self) -> cpor::aws::s3::S3PoeStorage {
        cpor::aws::s3::S3PoeStorage::new(self.s3.clone(), &self.bucket)
    }

    pub fn mailer(&self) -> SesMailer {
        SesMailer::new(
            self.ses.clone(),
            &self.sender,
            Some(self.configuration_set.clone()),
        )
    }

    pub fn schedules(&self) -> EventBridgeSchedules {
        EventBridgeSchedules::new(
            self.scheduler.clone(),
            SchedulerSettings {
                group: self.group.clone(),
                target_arn: "arn:aws:lambda:us-east-1:123456789012:function:deadline-sweep".into(),
                role_arn: "arn:aws:iam::123456789012:role/cpor-scheduler".into(),
                dead_letter_arn: None,
            },
        )
    }

    pub fn events(&self) -> EventBridgePublisher {
        EventBridgePublisher::new(self.eventbridge.clone(), &self.bus)
    }

    /// Every event delivered to the queue so far (detail IDs), draining it.
    pub async fn drain_events(&self) -> Vec<String> {
        drain_queue(&self.sqs, &self.queue_url)
            .await
            .iter()
            .map(|event| {
                event["detail"]["id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect()
    }
}

/// Every message on an SQS queue so far, as JSON (EventBridge events), draining it.
pub async fn drain_queue(sqs: &aws_sdk_sqs::Client, queue_url: &str) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    loop {
        let received = sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .send()
            .await
            .expect("receive");
        if received.messages().is_empty() {
            return out;
        }
        for m in received.messages() {
            out.push(serde_json::from_str(m.body().unwrap_or_default()).unwrap_or_default());
            sqs.delete_message()
                .queue_url(queue_url)
                .receipt_handle(m.receipt_handle().unwrap_or_default())
                .send()
                .await
                .expect("delete");
        }
    }
}

pub fn keys() -> KeyRing {
    KeyRing::parse("k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=").expect("test key")
}

pub fn links() -> LinkSettings {
    LinkSettings {
        consent_base_url: "https://api.cpor.example/consent".into(),
        portal_base_url: "https://portal.cpor.example".into(),
        consent_link_ttl: chrono::Duration::days(365),
    }
}

/// Counts the HTTP requests an SDK client sends, by operation (retries included): the round
/// trips a domain operation costs; and when each was sent and answered, to tell requests sent
/// one after another from requests sent at once.
#[derive(Debug, Clone, Default)]
pub struct RoundTrips {
    ops: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    times: std::sync::Arc<std::sync::Mutex<Vec<(Instant, Instant)>>>,
}

impl RoundTrips {
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.ops.lock().expect("not poisoned"))
    }

    /// The sequential rounds of requests since the last call ([`sequential_rounds`]).
    pub fn take_rounds(&self) -> usize {
        sequential_rounds(std::mem::take(
            &mut *self.times.lock().expect("not poisoned"),
        ))
    }
}

#[derive(Debug, Clone)]
struct SentAt(Instant);

impl aws_smithy_types::config_bag::Storable for SentAt {
    type Storer = aws_smithy_types::config_bag::StoreReplace<Self>;
}

impl aws_smithy_runtime_api::client::interceptors::Intercept for RoundTrips {
    fn name(&self) -> &'static str {
        "RoundTrips"
    }

    fn read_before_transmit(
        &self,
        _context: &aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
        cfg: &mut aws_smithy_types::config_bag::ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        let op = cfg
            .load::<aws_smithy_runtime_api::client::orchestrator::Metadata>()
            .map_or_else(|| "?".to_owned(), |m| m.name().to_owned());
        self.ops.lock().expect("not poisoned").push(op);
        cfg.interceptor_state().store_put(SentAt(Instant::now()));
        Ok(())
    }

    fn read_after_transmit(
        &self,
        _context: &aws_smithy_runtime_api::client::interceptors::context::BeforeDeserializationInterceptorContextRef<'_>,
        _runtime_components: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
        cfg: &mut aws_smithy_types::config_bag::ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        if let Some(SentAt(sent)) = cfg.load::<SentAt>() {
            let answered = Instant::now();
            self.times
                .lock()
                .expect("not poisoned")
                .push((*sent, answered));
        }
        Ok(())
    }
}

/// A store on a fresh table whose client counts its round trips.
pub async fn counted_db() -> (Db, RoundTrips) {
    let db = db().await;
    let counter = RoundTrips::default();
    let client = aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(&db.config)
            .interceptor(counter.clone())
            .build(),
    );
    let store = DynamoStore::new(client.clone(), db.store.table());
    (
        Db {
            config: db.config,
            client,
            store,
        },
        counter,
    )
}

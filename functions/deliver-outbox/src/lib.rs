//! The outbox's delivery, from the table's stream: every function that changes a claim commits
//! the change with its side effects as outbox entries and answers at once; the stream brings
//! each new entry here (an event source mapping filtered to new outbox items,
//! `cpor::functions::OUTBOX_STREAM`), and this function sends the email, creates or
//! deletes the schedule, publishes the event or tags the PoE, then marks the entry delivered.
//!
//! Stream records arrive at least once, in batches, possibly late and — across retries — out of
//! order. Each entry is taken with a conditional write before anything is sent, so a duplicate
//! record, a late one, or one the sweep got to first does nothing. A failed AWS call is not a
//! failed record: the entry is rescheduled with backoff for the sweep. Only a record whose
//! entry could not even be taken (the table did not answer) is reported as a batch item
//! failure, for Lambda to retry it (`ReportBatchItemFailures`); if those retries run out, the
//! sweep still delivers the entry when its grace ends.

use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use chrono::{DateTime, Utc};
use cpor::app::{App, Wiring};
use cpor::aws::dynamo::announced_entry;
use cpor::delivery::Delivery;
use lambda_runtime::{Error, LambdaEvent};

/// The crate, binary and Lambda function name: its row in `cpor::functions::FUNCTIONS`.
pub const NAME: &str = env!("CARGO_PKG_NAME");

/// Every adapter: it performs every kind of side effect.
pub type Wired = cpor::aws::wiring::Everything;

/// Counts for one batch (logged; asserted by tests).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchReport {
    pub delivered: u32,
    /// The side effect failed: rescheduled for the sweep.
    pub failed: u32,
    /// Taken or delivered by someone else already (a duplicate, late or reordered record).
    pub skipped: u32,
    /// Reported to Lambda as batch item failures, to be retried.
    pub retried: u32,
    /// Not a new outbox entry (the filter lets none through; counted if it ever does).
    pub ignored: u32,
    /// An outbox record whose entry does not parse: logged, not retried (a retry reads the
    /// same bytes).
    pub malformed: u32,
}

/// The outbox entry a record announces, if it is a new one.
fn announced(record: &EventRecord) -> Option<Result<cpor::outbox::OutboxRef, String>> {
    if record.event_name != "INSERT" {
        return None;
    }
    let image = &record.change.new_image;
    let attribute = |name: &str| match image.get(name) {
        Some(serde_dynamo::AttributeValue::S(value)) => Some(value.as_str()),
        _ => None,
    };
    announced_entry(attribute).map(|r| r.map_err(|e| e.to_string()))
}

/// Delivers a batch as of `now`: the response names the records Lambda should retry.
pub async fn deliver<W: Wiring>(
    app: &App<W>,
    event: &Event,
    now: DateTime<Utc>,
) -> (DynamoDbEventResponse, BatchReport) {
    let mut report = BatchReport::default();
    let mut entries = Vec::new();
    let mut sequence_numbers = Vec::new();
    for record in &event.records {
        match announced(record) {
            None => report.ignored += 1,
            Some(Err(error)) => {
                tracing::error!(event_id = %record.event_id, %error, "an outbox record that does not parse");
                report.malformed += 1;
            }
            Some(Ok(entry)) => {
                entries.push(entry);
                sequence_numbers.push(record.change.sequence_number.clone());
            }
        }
    }
    let outcomes = app.deliver_announced(&entries, now).await;
    let mut response = DynamoDbEventResponse::default();
    for ((entry, sequence_number), outcome) in entries.iter().zip(sequence_numbers).zip(outcomes) {
        match outcome {
            Ok(Delivery::Delivered) => report.delivered += 1,
            Ok(Delivery::Failed | Delivery::HandedOff) => report.failed += 1,
            Ok(Delivery::Skipped) => report.skipped += 1,
            Err(error) => {
                tracing::warn!(claim_id = %entry.claim_id, entry = %entry.entry_id, %error, "outbox entry not taken; the record is retried");
                report.retried += 1;
                let mut failure = DynamoDbBatchItemFailure::default();
                failure.item_identifier = sequence_number;
                response.batch_item_failures.push(failure);
            }
        }
    }
    tracing::info!(?report, "outbox batch");
    (response, report)
}

pub async fn handle<W: Wiring>(
    app: &App<W>,
    event: LambdaEvent<Event>,
) -> Result<DynamoDbEventResponse, Error> {
    Ok(deliver(app, &event.payload, Utc::now()).await.0)
}

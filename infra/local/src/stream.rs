//! Lambda's event source mapping for `deliver-outbox`, emulated on moto's DynamoDB Streams: the
//! local stack polls the table's stream (DescribeStream, GetShardIterator, GetRecords), keeps
//! the records the mapping's filter lets through (`cpor::functions::OUTBOX_STREAM`), and
//! invokes the function's handler with the event Lambda would send — the same
//! `aws_lambda_events` DynamoDB event, built from the same JSON — in batches of the mapping's
//! size. A batch whose response names failed records is retried from the first of them, as
//! `ReportBatchItemFailures` does, at most the mapping's retry count; then the records are
//! dropped as if sent to the on-failure queue (the sweep delivers their entries later).
//!
//! moto differs from AWS in one way that shows here: a cancelled transaction's records stay
//! in the stream (see `scripts/moto_server.py`); they name entries that were never written,
//! which the delivery skips as it skips any duplicate.

use aws_lambda_events::event::dynamodb::Event;
use aws_sdk_dynamodbstreams::types::{AttributeValue, Record, ShardIteratorType};
use base64::Engine as _;
use cpor::functions::OUTBOX_STREAM;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// The app `deliver-outbox` runs with.
pub type DeliverApp = cpor::app::App<deliver_outbox::Wired>;

/// How far the poller has got, and a bell to make it poll now. [`Progress::caught_up`] returns
/// once every record written before it was called has been handed to the function and the
/// function has answered: what the tests wait for instead of assuming a side effect exists
/// when the API answers.
#[derive(Clone)]
pub struct Progress {
    passes: watch::Receiver<u64>,
    bell: Arc<Notify>,
}

impl Progress {
    /// Waits for a whole pass over the stream that began after this call (at most `limit`).
    pub async fn caught_up(&self, limit: Duration) -> Result<(), String> {
        let mut passes = self.passes.clone();
        let start = *passes.borrow_and_update();
        self.bell.notify_one();
        let wait = async {
            while *passes.borrow_and_update() < start + 2 {
                if passes.changed().await.is_err() {
                    return Err("the stream poller stopped".to_owned());
                }
            }
            Ok(())
        };
        tokio::time::timeout(limit, wait)
            .await
            .map_err(|_| format!("the stream poller did not catch up within {limit:?}"))?
    }
}

/// Starts polling `table`'s stream for `app` every `every` (Lambda polls a shard about four
/// times a second) and whenever [`Progress::caught_up`] asks; the task runs until aborted.
pub async fn start(
    config: &aws_config::SdkConfig,
    table: &str,
    app: Arc<DeliverApp>,
    every: Duration,
) -> Result<(tokio::task::JoinHandle<()>, Progress), String> {
    let arn = aws_sdk_dynamodb::Client::new(config)
        .describe_table()
        .table_name(table)
        .send()
        .await
        .map_err(|e| format!("describe table: {e:?}"))?
        .table()
        .and_then(|t| t.latest_stream_arn())
        .ok_or("the table has no stream")?
        .to_owned();
    let (passes, progress) = watch::channel(0u64);
    let bell = Arc::new(Notify::new());
    let poller = Poller {
        streams: aws_sdk_dynamodbstreams::Client::new(config),
        arn,
        app,
        iterators: HashMap::new(),
        filter: serde_json::from_str(OUTBOX_STREAM.filter)
            .map_err(|e| format!("stream filter: {e}"))?,
    };
    let task = tokio::spawn(poller.run(passes, bell.clone(), every));
    Ok((
        task,
        Progress {
            passes: progress,
            bell,
        },
    ))
}

struct Poller {
    streams: aws_sdk_dynamodbstreams::Client,
    arn: String,
    app: Arc<DeliverApp>,
    /// Each shard's next iterator (`None` once a closed shard is exhausted).
    iterators: HashMap<String, Option<String>>,
    filter: Value,
}

impl Poller {
    async fn run(mut self, passes: watch::Sender<u64>, bell: Arc<Notify>, every: Duration) {
        loop {
            if let Err(e) = self.pass().await {
                tracing::warn!(error = %e, "stream poll failed; polling again");
            }
            passes.send_modify(|p| *p += 1);
            tokio::select! {
                _ = bell.notified() => {}
                _ = tokio::time::sleep(every) => {}
            }
        }
    }

    /// Reads every shard to its end once, handing what passes the filter to the function.
    async fn pass(&mut self) -> Result<(), String> {
        if self.iterators.is_empty() {
            let stream = self
                .streams
                .describe_stream()
                .stream_arn(&self.arn)
                .send()
                .await
                .map_err(|e| format!("describe stream: {e:?}"))?;
            for shard in stream
                .stream_description()
                .map(|d| d.shards())
                .unwrap_or_default()
            {
                let Some(id) = shard.shard_id() else { continue };
                let iterator = self
                    .streams
                    .get_shard_iterator()
                    .stream_arn(&self.arn)
                    .shard_id(id)
                    .shard_iterator_type(ShardIteratorType::TrimHorizon)
                    .send()
                    .await
                    .map_err(|e| format!("shard iterator: {e:?}"))?;
                self.iterators
                    .insert(id.to_owned(), iterator.shard_iterator().map(str::to_owned));
            }
        }
        let shards: Vec<String> = self.iterators.keys().cloned().collect();
        for id in shards {
            while let Some(Some(iterator)) = self.iterators.get(&id).cloned() {
                let out = self
                    .streams
                    .get_records()
                    .shard_iterator(iterator)
                    .limit(1000)
                    .send()
                    .await
                    .map_err(|e| format!("get records: {e:?}"))?;
                self.iterators
                    .insert(id.clone(), out.next_shard_iterator().map(str::to_owned));
                if out.records().is_empty() {
                    break;
                }
                let records: Vec<Value> = out
                    .records()
                    .iter()
                    .map(|r| lambda_record(r, &self.arn))
                    .filter(|r| matches(&self.filter, r))
                    .collect();
                for batch in records.chunks(OUTBOX_STREAM.batch_size as usize) {
                    self.invoke(batch.to_vec()).await;
                }
            }
        }
        Ok(())
    }

    /// Invokes the function with one batch, retrying failed records as Lambda does.
    async fn invoke(&self, mut batch: Vec<Value>) {
        let mut retries = 0;
        loop {
            let event: Event = match serde_json::from_value(json!({ "Records": batch })) {
                Ok(e) => e,
                Err(e) => {
                    tracing::error!(error = %e, "a stream batch Lambda's event type does not read");
                    return;
                }
            };
            self.app.refresh_keys().await;
            let (response, _) =
                deliver_outbox::deliver(&self.app, &event, chrono::Utc::now()).await;
            // Lambda checkpoints before the lowest failed sequence number and retries from it.
            let failed: Vec<&str> = response
                .batch_item_failures
                .iter()
                .filter_map(|f| f.item_identifier.as_deref())
                .collect();
            let Some(first) = batch.iter().position(|r| {
                r["dynamodb"]["SequenceNumber"]
                    .as_str()
                    .is_some_and(|s| failed.contains(&s))
            }) else {
                return;
            };
            if retries == OUTBOX_STREAM.maximum_retry_attempts {
                tracing::warn!(
                    records = batch.len() - first,
                    "stream records sent to the on-failure queue"
                );
                return;
            }
            retries += 1;
            batch.drain(..first);
        }
    }
}

/// A stream record as Lambda puts it in the event.
fn lambda_record(record: &Record, arn: &str) -> Value {
    let change = record.dynamodb();
    let image = |i: Option<&HashMap<String, AttributeValue>>| {
        Value::Object(
            i.into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), attribute(v)))
                .collect::<Map<_, _>>(),
        )
    };
    json!({
        "eventID": record.event_id(),
        "eventName": record.event_name().map(|n| n.as_str()),
        "eventVersion": record.event_version(),
        "eventSource": "aws:dynamodb",
        "awsRegion": record.aws_region(),
        "eventSourceARN": arn,
        "dynamodb": {
            "ApproximateCreationDateTime": change
                .and_then(|c| c.approximate_creation_date_time())
                .map(|t| t.as_secs_f64()),
            "Keys": image(change.and_then(|c| c.keys())),
            "NewImage": image(change.and_then(|c| c.new_image())),
            "SequenceNumber": change.and_then(|c| c.sequence_number()),
            "SizeBytes": change.and_then(|c| c.size_bytes()).unwrap_or(0),
            "StreamViewType": change.and_then(|c| c.stream_view_type()).map(|v| v.as_str()),
        }
    })
}

/// An attribute value in DynamoDB's JSON form (`{"S": "..."}`).
fn attribute(v: &AttributeValue) -> Value {
    let b64 = |b: &aws_sdk_dynamodbstreams::primitives::Blob| {
        base64::engine::general_purpose::STANDARD.encode(b.as_ref())
    };
    match v {
        AttributeValue::S(s) => json!({ "S": s }),
        AttributeValue::N(n) => json!({ "N": n }),
        AttributeValue::B(b) => json!({ "B": b64(b) }),
        AttributeValue::Bool(b) => json!({ "BOOL": b }),
        AttributeValue::Null(b) => json!({ "NULL": b }),
        AttributeValue::Ss(s) => json!({ "SS": s }),
        AttributeValue::Ns(n) => json!({ "NS": n }),
        AttributeValue::Bs(bs) => json!({ "BS": bs.iter().map(b64).collect::<Vec<_>>() }),
        AttributeValue::L(l) => json!({ "L": l.iter().map(attribute).collect::<Vec<_>>() }),
        AttributeValue::M(m) => {
            json!({ "M": m.iter().map(|(k, v)| (k.clone(), attribute(v))).collect::<Map<_, _>>() })
        }
        _ => Value::Null,
    }
}

/// Lambda's event filtering, for the patterns a mapping uses here: an object matches if each
/// of its keys matches the record's value there; a list of values matches a value equal to one
/// of them.
pub fn matches(pattern: &Value, value: &Value) -> bool {
    match pattern {
        Value::Object(fields) => fields
            .iter()
            .all(|(k, p)| value.get(k).is_some_and(|v| matches(p, v))),
        Value::Array(allowed) => allowed.contains(value),
        _ => false,
    }
}

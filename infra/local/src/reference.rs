//! The path of a reference data upload, locally as deployed: moto's bucket sends its "Object
//! Created" events to EventBridge, the rule on the default bus (the template's pattern) puts
//! those under `reference/` on a queue, and this task hands each to `import-reference-data`'s
//! handler as the rule's target would (asynchronously: a failed import stays on the queue and
//! is tried again when its visibility timeout ends).

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// The app `import-reference-data` runs with.
pub type ImportApp = cpor::app::App<import_reference_data::Wired>;

/// What the imports did, in order, as `{key, result}` JSON; tests and `make import-reference`
/// wait on it.
#[derive(Clone)]
pub struct Imports {
    done: watch::Receiver<Vec<serde_json::Value>>,
}

impl Imports {
    /// Waits (at most `limit`) for the import of `key` and returns the report of its first
    /// delivery (a redelivered event is imported again, harmlessly, and reported again).
    pub async fn of(&self, key: &str, limit: Duration) -> Result<serde_json::Value, String> {
        let mut done = self.done.clone();
        let wait = async {
            loop {
                if let Some(r) = done.borrow_and_update().iter().find(|r| r["key"] == key) {
                    return Ok(r.clone());
                }
                if done.changed().await.is_err() {
                    return Err("the reference import task stopped".to_owned());
                }
            }
        };
        tokio::time::timeout(limit, wait)
            .await
            .map_err(|_| format!("{key} was not imported within {limit:?}"))?
    }
}

/// Starts reading the queue (every 250 ms while it is empty) for `app`; runs until aborted.
pub fn start(
    config: &aws_config::SdkConfig,
    queue_url: String,
    app: Arc<ImportApp>,
) -> (tokio::task::JoinHandle<()>, Imports) {
    let sqs = aws_sdk_sqs::Client::new(config);
    let (tx, done) = watch::channel(Vec::new());
    let task = tokio::spawn(async move {
        loop {
            let received = sqs
                .receive_message()
                .queue_url(&queue_url)
                .max_number_of_messages(10)
                // no long poll: moto serves one request at a time (scripts/moto_server.py),
                // and a waiting ReceiveMessage would hold everyone else up
                .wait_time_seconds(0)
                .send()
                .await;
            let messages = match received {
                Ok(out) => out.messages.unwrap_or_default(),
                Err(e) => {
                    tracing::warn!(error = ?e, "reading the reference queue failed");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            if messages.is_empty() {
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            for m in messages {
                let event: serde_json::Value =
                    serde_json::from_str(m.body().unwrap_or_default()).unwrap_or_default();
                match import_reference_data::import(&app, &event).await {
                    Ok(report) => {
                        let report = serde_json::to_value(&report).unwrap_or_default();
                        tx.send_modify(|done| done.push(report));
                        if let Some(handle) = m.receipt_handle() {
                            let _ = sqs
                                .delete_message()
                                .queue_url(&queue_url)
                                .receipt_handle(handle)
                                .send()
                                .await;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "reference import failed; it will be retried")
                    }
                }
            }
        }
    });
    (task, Imports { done })
}

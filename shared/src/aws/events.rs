//! EventBridge publisher: one event per state change on the configured bus. The detail carries
//! the stable event ID and the per-claim sequence number (EventBridge assigns its own envelope
//! ID, so consumers de-duplicate on `detail.id`). PutEvents may fail some entries and not
//! others: only the failed ones are sent again.

use crate::ports::{BusEvent, EventPublisher, Unavailable};
use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use std::time::Duration;

/// PutEvents takes at most 10 entries.
const BATCH: usize = 10;
const ATTEMPTS: u32 = 3;

#[derive(Clone, Debug)]
pub struct EventBridgePublisher {
    client: Client,
    bus: String,
}

impl EventBridgePublisher {
    pub fn new(client: Client, bus: impl Into<String>) -> Self {
        Self {
            client,
            bus: bus.into(),
        }
    }

    fn entry(&self, event: &BusEvent) -> PutEventsRequestEntry {
        PutEventsRequestEntry::builder()
            .event_bus_name(&self.bus)
            .source(event.source)
            .detail_type(&event.detail_type)
            .detail(&event.detail)
            .time(aws_smithy_types::DateTime::from_secs(event.at.timestamp()))
            .build()
    }
}

impl EventPublisher for EventBridgePublisher {
    #[tracing::instrument(skip_all, fields(events = events.len()))]
    async fn publish(&self, events: &[BusEvent]) -> Result<(), Unavailable> {
        for chunk in events.chunks(BATCH) {
            let mut pending: Vec<PutEventsRequestEntry> =
                chunk.iter().map(|e| self.entry(e)).collect();
            let mut attempt = 0;
            while !pending.is_empty() {
                attempt += 1;
                let out = self
                    .client
                    .put_events()
                    .set_entries(Some(pending.clone()))
                    .send()
                    .await
                    .map_err(|e| Unavailable::new("put events", e))?;
                if out.failed_entry_count() == 0 {
                    break;
                }
                // Results come back in request order; keep only the entries that failed.
                let failed: Vec<_> = pending
                    .iter()
                    .zip(out.entries())
                    .filter(|(_, r)| r.error_code().is_some())
                    .map(|(e, _)| e.clone())
                    .collect();
                tracing::warn!(
                    failed = failed.len(),
                    attempt,
                    "some events were not accepted"
                );
                if attempt >= ATTEMPTS {
                    return Err(Unavailable::new(
                        "put events",
                        format!(
                            "{} entries still failing after {ATTEMPTS} attempts",
                            failed.len()
                        ),
                    ));
                }
                pending = failed;
                tokio::time::sleep(Duration::from_millis(50 << attempt)).await;
            }
        }
        Ok(())
    }
}

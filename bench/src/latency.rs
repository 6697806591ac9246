//! The latency model (`bench/latency.json`): how long each AWS operation takes in-region, at p50
//! and at p99, with the source of each figure. The loopback AWS endpoint holds each answer that
//! long, so a function's measured wall time becomes its end-to-end time as a user would feel it
//! on AWS: its own work plus its AWS calls, the sequential ones adding up, the concurrent ones
//! overlapping.

use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

pub struct Model {
    raw: Value,
}

impl Model {
    pub fn load() -> Result<Self, String> {
        let text = std::fs::read_to_string("bench/latency.json")
            .map_err(|e| format!("bench/latency.json: {e}"))?;
        let raw: Value =
            serde_json::from_str(&text).map_err(|e| format!("bench/latency.json: {e}"))?;
        Ok(Self { raw })
    }

    /// Every operation's delay at `percentile` (`"p50_ms"` or `"p99_ms"`).
    pub fn delays(&self, percentile: &str) -> HashMap<String, Duration> {
        self.raw["operations"]
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(op, v)| {
                v[percentile]
                    .as_f64()
                    .map(|ms| (op.clone(), Duration::from_secs_f64(ms / 1000.0)))
            })
            .collect()
    }

    fn ms(&self, op: &str, percentile: &str) -> f64 {
        self.raw["operations"][op][percentile]
            .as_f64()
            .unwrap_or(0.0)
    }

    /// From a submit's commit to the consent email handed to SES, through the stream: the
    /// record waits half a polling interval on average, the mapping invokes deliver-outbox,
    /// which takes the entry (UpdateItem) and sends the email (marking it delivered follows
    /// the send, so it is not part of this time).
    pub fn commit_to_email_ms(&self, percentile: &str) -> f64 {
        let stream = &self.raw["stream"];
        let poll = stream["poll_interval_ms"].as_f64().unwrap_or(250.0);
        let wait = if percentile == "p50_ms" {
            poll / 2.0
        } else {
            poll
        };
        wait + stream["invoke_ms"].as_f64().unwrap_or(0.0)
            + self.ms("dynamodb.UpdateItem", percentile)
            + self.ms("ses.SendEmail", percentile)
    }
}

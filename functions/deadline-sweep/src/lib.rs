//! The deadline sweep, invoked by EventBridge Scheduler:
//!
//! - a one-time schedule per claim deadline sends `{claimId, status, version, time}`: that
//!   claim's deadline is applied if the claim is still in that status and generation;
//! - an MCI engagement claim's one-time schedule sends `{engagementClaimId, time}`: what is due
//!   on that claim then (its reminder or its deadline), if anything, is applied;
//! - the periodic schedule sends `{time}` (or an EventBridge "Scheduled Event", which has a
//!   `time`): every due deadline in the sparse due index is applied and every outbox entry whose
//!   delivery lease ran out is delivered.
//!
//! "Now" is the event's `time`, so a sweep can be run as of any instant (`make sweep AT=...`),
//! and a late or repeated firing does what the firing at that time would have done — once.

use chrono::{DateTime, Utc};
use cpor::app::{App, SweepReport, Wiring};
use cpor::domain::{ClaimId, Status};
use cpor::ports::DeadlinePayload;
use lambda_runtime::{Error, LambdaEvent};
use serde::Serialize;
use serde_json::Value;

/// The crate, binary and Lambda function name: its row in `cpor::functions::FUNCTIONS`.
pub const NAME: &str = env!("CARGO_PKG_NAME");

/// The sweep has every adapter (and every permission): it finishes what others hand over.
pub type Wired = cpor::aws::wiring::Everything;

/// Due work handled per partition per invocation (the next run takes the rest).
pub const BATCH: u32 = 200;

#[derive(Debug, PartialEq, Eq)]
pub enum SweepRequest {
    One(DeadlinePayload),
    Engagement(ClaimId),
    Due,
}

/// Reads the event: which sweep, and as of when.
pub fn parse(event: &Value) -> Result<(SweepRequest, Option<DateTime<Utc>>), String> {
    let time = match event.get("time") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) => Some(
            DateTime::parse_from_rfc3339(t)
                .map_err(|_| format!("time: not an RFC 3339 instant: {t:?}"))?
                .with_timezone(&Utc),
        ),
        Some(other) => return Err(format!("time: expected a string, got {other}")),
    };
    if let Some(claim) = event.get("engagementClaimId") {
        let id = claim
            .as_str()
            .and_then(|c| ClaimId::parse(c).ok())
            .ok_or("engagementClaimId: not a claim ID")?;
        return Ok((SweepRequest::Engagement(id), time));
    }
    let Some(claim) = event.get("claimId") else {
        return Ok((SweepRequest::Due, time));
    };
    let claim_id = claim
        .as_str()
        .and_then(|c| ClaimId::parse(c).ok())
        .ok_or("claimId: not a claim ID")?;
    let status = event
        .get("status")
        .and_then(Value::as_str)
        .and_then(Status::parse)
        .ok_or("status: not a status code")?;
    let version = event
        .get("version")
        .and_then(Value::as_u64)
        .ok_or("version: not a number")?;
    Ok((
        SweepRequest::One(DeadlinePayload {
            claim_id,
            status,
            version,
        }),
        time,
    ))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepResult {
    pub as_of: DateTime<Utc>,
    pub deadlines_seen: u32,
    pub deadlines_applied: u32,
    pub deadlines_skipped: u32,
    pub outbox_delivered: u32,
    pub outbox_failed: u32,
    pub outbox_skipped: u32,
    pub errors: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oldest_outbox_due_seconds: Option<i64>,
}

impl SweepResult {
    fn of(as_of: DateTime<Utc>, r: SweepReport) -> Self {
        Self {
            as_of,
            deadlines_seen: r.deadlines_seen,
            deadlines_applied: r.deadlines_applied,
            deadlines_skipped: r.deadlines_skipped,
            outbox_delivered: r.outbox_delivered,
            outbox_failed: r.outbox_failed,
            outbox_skipped: r.outbox_skipped,
            errors: r.errors,
            oldest_outbox_due_seconds: r.oldest_outbox_due_seconds,
        }
    }
}

/// Runs the sweep the event asks for. A malformed event is an error (the Scheduler's retry
/// policy and dead-letter queue keep it); work that failed is left due for the next run.
pub async fn sweep<W: Wiring>(app: &App<W>, event: &Value) -> Result<SweepResult, String> {
    let (request, time) = parse(event)?;
    let now = time.unwrap_or_else(Utc::now);
    let report = match request {
        SweepRequest::One(payload) => {
            tracing::info!(claim_id = %payload.claim_id, status = %payload.status, version = payload.version, %now, "deadline fired");
            app.sweep_one(&payload, now).await
        }
        SweepRequest::Engagement(claim) => {
            tracing::info!(claim_id = %claim, %now, "engagement schedule fired");
            app.sweep_engagement(claim, now).await
        }
        SweepRequest::Due => app.sweep_due(now, BATCH).await,
    };
    Ok(SweepResult::of(now, report))
}

/// The outbox-age metric as a CloudWatch Embedded Metric Format line (Lambda's log pipeline
/// turns it into `cpor/OutboxOldestDueSeconds`; the stack alarms on it).
pub fn outbox_age_metric(result: &SweepResult, at_millis: i64) -> String {
    serde_json::json!({
        "_aws": {
            "Timestamp": at_millis,
            "CloudWatchMetrics": [{
                "Namespace": "cpor",
                "Dimensions": [[]],
                "Metrics": [{"Name": "OutboxOldestDueSeconds", "Unit": "Seconds"}]
            }]
        },
        "OutboxOldestDueSeconds": result.oldest_outbox_due_seconds.unwrap_or(0)
    })
    .to_string()
}

pub async fn handle<W: Wiring>(
    app: &App<W>,
    event: LambdaEvent<Value>,
) -> Result<SweepResult, Error> {
    let result = sweep(app, &event.payload).await.map_err(|e| {
        tracing::error!(error = %e, "bad sweep event");
        Error::from(e)
    })?;
    println!(
        "{}",
        outbox_age_metric(&result, Utc::now().timestamp_millis())
    );
    Ok(result)
}

//! EventBridge Scheduler adapter: one one-time schedule per claim deadline, named
//! deterministically (claim, status, generation), targeting the sweep function with a payload
//! that names the claim and the status and version it expects; for an MCI engagement claim, one
//! per next due time (`mci-<claim>-consent|remind|submit`) naming the claim only. Creating an existing schedule
//! and deleting a missing one are success, so deliveries can be retried freely.

use crate::domain::engagement::Due;
use crate::domain::{ClaimId, ScheduleSpec};
use crate::ports::{DeadlinePayload, Schedules, Unavailable};
use aws_sdk_scheduler::Client;
use aws_sdk_scheduler::operation::create_schedule::CreateScheduleError;
use aws_sdk_scheduler::operation::delete_schedule::DeleteScheduleError;
use aws_sdk_scheduler::types::{
    ActionAfterCompletion, DeadLetterConfig, FlexibleTimeWindow, FlexibleTimeWindowMode,
    RetryPolicy, Target,
};
use chrono::{DateTime, Duration, Timelike, Utc};

/// Where schedules go and what they invoke.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchedulerSettings {
    pub group: String,
    /// The deadline-sweep function's ARN.
    pub target_arn: String,
    /// The role Scheduler assumes to invoke it.
    pub role_arn: String,
    /// A queue for invocations that keep failing.
    pub dead_letter_arn: Option<String>,
}

#[derive(Clone, Debug)]
pub struct EventBridgeSchedules {
    client: Client,
    settings: SchedulerSettings,
}

impl EventBridgeSchedules {
    pub fn new(client: Client, settings: SchedulerSettings) -> Self {
        Self { client, settings }
    }
}

/// The sweep's input: the claim, the status and version the deadline was set for, and the
/// scheduled time (filled in by Scheduler), which the sweep uses as "now".
pub fn schedule_input(spec: &ScheduleSpec) -> Result<String, Unavailable> {
    let mut value = serde_json::to_value(DeadlinePayload::for_schedule(spec))
        .map_err(|e| Unavailable::new("encode schedule payload", e))?;
    if let Some(map) = value.as_object_mut() {
        map.insert(
            "time".into(),
            serde_json::Value::String("<aws.scheduler.scheduled-time>".into()),
        );
    }
    Ok(value.to_string())
}

/// `at(...)` has whole-second precision: round up, so a schedule never fires before the
/// deadline (the domain would only skip it as not yet due).
pub fn at_expression(due: DateTime<Utc>) -> String {
    let whole = due.with_nanosecond(0).unwrap_or(due);
    let fire = if whole < due {
        whole + Duration::seconds(1)
    } else {
        whole
    };
    format!("at({})", fire.format("%Y-%m-%dT%H:%M:%S"))
}

fn build<T>(r: Result<T, aws_sdk_scheduler::error::BuildError>) -> Result<T, Unavailable> {
    r.map_err(|e| Unavailable::new("build schedule", e))
}

/// An engagement claim's schedule input: the claim, and the scheduled time as "now" (what is
/// due is decided on the claim as it then is).
pub fn engagement_schedule_input(claim: ClaimId) -> String {
    serde_json::json!({
        "engagementClaimId": claim,
        "time": "<aws.scheduler.scheduled-time>",
    })
    .to_string()
}

impl EventBridgeSchedules {
    /// Creates the one-time schedule `name` at `due_at` sending `payload` to the sweep.
    async fn create_at(
        &self,
        name: &str,
        due_at: DateTime<Utc>,
        payload: String,
    ) -> Result<(), Unavailable> {
        let mut target = Target::builder()
            .arn(&self.settings.target_arn)
            .role_arn(&self.settings.role_arn)
            .input(payload)
            .retry_policy(
                RetryPolicy::builder()
                    .maximum_event_age_in_seconds(86_400)
                    .maximum_retry_attempts(10)
                    .build(),
            );
        if let Some(dlq) = &self.settings.dead_letter_arn {
            target = target.dead_letter_config(DeadLetterConfig::builder().arn(dlq).build());
        }
        let result = self
            .client
            .create_schedule()
            .name(name)
            .group_name(&self.settings.group)
            .schedule_expression(at_expression(due_at))
            .schedule_expression_timezone("UTC")
            .flexible_time_window(build(
                FlexibleTimeWindow::builder()
                    .mode(FlexibleTimeWindowMode::Off)
                    .build(),
            )?)
            .target(build(target.build())?)
            .action_after_completion(ActionAfterCompletion::Delete)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e)
                if matches!(
                    e.as_service_error(),
                    Some(CreateScheduleError::ConflictException(_))
                ) =>
            {
                tracing::debug!("schedule exists already");
                Ok(())
            }
            Err(e) => Err(Unavailable::new("create schedule", e)),
        }
    }
}

impl Schedules for EventBridgeSchedules {
    #[tracing::instrument(skip_all, fields(schedule = %spec.name))]
    async fn create(&self, spec: &ScheduleSpec) -> Result<(), Unavailable> {
        self.create_at(&spec.name, spec.due_at, schedule_input(spec)?)
            .await
    }

    #[tracing::instrument(skip_all, fields(schedule = %due.schedule))]
    async fn create_engagement(&self, claim: ClaimId, due: &Due) -> Result<(), Unavailable> {
        self.create_at(&due.schedule, due.at, engagement_schedule_input(claim))
            .await
    }

    #[tracing::instrument(skip_all, fields(schedule = %name))]
    async fn delete(&self, name: &str) -> Result<(), Unavailable> {
        let result = self
            .client
            .delete_schedule()
            .name(name)
            .group_name(&self.settings.group)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e)
                if matches!(
                    e.as_service_error(),
                    Some(DeleteScheduleError::ResourceNotFoundException(_))
                ) =>
            {
                Ok(())
            }
            Err(e) => Err(Unavailable::new("delete schedule", e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn at_expression_never_fires_early() {
        let exact = Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap();
        assert_eq!(at_expression(exact), "at(2026-11-30T09:00:00)");
        let fraction = exact + Duration::milliseconds(1);
        assert_eq!(at_expression(fraction), "at(2026-11-30T09:00:01)");
    }
}

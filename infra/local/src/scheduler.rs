//! EventBridge Scheduler's one-time schedules, fired locally. moto stores the schedules the
//! delivery creates (name, `at(...)` expression, target input) but runs none; [`fire_due`]
//! does what Scheduler would by `until`: every schedule of the stack's group whose time has
//! come is sent to the sweep with its own input — the scheduled time filled in where Scheduler
//! fills it — then deleted, as `ActionAfterCompletion: DELETE` does.

use chrono::{DateTime, NaiveDateTime, Utc};

/// One schedule fired: its name, when it was due, and what the sweep reported.
#[derive(Debug)]
pub struct Fired {
    pub name: String,
    pub at: DateTime<Utc>,
    pub result: Result<deadline_sweep::SweepResult, String>,
}

/// Fires, in time order, the schedules of `group` due by `until`.
pub async fn fire_due(
    config: &aws_config::SdkConfig,
    group: &str,
    app: &crate::functions::SweepApp,
    until: DateTime<Utc>,
) -> Result<Vec<Fired>, String> {
    let client = aws_sdk_scheduler::Client::new(config);
    let mut due = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .list_schedules()
            .group_name(group)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| format!("list schedules: {e:?}"))?;
        for summary in page.schedules() {
            let Some(name) = summary.name() else { continue };
            let schedule = client
                .get_schedule()
                .group_name(group)
                .name(name)
                .send()
                .await
                .map_err(|e| format!("get schedule {name}: {e:?}"))?;
            let at = schedule.schedule_expression().and_then(one_time);
            let input = schedule.target().and_then(|t| t.input());
            if let (Some(at), Some(input)) = (at, input) {
                if at <= until {
                    due.push((at, name.to_owned(), input.to_owned()));
                }
            }
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    due.sort();
    let mut fired = Vec::new();
    for (at, name, input) in due {
        let input = input.replace("<aws.scheduler.scheduled-time>", &at.to_rfc3339());
        let result = match serde_json::from_str(&input) {
            Ok(event) => {
                app.refresh_keys().await;
                deadline_sweep::sweep(app, &event).await
            }
            Err(e) => Err(format!("schedule input: {e}")),
        };
        client
            .delete_schedule()
            .group_name(group)
            .name(&name)
            .send()
            .await
            .map_err(|e| format!("delete schedule {name}: {e:?}"))?;
        fired.push(Fired { name, at, result });
    }
    Ok(fired)
}

/// The instant of a one-time expression, `at(2026-11-30T09:00:00)` in UTC.
fn one_time(expression: &str) -> Option<DateTime<Utc>> {
    let inner = expression.strip_prefix("at(")?.strip_suffix(')')?;
    NaiveDateTime::parse_from_str(inner, "%Y-%m-%dT%H:%M:%S")
        .ok()
        .map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_time_expressions_read_as_utc_instants() {
        assert_eq!(
            super::one_time("at(2026-11-30T09:00:00)").map(|t| t.to_rfc3339()),
            Some("2026-11-30T09:00:00+00:00".to_owned())
        );
        assert_eq!(super::one_time("rate(5 minutes)"), None);
    }
}

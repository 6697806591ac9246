//! Completing a decided step: everything a change implies is derived from the claim before and
//! after it — version, deadline, history entry, event, notifications, workload holds and the
//! deadline schedule — never patched by hand per command.

use super::*;
use crate::domain::effects::{Association, BreachRef, EVENT_SCHEMA_VERSION};

impl Claim {
    /// Completes a step: version, deadline, history, event, notifications, holds, schedules.
    pub(super) fn finish(
        &self,
        mut step: Step,
        actor: &Actor,
        now: DateTime<Utc>,
        policy: &DeadlinePolicy,
    ) -> Outcome {
        let next = &mut step.next;
        if actor.kind() == lifecycle::ActorKind::Reviewer && next.awaiting_reviewer {
            // A reviewer acted: nothing waits for them any more.
            next.awaiting_reviewer = false;
            step.changes_claim = true;
        }
        if step.changes_claim {
            next.version = self.version + 1;
            next.updated_at = now;
        }
        if next.status != self.status {
            next.deadline = DeadlineKind::for_status(next.status).map(|kind| Deadline {
                kind,
                due_at: kind.span(policy).after(&policy.calendar, now),
                generation: next.version,
                breached_at: None,
            });
            next.decision_sla = DecisionSla::after(
                self.decision_sla.as_ref(),
                self.status,
                next.status,
                now,
                next.version,
                policy,
            );
        }
        next.history_seq = self.history_seq + 1;
        let due = next.deadline.as_ref().map(|d| d.due_at);
        let opt_out_until = next.deadline_for(Status::Approved);
        let notifications = step
            .notifications
            .into_iter()
            .map(|kind| match kind {
                // Dates that depend on the new deadline are filled in here.
                NotificationKind::CustomerConsent {
                    stage: ConsentStage::Approved,
                    ..
                } => NotificationKind::CustomerConsent {
                    stage: ConsentStage::Approved,
                    opt_out_until,
                },
                NotificationKind::PartnerApproved { .. } => NotificationKind::PartnerApproved {
                    opt_out_until: opt_out_until.unwrap_or(now),
                },
                NotificationKind::PartnerActionRequired {
                    reasons, comment, ..
                } => NotificationKind::PartnerActionRequired {
                    reasons,
                    comment,
                    respond_by: due.unwrap_or(now),
                },
                NotificationKind::PartnerRejected {
                    reasons, comment, ..
                } => NotificationKind::PartnerRejected {
                    reasons,
                    comment,
                    dispute_by: next.deadline_for(Status::Rejected),
                },
                other => other,
            })
            .enumerate()
            .map(|(i, kind)| {
                let to = match kind {
                    NotificationKind::CustomerConsent { .. } => {
                        Recipient::Contact(next.content.customer_contact().email.clone())
                    }
                    NotificationKind::PartnerCommented { .. } => {
                        Recipient::Role(RecipientRole::Reviewers)
                    }
                    _ => Recipient::Contact(next.content.partner_contact().email.clone()),
                };
                Notification {
                    id: format!("{}-h{}-{i}", next.id, next.history_seq),
                    claim_id: next.id,
                    to,
                    kind,
                }
            })
            .collect();
        let entry = HistoryEntry {
            seq: next.history_seq,
            at: now,
            actor: actor.reference(),
            action: step.action,
            from: Some(self.status),
            to: next.status,
            reasons: step.reasons,
            comment: step.comment,
            changed_fields: step.changed_fields,
            poe_ids: step.poe_ids,
        };
        let events = if step.changes_claim {
            let breaches =
                &next.sla_breaches[self.sla_breaches.len().min(next.sla_breaches.len())..];
            let mut event = next.event(step.action, Some(self.status), now);
            event.sla_breaches = breaches
                .iter()
                .map(|b| BreachRef {
                    kind: b.kind,
                    due_at: b.due_at,
                })
                .collect();
            vec![event]
        } else {
            Vec::new()
        };
        let locks = LockDelta::between(
            &held_keys(self.status, &self.content),
            &held_keys(next.status, &next.content),
        );
        let schedule = ScheduleChange::between(self.pending_schedule(), next.pending_schedule());
        Outcome {
            claim: step.next,
            write: if step.changes_claim {
                Write::Update
            } else {
                Write::AppendHistory
            },
            skipped: None,
            history: vec![entry],
            events,
            notifications,
            locks,
            schedule,
        }
    }

    pub(super) fn event(
        &self,
        action: Action,
        from: Option<Status>,
        now: DateTime<Utc>,
    ) -> DomainEvent {
        let c = &self.content;
        DomainEvent {
            schema_version: EVENT_SCHEMA_VERSION,
            id: format!("{}-v{}", self.id, self.version),
            detail_type: detail_type(action, self.status).to_owned(),
            claim_id: self.id,
            partner_id: self.partner_id.clone(),
            sequence: self.version,
            at: now,
            action,
            from,
            to: self.status,
            reasons: self
                .status_reason
                .as_ref()
                .map(|r| r.codes.clone())
                .unwrap_or_default(),
            association: Some(Association {
                partner_id: self.partner_id.clone(),
                partner_name: self.partner_name().to_owned(),
                partner_location_id: c.partner_location_id().clone(),
                tenant_id: c.customer().tenant_id,
                domain: c.customer().domain.clone(),
                solution_area: c.solution_area(),
                partner_role: c.partner_role(),
                products: c.products().to_vec(),
                purchase_channel: c.purchase_channel(),
                incentive_opt_out: c.incentive_opt_out(),
                revenue_details: c.revenue_details().cloned(),
            }),
            sla_breaches: Vec::new(),
        }
    }

    /// The due instant of the current deadline, if the claim is in `status`.
    pub(super) fn deadline_for(&self, status: Status) -> Option<DateTime<Utc>> {
        self.deadline
            .as_ref()
            .filter(|_| self.status == status)
            .map(|d| d.due_at)
    }
}

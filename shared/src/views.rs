//! What the API returns: JSON views of claims, PoE documents, history and pages (camelCase;
//! statuses, reasons and roles as snake_case codes). Built from the domain, never stored.

use crate::domain::{Claim, ClaimInput, DeadlinePolicy, PoeDocument, Reason, Status};
use crate::i18n::Text;
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PoeView {
    pub poe_id: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: u64,
    pub sha256: String,
    pub added_at: DateTime<Utc>,
    /// When a submission, resubmission or dispute first stood on it: from then on it cannot be
    /// removed (null while it may be).
    pub submitted_at: Option<DateTime<Utc>>,
}

impl PoeView {
    pub fn of(doc: &PoeDocument) -> Self {
        Self {
            poe_id: doc.id.to_string(),
            file_name: doc.file_name.to_string(),
            content_type: doc.content_type.clone(),
            size_bytes: doc.size_bytes,
            sha256: doc.sha256.to_hex(),
            added_at: doc.added_at,
            submitted_at: doc.submitted_at,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct StatusReasonView {
    pub codes: Vec<Reason>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Each code's seed 003 name and meaning, in the reader's language.
    pub reasons: Vec<ReasonView>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ReasonView {
    pub code: Reason,
    pub label: String,
    pub description: String,
}

/// A claim as `GET /claims/{id}` returns it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ClaimView {
    pub id: String,
    pub partner_id: String,
    /// The organisation's display name (the partner ID when the creating token had none).
    pub partner_name: String,
    pub status: Status,
    /// The status by its seed 003 name, in the reader's language (`Accept-Language`).
    pub status_label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<StatusReasonView>,
    /// The current deadline (review start, decision, partner response, opt-out, dispute).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<crate::domain::DeadlineKind>,
    /// Seed 003's overall SLA: a decision is due by then (10 business days after submission
    /// plus the time spent waiting for the partner), while one is awaited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision_due_at: Option<DateTime<Utc>>,
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<DateTime<Utc>>,
    #[serde(flatten)]
    pub content: ClaimInput,
    pub poe: Vec<PoeView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent: Option<crate::domain::ConsentDecision>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sla_breaches: Vec<crate::domain::SlaBreach>,
    /// A partner's comment waits for a reviewer's answer or action.
    pub awaiting_reviewer: bool,
}

impl ClaimView {
    /// The view, its labels written by `t` with the spans of `policy`.
    pub fn of(claim: &Claim, t: &Text, policy: &DeadlinePolicy) -> Self {
        Self {
            id: claim.id().to_string(),
            partner_id: claim.partner_id().to_string(),
            partner_name: claim.partner_name().to_owned(),
            status: claim.status(),
            status_label: t.status(claim.status()),
            status_reason: claim.status_reason().map(|r| StatusReasonView {
                codes: r.codes.clone(),
                comment: r.comment.as_ref().map(ToString::to_string),
                reasons: r
                    .codes
                    .iter()
                    .map(|code| ReasonView {
                        code: *code,
                        label: t.reason(*code),
                        description: t.reason_description(*code, policy),
                    })
                    .collect(),
            }),
            due_at: claim.due_at(),
            deadline: claim.deadline().map(|d| d.kind),
            decision_due_at: claim.decision_due_at(),
            version: claim.version(),
            created_at: claim.created_at(),
            updated_at: claim.updated_at(),
            submitted_at: claim.submitted_at(),
            content: claim.content().to_input(),
            poe: claim.poe().iter().map(PoeView::of).collect(),
            consent: claim.consent().map(|c| c.decision),
            sla_breaches: claim.sla_breaches().to_vec(),
            awaiting_reviewer: claim.awaiting_reviewer(),
        }
    }
}

/// One page of a list.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "openapi", schemars(rename = "PageOf{T}"))]
pub struct PageView<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

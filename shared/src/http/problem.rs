//! `application/problem+json` (RFC 9457) responses, and the one place where an operation's
//! failure becomes an HTTP status. 5xx bodies are opaque; their cause is logged at the edge
//! (`crate::http::finish`).

use crate::app::Failure;
use crate::domain::access::AccessError;
use crate::domain::engagement::{Assessment, EngagementError, EngagementId};
use crate::domain::{CommandError, FieldError};
use lambda_http::{Body, Response};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Problem {
    /// The problem type's slug; sent as `type: "/problems/<slug>"`.
    #[serde(rename = "type", serialize_with = "type_uri")]
    #[cfg_attr(feature = "openapi", schemars(with = "String"))]
    pub kind: &'static str,
    pub title: &'static str,
    pub status: u16,
    pub detail: Box<str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// A member naming what the refusal is about (RFC 9457 extension), if any.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub extension: Option<Box<Extension>>,
    /// What failed underneath a 5xx, for the log line at the edge; never sent.
    #[serde(skip)]
    pub cause: Option<Box<str>>,
    /// Seconds to wait before asking again (429), sent as `Retry-After`.
    #[serde(skip)]
    pub retry_after: Option<u32>,
}

/// A problem's extension member: its name is the variant's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub enum Extension {
    /// The workloads another partner holds (409 on submit), never the partner.
    Workloads(Vec<String>),
    /// Each engagement refused at registration with its reasons (409).
    Engagements(Vec<Assessment>),
    /// The engagement a cap or an existing registration refers to (409).
    EngagementId(EngagementId),
}

fn type_uri<S: serde::Serializer>(slug: &&'static str, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&format_args!("/problems/{slug}"))
}

impl Problem {
    pub fn new(
        status: u16,
        slug: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            kind: slug,
            title,
            status,
            detail: detail.into().into_boxed_str(),
            errors: Vec::new(),
            extension: None,
            cause: None,
            retry_after: None,
        }
    }

    pub fn invalid(field: &str, message: &str) -> Self {
        let mut p = Self::new(
            400,
            "validation",
            "Invalid request",
            format!("{field}: {message}"),
        );
        p.errors.push(FieldError {
            field: field.to_owned(),
            message: message.to_owned(),
        });
        p
    }

    pub fn unauthorized() -> Self {
        Self::new(
            401,
            "unauthorized",
            "Unauthorized",
            "a valid bearer token is required",
        )
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(403, "forbidden", "Forbidden", detail)
    }

    pub fn not_found() -> Self {
        Failure::NotFound.into()
    }

    pub fn too_large(max: usize) -> Self {
        Self::new(
            413,
            "too-large",
            "Request body too large",
            format!("the body must be at most {max} bytes"),
        )
    }

    pub fn unsupported_media_type(expected: &str) -> Self {
        Self::new(
            415,
            "unsupported-media-type",
            "Unsupported media type",
            format!("send Content-Type: {expected}"),
        )
    }

    pub fn precondition_required() -> Self {
        Self::new(
            428,
            "precondition-required",
            "If-Match required",
            "send If-Match with the ETag of the claim you read, so a concurrent change is not overwritten",
        )
    }

    pub fn into_response(self) -> Response<Body> {
        let body = serde_json::to_string(&self).unwrap_or_default();
        let mut response = Response::builder()
            .status(self.status)
            .header("content-type", "application/problem+json")
            .header("cache-control", "no-store");
        if let Some(seconds) = self.retry_after {
            response = response.header("retry-after", seconds);
        }
        response.body(Body::Text(body)).unwrap_or_default()
    }
}

impl From<Failure> for Problem {
    fn from(f: Failure) -> Self {
        let status = f.status();
        let detail = f.to_string();
        let (slug, title) = match &f {
            Failure::NotFound => ("not-found", "Claim not found"),
            Failure::PoeNotFound => ("not-found", "Document not found"),
            Failure::Invalid(_) => ("validation", "Invalid request"),
            Failure::Refused(e) => refusal(e),
            Failure::Engagement(e) => engagement_refusal(e),
            Failure::CapReached { .. } => ("cap-reached", "Customer cap reached"),
            Failure::AlreadyRegistered { .. } => ("already-registered", "Already registered"),
            Failure::PreconditionFailed { .. } => ("precondition-failed", "The claim changed"),
            Failure::WorkloadTaken { .. } => ("workload-taken", "Workload already associated"),
            Failure::PoeMismatch { .. } => ("proof-of-execution", "Upload does not match"),
            Failure::Busy => ("busy", "Concurrent change"),
            Failure::IdempotencyInProgress => ("idempotency-in-progress", "Request in progress"),
            Failure::IdempotencyMismatch => ("idempotency-mismatch", "Idempotency key reused"),
            Failure::ConsentLinkInvalid => ("consent-link", "Link not valid"),
            Failure::ConsentLinkExpired => ("consent-link", "Link expired"),
            Failure::Unavailable(_) => ("internal", "Internal error"),
        };
        let mut p = Self::new(status, slug, title, detail);
        p.retry_after = f.retry_after_seconds();
        match f {
            Failure::Invalid(errors) => p.errors = errors.0,
            Failure::WorkloadTaken { keys } => {
                p.extension = Some(Box::new(Extension::Workloads(
                    keys.iter().map(|k| k.storage_key()).collect(),
                )));
            }
            Failure::Engagement(EngagementError::NotEligible(refused)) => {
                p.extension = Some(Box::new(Extension::Engagements(refused)));
            }
            Failure::CapReached { engagement } | Failure::AlreadyRegistered { engagement } => {
                p.extension = Some(Box::new(Extension::EngagementId(engagement)));
            }
            Failure::Unavailable(_) => {
                p.cause = Some(f.chain().into());
                p.detail =
                    "something went wrong on our side; it has been logged, retry later".into();
            }
            _ => {}
        }
        p
    }
}

/// The type and title of a command the domain refused. Not-found and invalid input never
/// arrive here: `Failure::from(CommandError)` turns them into their own variants.
fn refusal(e: &CommandError) -> (&'static str, &'static str) {
    match e {
        CommandError::Access(AccessError::Forbidden(_)) => ("forbidden", "Forbidden"),
        CommandError::NotAllowed { .. } => ("transition-not-allowed", "Not allowed in this status"),
        CommandError::NotEditable { .. } => ("not-editable", "Field not editable in this status"),
        CommandError::PoeRequired
        | CommandError::PoeNotUploaded { .. }
        | CommandError::TooManyPoe { .. } => ("proof-of-execution", "Proof of execution"),
        CommandError::PoeSubmitted { .. } => ("poe-submitted", "Part of a submission"),
        CommandError::PoeNotFound { .. } => ("not-found", "Document not found"),
        CommandError::PoeUploaded { .. } => ("poe-uploaded", "Already uploaded"),
        CommandError::DisputeWindowClosed { .. } => {
            ("dispute-window-closed", "Dispute window closed")
        }
        CommandError::TooSoon { .. } => ("too-many-requests", "Asked too often"),
        CommandError::Access(AccessError::NotFound) => ("not-found", "Claim not found"),
        CommandError::Invalid(_) => ("validation", "Invalid request"),
    }
}

/// The type and title of an engagement operation the domain refused.
fn engagement_refusal(e: &EngagementError) -> (&'static str, &'static str) {
    match e {
        EngagementError::Access(AccessError::Forbidden(_)) => ("forbidden", "Forbidden"),
        EngagementError::Access(AccessError::NotFound) => ("not-found", "Claim not found"),
        EngagementError::Invalid(_) => ("validation", "Invalid request"),
        EngagementError::Unresolvable(_) => ("unresolvable-identifier", "Identifier not resolved"),
        EngagementError::NotEligible(_) => ("not-eligible", "Not eligible"),
        EngagementError::CustomerNotKnown => ("customer-not-known", "Customer not known"),
        EngagementError::NotAllowed { .. } => {
            ("transition-not-allowed", "Not allowed in this status")
        }
        EngagementError::TooSoon { .. } => ("too-many-requests", "Asked too often"),
        EngagementError::DeadlinePassed { .. } => ("deadline-passed", "Deadline passed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_are_opaque_and_keep_their_cause_for_the_log() {
        let cause = crate::ports::Unavailable::new("get claim", "table cpor-prod missing");
        let p = Problem::from(Failure::from(crate::ports::StoreError::from(cause)));
        assert_eq!(p.status, 500);
        assert!(!p.detail.contains("cpor-prod"));
        let body = serde_json::to_string(&p).unwrap();
        assert!(
            !body.contains("cpor-prod") && !body.contains("cause"),
            "{body}"
        );
        let logged = p.cause.as_deref().unwrap_or_default();
        assert!(
            logged.contains("get claim") && logged.contains("table cpor-prod missing"),
            "{logged}"
        );
    }

    #[test]
    fn every_failure_answers_the_status_it_names() {
        let cases: Vec<(Failure, u16)> = vec![
            (Failure::NotFound, 404),
            (Failure::Invalid(Default::default()), 400),
            (
                Failure::from(CommandError::Access(AccessError::Forbidden(
                    crate::domain::Capability::Dispute,
                ))),
                403,
            ),
            (
                Failure::from(CommandError::Access(AccessError::NotFound)),
                404,
            ),
            (Failure::from(CommandError::PoeRequired), 409),
            (Failure::ConsentLinkExpired, 410),
            (
                Failure::PreconditionFailed {
                    expected: 1,
                    current: 2,
                },
                412,
            ),
            (Failure::IdempotencyMismatch, 422),
        ];
        for (f, status) in cases {
            let p = Problem::from(f);
            assert_eq!(p.status, status, "{}", p.detail);
            assert!(p.cause.is_none());
        }
    }

    #[test]
    fn a_taken_workload_names_the_workload_not_the_partner() {
        let key = crate::domain::LockKey::Subscription {
            subscription: crate::domain::SubscriptionId::parse(crate::testing::SUB_1).unwrap(),
        };
        let p = Problem::from(Failure::WorkloadTaken { keys: vec![key] });
        assert_eq!(p.status, 409);
        assert_eq!(
            serde_json::to_value(&p).unwrap()["workloads"],
            serde_json::json!([format!("SUB#{}", crate::testing::SUB_1)])
        );
        assert!(p.detail.contains("already associated with another partner"));
    }
}

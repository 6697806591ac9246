//! `application/problem+json` (RFC 9457) responses, and the one place where an operation's
//! failure becomes an HTTP status. 5xx bodies are opaque; the cause is logged where it happened.

use crate::app::Failure;
use crate::domain::access::AccessError;
use crate::domain::{CommandError, FieldError};
use lambda_http::{Body, Response};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The workloads another partner holds (409 on submit), never the partner.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub workloads: Vec<String>,
}

impl Problem {
    pub fn new(status: u16, slug: &str, title: &'static str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("/problems/{slug}"),
            title,
            status,
            detail: detail.into(),
            errors: Vec::new(),
            workloads: Vec::new(),
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
        Response::builder()
            .status(self.status)
            .header("content-type", "application/problem+json")
            .header("cache-control", "no-store")
            .body(Body::Text(body))
            .unwrap_or_default()
    }
}

impl From<Failure> for Problem {
    fn from(f: Failure) -> Self {
        let detail = f.to_string();
        match f {
            Failure::NotFound => Self::new(404, "not-found", "Claim not found", detail),
            Failure::PoeNotFound => Self::new(404, "not-found", "Document not found", detail),
            Failure::Invalid(errors) => {
                let mut p = Self::new(400, "validation", "Invalid request", detail);
                p.errors = errors.0;
                p
            }
            Failure::Refused(e) => match e {
                CommandError::Access(AccessError::Forbidden(_)) => Self::forbidden(detail),
                CommandError::Access(AccessError::NotFound) => {
                    Self::new(404, "not-found", "Claim not found", detail)
                }
                CommandError::Invalid(errors) => {
                    let mut p = Self::new(400, "validation", "Invalid request", detail);
                    p.errors = errors.0;
                    p
                }
                CommandError::NotAllowed { .. } => Self::new(
                    409,
                    "transition-not-allowed",
                    "Not allowed in this status",
                    detail,
                ),
                CommandError::NotEditable { .. } => Self::new(
                    409,
                    "not-editable",
                    "Field not editable in this status",
                    detail,
                ),
                CommandError::PoeRequired
                | CommandError::PoeNotUploaded { .. }
                | CommandError::TooManyPoe { .. } => {
                    Self::new(409, "proof-of-execution", "Proof of execution", detail)
                }
                CommandError::DisputeWindowClosed { .. } => Self::new(
                    409,
                    "dispute-window-closed",
                    "Dispute window closed",
                    detail,
                ),
                CommandError::ConsentAlreadyDeclined => {
                    Self::new(409, "consent-declined", "Already declined", detail)
                }
            },
            Failure::PreconditionFailed { .. } => {
                Self::new(412, "precondition-failed", "The claim changed", detail)
            }
            Failure::WorkloadTaken { keys } => {
                let mut p = Self::new(409, "workload-taken", "Workload already associated", detail);
                p.workloads = keys.iter().map(|k| k.storage_key()).collect();
                p
            }
            Failure::PoeMismatch { .. } => {
                Self::new(409, "proof-of-execution", "Upload does not match", detail)
            }
            Failure::Busy => Self::new(409, "busy", "Concurrent change", detail),
            Failure::IdempotencyInProgress => Self::new(
                409,
                "idempotency-in-progress",
                "Request in progress",
                detail,
            ),
            Failure::IdempotencyMismatch => Self::new(
                422,
                "idempotency-mismatch",
                "Idempotency key reused",
                detail,
            ),
            Failure::ConsentLinkInvalid => Self::new(404, "consent-link", "Link not valid", detail),
            Failure::ConsentLinkExpired => Self::new(410, "consent-link", "Link expired", detail),
            Failure::Unavailable(_) => Self::new(
                500,
                "internal",
                "Internal error",
                "something went wrong on our side; it has been logged, retry later",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_are_opaque() {
        let p = Problem::from(Failure::Unavailable(
            "dynamodb: table cpor-prod missing".into(),
        ));
        assert_eq!(p.status, 500);
        assert!(!p.detail.contains("cpor-prod"));
    }

    #[test]
    fn a_taken_workload_names_the_workload_not_the_partner() {
        let key = crate::domain::LockKey::Subscription {
            subscription: crate::domain::SubscriptionId::parse(crate::testing::SUB_1).unwrap(),
        };
        let p = Problem::from(Failure::WorkloadTaken { keys: vec![key] });
        assert_eq!(p.status, 409);
        assert_eq!(p.workloads, vec![format!("SUB#{}", crate::testing::SUB_1)]);
        assert!(p.detail.contains("already associated with another partner"));
    }
}

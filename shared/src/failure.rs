//! Why an operation did not happen: one enum for every operation, built from the domain's
//! refusals and the ports' errors, and mapped to HTTP in one place (`crate::http::problem`).

use crate::domain::access::AccessError;
use crate::domain::engagement::{EngagementError, EngagementId};
use crate::domain::{CommandError, LockKey, PoeId, ValidationErrors};
use crate::ports::{BoxError, CommitError, StoreError, Unavailable};
use crate::tokens::TokenError;

/// Why an operation did not happen. Mapped to HTTP in one place (`crate::http::problem`).
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// No such claim, or another organisation's (indistinguishable on purpose).
    #[error("claim not found")]
    NotFound,
    #[error("proof of execution document not found")]
    PoeNotFound,
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
    #[error(transparent)]
    Refused(CommandError),
    /// An MCI engagement operation the domain refused.
    #[error(transparent)]
    Engagement(EngagementError),
    #[error("the customer reached the cap of open claims on engagement {engagement}")]
    CapReached { engagement: EngagementId },
    #[error("you already have an open claim for this customer on engagement {engagement}")]
    AlreadyRegistered { engagement: EngagementId },
    #[error("the claim changed: you sent version {expected}, it is now at version {current}")]
    PreconditionFailed { expected: u64, current: u64 },
    #[error("{}", LockKey::describe_all(keys))]
    WorkloadTaken { keys: Vec<LockKey> },
    #[error("proof of execution {poe_id} does not match its upload: {mismatch}")]
    PoeMismatch { poe_id: PoeId, mismatch: String },
    #[error("the claim is being changed by someone else; retry")]
    Busy,
    #[error("a request with this Idempotency-Key is still being processed")]
    IdempotencyInProgress,
    #[error("this Idempotency-Key was used with a different request")]
    IdempotencyMismatch,
    #[error("this consent link is not valid")]
    ConsentLinkInvalid,
    #[error("this consent link has expired")]
    ConsentLinkExpired,
    /// An infrastructure failure. The cause is kept for the one log line at the edge
    /// (`crate::http::finish`, the sweep's report); the caller only learns that it happened.
    #[error("unavailable: {0}")]
    Unavailable(#[source] BoxError),
}

impl From<CommandError> for Failure {
    fn from(e: CommandError) -> Self {
        match e {
            CommandError::Access(AccessError::NotFound) => Self::NotFound,
            CommandError::PoeNotFound { .. } => Self::PoeNotFound,
            CommandError::Invalid(v) => Self::Invalid(v),
            other => Self::Refused(other),
        }
    }
}

impl From<EngagementError> for Failure {
    fn from(e: EngagementError) -> Self {
        match e {
            EngagementError::Access(AccessError::NotFound) => Self::NotFound,
            EngagementError::Invalid(v) => Self::Invalid(v),
            other => Self::Engagement(other),
        }
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Self::Unavailable(Box::new(e))
    }
}

impl From<Unavailable> for Failure {
    fn from(e: Unavailable) -> Self {
        Self::Unavailable(Box::new(e))
    }
}

impl From<TokenError> for Failure {
    fn from(e: TokenError) -> Self {
        match e {
            TokenError::Expired => Self::ConsentLinkExpired,
            TokenError::Invalid => Self::ConsentLinkInvalid,
        }
    }
}

impl Failure {
    /// The HTTP status this failure is answered with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Invalid(_) => 400,
            Self::Refused(CommandError::Access(AccessError::Forbidden(_)))
            | Self::Engagement(EngagementError::Access(AccessError::Forbidden(_))) => 403,
            Self::Engagement(EngagementError::Unresolvable(_)) => 422,
            Self::NotFound | Self::PoeNotFound | Self::ConsentLinkInvalid => 404,
            Self::Refused(CommandError::TooSoon { .. })
            | Self::Engagement(EngagementError::TooSoon { .. }) => 429,
            Self::Refused(_)
            | Self::Engagement(_)
            | Self::CapReached { .. }
            | Self::AlreadyRegistered { .. }
            | Self::WorkloadTaken { .. }
            | Self::PoeMismatch { .. }
            | Self::Busy
            | Self::IdempotencyInProgress => 409,
            Self::ConsentLinkExpired => 410,
            Self::PreconditionFailed { .. } => 412,
            Self::IdempotencyMismatch => 422,
            Self::Unavailable(_) => 500,
        }
    }

    /// For a 429: how long to wait, in whole seconds (at least 1), counted from the clock here.
    pub fn retry_after_seconds(&self) -> Option<u32> {
        match self {
            Self::Refused(CommandError::TooSoon { retry_after })
            | Self::Engagement(EngagementError::TooSoon { retry_after }) => Some(
                u32::try_from((*retry_after - chrono::Utc::now()).num_seconds())
                    .unwrap_or(0)
                    .max(1),
            ),
            _ => None,
        }
    }

    /// The failure and every cause below it, for a log line.
    pub fn chain(&self) -> String {
        let mut out = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(c) = cause {
            out.push_str(": ");
            out.push_str(&c.to_string());
            cause = c.source();
        }
        out
    }
}

pub(crate) fn commit_failure(e: CommitError) -> Failure {
    match e {
        CommitError::WorkloadTaken { keys } => Failure::WorkloadTaken { keys },
        CommitError::CapReached { engagement } => Failure::CapReached { engagement },
        CommitError::AlreadyRegistered { engagement } => Failure::AlreadyRegistered { engagement },
        CommitError::Stale { .. } | CommitError::Contention => Failure::Busy,
        CommitError::AlreadyExists => Failure::Unavailable("claim ID collision".into()),
        CommitError::Inconsistent(m) => {
            Failure::Unavailable(format!("store inconsistency: {m}").into())
        }
        CommitError::Unavailable(u) => u.into(),
    }
}

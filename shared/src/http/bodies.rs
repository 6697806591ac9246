//! The request bodies of the claim routes that are not claim content: what the functions parse
//! and what the OpenAPI document describes (`cpor::openapi`), written once. Text fields are
//! `Option<String>` here and checked into domain values at the edge, so a missing or bad one is
//! a problem naming the field, never a serde error.

use crate::domain::{Acknowledgements, Reason};
use serde::Deserialize;

/// `POST /claims/{id}/submit`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SubmitBody {
    #[serde(default)]
    pub acknowledgements: Acknowledgements,
    pub comment: Option<String>,
}

/// What a reviewer does (`POST /claims/{id}/review`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub enum ReviewAction {
    Start,
    Approve,
    Reject,
    RequestInfo,
}

/// `POST /claims/{id}/review`: reason codes for `reject` and `request_info`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ReviewBody {
    pub action: ReviewAction,
    #[serde(default)]
    pub reasons: Vec<Reason>,
    pub comment: Option<String>,
}

/// `POST /claims/{id}/comments`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CommentBody {
    pub text: Option<String>,
}

/// `POST /claims/{id}/withdraw` and `/disassociate`: the partner's reason.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ReasonBody {
    pub reason: Option<String>,
}

/// `POST /claims/{id}/dispute`: a business justification and/or the PoE it stands on.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DisputeBody {
    pub justification: Option<String>,
    #[serde(default)]
    pub poe_ids: Vec<String>,
}

//! The HTTP edge of the MCI engagement routes: path parameters, responses with their ETag and
//! `Location`, and the change routes' common shape (`If-Match`, `Idempotency-Key`).

use super::{Begun, Problem, begin_idempotent, if_match, json_with_etag, now, settle};
use crate::app::{App, Wiring};
use crate::domain::engagement::{
    EngagementClaim, EngagementError, EngagementId, EngagementOutcome,
};
use crate::domain::{Actor, ClaimId};
use crate::ports::StoredResponse;
use lambda_http::{Body, Request, Response};

/// The `{engagementId}` path parameter (a malformed one is 404: no such engagement).
pub fn engagement_id(req: &Request) -> Result<EngagementId, Problem> {
    super::path_param(req, "engagementId")
        .and_then(|id| EngagementId::parse(id).ok())
        .ok_or_else(|| {
            Problem::new(
                404,
                "not-found",
                "Engagement not found",
                "no such engagement",
            )
        })
}

/// An engagement claim as the API shows it: the claim, its referral linked by ID
/// (`referral: {id, type, …}`, the `GET /referrals/{id}` it opens — the claim's own ID).
pub fn claim_view(claim: &EngagementClaim) -> serde_json::Value {
    let mut view = serde_json::to_value(claim).unwrap_or_default();
    if let Some(referral) = view.get_mut("referral").and_then(|r| r.as_object_mut()) {
        referral.insert("id".into(), serde_json::json!(claim.id()));
    }
    view
}

/// An engagement claim with its version as ETag (and `Location` when created).
pub fn claim_response(status: u16, claim: &EngagementClaim) -> Response<Body> {
    let mut resp = json_with_etag(status, &claim_view(claim), claim.version());
    if status == 201 {
        if let Ok(v) = format!("/engagement-claims/{}", claim.id()).parse() {
            resp.headers_mut().insert("location", v);
        }
    }
    resp
}

/// A registration's answer: `{claims: [..]}`.
pub fn registration_body(claims: &[EngagementClaim]) -> serde_json::Value {
    let claims: Vec<serde_json::Value> = claims.iter().map(claim_view).collect();
    serde_json::json!({ "claims": claims })
}

/// A change to one engagement claim (`PATCH`, `DELETE`): `If-Match` honoured (412 on a
/// concurrent change; required on `PATCH`, 428 without, as on a CPOR claim's edit),
/// `Idempotency-Key` honoured, the claim (200, with its ETag) as the answer.
pub async fn run_change<W: Wiring, F>(
    app: &App<W>,
    req: &Request,
    actor: &Actor,
    id: ClaimId,
    decide: F,
) -> Result<Response<Body>, Problem>
where
    F: Fn(&EngagementClaim) -> Result<EngagementOutcome, EngagementError> + Send + Sync,
{
    let now = now(req);
    let expected = if_match(req, req.method() == lambda_http::http::Method::PATCH)?;
    let respond = |claims: &[EngagementClaim]| StoredResponse {
        status: 200,
        body: claims
            .first()
            .map(|c| claim_view(c).to_string())
            .unwrap_or_default(),
    };
    let idem = match begin_idempotent(app, req, actor, now, &respond).await? {
        Begun::Run(idem) => idem,
        Begun::Replay(response) => return Ok(response),
    };
    let result = app
        .change_engagement_claim(actor, id, expected, idem.as_ref(), now, decide)
        .await;
    let claim = settle(app, idem.as_ref(), result).await?;
    Ok(claim_response(200, &claim))
}

//! `GET /consent/{token}` and `POST /consent/{token}` — the customer's consent page.
//!
//! Email security scanners open links on delivery, so GET never changes anything: it shows the
//! partner, the workloads, what the partner will see (usage and seats only) and the deadline,
//! with keep/decline buttons (a plain HTML form, no JavaScript). POST (`decision=keep` or
//! `decision=decline`) records the decision and shows a receipt; the link shows that decision
//! from then on. Everything shown is escaped.

mod page;

use cpor::app::{App, Failure, Wiring};
use cpor::aws::dynamo::DynamoStore;
use cpor::aws::events::EventBridgePublisher;
use cpor::aws::scheduler::EventBridgeSchedules;
use cpor::aws::ses::SesMailer;
use cpor::aws::wiring::Wire;
use cpor::domain::{CommandError, ConsentDecision};
use cpor::http::{self, Body, Request, Response};
use cpor::ports::Unwired;

/// The crate, binary and Lambda function name: its row in `cpor::functions::FUNCTIONS`.
pub const NAME: &str = env!("CARGO_PKG_NAME");

/// The adapters this function uses and has IAM permissions for; the rest are unwired.
pub type Wired = Wire<DynamoStore, Unwired, SesMailer, EventBridgeSchedules, EventBridgePublisher>;

pub async fn handle<W: Wiring>(app: &App<W>, req: Request) -> Response<Body> {
    let response = run(app, &req).await;
    tracing::info!(
        function = NAME,
        method = %req.method(),
        status = response.status().as_u16(),
        "request done"
    );
    response
}

async fn run<W: Wiring>(app: &App<W>, req: &Request) -> Response<Body> {
    let Some(token) = http::path_param(req, "token") else {
        return http::html(404, page::problem(&Failure::ConsentLinkInvalid));
    };
    let now = http::now(req);
    if req.method() == "POST" {
        let decision = match decision(http::body_bytes(req)) {
            Some(d) => d,
            None => {
                return http::html(
                    400,
                    page::message(
                        "Choose keep or decline",
                        "The form did not say which. Go back and press one of the buttons.",
                    ),
                );
            }
        };
        return match app.consent_decide(token, decision, now).await {
            Ok(done) => http::html(200, page::receipt(&done.claim)),
            Err(Failure::Refused(CommandError::ConsentAlreadyDeclined)) => {
                match app.consent_claim(token, now).await {
                    Ok((_, claim)) => http::html(200, page::receipt(&claim)),
                    Err(e) => failure(&e),
                }
            }
            Err(Failure::Refused(CommandError::NotAllowed { .. })) => {
                match app.consent_claim(token, now).await {
                    Ok((_, claim)) => http::html(409, page::closed(&claim)),
                    Err(e) => failure(&e),
                }
            }
            Err(e) => failure(&e),
        };
    }
    match app.consent_claim(token, now).await {
        Ok((grant, claim)) => http::html(200, page::view(&claim, grant.expires_at)),
        Err(e) => failure(&e),
    }
}

/// A page for what went wrong: the link's own problems by their status, anything else 500
/// (logged with its cause; the customer sees "try again later").
fn failure(e: &Failure) -> Response<Body> {
    let status = match e {
        Failure::ConsentLinkExpired
        | Failure::ConsentLinkInvalid
        | Failure::NotFound
        | Failure::Busy => e.status(),
        other => {
            tracing::error!(function = NAME, cause = %other.chain(), "consent page failed");
            500
        }
    };
    http::html(status, page::problem(e))
}

/// `decision=keep` or `decision=decline` from the posted form. Parsed by hand on purpose:
/// `lambda_http`'s form payload parser (serde_urlencoded) adds about 20 KB to this binary to
/// read one field whose two values are plain ASCII words that no browser encodes.
pub fn decision(body: &[u8]) -> Option<ConsentDecision> {
    let body = std::str::from_utf8(body).ok()?;
    body.split('&').find_map(|pair| match pair.split_once('=') {
        Some(("decision", "keep")) => Some(ConsentDecision::Keep),
        Some(("decision", "decline")) => Some(ConsentDecision::Decline),
        _ => None,
    })
}

//! `GET /consent/{token}` and `POST /consent/{token}` — the customer's consent page.
//!
//! Email security scanners open links on delivery, so GET never changes anything: it shows the
//! partner, the workloads, what the partner will see (usage and seats only) and the deadline,
//! with keep/decline buttons (a plain HTML form, no JavaScript). POST (`decision=keep` or
//! `decision=decline`) records the decision and shows a receipt; the link shows where the
//! request stands from then on. An expired link's page offers to email a fresh link to the
//! contact on file (`request=link`; within the per-claim send limits; it reveals no address). Everything
//! shown is escaped. Pages are in the customer's
//! language (en, es, fr, ja), chosen by `?lang=`, the contact's language, then the browser's.
//! An MCI engagement claim's link (seed 004, opt-in) opens its own page: accept or decline.

mod engagement;
mod page;

use cpor::app::{App, Failure, Wiring};
use cpor::aws::dynamo::DynamoStore;
use cpor::aws::wiring::Wire;
use cpor::domain::{Claim, CommandError, ConsentDecision, Language, LanguageTag};
use cpor::http::{self, Body, Request, Response};
use cpor::i18n::Text;
use cpor::ports::Unwired;

/// The crate, binary and Lambda function name: its row in `cpor::functions::FUNCTIONS`.
pub const NAME: &str = env!("CARGO_PKG_NAME");

/// The adapters this function uses and has IAM permissions for; the rest are unwired.
pub type Wired = Wire<DynamoStore, Unwired, Unwired, Unwired, Unwired>;

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

/// The page's language: `?lang=`, then the language the customer contact named, then the
/// browser's `Accept-Language`, then `CPOR_DEFAULT_LANGUAGE`.
pub fn language<W: Wiring>(app: &App<W>, req: &Request, claim: Option<&Claim>) -> Language {
    http::query_param(req, "lang")
        .and_then(|l| l.parse::<Language>().ok())
        .or_else(|| {
            claim.and_then(|c| {
                c.content()
                    .customer_contact()
                    .language
                    .as_ref()
                    .map(LanguageTag::language)
            })
        })
        .or_else(|| http::accept_language(req))
        .unwrap_or(app.language)
}

async fn run<W: Wiring>(app: &App<W>, req: &Request) -> Response<Body> {
    let text = |claim: Option<&Claim>| {
        let lang = language(app, req, claim);
        Text::new(lang, app.policy.calendar.time_zone())
    };
    let page = |status: u16, t: Text, html: String| http::html(status, html, t.lang());
    let Some(token) = http::path_param(req, "token") else {
        let t = text(None);
        return page(404, t, page::problem(&t, &Failure::ConsentLinkInvalid));
    };
    // An MCI engagement's link (accept or decline) has its own page.
    let engagement_link = app.keys().is_ok_and(|keys| {
        matches!(
            keys.open_any_consent(token),
            Ok((cpor::tokens::ConsentKind::Engagement, _))
        )
    });
    if engagement_link {
        return engagement::run(app, req, token).await;
    }
    let now = http::now(req);
    if req.method() == "POST" && asks_for_link(http::body_bytes(req)) {
        return match app.consent_fresh_link(token, now).await {
            Ok(done) => {
                let t = text(Some(&done.claim));
                page(
                    202,
                    t,
                    page::message(&t, "page-fresh-sent-title", "page-fresh-sent-text"),
                )
            }
            Err(e @ Failure::Refused(CommandError::TooSoon { .. })) => {
                let t = text(app.consent_claim_expired(token).await.as_ref());
                let mut r = page(
                    429,
                    t,
                    page::message(&t, "page-fresh-sent-title", "page-fresh-wait-text"),
                );
                if let Some(s) = e
                    .retry_after_seconds()
                    .and_then(|s| s.to_string().parse().ok())
                {
                    r.headers_mut().insert("retry-after", s);
                }
                r
            }
            Err(Failure::Refused(CommandError::NotAllowed { .. })) => {
                match app.consent_claim_expired(token).await {
                    Some(claim) => {
                        let t = text(Some(&claim));
                        page(409, t, page::closed(&t, &claim))
                    }
                    None => failure(&text(None), &Failure::ConsentLinkInvalid),
                }
            }
            Err(e) => failure(&text(None), &e),
        };
    }
    if req.method() == "POST" {
        let Some(decision) = decision(http::body_bytes(req)) else {
            let t = text(None);
            return page(
                400,
                t,
                page::message(&t, "page-choose-title", "page-choose-text"),
            );
        };
        return match app.consent_decide(token, decision, now).await {
            Ok(done) => {
                let t = text(Some(&done.claim));
                page(200, t, page::receipt(&t, &done.claim))
            }
            Err(Failure::Refused(CommandError::NotAllowed { .. })) => {
                match app.consent_claim(token, now).await {
                    Ok((_, claim)) => {
                        let t = text(Some(&claim));
                        page(409, t, page::closed(&t, &claim))
                    }
                    Err(e) => failure(&text(None), &e),
                }
            }
            Err(e) => failure(&text(None), &e),
        };
    }
    match app.consent_claim(token, now).await {
        Ok((grant, claim)) => {
            let t = text(Some(&claim));
            page(200, t, page::view(&t, &claim, grant.expires_at))
        }
        Err(Failure::ConsentLinkExpired) => {
            // In the customer's language when the genuine link names a claim we still have.
            let t = text(app.consent_claim_expired(token).await.as_ref());
            page(410, t, page::expired(&t))
        }
        Err(e) => failure(&text(None), &e),
    }
}

/// `request=link`: the expired link's page asks for a fresh link.
pub fn asks_for_link(body: &[u8]) -> bool {
    std::str::from_utf8(body).is_ok_and(|b| b.split('&').any(|pair| pair == "request=link"))
}

/// A page for what went wrong: the link's own problems by their status, anything else 500
/// (logged with its cause; the customer sees "try again later").
fn failure(t: &Text, e: &Failure) -> Response<Body> {
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
    http::html(status, page::problem(t, e), t.lang())
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

//! The consent page of an MCI engagement claim (seed 004: **opt-in**): the same link machinery
//! and page conventions as a CPOR claim's — GET changes nothing, POST decides and shows a
//! receipt, a replay shows where the request stands — but the customer **accepts** or
//! **declines** taking part, and the page says what accepting means. The link names an
//! engagement claim (its token is sealed for engagements: a CPOR link never opens here).

use crate::page::{layout, status_line};
use chrono::{DateTime, Utc};
use cpor::app::{App, Failure, Wiring};
use cpor::domain::engagement::{EngagementClaim, EngagementError, EngagementStatus};
use cpor::domain::{Language, LanguageTag};
use cpor::http::{self, Body, Request, Response};
use cpor::i18n::Text;
use cpor::mail::escape_html as e;
use std::fmt::Write as _;

/// `?lang=`, then the customer contact's language, then `Accept-Language`, then the default.
fn language<W: Wiring>(app: &App<W>, req: &Request, claim: Option<&EngagementClaim>) -> Language {
    http::query_param(req, "lang")
        .and_then(|l| l.parse::<Language>().ok())
        .or_else(|| {
            claim.and_then(|c| {
                c.customer_contact()
                    .language
                    .as_ref()
                    .map(LanguageTag::language)
            })
        })
        .or_else(|| http::accept_language(req))
        .unwrap_or(app.language)
}

/// `decision=accept` or `decision=decline` from the posted form.
pub fn decision(body: &[u8]) -> Option<bool> {
    let body = std::str::from_utf8(body).ok()?;
    body.split('&').find_map(|pair| match pair.split_once('=') {
        Some(("decision", "accept")) => Some(true),
        Some(("decision", "decline")) => Some(false),
        _ => None,
    })
}

pub async fn run<W: Wiring>(app: &App<W>, req: &Request, token: &str) -> Response<Body> {
    let now = http::now(req);
    let page = |claim: Option<&EngagementClaim>, status: u16, html: &dyn Fn(&Text) -> String| {
        let t = Text::new(language(app, req, claim), app.policy.calendar.time_zone());
        http::html(status, html(&t), t.lang())
    };
    if req.method() == "POST" {
        let Some(accept) = decision(http::body_bytes(req)) else {
            return page(None, 400, &|t| {
                crate::page::message(t, "page-choose-title", "page-choose-text")
            });
        };
        return match app.engagement_consent_decide(token, accept, now).await {
            Ok(claim) => page(Some(&claim), 200, &|t| receipt(t, &claim)),
            Err(Failure::Engagement(
                EngagementError::NotAllowed { .. } | EngagementError::DeadlinePassed { .. },
            )) => match app.engagement_consent_claim(token, None).await {
                Ok((_, claim)) => page(Some(&claim), 409, &|t| closed(t, &claim)),
                Err(f) => failure(app, req, &f),
            },
            Err(f) => failure(app, req, &f),
        };
    }
    match app.engagement_consent_claim(token, Some(now)).await {
        Ok((grant, claim)) => page(Some(&claim), 200, &|t| {
            view(t, &claim, grant.expires_at, now)
        }),
        Err(Failure::ConsentLinkExpired) => {
            let claim = app
                .engagement_consent_claim(token, None)
                .await
                .ok()
                .map(|(_, c)| c);
            page(claim.as_ref(), 410, &|t| {
                crate::page::message(
                    t,
                    "engagement-page-expired-title",
                    "engagement-page-expired-text",
                )
            })
        }
        Err(f) => failure(app, req, &f),
    }
}

fn failure<W: Wiring>(app: &App<W>, req: &Request, f: &Failure) -> Response<Body> {
    let t = Text::new(language(app, req, None), app.policy.calendar.time_zone());
    let status = match f {
        Failure::ConsentLinkInvalid | Failure::NotFound | Failure::Busy => f.status(),
        other => {
            tracing::error!(function = crate::NAME, cause = %other.chain(), "engagement consent page failed");
            500
        }
    };
    http::html(status, crate::page::problem(&t, f), t.lang())
}

/// Who asks, what for, what accepting means, by when.
fn summary(t: &Text, c: &EngagementClaim, out: &mut String) {
    let partner = c
        .partner_name()
        .map_or_else(|| c.partner_id().to_string(), ToString::to_string);
    let args = [
        ("partner", partner.as_str().into()),
        ("customer", c.customer().to_string().into()),
        ("engagement", c.engagement_name().as_str().into()),
        ("date", t.date(c.consent_due_at()).into()),
    ];
    let contact = c.partner_contact();
    let _ = write!(
        out,
        "<p>{}</p><p>{}</p><p>{}</p>",
        e(&t.with("engagement-consent-ask", &args)),
        e(&t.with("engagement-consent-means", &args)),
        e(&t.with(
            "consent-partner-contact",
            &[
                ("name", contact.name.as_str().into()),
                ("email", contact.email.as_str().into()),
            ],
        )),
    );
}

/// Where the request stands; the form while the customer's answer is awaited.
fn state(t: &Text, c: &EngagementClaim, now: DateTime<Utc>, out: &mut String) {
    match c.status() {
        EngagementStatus::ConsentRequested if now < c.consent_due_at() => {
            let partner = c
                .partner_name()
                .map_or_else(|| c.partner_id().to_string(), ToString::to_string);
            let _ = write!(
                out,
                "<p>{}</p><form method=\"post\"><fieldset><legend>{}</legend>\
                 <button type=\"submit\" name=\"decision\" value=\"accept\">{}</button>\
                 <button type=\"submit\" name=\"decision\" value=\"decline\" class=\"decline\">{}</button>\
                 </fieldset></form>",
                e(&t.with(
                    "engagement-consent-by",
                    &[
                        ("date", t.date(c.consent_due_at()).into()),
                        ("partner", partner.as_str().into())
                    ]
                )),
                e(&t.get("engagement-page-question")),
                e(&t.get("engagement-page-accept")),
                e(&t.get("engagement-page-decline")),
            );
        }
        EngagementStatus::Declined => status_line(out, &t.get("engagement-page-declined")),
        EngagementStatus::Consented
        | EngagementStatus::Submitted
        | EngagementStatus::Completed
        | EngagementStatus::SubmissionExpired
        | EngagementStatus::RejectedFinal => status_line(out, &t.get("engagement-page-accepted")),
        _ => status_line(out, &t.get("engagement-page-closed")),
    }
}

fn view(t: &Text, c: &EngagementClaim, link_expires: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let title = t.get("engagement-consent-title");
    let mut body = format!("<h1>{}</h1>", e(&title));
    summary(t, c, &mut body);
    state(t, c, now, &mut body);
    let _ = write!(
        body,
        "<p><small>{}</small></p>",
        e(&t.with("page-valid-until", &[("date", t.date(link_expires).into())]))
    );
    layout(t, &title, &body)
}

fn receipt(t: &Text, c: &EngagementClaim) -> String {
    let title = t.get("page-thanks");
    let mut body = format!("<h1>{}</h1>", e(&title));
    state(t, c, c.updated_at(), &mut body);
    summary(t, c, &mut body);
    layout(t, &title, &body)
}

fn closed(t: &Text, c: &EngagementClaim) -> String {
    let title = t.get("page-not-recorded");
    let mut body = format!("<h1>{}</h1>", e(&title));
    state(t, c, c.updated_at(), &mut body);
    summary(t, c, &mut body);
    layout(t, &title, &body)
}

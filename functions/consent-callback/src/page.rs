//! The consent pages: HTML without JavaScript, accessible (a language, a main landmark,
//! headings, one labelled form), in the customer's language with links to the others, every
//! value escaped. What a page says comes from the claim's current status, never from a
//! recorded decision alone.

use chrono::{DateTime, Utc};
use cpor::app::Failure;
use cpor::domain::{Claim, ConsentDecision, Language, Reason, Status};
use cpor::i18n::Text;
use cpor::mail::{customer_line, escape_html as e, product_line};
use std::fmt::Write as _;

pub(crate) fn layout(t: &Text, title: &str, body: &str) -> String {
    let lang = t.lang();
    let mut nav = String::new();
    for other in Language::ALL.into_iter().filter(|l| *l != lang) {
        let name = Text::new(other, Default::default()).get("lang-name");
        let _ = write!(
            nav,
            "<li><a href=\"?lang={code}\" lang=\"{code}\" hreflang=\"{code}\">{}</a></li>",
            e(&name),
            code = other.code()
        );
    }
    format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b;background:#fff}}\
         button{{font-size:1rem;padding:.6rem 1.2rem;margin:.3rem .5rem .3rem 0;border:1px solid #1b1b1b;border-radius:4px;background:#fff;color:#1b1b1b}}\
         .decline{{background:#a4001c;color:#fff;border-color:#a4001c}}\
         nav ul{{list-style:none;padding:0;display:flex;gap:1rem}} a{{color:#0b57d0}}</style></head>\
         <body><header><nav aria-label=\"{}\"><ul>{nav}</ul></nav></header><main>{body}</main></body></html>",
        lang.code(),
        e(title),
        e(&t.get("languages")),
    )
}

/// Who asks, for which customer, which services, and what the partner would see.
fn summary(t: &Text, claim: &Claim, out: &mut String) {
    let c = claim.content();
    let customer = c.customer();
    let partner = claim.partner_name();
    let domain = customer.domain.as_ref().map(|d| d.as_str());
    let _ = write!(
        out,
        "<p>{}</p><p>{}</p><ul>",
        e(&t.with("consent-why", &[("partner", partner.into())])),
        e(&t.with(
            "consent-claim",
            &[
                ("partner", partner.into()),
                (
                    "customer",
                    customer_line(t, &customer.tenant_id.to_string(), domain).into()
                ),
                ("claim", c.name().as_str().into()),
            ],
        ))
    );
    for p in c.products() {
        let sub = p.subscription_id.map(|s| s.to_string());
        let _ = write!(
            out,
            "<li>{}</li>",
            e(&product_line(t, p.product.display_name(), sub.as_deref()))
        );
    }
    let contact = c.partner_contact();
    let _ = write!(
        out,
        "</ul><p>{}</p><p>{}</p>",
        e(&t.get("consent-sees")),
        e(&t.with(
            "consent-partner-contact",
            &[
                ("name", contact.name.as_str().into()),
                ("email", contact.email.as_str().into()),
            ],
        ))
    );
}

pub(crate) fn status_line(out: &mut String, text: &str) {
    let _ = write!(out, "<p role=\"status\"><strong>{}</strong></p>", e(text));
}

fn declined_at(claim: &Claim) -> Option<DateTime<Utc>> {
    let by_customer = claim.status_reason().is_some_and(|r| {
        matches!(
            r.codes.first(),
            Some(Reason::CustomerDecline | Reason::CustomerRevoked)
        )
    });
    match claim.consent() {
        Some(c) if c.decision == ConsentDecision::Decline && by_customer => Some(c.at),
        _ => None,
    }
}

/// Where the request stands, and the form while the customer's word still changes it.
fn state(t: &Text, claim: &Claim, link_expires: Option<DateTime<Utc>>, out: &mut String) {
    if !claim.consent_open() {
        match declined_at(claim) {
            Some(at) => status_line(
                out,
                &t.with("page-declined", &[("date", t.date(at).into())]),
            ),
            None => status_line(
                out,
                &t.with(
                    "page-closed",
                    &[("status", t.status(claim.status()).into())],
                ),
            ),
        }
        return;
    }
    let kept = claim
        .consent()
        .filter(|c| c.decision == ConsentDecision::Keep && claim.status() != Status::Rejected);
    if let Some(k) = kept {
        status_line(out, &t.with("page-kept", &[("date", t.date(k.at).into())]));
    }
    let due = claim.due_at().map(|d| t.date(d)).unwrap_or_default();
    let (line, keep) = match claim.status() {
        Status::Approved => (t.with("page-official-on", &[("date", due.into())]), true),
        Status::Active => (t.get("page-active"), true),
        Status::Rejected => (t.with("page-rejected", &[("date", due.into())]), false),
        _ => (t.get("consent-nothing-to-do"), true),
    };
    let _ = write!(
        out,
        "<p>{}</p><form method=\"post\"><fieldset><legend>{}</legend>",
        e(&line),
        e(&t.get("page-decision"))
    );
    if keep {
        let _ = write!(
            out,
            "<button type=\"submit\" name=\"decision\" value=\"keep\">{}</button>",
            e(&t.get("page-keep"))
        );
    }
    let _ = write!(
        out,
        "<button type=\"submit\" name=\"decision\" value=\"decline\" class=\"decline\">{}</button></fieldset></form>",
        e(&t.get("page-decline"))
    );
    if let Some(until) = link_expires {
        let _ = write!(
            out,
            "<p><small>{}</small></p>",
            e(&t.with("page-valid-until", &[("date", t.date(until).into())]))
        );
    }
}

/// GET: the request, where it stands, and the buttons while a decision can still be made.
pub fn view(t: &Text, claim: &Claim, link_expires: DateTime<Utc>) -> String {
    let title = t.get("page-title");
    let mut body = format!("<h1>{}</h1>", e(&title));
    state(t, claim, Some(link_expires), &mut body);
    summary(t, claim, &mut body);
    layout(t, &title, &body)
}

/// POST: what is recorded now (read from the claim as it is after the decision).
pub fn receipt(t: &Text, claim: &Claim) -> String {
    let title = t.get("page-thanks");
    let mut body = format!("<h1>{}</h1>", e(&title));
    match (declined_at(claim), claim.consent()) {
        (Some(at), _) => status_line(
            &mut body,
            &t.with("page-recorded-declined", &[("date", t.date(at).into())]),
        ),
        (None, Some(c)) if c.decision == ConsentDecision::Keep && claim.consent_open() => {
            status_line(
                &mut body,
                &t.with("page-recorded-kept", &[("date", t.date(c.at).into())]),
            )
        }
        _ => state(t, claim, None, &mut body),
    }
    summary(t, claim, &mut body);
    layout(t, &title, &body)
}

/// POST on a request that no longer takes this decision.
pub fn closed(t: &Text, claim: &Claim) -> String {
    let title = t.get("page-not-recorded");
    let mut body = format!("<h1>{}</h1>", e(&title));
    state(t, claim, None, &mut body);
    summary(t, claim, &mut body);
    layout(t, &title, &body)
}

pub fn message(t: &Text, title_id: &str, text_id: &str) -> String {
    let title = t.get(title_id);
    layout(
        t,
        &title,
        &format!("<h1>{}</h1><p>{}</p>", e(&title), e(&t.get(text_id))),
    )
}

/// An expired link: the customer may still decline "at any time" (seed 000), so the page
/// offers a fresh link, sent to the contact on file (the page names no address).
pub fn expired(t: &Text) -> String {
    let title = t.get("page-expired-title");
    let body = format!(
        "<h1>{}</h1><p>{}</p><form method=\"post\"><input type=\"hidden\" name=\"request\" value=\"link\"><button type=\"submit\">{}</button></form>",
        e(&title),
        e(&t.get("page-expired-text")),
        e(&t.get("page-fresh-button"))
    );
    layout(t, &title, &body)
}

pub fn problem(t: &Text, f: &Failure) -> String {
    match f {
        Failure::ConsentLinkExpired => expired(t),
        Failure::ConsentLinkInvalid | Failure::NotFound => {
            message(t, "page-invalid-title", "page-invalid-text")
        }
        Failure::Busy => message(t, "page-busy-title", "page-busy-text"),
        _ => message(t, "page-error-title", "page-error-text"),
    }
}

//! The consent pages: HTML without JavaScript, accessible (labels, headings, one form), every
//! value escaped.

use chrono::{DateTime, Utc};
use cpor::app::Failure;
use cpor::domain::{Claim, ConsentDecision, Status};
use cpor::mail::escape_html as e;
use std::fmt::Write as _;

fn layout(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}\
         button{{font-size:1rem;padding:.6rem 1.2rem;margin:.3rem .5rem .3rem 0}}\
         .decline{{background:#b00020;color:#fff;border:0}}</style></head>\
         <body><main>{body}</main></body></html>",
        e(title)
    )
}

fn day(at: DateTime<Utc>) -> String {
    at.format("%A %-d %B %Y, %H:%M UTC").to_string()
}

fn summary(claim: &Claim, out: &mut String) {
    let c = claim.content();
    let customer = c.customer();
    let _ = write!(
        out,
        "<p>Microsoft partner <strong>{}</strong> says it helped your organisation (tenant <code>{}</code>{}) deploy or use these services, in the claim “{}”:</p><ul>",
        e(claim.partner_id().as_str()),
        e(&customer.tenant_id.to_string()),
        customer
            .domain
            .as_ref()
            .map(|d| format!(", {}", e(d.as_ref())))
            .unwrap_or_default(),
        e(c.name().as_str()),
    );
    for p in c.products() {
        let _ = write!(out, "<li>{}", e(p.product.display_name()));
        if let Some(sub) = p.subscription_id {
            let _ = write!(out, " (subscription <code>{}</code>)", e(&sub.to_string()));
        }
        out.push_str("</li>");
    }
    out.push_str(
        "</ul><p>If the association stands, the partner sees <strong>usage and seat counts</strong> \
         for these services only — not your data, files, messages or users' content.</p>",
    );
}

/// GET: the request, and the buttons while a decision can still be made.
pub fn view(claim: &Claim, link_expires: DateTime<Utc>) -> String {
    let mut body = String::from("<h1>Partner association</h1>");
    summary(claim, &mut body);
    match claim.consent().map(|c| (c.decision, c.at)) {
        Some((ConsentDecision::Decline, at)) => {
            let _ = write!(
                body,
                "<p role=\"status\"><strong>You declined this association on {}.</strong></p>",
                e(&day(at))
            );
            return layout("Partner association", &body);
        }
        Some((ConsentDecision::Keep, at)) => {
            let _ = write!(
                body,
                "<p role=\"status\">You confirmed this association on {}. You can still decline it below.</p>",
                e(&day(at))
            );
        }
        None => {}
    }
    if !claim.consent_open() {
        body.push_str(
            "<p role=\"status\">This request is no longer open; there is nothing to decide.</p>",
        );
        return layout("Partner association", &body);
    }
    if claim.status() == Status::Approved {
        if let Some(due) = claim.due_at() {
            let _ = write!(
                body,
                "<p>It becomes official on <strong>{}</strong> unless you decline before then.</p>",
                e(&day(due))
            );
        }
    } else if claim.status() == Status::Active {
        body.push_str("<p>The association is active. You can end it at any time.</p>");
    } else {
        body.push_str("<p>You do not need to do anything to accept.</p>");
    }
    let _ = write!(
        body,
        "<form method=\"post\"><fieldset><legend>Your decision</legend>\
         <button type=\"submit\" name=\"decision\" value=\"keep\">Keep this partner</button>\
         <button type=\"submit\" name=\"decision\" value=\"decline\" class=\"decline\">Decline this partner</button>\
         </fieldset></form><p><small>This link is valid until {}.</small></p>",
        e(&day(link_expires))
    );
    layout("Partner association", &body)
}

/// POST: what was recorded.
pub fn receipt(claim: &Claim) -> String {
    let mut body = String::from("<h1>Thank you</h1>");
    match claim.consent().map(|c| (c.decision, c.at)) {
        Some((ConsentDecision::Decline, at)) => {
            let _ = write!(
                body,
                "<p role=\"status\"><strong>Declined.</strong> We recorded on {} that you do not want this association. The partner has been told; nothing else is needed.</p>",
                e(&day(at))
            );
        }
        Some((ConsentDecision::Keep, at)) => {
            let _ = write!(
                body,
                "<p role=\"status\"><strong>Kept.</strong> We recorded on {} that you recognise this partner.</p>",
                e(&day(at))
            );
        }
        None => body.push_str("<p role=\"status\">Nothing was recorded.</p>"),
    }
    summary(claim, &mut body);
    layout("Decision recorded", &body)
}

pub fn closed(claim: &Claim) -> String {
    let mut body = String::from(
        "<h1>Nothing to decide</h1><p role=\"status\">This request is no longer open.</p>",
    );
    summary(claim, &mut body);
    layout("Nothing to decide", &body)
}

pub fn message(title: &str, text: &str) -> String {
    layout(title, &format!("<h1>{}</h1><p>{}</p>", e(title), e(text)))
}

pub fn problem(f: &Failure) -> String {
    match f {
        Failure::ConsentLinkExpired => message(
            "This link has expired",
            "Ask the partner to send the consent email again.",
        ),
        Failure::ConsentLinkInvalid | Failure::NotFound => message(
            "This link is not valid",
            "Check that you opened the whole link from the email.",
        ),
        Failure::Busy => message(
            "Please try again",
            "The request is being updated right now. Try again in a moment.",
        ),
        _ => message(
            "Something went wrong",
            "We could not load this page. Try again later.",
        ),
    }
}

//! Emails rendered in Rust: HTML and plain text for each notification kind. Every value that came
//! from a user (claim name, comments, contact names) is HTML-escaped in the HTML part; subjects
//! never carry line breaks. Pure: the dispatcher supplies the links.

use crate::domain::effects::ConsentStage;
use crate::domain::{DeadlinePolicy, Notification, NotificationKind, Reason};
use crate::outbox::EmailContext;
use crate::ports::Email;
use chrono::{DateTime, Utc};
use std::fmt::Write as _;

/// The links an email may carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    /// The customer's consent page (only for consent emails).
    pub consent_url: Option<String>,
    /// The claim in the partner portal.
    pub claim_url: String,
}

/// Escapes text for HTML element content and double-quoted attribute values.
pub fn escape_html(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// A subject line: one line, no control characters, at most 200 characters.
fn subject(raw: &str) -> String {
    raw.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect()
}

fn day(at: DateTime<Utc>) -> String {
    at.format("%A %-d %B %Y, %H:%M UTC").to_string()
}

/// A document under construction: paragraphs and lists written to both parts at once, so the
/// two never say different things.
struct Body {
    html: String,
    text: String,
}

impl Body {
    fn new(title: &str) -> Self {
        let mut b = Self {
            html: String::from(
                "<!doctype html><html><head><meta charset=\"utf-8\"></head><body style=\"font-family:sans-serif\">",
            ),
            text: String::new(),
        };
        let _ = write!(b.html, "<h1>{}</h1>", escape_html(title));
        let _ = writeln!(b.text, "{title}\n");
        b
    }

    fn para(&mut self, text: &str) -> &mut Self {
        let _ = write!(self.html, "<p>{}</p>", escape_html(text));
        let _ = writeln!(self.text, "{text}\n");
        self
    }

    /// A paragraph quoting someone's words (a reviewer's comment).
    fn quote(&mut self, label: &str, text: &str) -> &mut Self {
        let _ = write!(
            self.html,
            "<p>{}</p><blockquote style=\"white-space:pre-wrap\">{}</blockquote>",
            escape_html(label),
            escape_html(text)
        );
        let _ = writeln!(self.text, "{label}\n> {}\n", text.replace('\n', "\n> "));
        self
    }

    fn list<'a>(&mut self, items: impl IntoIterator<Item = &'a str>) -> &mut Self {
        self.html.push_str("<ul>");
        for item in items {
            let _ = write!(self.html, "<li>{}</li>", escape_html(item));
            let _ = writeln!(self.text, "  - {item}");
        }
        self.html.push_str("</ul>");
        self.text.push('\n');
        self
    }

    fn link(&mut self, label: &str, url: &str) -> &mut Self {
        let _ = write!(
            self.html,
            "<p><a href=\"{}\">{}</a></p>",
            escape_html(url),
            escape_html(label)
        );
        let _ = writeln!(self.text, "{label}: {url}\n");
        self
    }

    fn finish(mut self, to: &str, subject_line: &str, template: &'static str) -> Email {
        self.html.push_str("</body></html>");
        Email {
            to: to.to_owned(),
            subject: subject(subject_line),
            html: self.html,
            text: self.text,
            template,
        }
    }
}

fn reasons(rs: &[Reason], policy: &DeadlinePolicy) -> Vec<String> {
    rs.iter().map(|r| r.description(policy)).collect()
}

/// Renders one notification.
pub fn render(
    notification: &Notification,
    ctx: &EmailContext,
    links: &Links,
    policy: &DeadlinePolicy,
) -> Email {
    let to = notification.to.as_str();
    let template = notification.kind.code();
    let name = &ctx.claim_name;
    match &notification.kind {
        NotificationKind::CustomerConsent {
            stage,
            opt_out_until,
        } => {
            let title = match stage {
                ConsentStage::Approved => {
                    "A partner association for your organisation was approved"
                }
                ConsentStage::Requested | ConsentStage::Resent => {
                    "A partner asks to be recognised for your Microsoft services"
                }
            };
            let mut b = Body::new(title);
            b.para(&format!("Hello {},", ctx.customer_contact_name));
            b.para(&format!(
                "Microsoft partner {} has claimed to have helped your organisation (tenant {}{}) \
                 deploy or use these services, in the claim \"{name}\":",
                ctx.partner_id,
                ctx.customer_tenant,
                ctx.customer_domain
                    .as_deref()
                    .map(|d| format!(", {d}"))
                    .unwrap_or_default(),
            ));
            b.list(ctx.products.iter().map(String::as_str));
            b.para(
                "If the association stands, the partner will see usage and seat counts for these \
                 services only. It will not see your data, files or messages.",
            );
            match opt_out_until {
                Some(until) => b.para(&format!(
                    "The association becomes official on {} unless you decline it before then. \
                     You can also end it later from the same page.",
                    day(*until)
                )),
                None => b.para(
                    "You do not need to do anything to accept. If you do not recognise this \
                     partner or do not want the association, decline it on the page below.",
                ),
            };
            if let Some(url) = &links.consent_url {
                b.link("Review the association or decline it", url);
            }
            b.finish(
                to,
                &format!("Partner association request: {}", ctx.partner_id),
                template,
            )
        }
        NotificationKind::PartnerActionRequired {
            reasons: rs,
            comment,
            respond_by,
        } => {
            let mut b = Body::new("Action required on your claim");
            b.para(&format!(
                "The reviewer needs more information on the claim \"{name}\":"
            ));
            b.list(reasons(rs, policy).iter().map(String::as_str));
            b.quote("The reviewer wrote:", comment.as_str());
            b.para(&format!(
                "Edit the claim or add proof of execution and resubmit it by {}. Without a \
                 response by then the claim is rejected.",
                day(*respond_by)
            ));
            b.link("Open the claim", &links.claim_url);
            b.finish(to, &format!("Action required: {name}"), template)
        }
        NotificationKind::PartnerRejected {
            reasons: rs,
            comment,
            dispute_by,
        } => {
            let mut b = Body::new("Your claim was rejected");
            b.para(&format!("The claim \"{name}\" was rejected:"));
            b.list(reasons(rs, policy).iter().map(String::as_str));
            if let Some(comment) = comment {
                b.quote("Comment:", comment.as_str());
            }
            match dispute_by {
                Some(by) => b.para(&format!(
                    "If you disagree, dispute the rejection from the claim's page before {}, \
                     with a business justification and, if you have it, updated proof of \
                     execution.",
                    day(*by)
                )),
                None => b.para(
                    "This decision is final. To claim these workloads again, file a new claim.",
                ),
            };
            b.link("Open the claim", &links.claim_url);
            b.finish(to, &format!("Claim rejected: {name}"), template)
        }
        NotificationKind::PartnerApproved { opt_out_until } => {
            let mut b = Body::new("Your claim was approved");
            b.para(&format!(
                "The claim \"{name}\" was approved. The customer has been told and may decline \
                 until {}; after that the association becomes active.",
                day(*opt_out_until)
            ));
            b.link("Open the claim", &links.claim_url);
            b.finish(to, &format!("Claim approved: {name}"), template)
        }
        NotificationKind::PartnerActivated => {
            let mut b = Body::new("Your association is active");
            b.para(&format!(
                "The customer's opt-out window for the claim \"{name}\" has passed. The \
                 association is official and has been sent for incentive eligibility."
            ));
            b.link("Open the claim", &links.claim_url);
            b.finish(to, &format!("Association active: {name}"), template)
        }
        NotificationKind::PartnerAssociationEnded { reason } => {
            let mut b = Body::new("Your association ended");
            b.para(&format!(
                "The association for the claim \"{name}\" ended: {}.",
                reason.description(policy)
            ));
            b.link("Open the claim", &links.claim_url);
            b.finish(to, &format!("Association ended: {name}"), template)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::*;
    use crate::testing::*;

    fn ctx(name: &str) -> EmailContext {
        EmailContext {
            claim_name: name.into(),
            partner_id: ORG.into(),
            customer_tenant: TENANT.into(),
            customer_domain: Some("contoso.com".into()),
            customer_contact_name: "<b>Ana</b>".into(),
            products: vec!["Microsoft Teams".into()],
            status: Status::Submitted,
            submitted_at: Some(monday()),
        }
    }

    fn links() -> Links {
        Links {
            consent_url: Some("https://consent.example/c/tok?x=1&y=2".into()),
            claim_url: "https://portal.example/claims/1".into(),
        }
    }

    fn notification(kind: NotificationKind) -> Notification {
        Notification {
            id: "n1".into(),
            claim_id: ClaimId::generate(),
            to: EmailAddress::parse("ana@contoso.com").unwrap(),
            kind,
        }
    }

    #[test]
    fn user_text_is_escaped_in_html_and_kept_in_text() {
        let n = notification(NotificationKind::PartnerActionRequired {
            reasons: vec![Reason::MissingOrOldDates],
            comment: text("<script>alert(1)</script> & \"more\""),
            respond_by: monday(),
        });
        let email = render(
            &n,
            &ctx("<img src=x onerror=alert(1)>"),
            &links(),
            &DeadlinePolicy::default(),
        );
        assert!(!email.html.contains("<script>"));
        assert!(!email.html.contains("<img"));
        assert!(
            email
                .html
                .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;more&quot;")
        );
        assert!(email.text.contains("<script>alert(1)</script>"));
        assert!(
            email
                .html
                .contains(&Reason::MissingOrOldDates.description(&DeadlinePolicy::default()))
        );
        assert_eq!(email.to, "ana@contoso.com");
    }

    #[test]
    fn consent_email_links_the_page_and_says_what_the_partner_sees() {
        let n = notification(NotificationKind::CustomerConsent {
            stage: ConsentStage::Approved,
            opt_out_until: Some(monday()),
        });
        let email = render(&n, &ctx("Teams"), &links(), &DeadlinePolicy::default());
        assert!(
            email
                .html
                .contains("href=\"https://consent.example/c/tok?x=1&amp;y=2\"")
        );
        assert!(email.text.contains("https://consent.example/c/tok?x=1&y=2"));
        assert!(email.text.contains("usage and seat counts"));
        assert!(email.html.contains("&lt;b&gt;Ana&lt;/b&gt;"));
        assert!(email.text.contains("Monday 23 November 2026"));
    }

    #[test]
    fn rejection_says_how_to_dispute_or_that_it_is_final() {
        let open = notification(NotificationKind::PartnerRejected {
            reasons: vec![Reason::InsufficientPoe],
            comment: None,
            dispute_by: Some(monday()),
        });
        assert!(
            render(&open, &ctx("c"), &links(), &DeadlinePolicy::default())
                .text
                .contains("dispute the rejection")
        );
        let fin = notification(NotificationKind::PartnerRejected {
            reasons: vec![Reason::DisputeRejected],
            comment: None,
            dispute_by: None,
        });
        assert!(
            render(&fin, &ctx("c"), &links(), &DeadlinePolicy::default())
                .text
                .contains("final")
        );
    }

    #[test]
    fn an_auto_rejection_states_the_configured_response_span() {
        let n = notification(NotificationKind::PartnerRejected {
            reasons: vec![Reason::NoPartnerResponse],
            comment: None,
            dispute_by: Some(monday()),
        });
        let default = render(&n, &ctx("c"), &links(), &DeadlinePolicy::default());
        assert!(
            default.text.contains("within 5 business days"),
            "{}",
            default.text
        );
        let three = DeadlinePolicy::from_lookup(|k| {
            (k == "CPOR_PARTNER_RESPONSE").then(|| "3bd".to_owned())
        })
        .unwrap();
        let email = render(&n, &ctx("c"), &links(), &three);
        assert!(
            email.text.contains("within 3 business days"),
            "{}",
            email.text
        );
        assert!(email.html.contains("within 3 business days"));
        assert!(!email.text.contains("five") && !email.text.contains(" 5 "));
    }

    #[test]
    fn subjects_are_one_line() {
        let n = notification(NotificationKind::PartnerActivated);
        let email = render(
            &n,
            &ctx("a\r\nBcc: x@evil.example"),
            &links(),
            &DeadlinePolicy::default(),
        );
        assert!(!email.subject.contains('\n') && !email.subject.contains('\r'));
    }
}

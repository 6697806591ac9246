//! Emails rendered in Rust, in the reader's language (`crate::i18n`): HTML and plain text for
//! each notification kind, written together so the two parts never say different things. Every
//! value that came from a user (claim name, comments, contact names) is HTML-escaped in the
//! HTML part; subjects never carry line breaks. Pure: the dispatcher supplies the links.

use crate::domain::effects::ConsentStage;
use crate::domain::{DeadlinePolicy, Language, Notification, NotificationKind, Reason};
use crate::i18n::{Arg, Text};
use crate::outbox::{EmailContext, EngagementEmail, EngagementEmailKind};
use crate::ports::Email;
use std::fmt::Write as _;

/// The message tags every email carries (`claimId` when it is about a claim); SES returns them
/// in bounce and complaint reports, which is how `email-feedback` finds the claim.
pub const TEMPLATE_TAG: &str = "template";
pub const CLAIM_TAG: &str = "claimId";

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

/// A document under construction: paragraphs and lists written to both parts at once, so the
/// two never say different things.
struct Body {
    html: String,
    text: String,
}

impl Body {
    fn new(lang: Language, title: &str) -> Self {
        let mut b = Self {
            html: format!(
                "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head><body style=\"font-family:sans-serif\">",
                lang.code(),
                escape_html(title)
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
            claim_id: None,
        }
    }
}

/// Each reason as "name: what it means".
fn reasons(t: &Text, rs: &[Reason], policy: &DeadlinePolicy) -> Vec<String> {
    rs.iter()
        .map(|r| format!("{}: {}", t.reason(*r), t.reason_description(*r, policy)))
        .collect()
}

/// The customer as the consent email names it: domain and tenant.
pub fn customer_line(t: &Text, tenant: &str, domain: Option<&str>) -> String {
    let tenant = t.with("consent-tenant", &[("tenant", tenant.into())]);
    match domain {
        Some(d) => format!("{d}, {tenant}"),
        None => tenant,
    }
}

/// A product as the consent email lists it.
pub fn product_line(t: &Text, name: &str, subscription: Option<&str>) -> String {
    match subscription {
        Some(id) => format!(
            "{name} ({})",
            t.with("consent-subscription", &[("id", id.into())])
        ),
        None => name.to_owned(),
    }
}

/// Renders one notification to `to` in its reader's language (the contact's, else `default`;
/// the reviewers read `default`).
pub fn render(
    notification: &Notification,
    to: &str,
    ctx: &EmailContext,
    links: &Links,
    policy: &DeadlinePolicy,
    default: Language,
) -> Email {
    let email = body(notification, to, ctx, links, policy, default);
    Email {
        claim_id: Some(notification.claim_id),
        ..email
    }
}

fn body(
    notification: &Notification,
    to: &str,
    ctx: &EmailContext,
    links: &Links,
    policy: &DeadlinePolicy,
    default: Language,
) -> Email {
    let template = notification.kind.code();
    let lang = match notification.kind {
        NotificationKind::CustomerConsent { .. } => ctx.customer_language,
        NotificationKind::PartnerCommented { .. } => None,
        _ => ctx.partner_language,
    }
    .unwrap_or(default);
    let t = Text::new(lang, policy.calendar.time_zone());
    let claim = || -> [(&str, Arg<'_>); 1] { [("claim", ctx.claim_name.as_str().into())] };
    let partner = ctx.partner();
    match &notification.kind {
        NotificationKind::CustomerConsent {
            stage,
            opt_out_until,
        } => {
            let stage = match (stage, opt_out_until) {
                (ConsentStage::Approved, _) | (_, Some(_)) => "approved",
                _ => "requested",
            };
            let mut b = Body::new(lang, &t.get(&format!("consent-title-{stage}")));
            b.para(&t.with(
                "consent-greeting",
                &[("name", ctx.customer_contact_name.as_str().into())],
            ));
            b.para(&t.with("consent-why", &[("partner", partner.into())]));
            b.para(
                &t.with(
                    "consent-claim",
                    &[
                        ("partner", partner.into()),
                        (
                            "customer",
                            customer_line(&t, &ctx.customer_tenant, ctx.customer_domain.as_deref())
                                .into(),
                        ),
                        ("claim", ctx.claim_name.as_str().into()),
                    ],
                ),
            );
            let products: Vec<String> = ctx
                .products
                .iter()
                .map(|p| product_line(&t, &p.name, p.subscription_id.as_deref()))
                .collect();
            b.list(products.iter().map(String::as_str));
            b.para(&t.get("consent-sees"));
            match opt_out_until {
                Some(until) => {
                    b.para(&t.with("consent-official-on", &[("date", t.date(*until).into())]))
                }
                None => b.para(&t.get("consent-nothing-to-do")),
            };
            if !ctx.partner_contact_email.is_empty() {
                b.para(&t.with(
                    "consent-partner-contact",
                    &[
                        ("name", ctx.partner_contact_name.as_str().into()),
                        ("email", ctx.partner_contact_email.as_str().into()),
                    ],
                ));
            }
            if let Some(url) = &links.consent_url {
                b.link(&t.get("consent-link"), url);
            }
            let subject = t.with(
                &format!("consent-subject-{stage}"),
                &[("partner", partner.into())],
            );
            b.finish(to, &subject, template)
        }
        NotificationKind::PartnerActionRequired {
            reasons: rs,
            comment,
            respond_by,
        } => {
            let mut b = Body::new(lang, &t.get("partner-action-title"));
            b.para(&t.with("partner-action-intro", &claim()));
            b.list(reasons(&t, rs, policy).iter().map(String::as_str));
            b.quote(&t.get("partner-action-quote"), comment.as_str());
            b.para(&t.with(
                "partner-action-respond-by",
                &[("date", t.date(*respond_by).into())],
            ));
            b.link(&t.get("open-claim"), &links.claim_url);
            b.finish(to, &t.with("partner-action-subject", &claim()), template)
        }
        NotificationKind::PartnerRejected {
            reasons: rs,
            comment,
            dispute_by,
        } => {
            let mut b = Body::new(lang, &t.get("partner-rejected-title"));
            b.para(&t.with("partner-rejected-intro", &claim()));
            b.list(reasons(&t, rs, policy).iter().map(String::as_str));
            if let Some(comment) = comment {
                b.quote(&t.get("partner-rejected-comment"), comment.as_str());
            }
            match dispute_by {
                Some(by) => b.para(&t.with(
                    "partner-rejected-dispute-by",
                    &[("date", t.date(*by).into())],
                )),
                None => b.para(&t.get("partner-rejected-final")),
            };
            b.link(&t.get("open-claim"), &links.claim_url);
            b.finish(to, &t.with("partner-rejected-subject", &claim()), template)
        }
        NotificationKind::PartnerApproved { opt_out_until } => {
            let mut b = Body::new(lang, &t.get("partner-approved-title"));
            b.para(&t.with(
                "partner-approved-body",
                &[
                    ("claim", ctx.claim_name.as_str().into()),
                    ("date", t.date(*opt_out_until).into()),
                ],
            ));
            b.link(&t.get("open-claim"), &links.claim_url);
            b.finish(to, &t.with("partner-approved-subject", &claim()), template)
        }
        NotificationKind::PartnerActivated => {
            let mut b = Body::new(lang, &t.get("partner-activated-title"));
            b.para(&t.with("partner-activated-body", &claim()));
            b.link(&t.get("open-claim"), &links.claim_url);
            b.finish(to, &t.with("partner-activated-subject", &claim()), template)
        }
        NotificationKind::PartnerAssociationEnded { reason } => {
            let mut b = Body::new(lang, &t.get("partner-ended-title"));
            b.para(&t.with(
                "partner-ended-body",
                &[
                    ("claim", ctx.claim_name.as_str().into()),
                    ("reason", t.reason_description(*reason, policy).into()),
                ],
            ));
            b.link(&t.get("open-claim"), &links.claim_url);
            b.finish(to, &t.with("partner-ended-subject", &claim()), template)
        }
        NotificationKind::ReviewerCommented { comment } => {
            let mut b = Body::new(lang, &t.get("reviewer-commented-title"));
            b.quote(
                &t.with("reviewer-commented-intro", &claim()),
                comment.as_str(),
            );
            b.para(&t.get("reviewer-commented-reply"));
            b.link(&t.get("open-claim"), &links.claim_url);
            b.finish(
                to,
                &t.with("reviewer-commented-subject", &claim()),
                template,
            )
        }
        NotificationKind::CustomerUnreachable { complaint } => {
            let which = if *complaint { "complaint" } else { "bounce" };
            let mut b = Body::new(lang, &t.get("customer-unreachable-title"));
            b.para(&t.with(&format!("customer-unreachable-{which}"), &claim()));
            b.para(&t.get(&format!("customer-unreachable-{which}-next")));
            b.link(&t.get("open-claim"), &links.claim_url);
            b.finish(
                to,
                &t.with("customer-unreachable-subject", &claim()),
                template,
            )
        }
        NotificationKind::PartnerCommented { comment } => {
            let mut b = Body::new(lang, &t.get("partner-commented-title"));
            b.quote(
                &t.with(
                    "partner-commented-intro",
                    &[
                        ("partner", partner.into()),
                        ("claim", ctx.claim_name.as_str().into()),
                        ("status", t.status(ctx.status).into()),
                    ],
                ),
                comment.as_str(),
            );
            b.link(&t.get("open-claim"), &links.claim_url);
            b.finish(to, &t.with("partner-commented-subject", &claim()), template)
        }
    }
}

/// The subject and body messages of an engagement email to the partner contact (the
/// registration confirmation and the customer's request have their own layouts).
fn partner_notice_keys(kind: EngagementEmailKind) -> (&'static str, &'static str) {
    use EngagementEmailKind as K;
    match kind {
        K::Registered => (
            "engagement-registered-subject",
            "engagement-registered-body",
        ),
        K::ConsentRequest { .. } => ("engagement-consent-subject", "engagement-consent-ask"),
        K::ConsentGiven => ("engagement-given-subject", "engagement-given-body"),
        K::ConsentDeclined => ("engagement-declined-subject", "engagement-declined-body"),
        K::ConsentExpired => ("engagement-expired-subject", "engagement-expired-body"),
        K::SubmissionExpired => (
            "engagement-submission-expired-subject",
            "engagement-submission-expired-body",
        ),
        K::SubmissionReminder => ("engagement-reminder-subject", "engagement-reminder-body"),
        K::Reviewed { approved: true } => {
            ("engagement-approved-subject", "engagement-approved-body")
        }
        K::Reviewed { approved: false } => {
            ("engagement-rejected-subject", "engagement-rejected-body")
        }
    }
}

/// Renders an engagement email to its contact in their language (else `default`).
/// `consent_url` is the signed link of a consent request (the deliverer signs it when it sends).
pub fn render_engagement(
    email: &EngagementEmail,
    claim_url: &str,
    consent_url: Option<&str>,
    policy: &DeadlinePolicy,
    default: Language,
) -> Email {
    let lang = email.language.unwrap_or(default);
    let t = Text::new(lang, policy.calendar.time_zone());
    let claim: [(&str, Arg<'_>); 1] = [("claim", email.claim_name.as_str().into())];
    let engagement = email
        .engagements
        .first()
        .map(|e| e.engagement.as_str())
        .unwrap_or_default();
    let date = email.due_at.map(|d| t.date(d)).unwrap_or_default();
    let about = [
        ("customer", Arg::from(email.customer.as_str())),
        ("engagement", engagement.into()),
        ("date", date.as_str().into()),
        ("partner", email.partner_name.as_str().into()),
    ];
    let (mut b, subject) = match email.kind {
        EngagementEmailKind::Registered => {
            let mut b = Body::new(lang, &t.get("engagement-registered-title"));
            b.para(&t.with(
                "engagement-registered-body",
                &[
                    ("customer", email.customer.as_str().into()),
                    ("claim", email.claim_name.as_str().into()),
                ],
            ));
            let lines: Vec<String> = email
                .engagements
                .iter()
                .flat_map(|e| {
                    let mut out = vec![t.with(
                        "engagement-registered-line",
                        &[
                            ("engagement", e.engagement.as_str().into()),
                            ("date", t.date(e.consent_due_at).into()),
                        ],
                    )];
                    if let Some(amount) = e.proposed_payment_usd {
                        let amount =
                            format!("{}.{:02}", amount.cents() / 100, amount.cents() % 100);
                        out.push(t.with(
                            "engagement-registered-payment",
                            &[
                                ("engagement", e.engagement.as_str().into()),
                                ("amount", amount.into()),
                            ],
                        ));
                    }
                    out
                })
                .collect();
            b.list(lines.iter().map(String::as_str));
            b.para(&t.get("engagement-registered-next"));
            (b, t.with("engagement-registered-subject", &claim))
        }
        EngagementEmailKind::ConsentRequest { resend } => {
            let mut b = Body::new(lang, &t.get("engagement-consent-title"));
            b.para(&t.with(
                "consent-greeting",
                &[("name", email.customer_contact_name.as_str().into())],
            ));
            b.para(&t.with("engagement-consent-ask", &about));
            b.para(&t.with("engagement-consent-means", &about));
            b.para(&t.with("engagement-consent-by", &about));
            b.para(&t.with(
                "consent-partner-contact",
                &[
                    ("name", email.partner_contact_name.as_str().into()),
                    ("email", email.partner_contact_email.as_str().into()),
                ],
            ));
            if let Some(url) = consent_url {
                b.link(&t.get("engagement-consent-link"), url);
            }
            let subject = if resend {
                "engagement-consent-subject-reminder"
            } else {
                "engagement-consent-subject"
            };
            let mut out = b.finish(
                email.to.as_str(),
                &t.with(subject, &about),
                email.kind.code(),
            );
            out.claim_id = email.engagements.first().map(|e| e.claim_id);
            return out;
        }
        kind => {
            let (subject, body) = partner_notice_keys(kind);
            let subject = t.with(subject, &claim);
            let mut b = Body::new(lang, &subject);
            b.para(&t.with(body, &about));
            if let (EngagementEmailKind::Reviewed { .. }, Some(comment)) = (kind, &email.comment) {
                b.quote(&t.get("partner-rejected-comment"), comment);
            }
            (b, subject)
        }
    };
    b.link(&t.get("open-engagement-claim"), claim_url);
    let mut out = b.finish(email.to.as_str(), &subject, email.kind.code());
    out.claim_id = email.engagements.first().map(|e| e.claim_id);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::*;
    use crate::outbox::ProductLine;
    use crate::testing::*;

    fn ctx(name: &str) -> EmailContext {
        EmailContext {
            claim_name: name.into(),
            partner_id: ORG.into(),
            partner_name: "Fabrikam Ltd".into(),
            partner_contact_name: "Luis Gómez".into(),
            partner_contact_email: "luis@fabrikam.example".into(),
            customer_tenant: TENANT.into(),
            customer_domain: Some("contoso.com".into()),
            customer_contact_name: "<b>Ana</b>".into(),
            products: vec![
                ProductLine {
                    name: "Microsoft Teams".into(),
                    subscription_id: None,
                },
                ProductLine {
                    name: "Dynamics 365 Sales".into(),
                    subscription_id: Some("sub-1".into()),
                },
            ],
            customer_language: None,
            partner_language: None,
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
            to: Recipient::Contact(EmailAddress::parse(TO).unwrap()),
            kind,
        }
    }

    fn en(n: &Notification, ctx: &EmailContext) -> Email {
        render(
            n,
            TO,
            ctx,
            &links(),
            &DeadlinePolicy::default(),
            Language::En,
        )
    }

    const TO: &str = "ana@contoso.com";

    /// One of each kind of email.
    fn every_kind() -> Vec<Notification> {
        let mut kinds = vec![
            NotificationKind::PartnerActionRequired {
                reasons: Reason::ACTION_REQUIRED.to_vec(),
                comment: text("Please add dates"),
                respond_by: monday(),
            },
            NotificationKind::PartnerRejected {
                reasons: vec![Reason::NoPartnerResponse],
                comment: Some(text("x")),
                dispute_by: Some(monday()),
            },
            NotificationKind::PartnerRejected {
                reasons: vec![Reason::CustomerDecline],
                comment: None,
                dispute_by: None,
            },
            NotificationKind::PartnerApproved {
                opt_out_until: monday(),
            },
            NotificationKind::PartnerActivated,
            NotificationKind::PartnerAssociationEnded {
                reason: Reason::CustomerRevoked,
            },
            NotificationKind::ReviewerCommented {
                comment: text("Please attach the signed SoW"),
            },
            NotificationKind::PartnerCommented {
                comment: text("Attached"),
            },
            NotificationKind::CustomerUnreachable { complaint: false },
            NotificationKind::CustomerUnreachable { complaint: true },
        ];
        for (stage, until) in [
            (ConsentStage::Requested, None),
            (ConsentStage::Resent, None),
            (ConsentStage::FreshLink, None),
            (ConsentStage::Approved, Some(monday())),
        ] {
            kinds.push(NotificationKind::CustomerConsent {
                stage,
                opt_out_until: until,
            });
        }
        kinds.into_iter().map(notification).collect()
    }

    #[test]
    fn the_engagement_confirmation_exists_in_every_language_in_the_partners_language() {
        use crate::domain::engagement::Usd;
        use crate::outbox::{EngagementEmail, EngagementEmailKind, EngagementLine};
        let mut email = EngagementEmail {
            kind: EngagementEmailKind::Registered,
            to: EmailAddress::parse(TO).unwrap(),
            language: None,
            claim_name: "<Contoso> rollout".into(),
            customer: "domain contoso.com".into(),
            engagements: vec![EngagementLine {
                claim_id: ClaimId::generate(),
                engagement: "Azure Migration Assessment".into(),
                consent_due_at: monday(),
                proposed_payment_usd: Some(Usd::from_cents(1_800_005)),
            }],
            partner_name: "Fabrikam Ltd".into(),
            partner_contact_name: "Luis".into(),
            partner_contact_email: "luis@fabrikam.example".into(),
            customer_contact_name: "Ana".into(),
            due_at: None,
            comment: None,
        };
        let policy = DeadlinePolicy::default();
        email.due_at = Some(monday());
        email.comment = Some("Evidence <checked>".into());
        use EngagementEmailKind as K;
        for kind in [
            K::ConsentRequest { resend: false },
            K::ConsentRequest { resend: true },
            K::ConsentGiven,
            K::ConsentDeclined,
            K::ConsentExpired,
            K::SubmissionExpired,
            K::SubmissionReminder,
            K::Reviewed { approved: true },
            K::Reviewed { approved: false },
        ] {
            for lang in Language::ALL {
                let e = EngagementEmail {
                    kind,
                    ..email.clone()
                };
                let out = render_engagement(
                    &e,
                    "https://p/e/1",
                    Some("https://c/consent/t"),
                    &policy,
                    lang,
                );
                for part in [&out.subject, &out.html, &out.text] {
                    assert!(
                        !part.contains('⟦') && !part.contains("{$") && !part.contains('\u{2068}'),
                        "{kind:?} {lang:?}: {part}"
                    );
                }
                assert!(
                    out.text.contains("Azure Migration Assessment"),
                    "{kind:?} {lang:?}: {}",
                    out.text
                );
                assert_eq!(out.template, kind.code());
                let link = if kind.to_customer() {
                    "https://c/consent/t"
                } else {
                    "https://p/e/1"
                };
                assert!(out.text.contains(link), "{kind:?} {lang:?}");
            }
        }
        email.due_at = None;
        email.comment = None;
        for lang in Language::ALL {
            let out = render_engagement(&email, "https://p/e/1", None, &policy, lang);
            for part in [&out.subject, &out.html, &out.text] {
                assert!(
                    !part.contains('⟦') && !part.contains("{$") && !part.contains('\u{2068}'),
                    "{lang:?}: {part}"
                );
            }
            assert!(
                out.html
                    .starts_with(&format!("<!doctype html><html lang=\"{}\">", lang.code()))
            );
            assert!(out.text.contains("18000.05 USD") && out.text.contains("https://p/e/1"));
            assert!(out.html.contains("&lt;Contoso&gt;") && !out.html.contains("<Contoso>"));
            assert_eq!(out.claim_id, Some(email.engagements[0].claim_id));
        }
        email.language = Some(Language::Es);
        let es = render_engagement(&email, "https://p/e/1", None, &policy, Language::Ja);
        assert!(
            es.subject.starts_with("Cliente registrado"),
            "{}",
            es.subject
        );
        assert!(es.text.contains("importe de pago propuesto"), "{}", es.text);
    }

    #[test]
    fn every_email_exists_in_every_language_with_its_lang_attribute() {
        for lang in Language::ALL {
            for n in every_kind() {
                let email = render(
                    &n,
                    TO,
                    &ctx("Teams"),
                    &links(),
                    &DeadlinePolicy::default(),
                    lang,
                );
                for part in [&email.subject, &email.html, &email.text] {
                    assert!(
                        !part.contains('⟦') && !part.contains("{$") && !part.contains('\u{2068}'),
                        "{lang:?} {}: {part}",
                        n.kind.code()
                    );
                }
                assert!(
                    email
                        .html
                        .starts_with(&format!("<!doctype html><html lang=\"{}\">", lang.code())),
                    "{lang:?}"
                );
            }
        }
    }

    #[test]
    fn each_contact_reads_their_own_language_and_the_default_covers_the_rest() {
        let consent = notification(NotificationKind::CustomerConsent {
            stage: ConsentStage::Approved,
            opt_out_until: Some(monday()),
        });
        let partner = notification(NotificationKind::PartnerActivated);
        let mut c = ctx("Teams");
        c.customer_language = Some(Language::Ja);
        c.partner_language = Some(Language::Fr);
        let policy = DeadlinePolicy::default();
        let ja = render(&consent, TO, &c, &links(), &policy, Language::Es);
        assert!(ja.subject.contains("Fabrikam Ltd"), "{}", ja.subject);
        assert!(ja.html.contains("パートナー") && ja.html.contains("2026年11月23日"));
        assert!(ja.text.contains("サブスクリプション sub-1"), "{}", ja.text);
        let fr = render(&partner, TO, &c, &links(), &policy, Language::Es);
        assert!(
            fr.subject.starts_with("Association active"),
            "{}",
            fr.subject
        );
        c.partner_language = None;
        let es = render(&partner, TO, &c, &links(), &policy, Language::Es);
        assert!(
            es.subject.starts_with("Asociación activa"),
            "{}",
            es.subject
        );
    }

    #[test]
    fn the_customer_is_told_who_asks_how_to_reach_them_and_why_they_got_this() {
        let n = notification(NotificationKind::CustomerConsent {
            stage: ConsentStage::Requested,
            opt_out_until: None,
        });
        let email = en(&n, &ctx("Teams"));
        assert_eq!(
            email.subject,
            "Fabrikam Ltd asks to be recognised as your Microsoft partner"
        );
        assert!(!email.subject.contains(ORG), "named, not numbered");
        assert!(
            email
                .text
                .contains("Partner contact: Luis Gómez (luis@fabrikam.example)")
        );
        assert!(
            email
                .text
                .contains("You receive this message because Fabrikam Ltd named you as the contact")
        );
        assert!(email.text.contains("contoso.com, tenant"));
        assert!(
            email
                .text
                .contains("Dynamics 365 Sales (subscription sub-1)")
        );
        // An entry queued before partner names existed still names someone.
        let mut old = ctx("Teams");
        old.partner_name.clear();
        assert!(en(&n, &old).subject.starts_with(ORG));
    }

    #[test]
    fn entries_queued_before_structured_products_still_render() {
        let mut stored = serde_json::to_value(ctx("Teams")).unwrap();
        stored["products"] = serde_json::json!(["Microsoft Teams (subscription s)"]);
        stored.as_object_mut().unwrap().remove("partnerName");
        let old: EmailContext = serde_json::from_value(stored).unwrap();
        assert_eq!(old.products[0].name, "Microsoft Teams (subscription s)");
        assert_eq!(old.partner(), ORG);
    }

    #[test]
    fn user_text_is_escaped_in_html_and_kept_in_text() {
        let n = notification(NotificationKind::PartnerActionRequired {
            reasons: vec![Reason::MissingOrOldDates],
            comment: text("<script>alert(1)</script> & \"more\""),
            respond_by: monday(),
        });
        let email = en(&n, &ctx("<img src=x onerror=alert(1)>"));
        assert!(!email.html.contains("<script>"));
        assert!(!email.html.contains("<img"));
        assert!(
            email
                .html
                .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;more&quot;")
        );
        assert!(email.text.contains("<script>alert(1)</script>"));
        assert!(email.text.contains(
            "Missing or old dates: Dates on the proof of execution are missing or too old"
        ));
        assert_eq!(email.to, "ana@contoso.com");
    }

    #[test]
    fn consent_email_links_the_page_and_says_what_the_partner_sees() {
        let n = notification(NotificationKind::CustomerConsent {
            stage: ConsentStage::Approved,
            opt_out_until: Some(monday()),
        });
        let email = en(&n, &ctx("Teams"));
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
    fn dates_are_in_the_calendars_time_zone() {
        let n = notification(NotificationKind::PartnerApproved {
            opt_out_until: monday(),
        });
        let madrid = DeadlinePolicy::from_lookup(|k| {
            (k == "CPOR_TIME_ZONE").then(|| "Europe/Madrid".to_owned())
        })
        .unwrap();
        let mut c = ctx("c");
        c.partner_language = Some(Language::Es);
        let email = render(&n, TO, &c, &links(), &madrid, Language::En);
        let utc = en(&n, &ctx("c"));
        assert!(email.text.contains("CET"), "{}", email.text);
        assert!(utc.text.contains("(UTC)"), "{}", utc.text);
    }

    #[test]
    fn rejection_says_how_to_dispute_or_that_it_is_final() {
        let open = notification(NotificationKind::PartnerRejected {
            reasons: vec![Reason::InsufficientPoe],
            comment: None,
            dispute_by: Some(monday()),
        });
        assert!(en(&open, &ctx("c")).text.contains("dispute the rejection"));
        let fin = notification(NotificationKind::PartnerRejected {
            reasons: vec![Reason::CustomerDecline],
            comment: None,
            dispute_by: None,
        });
        let text = en(&fin, &ctx("c")).text;
        assert!(
            text.contains("final") && !text.contains("dispute"),
            "{text}"
        );
    }

    #[test]
    fn an_auto_rejection_states_the_configured_response_span() {
        let n = notification(NotificationKind::PartnerRejected {
            reasons: vec![Reason::NoPartnerResponse],
            comment: None,
            dispute_by: Some(monday()),
        });
        let default = en(&n, &ctx("c"));
        assert!(
            default.text.contains("within 5 business days"),
            "{}",
            default.text
        );
        let three = DeadlinePolicy::from_lookup(|k| {
            (k == "CPOR_PARTNER_RESPONSE").then(|| "3bd".to_owned())
        })
        .unwrap();
        let email = render(&n, TO, &ctx("c"), &links(), &three, Language::En);
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
        let email = en(&n, &ctx("a\r\nBcc: x@evil.example"));
        assert!(!email.subject.contains('\n') && !email.subject.contains('\r'));
    }
}

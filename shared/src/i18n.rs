//! The words people read, in their language (en, es, fr, ja — the seeds' languages): Project
//! Fluent catalogues in `shared/locales/*.ftl`, compiled into the binary (never fetched), one
//! bundle per language parsed on first use. Dates are written in the deadline calendar's time
//! zone with the language's own names and order.
//!
//! Every message exists in every catalogue (a test compares them); a message missing from one
//! falls back to English, one missing everywhere renders as `⟦id⟧` so tests catch it.

use crate::domain::{DeadlineKind, DeadlinePolicy, Language, Reason, Span, Status};
use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use std::sync::OnceLock;

pub use fluent_bundle::FluentValue as Arg;

/// The catalogues, in [`Language::ALL`] order.
pub const CATALOGUES: [(Language, &str); 4] = [
    (Language::En, include_str!("../locales/en.ftl")),
    (Language::Es, include_str!("../locales/es.ftl")),
    (Language::Fr, include_str!("../locales/fr.ftl")),
    (Language::Ja, include_str!("../locales/ja.ftl")),
];

type Bundle = FluentBundle<FluentResource>;

static BUNDLES: [OnceLock<Bundle>; 4] = [const { OnceLock::new() }; 4];

fn index(lang: Language) -> usize {
    Language::ALL.iter().position(|l| *l == lang).unwrap_or(0)
}

fn bundle(lang: Language) -> &'static Bundle {
    let i = index(lang);
    BUNDLES[i].get_or_init(|| {
        // A syntax error leaves the entries that did parse; the catalogue test fails on it.
        let resource = FluentResource::try_new(CATALOGUES[i].1.to_owned())
            .unwrap_or_else(|(partial, _)| partial);
        let locale = lang.code().parse().unwrap_or_default();
        let mut bundle = FluentBundle::new_concurrent(vec![locale]);
        // No Unicode isolation marks: subjects and plain-text parts must stay plain.
        bundle.set_use_isolating(false);
        let _ = bundle.add_resource(resource);
        bundle
    })
}

/// Text in one language, with dates in one time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    lang: Language,
    tz: Tz,
}

impl Text {
    pub fn new(lang: Language, tz: Tz) -> Self {
        Self { lang, tz }
    }

    pub fn lang(&self) -> Language {
        self.lang
    }

    /// A message without variables.
    pub fn get(&self, id: &str) -> String {
        self.with(id, &[])
    }

    /// A message with its variables.
    pub fn with(&self, id: &str, args: &[(&str, Arg<'_>)]) -> String {
        let mut fluent_args = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        for lang in [self.lang, Language::En] {
            let bundle = bundle(lang);
            if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                let out = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
                if !errors.is_empty() {
                    tracing::warn!(
                        message_id = id,
                        lang = lang.code(),
                        "message formatting errors"
                    );
                }
                return out.into_owned();
            }
            tracing::warn!(message_id = id, lang = lang.code(), "message missing");
        }
        format!("⟦{id}⟧")
    }

    /// An instant as people read it: `Monday 23 November 2026, 09:00 (CET)`,
    /// `2026年11月23日 (月) 09:00 (JST)`.
    pub fn date(&self, at: DateTime<Utc>) -> String {
        let local = at.with_timezone(&self.tz);
        let weekday = self.get(&format!("weekday-{}", local.weekday().number_from_monday()));
        let month = self.get(&format!("month-{}", local.month()));
        self.with(
            "datetime",
            &[
                ("weekday", weekday.into()),
                ("day", local.day().into()),
                ("month", month.into()),
                ("year", local.year().into()),
                ("time", local.format("%H:%M").to_string().into()),
                ("zone", local.format("%Z").to_string().into()),
            ],
        )
    }

    /// A span: `5 business days`, `7 días`.
    pub fn span(&self, span: Span) -> String {
        let (id, n) = match span {
            Span::BusinessDays(n) => ("span-business-days", n),
            Span::CalendarDays(n) => ("span-calendar-days", n),
        };
        self.with(id, &[("n", n.into())])
    }

    /// A status by its seed 003 name.
    pub fn status(&self, status: Status) -> String {
        self.get(&format!("status-{}", status.code()))
    }

    /// A reason by its seed 003 name.
    pub fn reason(&self, reason: Reason) -> String {
        self.get(&format!("reason-{}", reason.code()))
    }

    /// What a reason means, with the configured spans.
    pub fn reason_description(&self, reason: Reason, policy: &DeadlinePolicy) -> String {
        let span = self.span(DeadlineKind::PartnerResponse.span(policy));
        self.with(
            &format!("reason-{}-description", reason.code()),
            &[("span", span.into())],
        )
    }
}

/// The language asked for by an `Accept-Language` header that we write, by preference
/// (`q` weights honoured, `*` ignored).
pub fn from_accept_language(header: &str) -> Option<Language> {
    let mut best: Option<(f32, usize, Language)> = None;
    for (position, item) in header.split(',').enumerate() {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or_default().trim();
        let q = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())
            .unwrap_or(0.0);
        let Some(lang) = Language::of_tag(tag) else {
            continue;
        };
        if q > 0.0 && best.is_none_or(|(bq, bp, _)| q > bq || (q == bq && position < bp)) {
            best = Some((q, position, lang));
        }
    }
    best.map(|(_, _, lang)| lang)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn ids(source: &str) -> BTreeSet<String> {
        let resource = match FluentResource::try_new(source.to_owned()) {
            Ok(r) => r,
            Err((_, errors)) => panic!("syntax errors: {errors:?}"),
        };
        resource
            .entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_catalogue_parses_and_has_exactly_the_english_messages() {
        let english = ids(CATALOGUES[0].1);
        assert!(english.len() > 100, "{}", english.len());
        for (lang, source) in CATALOGUES {
            let these = ids(source);
            let missing: Vec<_> = english.difference(&these).collect();
            let extra: Vec<_> = these.difference(&english).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{lang:?}: missing {missing:?}, not in English {extra:?}"
            );
        }
        assert_eq!(
            CATALOGUES.map(|(l, _)| l),
            Language::ALL,
            "one catalogue per language, in order"
        );
    }

    #[test]
    fn every_status_and_reason_has_a_name_and_a_meaning_in_every_language() {
        let policy = DeadlinePolicy::default();
        for lang in Language::ALL {
            let t = Text::new(lang, Tz::UTC);
            for s in Status::ALL {
                assert!(!t.status(s).contains('⟦'), "{lang:?} {s}");
            }
            for r in <Reason as strum::VariantArray>::VARIANTS {
                let text = t.reason(*r) + &t.reason_description(*r, &policy);
                assert!(
                    !text.contains('⟦') && !text.contains("{$"),
                    "{lang:?} {r}: {text}"
                );
            }
        }
        let ja = Text::new(Language::Ja, Tz::UTC);
        assert_eq!(ja.status(Status::Draft), "下書き");
        let es = Text::new(Language::Es, Tz::UTC);
        assert_eq!(
            es.status(Status::PartnerActionRequired),
            "Acción de asociado requerida"
        );
        assert_eq!(
            es.reason(Reason::NoPartnerResponse),
            "Sin respuesta del asociado"
        );
    }

    #[test]
    fn dates_are_written_in_the_calendar_zone_with_each_languages_names() {
        let at = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 23, 23, 30, 0).unwrap();
        let tokyo: Tz = "Asia/Tokyo".parse().unwrap();
        assert_eq!(
            Text::new(Language::En, Tz::UTC).date(at),
            "Monday 23 November 2026, 23:30 (UTC)"
        );
        assert_eq!(
            Text::new(Language::Ja, tokyo).date(at),
            "2026年11月24日 (火) 08:30 (JST)"
        );
        assert_eq!(
            Text::new(Language::Es, Tz::UTC).date(at),
            "lunes, 23 de noviembre de 2026, 23:30 (UTC)"
        );
        assert_eq!(
            Text::new(Language::Fr, Tz::UTC).date(at),
            "lundi 23 novembre 2026 à 23:30 (UTC)"
        );
    }

    #[test]
    fn spans_are_plural_aware_and_follow_the_configured_policy() {
        let en = Text::new(Language::En, Tz::UTC);
        assert_eq!(en.span(Span::BusinessDays(1)), "1 business day");
        assert_eq!(en.span(Span::BusinessDays(3)), "3 business days");
        let fr = Text::new(Language::Fr, Tz::UTC);
        assert_eq!(fr.span(Span::CalendarDays(7)), "7 jours");
        let three = DeadlinePolicy::from_lookup(|k| {
            (k == "CPOR_PARTNER_RESPONSE").then(|| "3bd".to_owned())
        })
        .unwrap();
        assert_eq!(
            Text::new(Language::Es, Tz::UTC).reason_description(Reason::NoPartnerResponse, &three),
            "No se recibió respuesta en un plazo de 3 días hábiles."
        );
    }

    #[test]
    fn accept_language_picks_the_most_preferred_language_we_write() {
        assert_eq!(from_accept_language("ja,en;q=0.8"), Some(Language::Ja));
        assert_eq!(
            from_accept_language("de-DE, fr-CA;q=0.7, en;q=0.5"),
            Some(Language::Fr)
        );
        assert_eq!(
            from_accept_language("en;q=0.2, es;q=0.9"),
            Some(Language::Es)
        );
        assert_eq!(from_accept_language("de, *;q=0.1"), None);
        assert_eq!(from_accept_language("es;q=0"), None);
        assert_eq!(from_accept_language(""), None);
    }
}

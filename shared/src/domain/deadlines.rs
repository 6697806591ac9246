//! The deadline policy (SPEC §4), in one place: which deadline each status runs under, how long
//! it runs (a setting per deadline, with its default), and what happens when it passes — a
//! reviewer SLA is recorded, the others move the claim on by a row of the transition table.
//! The claim derives its deadline from here after every change; emails and reason texts render
//! the configured span, so changing a setting changes the rule and every word about it.

use super::calendar::{BusinessCalendar, ConfigError, Span};
use super::lifecycle::{self, Action, Status};
use super::values::all_variants;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The deadline a status runs under, and what happens when it passes.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
    strum::EnumCount,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub enum DeadlineKind {
    // The order indexes `DeadlinePolicy::spans`; `ALL` lists them in it.
    ReviewStartSla,
    ReviewDecisionSla,
    PartnerResponse,
    OptOutWindow,
    DisputeWindow,
    DisputeDecisionSla,
    /// Seed 003's overall SLA: a decision within 10 business days of submission, plus the time
    /// the claim waited for the partner. It runs beside the status deadlines ([`DecisionSla`]).
    DecisionSla,
}

/// What happens when a deadline passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineEffect {
    /// A reviewer SLA: recorded and published, the claim is not penalised.
    RecordSlaBreach,
    /// The claim moves on by this action (a row of the transition table).
    Transition(Action),
}

impl DeadlineKind {
    pub const ALL: [Self; <Self as strum::EnumCount>::COUNT] =
        all_variants(<Self as strum::VariantArray>::VARIANTS);

    /// The deadline every status runs under. `None` is a defined behaviour too: draft waits
    /// for the partner, active lasts until someone ends it, and terminal statuses never change.
    pub fn for_status(status: Status) -> Option<Self> {
        match status {
            Status::Submitted => Some(Self::ReviewStartSla),
            Status::UnderReview => Some(Self::ReviewDecisionSla),
            Status::PartnerActionRequired => Some(Self::PartnerResponse),
            Status::Approved => Some(Self::OptOutWindow),
            Status::Rejected => Some(Self::DisputeWindow),
            Status::Disputed => Some(Self::DisputeDecisionSla),
            Status::Draft
            | Status::Active
            | Status::Cancelled
            | Status::RejectedFinal
            | Status::Ended => None,
        }
    }

    pub fn effect(self) -> DeadlineEffect {
        match self {
            Self::ReviewStartSla
            | Self::ReviewDecisionSla
            | Self::DisputeDecisionSla
            | Self::DecisionSla => DeadlineEffect::RecordSlaBreach,
            Self::PartnerResponse => DeadlineEffect::Transition(Action::AutoReject),
            Self::OptOutWindow => DeadlineEffect::Transition(Action::Activate),
            Self::DisputeWindow => DeadlineEffect::Transition(Action::CloseDisputeWindow),
        }
    }

    pub fn span(self, policy: &DeadlinePolicy) -> Span {
        policy.spans[self as usize]
    }

    /// The setting that configures the span, and its default (SPEC §4).
    pub const fn setting(self) -> (&'static str, Span) {
        match self {
            Self::ReviewStartSla => ("CPOR_REVIEW_START_SLA", Span::BusinessDays(5)),
            Self::ReviewDecisionSla => ("CPOR_REVIEW_DECISION_SLA", Span::BusinessDays(5)),
            Self::PartnerResponse => ("CPOR_PARTNER_RESPONSE", Span::BusinessDays(5)),
            // seed 003; seed 001 says 5 business days, which is `5bd`
            Self::OptOutWindow => ("CPOR_OPT_OUT_WINDOW", Span::CalendarDays(7)),
            Self::DisputeWindow => ("CPOR_DISPUTE_WINDOW", Span::CalendarDays(30)),
            Self::DisputeDecisionSla => ("CPOR_DISPUTE_DECISION_SLA", Span::BusinessDays(5)),
            Self::DecisionSla => ("CPOR_DECISION_SLA", Span::BusinessDays(10)),
        }
    }

    /// The code used in the API and events (`partner_response`).
    pub fn code(self) -> &'static str {
        self.into()
    }
}

/// The deadline table in Markdown, generated from [`DeadlineKind::for_status`] with the
/// policy's durations (used in docs and notes).
pub fn deadline_table_markdown(policy: &DeadlinePolicy) -> String {
    let mut out =
        String::from("| status | deadline | default | when it passes |\n|---|---|---|---|\n");
    for status in Status::ALL {
        let (kind, span, effect) = match DeadlineKind::for_status(status) {
            None if status.is_terminal() => (
                "—".to_owned(),
                "—".to_owned(),
                "terminal: nothing changes".to_owned(),
            ),
            None => (
                "—".to_owned(),
                "—".to_owned(),
                "no deadline: waits for a person".to_owned(),
            ),
            Some(k) => {
                let effect = match k.effect() {
                    DeadlineEffect::RecordSlaBreach => {
                        "SLA breach recorded and published; status unchanged".to_owned()
                    }
                    DeadlineEffect::Transition(a) => {
                        let to = lifecycle::transition(a, status)
                            .map(|t| t.to.code())
                            .unwrap_or("?");
                        format!("{a} → {to}")
                    }
                };
                (k.code().to_owned(), k.span(policy).to_string(), effect)
            }
        };
        out.push_str(&format!("| {status} | {kind} | {span} | {effect} |\n"));
    }
    out
}

/// The deadline the claim runs under now. `generation` is the claim version at which it was
/// set: a schedule fired for an older generation is stale and does nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deadline {
    pub kind: DeadlineKind,
    pub due_at: DateTime<Utc>,
    pub generation: u64,
    /// Set when an SLA deadline passed and the breach was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breached_at: Option<DateTime<Utc>>,
}

/// The overall decision SLA (seed 003): due a span after submission, paused while the claim
/// waits for the partner and extended by that wait, closed by a decision (approval or
/// rejection) or by the claim ending. A breach is recorded and published, never held against
/// the partner. `generation` names its schedule: it changes whenever the due instant does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionSla {
    pub due_at: DateTime<Utc>,
    pub generation: u64,
    /// Set while the claim waits for the partner (partner_action_required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breached_at: Option<DateTime<Utc>>,
}

impl DecisionSla {
    /// Whether a decision is still awaited in this status (the SLA runs or is paused).
    pub fn runs_in(status: Status) -> bool {
        matches!(
            status,
            Status::Submitted | Status::UnderReview | Status::PartnerActionRequired
        )
    }

    /// The SLA after a change from `from` to `to` at `now` (version `version`): started at
    /// submission, paused while waiting for the partner, extended by the wait on resubmission,
    /// gone once a decision is made or the claim ends.
    pub fn after(
        current: Option<&Self>,
        from: Status,
        to: Status,
        now: DateTime<Utc>,
        version: u64,
        policy: &DeadlinePolicy,
    ) -> Option<Self> {
        if !Self::runs_in(to) {
            return None;
        }
        let Some(sla) = current.filter(|_| Self::runs_in(from)) else {
            return Some(Self {
                due_at: DeadlineKind::DecisionSla
                    .span(policy)
                    .after(&policy.calendar, now),
                generation: version,
                paused_at: None,
                breached_at: None,
            });
        };
        let mut next = sla.clone();
        match (
            from == Status::PartnerActionRequired,
            to == Status::PartnerActionRequired,
        ) {
            (false, true) => next.paused_at = Some(now),
            (true, false) => {
                if let Some(paused) = next.paused_at.take() {
                    next.due_at += now - paused;
                    next.generation = version;
                }
            }
            _ => {}
        }
        Some(next)
    }

    /// Whether the breach should be recorded now.
    pub fn due(&self, now: DateTime<Utc>) -> bool {
        self.paused_at.is_none() && self.breached_at.is_none() && now >= self.due_at
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SlaBreach {
    pub kind: DeadlineKind,
    pub status: Status,
    pub due_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
}

/// Every deadline's span on one business calendar, and how often a consent email may be sent
/// on request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlinePolicy {
    pub calendar: BusinessCalendar,
    /// Indexed by [`DeadlineKind`].
    spans: [Span; <DeadlineKind as strum::EnumCount>::COUNT],
    pub consent_sends: SendLimits,
}

impl Default for DeadlinePolicy {
    fn default() -> Self {
        Self {
            calendar: BusinessCalendar::default(),
            spans: DeadlineKind::ALL.map(|k| k.setting().1),
            consent_sends: SendLimits::default(),
        }
    }
}

/// How often the customer's consent email may be sent on request — a partner's resend or the
/// customer's "send me a fresh link" — per claim: it goes out from our sending identity to an
/// address a partner typed, so it must not become a mail cannon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendLimits {
    /// Between two sends (`CPOR_CONSENT_RESEND_COOLDOWN_MINUTES`, default 15).
    pub cooldown: chrono::Duration,
    /// In any 24 hours (`CPOR_CONSENT_RESEND_DAILY_CAP`, default 5).
    pub daily_cap: u32,
}

impl Default for SendLimits {
    fn default() -> Self {
        Self {
            cooldown: chrono::Duration::minutes(15),
            daily_cap: 5,
        }
    }
}

impl SendLimits {
    /// The window the daily cap counts over.
    pub const WINDOW: chrono::Duration = chrono::Duration::hours(24);

    /// When another send may go out, given the earlier ones; `None` when it may now.
    pub fn next_allowed(
        &self,
        sent: &[DateTime<Utc>],
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let mut recent: Vec<DateTime<Utc>> = sent
            .iter()
            .copied()
            .filter(|t| now - *t < Self::WINDOW)
            .collect();
        recent.sort_unstable();
        let after_cooldown = recent.last().map(|last| *last + self.cooldown);
        let after_cap = (recent.len() >= self.daily_cap as usize)
            .then(|| recent[recent.len() - self.daily_cap as usize] + Self::WINDOW);
        [after_cooldown, after_cap]
            .into_iter()
            .flatten()
            .filter(|t| *t > now)
            .max()
    }

    /// The sends to remember after one more at `now` (those inside the window).
    pub fn record(&self, sent: &[DateTime<Utc>], now: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        sent.iter()
            .copied()
            .filter(|t| now - *t < Self::WINDOW)
            .chain(std::iter::once(now))
            .collect()
    }
}

impl DeadlinePolicy {
    /// The same policy with one deadline's span changed.
    pub fn with_span(mut self, kind: DeadlineKind, span: Span) -> Self {
        self.spans[kind as usize] = span;
        self
    }

    /// Builds the policy from named settings (environment variables in a function), each
    /// falling back to its default when absent.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let calendar = BusinessCalendar::parse(
            &lookup("CPOR_TIME_ZONE").unwrap_or_else(|| "UTC".to_owned()),
            &lookup("CPOR_HOLIDAYS").unwrap_or_default(),
        )?;
        let mut policy = Self {
            calendar,
            ..Self::default()
        };
        for kind in DeadlineKind::ALL {
            let (setting, _) = kind.setting();
            if let Some(raw) = lookup(setting) {
                policy.spans[kind as usize] = Span::parse(setting, &raw)?;
            }
        }
        let number = |setting: &'static str, max: u32| -> Result<Option<u32>, ConfigError> {
            lookup(setting)
                .map(|raw| {
                    raw.trim()
                        .parse::<u32>()
                        .ok()
                        .filter(|n| (1..=max).contains(n))
                        .ok_or_else(|| {
                            ConfigError::new(setting, format!("must be a number from 1 to {max}"))
                        })
                })
                .transpose()
        };
        if let Some(m) = number("CPOR_CONSENT_RESEND_COOLDOWN_MINUTES", 24 * 60)? {
            policy.consent_sends.cooldown = chrono::Duration::minutes(i64::from(m));
        }
        if let Some(n) = number("CPOR_CONSENT_RESEND_DAILY_CAP", 100)? {
            policy.consent_sends.daily_cap = n;
        }
        Ok(policy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_deadline_reads_its_own_setting_and_defaults_to_spec_4() {
        let p =
            DeadlinePolicy::from_lookup(|k| (k == "CPOR_OPT_OUT_WINDOW").then(|| "5bd".to_owned()))
                .unwrap();
        assert_eq!(DeadlineKind::OptOutWindow.span(&p), Span::BusinessDays(5));
        assert_eq!(DeadlineKind::DisputeWindow.span(&p), Span::CalendarDays(30));
        let err =
            DeadlinePolicy::from_lookup(|k| (k == "CPOR_DISPUTE_WINDOW").then(|| "x".to_owned()))
                .unwrap_err();
        assert_eq!(err.setting, "CPOR_DISPUTE_WINDOW");
        assert_eq!(
            DeadlinePolicy::from_lookup(|_| None).unwrap(),
            DeadlinePolicy::default()
        );
        let spans: Vec<String> = DeadlineKind::ALL
            .iter()
            .map(|k| k.span(&DeadlinePolicy::default()).to_string())
            .collect();
        assert_eq!(spans, ["5bd", "5bd", "5bd", "7d", "30d", "5bd", "10bd"]);
        // every kind is configured by its own setting
        for kind in DeadlineKind::ALL {
            let p =
                DeadlinePolicy::from_lookup(|k| (k == kind.setting().0).then(|| "11d".to_owned()))
                    .unwrap();
            for other in DeadlineKind::ALL {
                let expected = if other == kind {
                    Span::CalendarDays(11)
                } else {
                    other.setting().1
                };
                assert_eq!(other.span(&p), expected, "{kind:?} set, {other:?} read");
            }
        }
    }

    #[test]
    fn consent_sends_wait_out_the_cooldown_and_stop_at_the_daily_cap() {
        use chrono::{Duration, TimeZone};
        let limits = SendLimits {
            cooldown: Duration::minutes(15),
            daily_cap: 3,
        };
        let t0 = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        assert_eq!(limits.next_allowed(&[], t0), None);
        let sent = limits.record(&[], t0);
        assert_eq!(
            limits.next_allowed(&sent, t0 + Duration::minutes(1)),
            Some(t0 + Duration::minutes(15))
        );
        let sent = limits.record(&sent, t0 + Duration::minutes(15));
        let sent = limits.record(&sent, t0 + Duration::minutes(30));
        // three in a day: the next waits until the first leaves the 24-hour window
        assert_eq!(
            limits.next_allowed(&sent, t0 + Duration::hours(2)),
            Some(t0 + Duration::hours(24))
        );
        assert_eq!(limits.next_allowed(&sent, t0 + Duration::hours(24)), None);
        assert_eq!(
            limits.record(&sent, t0 + Duration::hours(25)).len(),
            1,
            "pruned"
        );
        let p = DeadlinePolicy::from_lookup(|k| match k {
            "CPOR_CONSENT_RESEND_COOLDOWN_MINUTES" => Some("60".into()),
            "CPOR_CONSENT_RESEND_DAILY_CAP" => Some("2".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(p.consent_sends.cooldown, Duration::minutes(60));
        assert_eq!(p.consent_sends.daily_cap, 2);
        let bad = DeadlinePolicy::from_lookup(|k| {
            (k == "CPOR_CONSENT_RESEND_DAILY_CAP").then(|| "0".into())
        })
        .unwrap_err();
        assert_eq!(bad.setting, "CPOR_CONSENT_RESEND_DAILY_CAP");
    }

    #[test]
    fn the_decision_sla_starts_at_submission_pauses_for_the_partner_and_ends_at_a_decision() {
        use chrono::{Duration, TimeZone};
        let policy = DeadlinePolicy::default();
        let monday = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let started =
            DecisionSla::after(None, Status::Draft, Status::Submitted, monday, 2, &policy).unwrap();
        // 10 business days from a Monday 09:00: the Monday two weeks later, 09:00.
        assert_eq!(started.due_at, monday + Duration::days(14));
        let reviewing = DecisionSla::after(
            Some(&started),
            Status::Submitted,
            Status::UnderReview,
            monday + Duration::days(1),
            3,
            &policy,
        )
        .unwrap();
        assert_eq!(reviewing, started, "a review start changes nothing");
        let paused_at = monday + Duration::days(2);
        let paused = DecisionSla::after(
            Some(&reviewing),
            Status::UnderReview,
            Status::PartnerActionRequired,
            paused_at,
            4,
            &policy,
        )
        .unwrap();
        assert_eq!(paused.paused_at, Some(paused_at));
        assert!(
            !paused.due(paused.due_at + Duration::days(30)),
            "never due while paused"
        );
        let back = DecisionSla::after(
            Some(&paused),
            Status::PartnerActionRequired,
            Status::UnderReview,
            paused_at + Duration::hours(50),
            5,
            &policy,
        )
        .unwrap();
        assert_eq!(back.due_at, started.due_at + Duration::hours(50));
        assert_eq!((back.paused_at, back.generation), (None, 5));
        assert!(!back.due(back.due_at - Duration::seconds(1)) && back.due(back.due_at));
        for decided in [
            Status::Approved,
            Status::Rejected,
            Status::RejectedFinal,
            Status::Cancelled,
        ] {
            assert_eq!(
                DecisionSla::after(
                    Some(&back),
                    Status::UnderReview,
                    decided,
                    monday,
                    6,
                    &policy
                ),
                None,
                "{decided}"
            );
        }
    }

    #[test]
    fn codes_are_the_serde_names() {
        for kind in DeadlineKind::ALL {
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::json!(kind.code())
            );
        }
    }
}

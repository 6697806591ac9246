//! The claim lifecycle as data (SPEC §4, seed 003): statuses, reason codes, actions, and the
//! transition table the aggregate implements. The table is the documentation; a property test
//! checks that every transition the aggregate makes is a row of it, and a unit test that every
//! row is reachable.

use super::values::all_variants;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a claim is. The last three are terminal: nothing changes a claim after them.
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
pub enum Status {
    /// "Editing": created, not yet submitted.
    Draft,
    Submitted,
    UnderReview,
    PartnerActionRequired,
    /// Approved; the customer's opt-out window runs.
    Approved,
    /// The association is official and sent on for incentive eligibility.
    Active,
    /// Rejected by a reviewer or for no partner response; the partner may dispute within the
    /// dispute window. A customer's decline or a partner's withdrawal is final at once (seed 001).
    Rejected,
    Disputed,
    /// Terminal: a draft the partner cancelled.
    Cancelled,
    /// Terminal: rejected definitively — the customer declined, the partner withdrew, the dispute
    /// window closed, or a dispute was rejected.
    RejectedFinal,
    /// Terminal: an active association that ended (customer revoked, partner disassociated).
    Ended,
}

impl Status {
    pub const ALL: [Self; <Self as strum::EnumCount>::COUNT] =
        all_variants(<Self as strum::VariantArray>::VARIANTS);

    pub fn code(self) -> &'static str {
        self.into()
    }

    /// A short code for names with a length limit (schedule names are at most 64 characters).
    pub fn short_code(self) -> &'static str {
        match self {
            Self::Draft => "drf",
            Self::Submitted => "sub",
            Self::UnderReview => "rev",
            Self::PartnerActionRequired => "par",
            Self::Approved => "apr",
            Self::Active => "act",
            Self::Rejected => "rej",
            Self::Disputed => "dsp",
            Self::Cancelled => "can",
            Self::RejectedFinal => "fin",
            Self::Ended => "end",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        code.parse().ok()
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Cancelled | Self::RejectedFinal | Self::Ended)
    }

    /// Whether a claim in this status holds its workloads / subscriptions (SPEC §5). Held from
    /// submission until a rejection, withdrawal, revocation or expiry releases them; a dispute
    /// takes them again, since approving it would make the association official.
    pub fn holds_workloads(self) -> bool {
        matches!(
            self,
            Self::Submitted
                | Self::UnderReview
                | Self::PartnerActionRequired
                | Self::Approved
                | Self::Active
                | Self::Disputed
        )
    }

    /// Which content fields a partner may change in this status (SPEC §4 "Editing"). `None`
    /// means every field; an empty slice means nothing.
    pub fn editable_fields(self) -> Option<&'static [&'static str]> {
        match self {
            Self::Draft => None,
            Self::Submitted | Self::PartnerActionRequired => Some(&[
                "partnerLocationId",
                "products",
                "purchaseChannel",
                "customerContact",
                "partnerContact",
            ]),
            _ => Some(&[]),
        }
    }

    /// Whether PoE documents may be added: while editing is allowed, and after a rejection so
    /// that a dispute can carry updated PoE (seed 003).
    pub fn accepts_poe(self) -> bool {
        matches!(
            self,
            Self::Draft | Self::Submitted | Self::PartnerActionRequired | Self::Rejected
        )
    }

    /// Whether the customer's word still changes the claim: a decline would reject it for good
    /// or end the association. Exactly the statuses the transition table lets a customer's
    /// decline leave: those holding the workloads, and a reviewer's rejection the partner may
    /// still dispute (the decline makes it final).
    pub fn consent_open(self) -> bool {
        transition(Action::CustomerDecline, self).is_some()
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Reason codes (seed 003). `missing_products` is both an action-required and a rejection
/// reason; the last four are recorded by the system, not chosen by a reviewer.
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
pub enum Reason {
    MissingAllPoe,
    MissingCustomerAcknowledgement,
    MissingOrOldDates,
    MissingPartnerSolutionOrService,
    MissingProducts,
    PartnerRequest,
    #[serde(rename = "customer_declined")]
    #[strum(serialize = "customer_declined")]
    CustomerDecline,
    InsufficientPoe,
    NoPartnerResponse,
    MissingCustomerConsentOnPoe,
    PoeUnavailable,
    CustomerRevoked,
    PartnerDisassociated,
    DisputeWindowClosed,
    DisputeRejected,
}

impl Reason {
    /// What a reviewer may give when asking for more information.
    pub const ACTION_REQUIRED: [Reason; 5] = [
        Self::MissingAllPoe,
        Self::MissingCustomerAcknowledgement,
        Self::MissingOrOldDates,
        Self::MissingPartnerSolutionOrService,
        Self::MissingProducts,
    ];

    /// What a reviewer may give when rejecting (a claim or a dispute). Partner request,
    /// customer decline and no partner response come from those events, not from a reviewer.
    pub const REVIEWER_REJECTION: [Reason; 4] = [
        Self::InsufficientPoe,
        Self::MissingCustomerConsentOnPoe,
        Self::MissingProducts,
        Self::PoeUnavailable,
    ];

    pub fn code(self) -> &'static str {
        self.into()
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Everything that can happen to a claim, as recorded in history.
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
pub enum Action {
    Create,
    Edit,
    AddPoe,
    /// A declared PoE document removed before it became part of a submission.
    RemovePoe,
    Submit,
    Resubmit,
    Cancel,
    Comment,
    ResendConsent,
    RequestConsentLink,
    StartReview,
    RequestInfo,
    Approve,
    Reject,
    Withdraw,
    Dispute,
    ApproveDispute,
    RejectDispute,
    Disassociate,
    CustomerKeep,
    CustomerDecline,
    RecordSlaBreach,
    AutoReject,
    Activate,
    CloseDisputeWindow,
    /// SES could not deliver a consent email to the customer contact.
    ConsentEmailBounced,
    /// The recipient of one of our emails marked it as spam.
    EmailComplaint,
}

impl Action {
    pub fn code(self) -> &'static str {
        self.into()
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Who makes a transition.
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
pub enum ActorKind {
    Partner,
    Reviewer,
    Customer,
    Scheduler,
    /// A Microsoft field seller (reads only; never in a claim's history).
    Seller,
}

impl ActorKind {
    pub fn code(self) -> &'static str {
        self.into()
    }
}

/// What a transition does to the workload holds (derived from [`Status::holds_workloads`] of
/// `from` and `to`; written down so the table reads on its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldEffect {
    None,
    Acquire,
    Keep,
    Release,
}

/// One row of the lifecycle table.
#[derive(Debug, Clone, Copy)]
pub struct Transition {
    pub action: Action,
    pub from: Status,
    pub to: Status,
    pub by: ActorKind,
    /// The reason recorded on the claim, if the transition sets a fixed one.
    pub reason: Option<Reason>,
    /// Whether the actor must give reason codes (from the lists above) and a comment.
    pub needs_reasons: bool,
}

impl HoldEffect {
    pub fn code(self) -> &'static str {
        match self {
            Self::None => "—",
            Self::Acquire => "acquire",
            Self::Keep => "keep",
            Self::Release => "release",
        }
    }
}

impl Transition {
    pub fn holds(&self) -> HoldEffect {
        match (self.from.holds_workloads(), self.to.holds_workloads()) {
            (false, false) => HoldEffect::None,
            (false, true) => HoldEffect::Acquire,
            (true, true) => HoldEffect::Keep,
            (true, false) => HoldEffect::Release,
        }
    }
}

macro_rules! t {
    ($action:ident, $from:ident => $to:ident, $by:ident) => {
        t!($action, $from => $to, $by, None, false)
    };
    ($action:ident, $from:ident => $to:ident, $by:ident, $reason:expr, $needs:expr) => {
        Transition {
            action: Action::$action,
            from: Status::$from,
            to: Status::$to,
            by: ActorKind::$by,
            reason: $reason,
            needs_reasons: $needs,
        }
    };
}

/// Every status change the aggregate makes. Actions that change no status (edit, add PoE,
/// comment, resend consent, customer keep, SLA breach) are listed in [`NON_TRANSITIONS`].
pub static TRANSITIONS: &[Transition] = &[
    t!(Cancel, Draft => Cancelled, Partner),
    t!(Submit, Draft => Submitted, Partner),
    t!(StartReview, Submitted => UnderReview, Reviewer),
    t!(RequestInfo, UnderReview => PartnerActionRequired, Reviewer, None, true),
    t!(Approve, UnderReview => Approved, Reviewer),
    t!(Reject, UnderReview => Rejected, Reviewer, None, true),
    t!(Resubmit, PartnerActionRequired => UnderReview, Partner),
    t!(AutoReject, PartnerActionRequired => Rejected, Scheduler, Some(Reason::NoPartnerResponse), false),
    t!(Activate, Approved => Active, Scheduler),
    t!(Withdraw, Submitted => RejectedFinal, Partner, Some(Reason::PartnerRequest), false),
    t!(Withdraw, UnderReview => RejectedFinal, Partner, Some(Reason::PartnerRequest), false),
    t!(Withdraw, PartnerActionRequired => RejectedFinal, Partner, Some(Reason::PartnerRequest), false),
    t!(Withdraw, Approved => RejectedFinal, Partner, Some(Reason::PartnerRequest), false),
    t!(Withdraw, Disputed => RejectedFinal, Partner, Some(Reason::PartnerRequest), false),
    t!(CustomerDecline, Submitted => RejectedFinal, Customer, Some(Reason::CustomerDecline), false),
    t!(CustomerDecline, UnderReview => RejectedFinal, Customer, Some(Reason::CustomerDecline), false),
    t!(CustomerDecline, PartnerActionRequired => RejectedFinal, Customer, Some(Reason::CustomerDecline), false),
    t!(CustomerDecline, Approved => RejectedFinal, Customer, Some(Reason::CustomerDecline), false),
    t!(CustomerDecline, Disputed => RejectedFinal, Customer, Some(Reason::CustomerDecline), false),
    t!(CustomerDecline, Rejected => RejectedFinal, Customer, Some(Reason::CustomerDecline), false),
    t!(CustomerDecline, Active => Ended, Customer, Some(Reason::CustomerRevoked), false),
    t!(Disassociate, Active => Ended, Partner, Some(Reason::PartnerDisassociated), false),
    t!(Dispute, Rejected => Disputed, Partner),
    t!(CloseDisputeWindow, Rejected => RejectedFinal, Scheduler, Some(Reason::DisputeWindowClosed), false),
    t!(ApproveDispute, Disputed => Approved, Reviewer),
    t!(RejectDispute, Disputed => RejectedFinal, Reviewer, None, true),
];

/// Actions that leave the status as it is, with the statuses they are allowed in.
/// Where a partner may add (and remove) PoE documents.
const POE_STATUSES: &[Status] = &[
    Status::Draft,
    Status::Submitted,
    Status::PartnerActionRequired,
    Status::Rejected,
];

pub static NON_TRANSITIONS: &[(Action, ActorKind, &[Status])] = &[
    (
        Action::Edit,
        ActorKind::Partner,
        &[
            Status::Draft,
            Status::Submitted,
            Status::PartnerActionRequired,
        ],
    ),
    (Action::AddPoe, ActorKind::Partner, POE_STATUSES),
    (Action::RemovePoe, ActorKind::Partner, POE_STATUSES),
    (
        Action::Comment,
        ActorKind::Partner,
        &[
            Status::Draft,
            Status::Submitted,
            Status::UnderReview,
            Status::PartnerActionRequired,
            Status::Approved,
            Status::Active,
            Status::Rejected,
            Status::Disputed,
        ],
    ),
    (
        Action::Comment,
        ActorKind::Reviewer,
        &[
            Status::Submitted,
            Status::UnderReview,
            Status::PartnerActionRequired,
            Status::Approved,
            Status::Active,
            Status::Rejected,
            Status::Disputed,
        ],
    ),
    (
        Action::ResendConsent,
        ActorKind::Partner,
        &[
            Status::Submitted,
            Status::UnderReview,
            Status::PartnerActionRequired,
            Status::Approved,
            Status::Active,
            Status::Disputed,
        ],
    ),
    (
        Action::RequestConsentLink,
        ActorKind::Customer,
        CUSTOMERS_WORD_COUNTS,
    ),
    (
        Action::CustomerKeep,
        ActorKind::Customer,
        &[
            Status::Submitted,
            Status::UnderReview,
            Status::PartnerActionRequired,
            Status::Approved,
            Status::Active,
            Status::Disputed,
        ],
    ),
    (
        Action::CustomerDecline,
        ActorKind::Customer,
        &[Status::RejectedFinal, Status::Ended, Status::Cancelled],
    ),
    (
        Action::ConsentEmailBounced,
        ActorKind::Scheduler,
        CUSTOMERS_WORD_COUNTS,
    ),
    (
        Action::EmailComplaint,
        ActorKind::Scheduler,
        CUSTOMERS_WORD_COUNTS,
    ),
    (
        Action::RecordSlaBreach,
        ActorKind::Scheduler,
        &[Status::Submitted, Status::UnderReview, Status::Disputed],
    ),
];

/// Where the customer's word still changes the claim ([`Status::consent_open`]): there a
/// customer may ask for a fresh consent link, and a bounced or unwelcome email is worth
/// recording and telling the partner about (a draft has sent nothing; after the end nobody
/// needs to reach the customer).
const CUSTOMERS_WORD_COUNTS: &[Status] = &[
    Status::Submitted,
    Status::UnderReview,
    Status::PartnerActionRequired,
    Status::Approved,
    Status::Active,
    Status::Rejected,
    Status::Disputed,
];

/// Finds the row for an action from a status, if there is one.
pub fn transition(action: Action, from: Status) -> Option<&'static Transition> {
    TRANSITIONS
        .iter()
        .find(|t| t.action == action && t.from == from)
}

/// Whether an action is allowed from a status (as a transition or not).
pub fn allowed(action: Action, from: Status, by: ActorKind) -> bool {
    transition(action, from).is_some_and(|t| t.by == by)
        || NON_TRANSITIONS
            .iter()
            .any(|(a, who, statuses)| *a == action && *who == by && statuses.contains(&from))
}

/// The lifecycle table in Markdown, generated from [`TRANSITIONS`] (used in docs and notes).
pub fn transition_table_markdown() -> String {
    let mut out = String::from(
        "| from | action | to | by | reason | workload holds |\n|---|---|---|---|---|---|\n",
    );
    for t in TRANSITIONS {
        let reason = match (t.reason, t.needs_reasons) {
            (Some(r), _) => r.code().to_owned(),
            (None, true) => "reviewer's codes + comment".to_owned(),
            (None, false) => String::new(),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            t.from,
            t.action,
            t.to,
            t.by.code(),
            reason,
            t.holds().code()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn consent_is_open_while_the_workloads_are_held_or_a_dispute_could_revive_the_claim() {
        for s in Status::ALL {
            assert_eq!(
                s.consent_open(),
                s.holds_workloads() || s == Status::Rejected,
                "{s}"
            );
        }
        assert!(!Status::Draft.consent_open() && !Status::Ended.consent_open());
    }

    #[test]
    fn fresh_links_and_email_reports_count_exactly_where_the_customers_word_does() {
        for s in Status::ALL {
            assert_eq!(CUSTOMERS_WORD_COUNTS.contains(&s), s.consent_open(), "{s}");
            for (action, by) in [
                (Action::RequestConsentLink, ActorKind::Customer),
                (Action::ConsentEmailBounced, ActorKind::Scheduler),
                (Action::EmailComplaint, ActorKind::Scheduler),
            ] {
                assert_eq!(allowed(action, s, by), s.consent_open(), "{action} in {s}");
            }
        }
    }

    #[test]
    fn a_customer_decline_and_a_partner_withdrawal_are_final_seed_001() {
        for t in TRANSITIONS {
            if matches!(t.action, Action::Withdraw)
                || (t.action == Action::CustomerDecline && t.from != Status::Active)
            {
                assert_eq!(t.to, Status::RejectedFinal, "{} from {}", t.action, t.from);
            }
        }
        // Only a reviewer's rejection and the automatic one may be disputed.
        let disputable: BTreeSet<_> = TRANSITIONS
            .iter()
            .filter(|t| t.to == Status::Rejected)
            .map(|t| t.action)
            .collect();
        assert_eq!(
            disputable,
            BTreeSet::from([Action::Reject, Action::AutoReject])
        );
    }

    #[test]
    fn terminal_statuses_have_no_outgoing_transition() {
        for t in TRANSITIONS {
            assert!(
                !t.from.is_terminal(),
                "{} leaves terminal {}",
                t.action,
                t.from
            );
        }
        for (action, _, statuses) in NON_TRANSITIONS {
            if *action != Action::CustomerDecline {
                assert!(statuses.iter().all(|s| !s.is_terminal()), "{action}");
            }
        }
    }

    #[test]
    fn every_non_terminal_status_has_a_way_out_and_every_status_is_reachable() {
        for s in Status::ALL.into_iter().filter(|s| !s.is_terminal()) {
            assert!(TRANSITIONS.iter().any(|t| t.from == s), "{s} is a dead end");
        }
        let reachable: BTreeSet<_> = std::iter::once(Status::Draft)
            .chain(TRANSITIONS.iter().map(|t| t.to))
            .collect();
        assert_eq!(reachable.len(), Status::ALL.len());
    }

    #[test]
    fn an_action_has_at_most_one_row_per_from_status() {
        let mut seen = BTreeSet::new();
        for t in TRANSITIONS {
            assert!(
                seen.insert((t.action, t.from)),
                "{} from {} twice",
                t.action,
                t.from
            );
        }
    }

    #[test]
    fn holds_are_taken_at_submission_and_released_by_reject_withdraw_revoke_and_expiry() {
        let effect = |a, s| transition(a, s).map(Transition::holds);
        assert_eq!(
            effect(Action::Submit, Status::Draft),
            Some(HoldEffect::Acquire)
        );
        assert_eq!(
            effect(Action::Dispute, Status::Rejected),
            Some(HoldEffect::Acquire)
        );
        assert_eq!(
            effect(Action::Reject, Status::UnderReview),
            Some(HoldEffect::Release)
        );
        assert_eq!(
            effect(Action::Withdraw, Status::Approved),
            Some(HoldEffect::Release)
        );
        assert_eq!(
            effect(Action::CustomerDecline, Status::Active),
            Some(HoldEffect::Release)
        );
        assert_eq!(
            effect(Action::AutoReject, Status::PartnerActionRequired),
            Some(HoldEffect::Release)
        );
        assert_eq!(
            effect(Action::Activate, Status::Approved),
            Some(HoldEffect::Keep)
        );
        assert_eq!(
            effect(Action::Cancel, Status::Draft),
            Some(HoldEffect::None)
        );
    }

    #[test]
    fn editing_follows_seed_003() {
        assert_eq!(Status::Draft.editable_fields(), None);
        let limited = Status::Submitted.editable_fields().unwrap_or_default();
        assert_eq!(
            limited,
            [
                "partnerLocationId",
                "products",
                "purchaseChannel",
                "customerContact",
                "partnerContact"
            ]
        );
        assert_eq!(
            Status::PartnerActionRequired.editable_fields(),
            Some(limited)
        );
        for s in [
            Status::UnderReview,
            Status::Approved,
            Status::Active,
            Status::Rejected,
            Status::Disputed,
        ] {
            assert_eq!(s.editable_fields(), Some(&[][..]), "{s}");
        }
    }

    #[test]
    fn reviewer_reason_lists_match_seed_003() {
        assert!(Reason::ACTION_REQUIRED.contains(&Reason::MissingProducts));
        assert!(Reason::REVIEWER_REJECTION.contains(&Reason::MissingProducts));
        for system in [
            Reason::PartnerRequest,
            Reason::CustomerDecline,
            Reason::NoPartnerResponse,
        ] {
            assert!(!Reason::REVIEWER_REJECTION.contains(&system));
        }
        let json = serde_json::to_string(&Reason::MissingPartnerSolutionOrService).unwrap();
        assert_eq!(
            json,
            format!("\"{}\"", Reason::MissingPartnerSolutionOrService.code())
        );
    }

    #[test]
    fn status_codes_round_trip_and_short_codes_are_unique() {
        let shorts: BTreeSet<_> = Status::ALL.iter().map(|s| s.short_code()).collect();
        assert_eq!(shorts.len(), Status::ALL.len());
        for s in Status::ALL {
            assert_eq!(Status::parse(s.code()), Some(s));
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.code())
            );
        }
    }
}

//! Who is acting, and what they may do: actors, partner user roles and the permission matrix
//! (SPEC §2). The matrix is data ([`PARTNER_MATRIX`]); the README's table is generated from it.
//!
//! Roles come from the seeds: claims are created by Incentives admins and users (seeds 000, 001,
//! 002, 004); managing associations — editing, withdrawing, disputing, ending — is for Billing
//! admins, Global admins and Incentives admins (seed 003). Incentives users do the day-to-day
//! work on their organisation's claims but not the decisions that end or contest an association.

use super::catalogue::SolutionArea;
use super::command::CommandError;
use super::content::ValidationErrors;
use super::lifecycle::Status;
use super::values::all_variants;
use super::values::{LocationId, PartnerId, ShortText, TenantId, UserId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// A partner user's role in their organisation.
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
pub enum PartnerRole {
    IncentivesAdmin,
    IncentivesUser,
    GlobalAdmin,
    BillingAdmin,
    /// Opens the referrals created from its organisation's MCI engagement claims (seed 004).
    ReferralAdmin,
}

impl PartnerRole {
    pub const ALL: [Self; <Self as strum::EnumCount>::COUNT] =
        all_variants(<Self as strum::VariantArray>::VARIANTS);

    pub fn code(self) -> &'static str {
        self.into()
    }

    pub fn parse(code: &str) -> Option<Self> {
        code.parse().ok()
    }
}

/// Something a caller may be allowed to do.
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
pub enum Capability {
    /// Read a claim, its PoE, comments and history.
    Read,
    Create,
    /// Edit fields and add PoE, as the status allows.
    Edit,
    /// Set or change a claim's partner location (MPN ID): seed 004, Incentives admins and users.
    ChangeLocation,
    /// Submit a draft, or resubmit after partner action required.
    Submit,
    CancelDraft,
    Comment,
    ResendConsent,
    Withdraw,
    Dispute,
    Disassociate,
    /// Use an MCI engagement's Customers page (seed 004): check eligibility, register, edit
    /// and cancel engagement claims.
    Engage,
    /// Open the organisation's referrals (seed 004's referral admin).
    OpenReferral,
    /// Microsoft field sellers: read an engagement claim whose referral became co-sell, and
    /// its referral.
    ReadCoSell,
    /// Reviewer: start review, approve, reject, ask for information, decide disputes.
    Review,
    /// Customer: keep or decline through the consent link.
    ConsentDecision,
    /// Scheduler: fire deadlines.
    FireDeadline,
    /// The system: record what SES reported about an email (bounce, complaint).
    RecordEmailFeedback,
}

impl Capability {
    pub const ALL: [Self; <Self as strum::EnumCount>::COUNT] =
        all_variants(<Self as strum::VariantArray>::VARIANTS);
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.into())
    }
}

use Capability as C;
use PartnerRole as R;

const MANAGERS: &[PartnerRole] = &[R::IncentivesAdmin, R::GlobalAdmin, R::BillingAdmin];
const EVERY_PARTNER_ROLE: &[PartnerRole] = &[
    R::IncentivesAdmin,
    R::IncentivesUser,
    R::GlobalAdmin,
    R::BillingAdmin,
];
const CREATORS: &[PartnerRole] = &[R::IncentivesAdmin, R::IncentivesUser];

/// The partner permission matrix: which roles hold each capability, always on their own
/// organisation's claims only.
pub static PARTNER_MATRIX: &[(Capability, &[PartnerRole])] = &[
    (C::Read, EVERY_PARTNER_ROLE),
    (C::Create, CREATORS),
    (C::Edit, EVERY_PARTNER_ROLE),
    (C::ChangeLocation, CREATORS),
    (C::Submit, EVERY_PARTNER_ROLE),
    (C::CancelDraft, CREATORS),
    (C::Comment, EVERY_PARTNER_ROLE),
    (C::ResendConsent, EVERY_PARTNER_ROLE),
    (C::Withdraw, MANAGERS),
    (C::Dispute, MANAGERS),
    (C::Disassociate, MANAGERS),
    (C::Engage, CREATORS),
    (C::OpenReferral, &[R::ReferralAdmin]),
];

/// What reviewers may do, on every organisation's claims.
pub static REVIEWER_CAPABILITIES: &[Capability] = &[C::Read, C::Comment, C::Review];

/// What Microsoft field sellers may do: read what became co-sell, nothing else.
pub static SELLER_CAPABILITIES: &[Capability] = &[C::ReadCoSell];

/// A signed-in partner user, as the identity provider describes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerUser {
    pub user: UserId,
    pub org: PartnerId,
    /// The organisation's display name (the token's `partner_name`), if it gave one.
    pub org_name: Option<ShortText>,
    pub locations: BTreeSet<LocationId>,
    pub roles: BTreeSet<PartnerRole>,
}

impl PartnerUser {
    pub fn can(&self, cap: Capability) -> bool {
        PARTNER_MATRIX
            .iter()
            .any(|(c, roles)| *c == cap && roles.iter().any(|r| self.roles.contains(r)))
    }
}

/// Whoever is acting on a claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    Partner(PartnerUser),
    Reviewer {
        user: UserId,
    },
    /// A Microsoft field seller (seed 004: sees claims whose referral became co-sell).
    Seller {
        user: UserId,
    },
    /// The customer contact, proven by a verified consent token bound to the claim.
    Customer,
    Scheduler,
}

/// Why access was refused. `NotFound` is what a partner sees for another organisation's claim:
/// they learn nothing about it, not even that it exists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    #[error("claim not found")]
    NotFound,
    #[error("your role does not allow {0}")]
    Forbidden(Capability),
}

impl Actor {
    pub fn kind(&self) -> super::lifecycle::ActorKind {
        use super::lifecycle::ActorKind as K;
        match self {
            Self::Partner(_) => K::Partner,
            Self::Reviewer { .. } => K::Reviewer,
            Self::Seller { .. } => K::Seller,
            Self::Customer => K::Customer,
            Self::Scheduler => K::Scheduler,
        }
    }

    /// Whether the actor holds the capability at all (ownership aside).
    pub fn can(&self, cap: Capability) -> bool {
        match self {
            Self::Partner(p) => p.can(cap),
            Self::Reviewer { .. } => REVIEWER_CAPABILITIES.contains(&cap),
            Self::Seller { .. } => SELLER_CAPABILITIES.contains(&cap),
            Self::Customer => cap == C::ConsentDecision,
            Self::Scheduler => matches!(cap, C::FireDeadline | C::RecordEmailFeedback),
        }
    }

    /// Checks a capability on a claim owned by `owner`. A partner of another organisation gets
    /// `NotFound` whatever the capability; a partner of the owning organisation without the
    /// capability gets `Forbidden`.
    pub fn authorize(&self, cap: Capability, owner: &PartnerId) -> Result<(), AccessError> {
        if let Self::Partner(p) = self {
            if &p.org != owner {
                return Err(AccessError::NotFound);
            }
        }
        if self.can(cap) {
            Ok(())
        } else {
            Err(AccessError::Forbidden(cap))
        }
    }

    /// A short, log-safe description for history: kind and user ID, never contact details.
    pub fn reference(&self) -> ActorRef {
        match self {
            Self::Partner(p) => ActorRef {
                kind: self.kind(),
                user: Some(p.user.to_string()),
                partner_id: Some(p.org.clone()),
            },
            Self::Reviewer { user } | Self::Seller { user } => ActorRef {
                kind: self.kind(),
                user: Some(user.to_string()),
                partner_id: None,
            },
            Self::Customer | Self::Scheduler => ActorRef {
                kind: self.kind(),
                user: None,
                partner_id: None,
            },
        }
    }
}

/// The actor as recorded in history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ActorRef {
    pub kind: super::lifecycle::ActorKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_id: Option<PartnerId>,
}

impl ActorRef {
    /// Who acted, as `viewer` may see it: a partner sees that a Microsoft reviewer acted, never
    /// which one (reviewers see each other; partners see their own colleagues).
    pub fn as_seen_by(&self, viewer: &Actor) -> ActorRef {
        match (viewer, self.kind) {
            (Actor::Partner(_), super::lifecycle::ActorKind::Reviewer) => ActorRef {
                kind: self.kind,
                user: None,
                partner_id: None,
            },
            _ => self.clone(),
        }
    }
}

/// The permission matrix in Markdown, generated from the data above.
pub fn permission_matrix_markdown() -> String {
    let mut out = String::from("| capability |");
    for r in PartnerRole::ALL {
        out.push_str(&format!(" {} |", r.code()));
    }
    out.push_str(" reviewer | microsoft_seller |\n|---|");
    for _ in 0..=PartnerRole::ALL.len() + 1 {
        out.push_str("---|");
    }
    out.push('\n');
    for cap in Capability::ALL {
        if matches!(
            cap,
            C::ConsentDecision | C::FireDeadline | C::RecordEmailFeedback
        ) {
            continue;
        }
        out.push_str(&format!("| {cap} |"));
        for r in PartnerRole::ALL {
            let yes = PARTNER_MATRIX
                .iter()
                .any(|(c, roles)| *c == cap && roles.contains(&r));
            out.push_str(if yes { " own org |" } else { " — |" });
        }
        out.push_str(if REVIEWER_CAPABILITIES.contains(&cap) {
            " all |"
        } else {
            " — |"
        });
        out.push_str(if SELLER_CAPABILITIES.contains(&cap) {
            " co-sell only |\n"
        } else {
            " — |\n"
        });
    }
    out
}

/// Which claims to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimQuery {
    /// A partner organisation's claims, newest first, optionally of one status.
    Organisation {
        partner: PartnerId,
        status: Option<Status>,
    },
    /// A partner organisation's claims in one status, earliest due first (claims without a
    /// deadline last).
    OrganisationByDue { partner: PartnerId, status: Status },
    /// The reviewer queue for one status, earliest due first (claims without a deadline last).
    Queue { status: Status },
}

/// Narrowing applied within a query's pages (a page may then hold fewer than `limit` items,
/// and still carry a continuation).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    pub solution_area: Option<SolutionArea>,
    pub tenant: Option<TenantId>,
    /// Only claims whose partner comment waits for a reviewer (`awaitingReviewer=true`).
    pub awaiting_reviewer: bool,
}

impl ClaimQuery {
    /// What `actor` may list, given the status and partner asked for: a partner lists their
    /// own organisation (a `partnerId` must be theirs); a reviewer lists one status queue or
    /// one partner's claims. Customers and the scheduler list nothing.
    pub fn for_actor(
        actor: &Actor,
        status: Option<Status>,
        partner: Option<PartnerId>,
    ) -> Result<Self, CommandError> {
        let invalid = |field: &str, message: &str| {
            let mut errors = ValidationErrors::default();
            errors.push(field, message);
            CommandError::Invalid(errors)
        };
        match actor {
            Actor::Partner(p) => {
                if !actor.can(Capability::Read) {
                    return Err(AccessError::Forbidden(Capability::Read).into());
                }
                if partner.as_ref().is_some_and(|other| other != &p.org) {
                    return Err(invalid(
                        "partnerId",
                        "partners list their own organisation only",
                    ));
                }
                Ok(Self::Organisation {
                    partner: p.org.clone(),
                    status,
                })
            }
            Actor::Reviewer { .. } => match (status, partner) {
                (_, Some(partner)) => Ok(Self::Organisation { partner, status }),
                (Some(status), None) => Ok(Self::Queue { status }),
                (None, None) => Err(invalid(
                    "status",
                    "reviewers list one status queue (or one partner with partnerId)",
                )),
            },
            Actor::Seller { .. } | Actor::Customer | Actor::Scheduler => {
                Err(AccessError::Forbidden(Capability::Read).into())
            }
        }
    }

    /// The scope a continuation is sealed to: a continuation from one organisation, status or
    /// filter cannot be replayed against another.
    pub fn scope(&self, filter: &ListFilter) -> String {
        let base = match self {
            Self::Organisation { partner, status } => {
                format!("org:{partner}:{}", status.map_or("*", |s| s.code()))
            }
            Self::OrganisationByDue { partner, status } => {
                format!("org-due:{partner}:{}", status.code())
            }
            Self::Queue { status } => format!("queue:{}", status.code()),
        };
        format!(
            "{base}:{}:{}{}",
            filter.solution_area.map_or("*", |a| a.code()),
            filter
                .tenant
                .map_or_else(|| "*".to_owned(), |t| t.to_string()),
            if filter.awaiting_reviewer {
                ":awaiting"
            } else {
                ""
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn partner(org: &str, roles: &[PartnerRole]) -> Actor {
        Actor::Partner(PartnerUser {
            user: UserId::parse("user-1").unwrap(),
            org: PartnerId::parse(org).unwrap(),
            org_name: None,
            locations: [LocationId::parse("100").unwrap()].into(),
            roles: roles.iter().copied().collect(),
        })
    }

    #[test]
    fn partners_list_their_own_organisation_and_reviewers_a_queue_or_a_partner() {
        let org = PartnerId::parse("org-a").unwrap();
        let other = PartnerId::parse("org-b").unwrap();
        let admin = partner("org-a", &[PartnerRole::IncentivesAdmin]);
        assert_eq!(
            ClaimQuery::for_actor(&admin, Some(Status::Draft), None),
            Ok(ClaimQuery::Organisation {
                partner: org.clone(),
                status: Some(Status::Draft)
            })
        );
        assert_eq!(
            ClaimQuery::for_actor(&admin, None, Some(org.clone())),
            Ok(ClaimQuery::Organisation {
                partner: org.clone(),
                status: None
            })
        );
        let fields = |r: Result<ClaimQuery, CommandError>| match r {
            Err(CommandError::Invalid(v)) => v.fields().map(str::to_owned).collect::<Vec<_>>(),
            other => panic!("expected invalid, got {other:?}"),
        };
        assert_eq!(
            fields(ClaimQuery::for_actor(&admin, None, Some(other.clone()))),
            ["partnerId"]
        );
        let no_role = partner("org-a", &[]);
        assert_eq!(
            ClaimQuery::for_actor(&no_role, None, None),
            Err(CommandError::Access(AccessError::Forbidden(
                Capability::Read
            )))
        );
        let reviewer = Actor::Reviewer {
            user: UserId::parse("rev-1").unwrap(),
        };
        assert_eq!(
            ClaimQuery::for_actor(&reviewer, Some(Status::Submitted), None),
            Ok(ClaimQuery::Queue {
                status: Status::Submitted
            })
        );
        assert_eq!(
            ClaimQuery::for_actor(&reviewer, None, Some(other.clone())),
            Ok(ClaimQuery::Organisation {
                partner: other,
                status: None
            })
        );
        assert_eq!(
            fields(ClaimQuery::for_actor(&reviewer, None, None)),
            ["status"]
        );
        for nobody in [Actor::Customer, Actor::Scheduler] {
            assert!(matches!(
                ClaimQuery::for_actor(&nobody, Some(Status::Submitted), None),
                Err(CommandError::Access(AccessError::Forbidden(_)))
            ));
        }
    }

    #[test]
    fn another_organisations_claim_is_not_found_whatever_the_role() {
        let owner = PartnerId::parse("org-a").unwrap();
        for role in PartnerRole::ALL {
            let actor = partner("org-b", &[role]);
            for cap in Capability::ALL {
                assert_eq!(actor.authorize(cap, &owner), Err(AccessError::NotFound));
            }
        }
    }

    #[test]
    fn only_incentives_roles_create_and_only_managers_end_or_contest() {
        let owner = PartnerId::parse("org-a").unwrap();
        let user = partner("org-a", &[PartnerRole::IncentivesUser]);
        let global = partner("org-a", &[PartnerRole::GlobalAdmin]);
        let admin = partner("org-a", &[PartnerRole::IncentivesAdmin]);
        assert!(user.authorize(C::Create, &owner).is_ok());
        assert!(user.authorize(C::Submit, &owner).is_ok());
        assert_eq!(
            user.authorize(C::Withdraw, &owner),
            Err(AccessError::Forbidden(C::Withdraw))
        );
        assert_eq!(
            user.authorize(C::Dispute, &owner),
            Err(AccessError::Forbidden(C::Dispute))
        );
        assert_eq!(
            global.authorize(C::Create, &owner),
            Err(AccessError::Forbidden(C::Create))
        );
        assert!(global.authorize(C::Dispute, &owner).is_ok());
        for cap in [
            C::Read,
            C::Create,
            C::Edit,
            C::Submit,
            C::CancelDraft,
            C::Comment,
            C::ResendConsent,
            C::Withdraw,
            C::Dispute,
            C::Disassociate,
        ] {
            assert!(admin.authorize(cap, &owner).is_ok(), "{cap}");
        }
    }

    #[test]
    fn partners_never_review_and_reviewers_never_act_for_partners() {
        let owner = PartnerId::parse("org-a").unwrap();
        let all_roles = partner("org-a", &PartnerRole::ALL);
        assert_eq!(
            all_roles.authorize(C::Review, &owner),
            Err(AccessError::Forbidden(C::Review))
        );
        let reviewer = Actor::Reviewer {
            user: UserId::parse("rev-1").unwrap(),
        };
        assert!(reviewer.authorize(C::Review, &owner).is_ok());
        assert!(reviewer.authorize(C::Read, &owner).is_ok());
        for cap in [
            C::Create,
            C::Edit,
            C::Submit,
            C::Withdraw,
            C::Dispute,
            C::ConsentDecision,
        ] {
            assert_eq!(
                reviewer.authorize(cap, &owner),
                Err(AccessError::Forbidden(cap))
            );
        }
    }

    #[test]
    fn partners_see_that_a_reviewer_acted_never_who() {
        let reviewer = Actor::Reviewer {
            user: UserId::parse("rev-7").unwrap(),
        };
        let by_reviewer = reviewer.reference();
        let partner = partner("org-a", &[PartnerRole::IncentivesAdmin]);
        let seen = by_reviewer.as_seen_by(&partner);
        assert_eq!(seen.kind, super::super::lifecycle::ActorKind::Reviewer);
        assert_eq!(seen.user, None);
        assert_eq!(by_reviewer.as_seen_by(&reviewer), by_reviewer);
        let by_partner = partner.reference();
        assert_eq!(
            by_partner.as_seen_by(&partner),
            by_partner,
            "colleagues stay named"
        );
    }

    #[test]
    fn customer_and_system_hold_exactly_their_capabilities() {
        let owner = PartnerId::parse("org-a").unwrap();
        for cap in Capability::ALL {
            assert_eq!(
                Actor::Customer.authorize(cap, &owner).is_ok(),
                cap == C::ConsentDecision
            );
            assert_eq!(
                Actor::Scheduler.authorize(cap, &owner).is_ok(),
                matches!(cap, C::FireDeadline | C::RecordEmailFeedback)
            );
        }
    }

    #[test]
    fn a_partner_without_roles_can_do_nothing() {
        let owner = PartnerId::parse("org-a").unwrap();
        let nobody = partner("org-a", &[]);
        for cap in Capability::ALL {
            assert!(nobody.authorize(cap, &owner).is_err(), "{cap}");
        }
    }

    #[test]
    fn matrix_markdown_lists_every_partner_capability() {
        let md = permission_matrix_markdown();
        assert!(
            md.contains("| withdraw | own org | — | own org | own org | — | — | — |"),
            "{md}"
        );
        assert!(
            md.contains("| review | — | — | — | — | — | all | — |"),
            "{md}"
        );
        assert!(
            md.contains("| open_referral | — | — | — | — | own org | — | — |"),
            "{md}"
        );
        assert!(
            md.contains("| read_co_sell | — | — | — | — | — | — | co-sell only |"),
            "{md}"
        );
    }
}

//! The engagement claim's lifecycle in one table (SPEC §9): for each action, the statuses it
//! may start from, where it leads, and the bus `detail-type` that announces it. The aggregate's
//! methods check their action against it, `step` takes the destination from it, and the event
//! schemas are generated from it — so a move added here is allowed, announced and documented
//! at once.

use super::{EngagementAction as A, EngagementStatus as S};

/// One action: from which statuses, to which (`None`: the status stays), announced how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    pub action: A,
    /// Where it may start; empty for registration, which starts a claim.
    pub from: &'static [S],
    pub to: Option<S>,
    /// The bus `detail-type` of the event it publishes (source `cpor.engagements`).
    pub detail_type: &'static str,
    /// How a refusal names it: "cannot {verb} an engagement claim that is …".
    pub verb: &'static str,
}

impl Move {
    /// The status after the move from `from`.
    pub fn to(&self, from: S) -> S {
        self.to.unwrap_or(from)
    }
}

const OPEN_BEFORE_CONSENT: &[S] = &[S::Registered, S::ConsentRequested];

/// Every action of an engagement claim, once.
pub const MOVES: &[Move] = &[
    Move {
        action: A::Register,
        from: &[],
        to: Some(S::Registered),
        detail_type: "EngagementClaimRegistered",
        verb: "register",
    },
    Move {
        action: A::Edit,
        from: &[S::Registered],
        to: None,
        detail_type: "EngagementClaimEdited",
        verb: "edit",
    },
    Move {
        action: A::Cancel,
        from: &[S::Registered, S::ConsentRequested, S::Consented],
        to: Some(S::Cancelled),
        detail_type: "EngagementClaimCancelled",
        verb: "cancel",
    },
    Move {
        action: A::RequestConsent,
        from: &[S::Registered],
        to: Some(S::ConsentRequested),
        detail_type: "EngagementConsentRequested",
        verb: "request consent for",
    },
    Move {
        action: A::ResendConsent,
        from: &[S::ConsentRequested],
        to: None,
        detail_type: "EngagementConsentResent",
        verb: "resend the consent email of",
    },
    Move {
        action: A::Accept,
        from: &[S::ConsentRequested],
        to: Some(S::Consented),
        detail_type: "EngagementConsentGiven",
        verb: "decide on",
    },
    Move {
        action: A::Decline,
        from: &[S::ConsentRequested],
        to: Some(S::Declined),
        detail_type: "EngagementConsentDeclined",
        verb: "decide on",
    },
    Move {
        action: A::ExpireConsent,
        from: OPEN_BEFORE_CONSENT,
        to: Some(S::ConsentExpired),
        detail_type: "EngagementConsentExpired",
        verb: "expire the consent of",
    },
    Move {
        action: A::Submit,
        from: &[S::Consented],
        to: Some(S::Submitted),
        detail_type: "EngagementClaimSubmitted",
        verb: "submit",
    },
    Move {
        action: A::RemindSubmission,
        from: &[S::Consented],
        to: None,
        detail_type: "EngagementSubmissionReminderSent",
        verb: "remind of the submission of",
    },
    Move {
        action: A::ExpireSubmission,
        from: &[S::Consented],
        to: Some(S::SubmissionExpired),
        detail_type: "EngagementSubmissionExpired",
        verb: "expire the submission of",
    },
    Move {
        action: A::Approve,
        from: &[S::Submitted],
        to: Some(S::Completed),
        detail_type: "EngagementClaimCompleted",
        verb: "review",
    },
    Move {
        action: A::Reject,
        from: &[S::Submitted],
        to: Some(S::RejectedFinal),
        detail_type: "EngagementClaimRejected",
        verb: "review",
    },
];

/// The move of `action` (every action has exactly one; a test checks it).
pub fn of(action: A) -> &'static Move {
    MOVES
        .iter()
        .find(|m| m.action == action)
        .unwrap_or(&MOVES[0])
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::VariantArray;

    #[test]
    fn every_action_has_one_move_and_every_detail_type_is_its_own() {
        for action in A::VARIANTS {
            assert_eq!(
                MOVES.iter().filter(|m| m.action == *action).count(),
                1,
                "{action:?}"
            );
            assert_eq!(of(*action).action, *action);
        }
        let mut types: Vec<_> = MOVES.iter().map(|m| m.detail_type).collect();
        types.sort_unstable();
        types.dedup();
        assert_eq!(types.len(), MOVES.len());
    }

    #[test]
    fn nothing_leaves_a_terminal_status_and_every_status_is_reached() {
        for m in MOVES {
            assert!(m.from.iter().all(|s| !s.is_terminal()), "{:?}", m.action);
        }
        for status in S::VARIANTS {
            assert!(
                MOVES.iter().any(|m| m.to == Some(*status)),
                "{status:?} is never reached"
            );
        }
    }
}

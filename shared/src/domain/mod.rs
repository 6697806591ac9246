//! The claim domain: pure, synchronous, free of AWS types. Functions parse requests into these
//! types at the edge, ask a [`Claim`] to handle a [`Command`], and hand the [`Outcome`] to the
//! store, which writes the claim, its history, its lock changes and its outbox in one
//! transaction.

pub mod access;
pub mod calendar;
pub mod catalogue;
pub mod claim;
pub mod command;
pub mod config;
pub mod content;
pub mod deadlines;
pub mod effects;
pub mod engagement;
pub mod input;
pub mod lifecycle;
pub mod listing;
pub mod locks;
pub mod poe;
pub mod validation;
pub mod values;

pub use access::{AccessError, Actor, ActorRef, Capability, PartnerRole, PartnerUser};
pub use calendar::{BusinessCalendar, Span};
pub use catalogue::{PartnerActivity, Product, PurchaseChannel, SolutionArea};
pub use claim::{
    Acknowledgements, Claim, Command, CommandError, ConsentDecision, DeadlineSkip,
    EmailFeedbackKind, Outcome, ReviewDecision, Write,
};
pub use config::ConfigError;
pub use content::{ClaimContent, ClaimInput, ClaimPatch, FieldError, ValidationErrors};
pub use deadlines::{
    Deadline, DeadlineEffect, DeadlineKind, DeadlinePolicy, DecisionSla, SlaBreach,
};
pub use effects::{
    DomainEvent, HistoryEntry, Notification, NotificationKind, Recipient, RecipientRole,
    ScheduleSpec,
};
pub use lifecycle::{Action, ActorKind, Reason, Status};
pub use locks::{LockDelta, LockKey};
pub use poe::{PoeDocument, PoePolicy, PoeUploadRequest};
pub use values::*;

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    /// The API's codes are the serde names, and parse back to the same variant.
    fn codes_round_trip<T>(all: &[T])
    where
        T: Serialize + Copy + PartialEq + std::fmt::Debug + Into<&'static str>,
        T: std::str::FromStr,
    {
        for &v in all {
            let code: &'static str = v.into();
            assert_eq!(serde_json::to_value(v).unwrap(), serde_json::json!(code));
            assert_eq!(code.parse::<T>().ok(), Some(v), "{code}");
        }
    }

    #[test]
    fn every_code_is_its_serde_name_and_parses_back() {
        use strum::VariantArray;
        codes_round_trip(&Status::ALL);
        codes_round_trip(Reason::VARIANTS);
        codes_round_trip(Action::VARIANTS);
        codes_round_trip(ActorKind::VARIANTS);
        codes_round_trip(&PartnerRole::ALL);
        codes_round_trip(&Capability::ALL);
        codes_round_trip(&SolutionArea::ALL);
        codes_round_trip(&PartnerActivity::ALL);
        codes_round_trip(&DeadlineKind::ALL);
        assert_eq!(Reason::CustomerDecline.code(), "customer_declined");
        assert_eq!(Status::ALL.len(), 11);
    }
}

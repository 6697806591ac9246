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
pub mod input;
pub mod lifecycle;
pub mod locks;
pub mod poe;
pub mod validation;
pub mod values;

pub use access::{AccessError, Actor, ActorRef, Capability, PartnerRole, PartnerUser};
pub use calendar::{BusinessCalendar, Span};
pub use catalogue::{PartnerActivity, Product, SolutionArea};
pub use claim::{
    Acknowledgements, Claim, Command, CommandError, ConsentDecision, DeadlineSkip, Outcome,
    ReviewDecision, Write,
};
pub use config::ConfigError;
pub use content::{ClaimContent, ClaimInput, ClaimPatch, FieldError, ValidationErrors};
pub use deadlines::{Deadline, DeadlineEffect, DeadlineKind, DeadlinePolicy, SlaBreach};
pub use effects::{DomainEvent, HistoryEntry, Notification, NotificationKind, ScheduleSpec};
pub use lifecycle::{Action, ActorKind, Reason, Status};
pub use locks::{LockDelta, LockKey};
pub use poe::{PoeDocument, PoePolicy, PoeUploadRequest};
pub use values::*;

//! `deliver-outbox` on Lambda: the handler and its wiring are in `lib.rs`.

#![recursion_limit = "256"]

cpor::event_function!(deliver_outbox);

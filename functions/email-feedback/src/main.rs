//! `email-feedback` on Lambda: the handler and its wiring are in `lib.rs`.

cpor::event_function!(email_feedback);

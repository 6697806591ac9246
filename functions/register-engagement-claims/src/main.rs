//! `register-engagement-claims` on Lambda: the handler and its wiring are in `lib.rs`.

cpor::http_function!(register_engagement_claims);

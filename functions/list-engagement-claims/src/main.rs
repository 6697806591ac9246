//! `list-engagement-claims` on Lambda: the handler and its wiring are in `lib.rs`.

cpor::http_function!(list_engagement_claims);

//! `update-engagement-claim` on Lambda: the handler and its wiring are in `lib.rs`.

cpor::http_function!(update_engagement_claim);

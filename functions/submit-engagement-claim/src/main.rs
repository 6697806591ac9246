//! `submit-engagement-claim` on Lambda: the handler and its wiring are in `lib.rs`.

cpor::http_function!(submit_engagement_claim);

//! `review-engagement-claim` on Lambda: the handler and its wiring are in `lib.rs`.

cpor::http_function!(review_engagement_claim);

//! `request-engagement-consent` on Lambda: the handler and its wiring are in `lib.rs`.

cpor::http_function!(request_engagement_consent);

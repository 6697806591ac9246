//! `resend-engagement-consent` on Lambda: the handler and its wiring are in `lib.rs`.

cpor::http_function!(resend_engagement_consent);

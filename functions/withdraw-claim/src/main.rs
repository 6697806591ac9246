//! `withdraw-claim` on Lambda: the handler and its wiring are in `lib.rs`.

cpor::http_function!(withdraw_claim);

//! `check-eligibility` on Lambda: the handler and its wiring are in `lib.rs`.

cpor::http_function!(check_eligibility);

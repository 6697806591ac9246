//! `renew-poe-upload` on Lambda: the handler and its wiring are in `lib.rs`.

cpor::http_function!(renew_poe_upload);

//! `presign-poe-upload` on Lambda: the handler and its wiring are in `lib.rs`.

cpor::http_function!(presign_poe_upload);

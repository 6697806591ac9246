//! `remove-poe` on Lambda: the handler and its wiring are in `lib.rs`.

cpor::http_function!(remove_poe);

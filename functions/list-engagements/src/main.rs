//! `list-engagements` on Lambda: the handler and its wiring are in `lib.rs`.

cpor::http_function!(list_engagements);

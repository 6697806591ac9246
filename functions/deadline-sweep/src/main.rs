//! `deadline-sweep` on Lambda: the handler and its wiring are in `lib.rs`.

#![recursion_limit = "256"]

cpor::event_function!(deadline_sweep);

//! `import-reference-data` on Lambda: the handler and its wiring are in `lib.rs`.

cpor::event_function!(import_reference_data);

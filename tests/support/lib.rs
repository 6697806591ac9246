//! Helpers shared by the integration tests in `tests/main.rs`.

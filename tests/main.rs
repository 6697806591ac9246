//! The one integration-test binary: every test that crosses crate boundaries lives under here.

mod domain_lifecycle;

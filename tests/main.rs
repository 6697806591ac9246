//! The one integration-test binary: every test that crosses crate boundaries lives under here.
//! Tests that touch AWS run against one moto server per test process (see `tests/support`).

mod adapters;
mod aws_env;
mod browser;
mod domain_lifecycle;
mod e2e;
mod e2e_flows;
mod events;
mod fuzz;
mod hardening;
mod infra;
mod logs;
mod outbox;
mod round_trips;
mod store;
mod sweep_cost;
mod units;

//! The one integration-test binary: every test that crosses crate boundaries lives under here.
//! Tests that touch AWS run against one moto server per test process; everything they stand on
//! is in `helpers`.

mod adapters;
mod browser;
mod bus_events;
mod domain_lifecycle;
mod e2e;
mod e2e_engagement_consent;
mod e2e_engagements;
mod e2e_flows;
mod e2e_gateway;
mod e2e_language;
mod e2e_lists;
mod e2e_poe;
mod events;
mod fuzz;
mod hardening;
mod helpers;
mod infra;
mod logs;
mod outbox;
mod portal;
mod round_trips;
mod soak;
mod store;
mod store_engagements;
mod sweep_cost;
mod units;

//! What the integration tests stand on, in one place: moto and what it captured
//! ([`moto`]), a loopback HTTP client ([`http`]), per-test AWS resources and store helpers
//! ([`aws`]), a whole local stack with a typed client ([`stack`]), and the event schemas every
//! event received from the bus is checked against ([`schemas`]).

pub mod aws;
pub mod browser;
pub mod contract;
pub mod http;
pub mod mci;
pub mod moto;
pub mod schemas;
pub mod stack;

pub use http::{HttpResponse, http, request};
pub use moto::{emails_to, moto, moto_data, unique};
pub use stack::{
    ORG_A, ORG_B, PARTNER_NAME, Stack, ba_body, customer_email, id_of, mws_body, stack,
    unique_tenant,
};

//! cpor's shared crate: the claim domain every function uses (`domain`, free of AWS types)
//! and the signed tokens that leave the service (`tokens`: consent links, pagination cursors).

pub mod app;
pub mod delivery;
pub mod domain;
pub mod event_schemas;
pub mod failure;
pub mod functions;
#[cfg(feature = "http")]
pub mod http;
pub mod i18n;
#[cfg(feature = "http")]
pub mod lambda;
pub mod mail;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod outbox;
#[cfg(feature = "openapi")]
pub mod portal;
pub mod ports;
pub mod routes;
pub mod settings;
pub mod tokens;
pub mod views;

#[cfg(feature = "aws")]
pub mod aws;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

//! cpor's shared crate: the claim domain every function uses (`domain`, free of AWS types)
//! and the signed tokens that leave the service (`tokens`: consent links, pagination cursors).

pub mod domain;
pub mod tokens;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

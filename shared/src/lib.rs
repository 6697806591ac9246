//! cpor's shared crate: the claim domain every function uses (`domain`, free of AWS types).

pub mod domain;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

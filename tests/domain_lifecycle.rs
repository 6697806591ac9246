//! Seed scenarios walked end to end through the public domain API.

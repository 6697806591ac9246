//! `poe-template` on Lambda: the handler is in `lib.rs`; it needs no AWS client.

fn main() -> Result<(), cpor::lambda::Error> {
    cpor::lambda::serve_http_static(poe_template::handle)
}

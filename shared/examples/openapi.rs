//! Writes the OpenAPI document: `cargo run -p cpor --features openapi --example openapi >
//! docs/openapi.json` (a test fails if it drifts).

fn main() {
    let doc = cpor::openapi::document();
    println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
}

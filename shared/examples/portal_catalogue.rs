//! Writes the portal's catalogue: `cargo run -p cpor --features openapi --example
//! portal_catalogue > portal/catalogue.json` (a test fails if it drifts).

fn main() {
    let doc = cpor::portal::catalogue();
    println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
}

//! Writes the function manifest as JSON for the deployment template:
//! `cargo run -p cpor --example manifest > infra/functions.json` (a test fails if it drifts).

fn main() {
    print!("{}", cpor::functions::manifest_json());
}

//! Event details checked against the committed JSON Schemas (`shared/schemas/events/`), by a
//! Draft 2020-12 validator with formats asserted: what a consumer of the bus would check.

use serde_json::Value;
use std::collections::HashMap;
use std::sync::OnceLock;

fn validators() -> &'static HashMap<String, jsonschema::Validator> {
    static VALIDATORS: OnceLock<HashMap<String, jsonschema::Validator>> = OnceLock::new();
    VALIDATORS.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("shared")
            .join(cpor::event_schemas::DIRECTORY);
        std::fs::read_dir(&dir)
            .expect("the schema directory")
            .map(|entry| {
                let path = entry.expect("entry").path();
                let name = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .and_then(|n| n.strip_suffix(".schema.json"))
                    .expect("a schema file name")
                    .to_owned();
                let schema: Value =
                    serde_json::from_str(&std::fs::read_to_string(&path).expect("readable"))
                        .expect("a JSON schema");
                let validator = jsonschema::options()
                    .should_validate_formats(true)
                    .build(&schema)
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                (name, validator)
            })
            .collect()
    })
}

/// Why `detail` does not match the schema of its own `detailType` (empty when it does).
pub fn event_errors(detail: &Value) -> Vec<String> {
    let kind = detail["detailType"].as_str().unwrap_or_default();
    let Some(validator) = validators().get(kind) else {
        return vec![format!("no schema for detail type {kind:?}")];
    };
    validator
        .iter_errors(detail)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// Panics unless `detail` is valid against the schema of its own `detailType`.
pub fn assert_valid_event(detail: &Value) {
    let errors = event_errors(detail);
    assert!(
        errors.is_empty(),
        "event does not match its schema: {errors:?}\n{detail}"
    );
}

//! The API contract enforced on every answer the end-to-end and hardening suites get through
//! `Stack::call` / `Stack::raw`: its status and media type must be ones the OpenAPI document
//! (`cpor::openapi`, committed as `docs/openapi.json`) gives the route, and a JSON body must
//! match that schema (Draft 2020-12, formats asserted).

use super::http::HttpResponse;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(cpor::openapi::document)
}

/// A validator for `schema` with the document's components to resolve references in.
fn validator(key: String, schema: &Value) -> Arc<jsonschema::Validator> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<jsonschema::Validator>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = cache
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    cache
        .entry(key)
        .or_insert_with(|| {
            let root = json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "components": document()["components"],
                "allOf": [schema],
            });
            Arc::new(
                jsonschema::options()
                    .should_validate_formats(true)
                    .build(&root)
                    .unwrap_or_else(|e| panic!("a response schema does not compile: {e}")),
            )
        })
        .clone()
}

/// Panics when `response` to `method path` breaks the contract.
pub fn check(method: &str, path: &str, response: &HttpResponse) {
    let path = path.split('?').next().unwrap_or_default();
    if method == "OPTIONS" || path == "/openapi.json" {
        return; // CORS preflights (API Gateway answers them) and the document itself
    }
    let Some((route, _)) = cpor::routes::find(method, path) else {
        // API Gateway's own 404 for a path no route has.
        assert_eq!(response.status, 404, "{method} {path}: no route");
        return;
    };
    if cpor::openapi::UNDESCRIBED.contains(&route.function) {
        return;
    }
    let where_ = format!("{method} {} answered {}", route.path, response.status);
    let operation = &document()["paths"][route.path][method.to_ascii_lowercase()];
    let responses = &operation["responses"];
    let described = responses
        .get(response.status.to_string())
        .or_else(|| {
            (response.status >= 400)
                .then(|| responses.get("default"))
                .flatten()
        })
        .unwrap_or_else(|| panic!("{where_}, which the OpenAPI document does not describe"));
    let media = response.header("content-type").map(|c| {
        c.split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    });
    let Some(media) = media.filter(|_| !response.body.is_empty()) else {
        assert!(
            described.get("content").is_none() || response.status == 401,
            "{where_} with no body; the document promises one"
        );
        return;
    };
    let schema = described["content"]
        .get(&media)
        .map(|c| &c["schema"])
        .unwrap_or_else(|| panic!("{where_} as {media}, which the document does not list"));
    if !media.ends_with("json") {
        return;
    }
    let body: Value = serde_json::from_slice(&response.body)
        .unwrap_or_else(|e| panic!("{where_}: {media} that is not JSON: {e}"));
    let key = format!("{method} {} {} {media}", route.path, response.status);
    let errors: Vec<String> = validator(key, schema)
        .iter_errors(&body)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{where_}: the body breaks the OpenAPI document: {errors:?}\n{body}"
    );
}

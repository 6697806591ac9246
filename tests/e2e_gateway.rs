//! The local front behaves as API Gateway does in front of the deployed functions: CORS as the
//! template configures it (values read from `infra/template.json`), its own `{"message"}`
//! errors, and an `apigw-requestid` on every response.

use crate::helpers::stack::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;

const PORTAL: &str = "https://portal.example.test";

/// A comma-separated header value as a set of lower-case items.
fn items(value: Option<&str>) -> BTreeSet<String> {
    value
        .unwrap_or_default()
        .split(',')
        .map(|v| v.trim().to_ascii_lowercase())
        .filter(|v| !v.is_empty())
        .collect()
}

fn strings(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .expect("a list")
        .iter()
        .map(|s| s.as_str().expect("a string").to_ascii_lowercase())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_local_front_answers_cors_and_its_own_errors_as_api_gateway_is_configured() {
    let template = crate::infra::template();
    let cors = &template["Resources"]["HttpApi"]["Properties"]["CorsConfiguration"];
    let s = stack_with(&[("CPOR_PORTAL_ORIGIN", PORTAL)]).await;
    let preflight = |origin: &'static str| {
        vec![
            ("origin".to_owned(), origin.to_owned()),
            (
                "access-control-request-method".to_owned(),
                "POST".to_owned(),
            ),
            (
                "access-control-request-headers".to_owned(),
                "authorization,content-type,idempotency-key".to_owned(),
            ),
        ]
    };

    // WHEN the portal's browser asks before a POST THEN the template's lists, 204, no function
    let r = s.raw("OPTIONS", "/claims", preflight(PORTAL), vec![]).await;
    assert_eq!(r.status, 204);
    assert_eq!(r.header("access-control-allow-origin"), Some(PORTAL));
    assert_eq!(
        items(r.header("access-control-allow-methods")),
        strings(&cors["AllowMethods"])
    );
    assert_eq!(
        items(r.header("access-control-allow-headers")),
        strings(&cors["AllowHeaders"])
    );
    assert_eq!(
        r.header("access-control-max-age"),
        Some(cors["MaxAge"].to_string().as_str())
    );
    assert!(r.body.is_empty());
    // another origin learns nothing it could use
    let r = s
        .raw(
            "OPTIONS",
            "/claims",
            preflight("https://evil.example"),
            vec![],
        )
        .await;
    assert_eq!(r.status, 204);
    assert!(r.header("access-control-allow-origin").is_none());
    assert!(r.header("access-control-allow-methods").is_none());

    // an answer to the portal exposes the template's headers; each has its request ID
    let t = s.admin(ORG_A);
    let origin = [("origin", PORTAL.to_owned())];
    let a = s
        .call("GET", "/claims?limit=1", Some(&t), None, &origin)
        .await;
    let b = s
        .call("GET", "/claims?limit=1", Some(&t), None, &origin)
        .await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.header("access-control-allow-origin"), Some(PORTAL));
    assert_eq!(
        items(a.header("access-control-expose-headers")),
        strings(&cors["ExposeHeaders"])
    );
    let (ida, idb) = (a.header("apigw-requestid"), b.header("apigw-requestid"));
    assert!(ida.is_some_and(|id| !id.is_empty()) && ida != idb);
    // without an Origin (curl, a server) there is nothing CORS to say
    let plain = s.call("GET", "/claims?limit=1", Some(&t), None, &[]).await;
    assert!(plain.header("access-control-allow-origin").is_none());

    // the contract is served where the API is
    let r = s.call("GET", "/openapi.json", None, None, &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), cpor::openapi::document());

    // the gateway's own refusals are its `{"message"}` bodies, still with a request ID
    for (method, path, token, status, message) in [
        ("GET", "/claims", None, 401, "Unauthorized"),
        ("GET", "/claims", Some("not.a.jwt"), 401, "Unauthorized"),
        ("GET", "/no-such-route", Some(t.as_str()), 404, "Not Found"),
    ] {
        let r = s.call(method, path, token, None, &origin).await;
        assert_eq!(r.status, status, "{path}");
        assert_eq!(r.json(), json!({ "message": message }), "{path}");
        assert!(r.header("apigw-requestid").is_some());
        assert_eq!(r.header("access-control-allow-origin"), Some(PORTAL));
    }
}

/// The contract check itself: a body that breaks the document, a status it does not list and a
/// media type it does not promise are each refused (so every answer it passes was checked).
#[test]
fn the_contract_check_refuses_what_the_document_does_not_say() {
    use crate::helpers::contract::check;
    use crate::helpers::http::HttpResponse;
    let answer = |status: u16, media: &str, body: &str| HttpResponse {
        status,
        headers: vec![("content-type".to_owned(), media.to_owned())],
        body: body.as_bytes().to_vec(),
    };
    let refused = |method: &str, path: &str, response: HttpResponse| {
        std::panic::catch_unwind(|| check(method, path, &response)).is_err()
    };
    let id = "/claims/8d3f1c52-6a1e-4b1f-9a7e-2f5c1d0b9e41";
    // a claim without most of its fields
    assert!(refused(
        "GET",
        id,
        answer(200, "application/json", r#"{"id": "x"}"#)
    ));
    // a status the route never answers
    assert!(refused("DELETE", id, answer(200, "application/json", "{}")));
    // CSV where only JSON is promised
    assert!(refused("GET", id, answer(200, "text/csv", "id\r\n")));
    // a problem is fine on any route, as problem+json
    assert!(!refused(
        "GET",
        id,
        answer(
            404,
            "application/problem+json",
            r#"{"type": "/problems/not-found", "title": "Not found", "status": 404, "detail": "no such claim"}"#
        )
    ));
}

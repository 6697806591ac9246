//! Generated bad input: random JSON — arbitrary trees and mutations of a valid body (fields
//! dropped, retyped, filled with control characters, markup, huge or odd strings) — thrown at
//! the create and edit handlers, exactly as API Gateway would deliver it. No panic, no 5xx;
//! every 400 names a field; and what is stored is exactly what was answered 201.

use crate::helpers::{ORG_A, mws_body, stack, unique_tenant};
use proptest::prelude::*;
use serde_json::{Value, json};

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,40}".prop_map(Value::String),
        prop_oneof![
            Just("<script>alert(1)</script>".to_owned()),
            Just("a\r\nb".to_owned()),
            Just("\u{202e}evil".to_owned()),
            Just("x".repeat(5000)),
            Just("00000000-0000-0000-0000-000000000000".to_owned()),
            Just("3FA85F64-5717-4562-B3FC-2C963F66AFA6".to_owned()),
            Just("teams".to_owned()),
            Just("business_applications".to_owned()),
        ]
        .prop_map(Value::String),
    ]
}

fn tree() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z]{1,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A valid body with one field dropped or replaced by something random.
fn mutated() -> impl Strategy<Value = Value> {
    let fields = cpor::domain::content::CONTENT_FIELDS;
    (0..fields.len(), tree(), any::<bool>(), 0..25usize).prop_map(move |(i, v, drop, copies)| {
        let mut body = mws_body(ORG_A, "3fa85f64-5717-4562-b3fc-2c963f66afa6", "a@b.example");
        let obj = body.as_object_mut().expect("object");
        if drop {
            obj.remove(fields[i]);
        } else if fields[i] == "products" && copies > 0 {
            obj.insert(
                "products".into(),
                Value::Array(vec![json!({"product": "teams"}); copies]),
            );
        } else {
            obj.insert(fields[i].into(), v);
        }
        body
    })
}

fn event(
    method: &str,
    path: &str,
    route: &str,
    body: &str,
    claims: &Value,
    extra: &[(&str, String)],
) -> String {
    let mut headers = serde_json::Map::new();
    headers.insert("content-type".into(), json!("application/json"));
    for (k, v) in extra {
        headers.insert((*k).into(), json!(v));
    }
    let id = path.rsplit('/').next().unwrap_or_default();
    json!({
        "version": "2.0", "routeKey": format!("{method} {route}"), "rawPath": path, "rawQueryString": "",
        "headers": headers,
        "pathParameters": if route.contains("{id}") { json!({"id": id}) } else { Value::Null },
        "requestContext": {"accountId": "1", "apiId": "a", "domainName": "d", "domainPrefix": "d",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "fuzz"},
            "requestId": "r", "routeKey": format!("{method} {route}"), "stage": "$default", "time": "x", "timeEpoch": 0,
            "authorizer": {"jwt": {"claims": claims, "scopes": null}}},
        "body": body, "isBase64Encoded": false
    })
    .to_string()
}

#[test]
fn random_json_never_panics_or_fails_the_server_and_stores_only_what_was_accepted() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let s = rt.block_on(stack());
    let claims = json!({"sub": "fuzzer", "partner_id": ORG_A, "partner_locations": format!("[{ORG_A}001]"), "roles": "[incentives_admin]"});
    let admin = s.admin(ORG_A);
    let draft = rt.block_on(s.create(&admin, &mws_body(ORG_A, &unique_tenant(), "a@b.example")));
    let draft_id = draft["id"].as_str().expect("id").to_owned();
    let tried = std::cell::Cell::new(0u32);
    let created = std::cell::Cell::new(0u32);
    let statuses = std::cell::RefCell::new(std::collections::BTreeMap::new());
    let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
        cases: 300,
        failure_persistence: None,
        ..Default::default()
    });
    let strategy = (prop_oneof![tree(), mutated()], any::<bool>(), any::<bool>());
    runner
        .run(&strategy, |(body, as_patch, raw_garbage)| {
            let text = if raw_garbage {
                format!("{body}}}")
            } else {
                body.to_string()
            };
            let (function, req) = if as_patch {
                let version = rt.block_on(s.get(&admin, &draft_id)).json()["version"]
                    .as_u64()
                    .unwrap_or(1);
                let path = format!("/claims/{draft_id}");
                let ev = event(
                    "PATCH",
                    &path,
                    "/claims/{id}",
                    &text,
                    &claims,
                    &[("if-match", format!("\"{version}\""))],
                );
                ("update-claim", ev)
            } else {
                (
                    "create-claim",
                    event("POST", "/claims", "/claims", &text, &claims, &[]),
                )
            };
            let req = lambda_http::request::from_str(&req).expect("event");
            let resp = rt.block_on(cpor_local::gateway::dispatch(&s.run.gateway, function, req));
            let status = resp.status().as_u16();
            tried.set(tried.get() + 1);
            *statuses.borrow_mut().entry(status).or_insert(0u32) += 1;
            prop_assert!(status < 500, "{function} answered {status} for {text}");
            let body = match resp.body() {
                lambda_http::Body::Text(t) => t.clone(),
                _ => String::new(),
            };
            let parsed: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            if status == 400 {
                let errors = parsed["errors"].as_array().cloned().unwrap_or_default();
                prop_assert!(!errors.is_empty(), "a 400 names its fields: {body}");
                prop_assert!(
                    errors
                        .iter()
                        .all(|e| e["field"].as_str().is_some_and(|f| !f.is_empty()))
                );
            }
            if status == 201 {
                created.set(created.get() + 1);
            }
            Ok(())
        })
        .expect("no failing case");
    // exactly the accepted drafts were stored (plus the one the edits target)
    let mut stored = 0;
    let mut cursor = String::new();
    loop {
        let page = rt
            .block_on(s.call(
                "GET",
                &format!("/claims?limit=100{cursor}"),
                Some(&admin),
                None,
                &[],
            ))
            .json();
        stored += page["items"].as_array().map_or(0, Vec::len);
        match page["nextCursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    let (tried, created, statuses) = (tried.get(), created.get(), statuses.into_inner());
    assert_eq!(
        stored as u32,
        created + 1,
        "stored claims equal 201 answers"
    );
    println!(
        "hardening | generated bad input | {tried} cases | statuses {statuses:?} | 0 server errors | {created} accepted = {} stored",
        stored - 1
    );
}

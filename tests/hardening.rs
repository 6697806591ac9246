//! Hardening: the authorization matrix generated from the route table and the permission
//! matrix (every route × every role × own/other organisation), races that must end in one
//! outcome with a consistent history, and retries that must not act twice. Each test prints
//! what it tried; the figures go in the issue note.

use crate::helpers::mci::{dataset, registration};
use crate::helpers::{ORG_A, ORG_B, Stack, customer_email, mws_body, stack, unique_tenant};
use cpor::domain::Actor;
use cpor::http::identity::from_claims;
use cpor::routes::{Auth, ROUTES};
use serde_json::{Value, json};
use std::collections::HashMap;

const PARTNER_ROLES: [&str; 5] = [
    "incentives_admin",
    "incentives_user",
    "global_admin",
    "billing_admin",
    "referral_admin",
];

/// Microsoft staff: in no partner organisation.
fn microsoft(role: &str) -> bool {
    role == "reviewer" || role == "microsoft_seller"
}

fn actor_for(role: &str, org: &str) -> Actor {
    let mut claims = HashMap::from([
        ("sub".to_owned(), "u".to_owned()),
        ("roles".to_owned(), format!("[{role}]")),
    ]);
    if !microsoft(role) {
        claims.insert("partner_id".into(), org.into());
    }
    from_claims(&claims).expect("identity")
}

/// A request for a route on claim `id` (with PoE `poe`), with a body that parses; `org` and
/// `tenant` name the caller's organisation and a customer for the MCI engagement routes.
fn request_for(
    method: &str,
    path: &str,
    id: &str,
    poe: &str,
    org: &str,
    tenant: &str,
) -> (String, Option<Value>) {
    let engagement = if path.ends_with("/quote") {
        "azure-migrate"
    } else {
        "mw-usage"
    };
    let p = path
        .replace("{id}", id)
        .replace("{poeId}", poe)
        .replace("{engagementId}", engagement);
    let body = match (method, path) {
        ("POST", "/claims") => Some(mws_body(ORG_A, &unique_tenant(), "x@y.example")),
        ("POST", "/engagements/eligibility") => Some(
            json!({"identifierType": "tenant_id", "value": tenant, "partnerLocationId": format!("{org}001")}),
        ),
        ("POST", "/engagements/{engagementId}/quote") => Some(
            json!({"identifierType": "msx_opportunity_id", "value": "7-3KX9Q2ZP1", "plannedHours": 10}),
        ),
        ("POST", "/engagement-claims") => {
            Some(registration(org, "tenant_id", tenant, &["mw-usage"]))
        }
        ("POST", "/engagement-claims/{id}/consent-request") => {
            Some(json!({"estimatedDealSizeUsd": 20000, "disclaimerAccepted": true}))
        }
        ("POST", "/engagement-claims/{id}/submit") => Some(json!({"comment": "matrix"})),
        ("POST", "/engagement-claims/{id}/review") => {
            Some(json!({"action": "approve", "comment": "matrix"}))
        }
        ("PATCH", "/engagement-claims/{id}") => {
            Some(json!({"customerContact": {"name": "Ana", "email": "ana@contoso.com"}}))
        }
        ("PATCH", _) => Some(json!({"name": "Renamed by the matrix test"})),
        ("POST", "/claims/{id}/poe") => Some(
            json!({"fileName": "a.pdf", "contentType": "application/pdf", "sizeBytes": 10, "sha256": "00".repeat(32)}),
        ),
        ("POST", "/claims/{id}/submit") => Some(
            json!({"acknowledgements": {"informationAccurate": true, "customerAuthorized": true}}),
        ),
        ("POST", "/claims/{id}/review") => Some(json!({"action": "start"})),
        ("POST", "/claims/{id}/comments") => Some(json!({"text": "hello"})),
        ("POST", "/claims/{id}/withdraw") | ("POST", "/claims/{id}/disassociate") => {
            Some(json!({"reason": "matrix"}))
        }
        ("POST", "/claims/{id}/dispute") => Some(json!({"justification": "matrix"})),
        _ => None,
    };
    let p = match (method, path) {
        ("GET", "/claims") => format!("{p}?status=draft"),
        ("GET", "/engagements/{engagementId}/customers") => format!("{p}?tab=eligible"),
        _ => p,
    };
    (p, body)
}

/// One case of the matrix: the route as `role` of `org` on a fresh claim of organisation A.
/// Returns (denied, expected allowed, status, description).
async fn matrix_case(
    s: &Stack,
    route: &'static cpor::routes::Route,
    role: &'static str,
    own: bool,
) -> (bool, bool, u16, String) {
    let cap = route.capability.expect("a capability");
    let admin = s.admin(ORG_A);
    let org = if own { ORG_A } else { ORG_B };
    let token = match role {
        "reviewer" => s.reviewer(),
        "microsoft_seller" => s.seller(),
        _ => s.partner(org, role),
    };
    // MCI engagement routes: a fresh engagement claim of organisation A (a fresh customer from
    // the pool each time, under a cap of one), or the organisation-free catalogue routes
    let engagement = route.path.starts_with("/engagement") || route.path.starts_with("/referrals");
    // a fresh customer only where the case names one (the pool is bounded)
    let tenant = if engagement && !route.path.contains("{id}") {
        next_tenant()
    } else {
        unique_tenant()
    };
    let (id, poe, etag_path) = if engagement {
        let id = if route.path.contains("{id}") {
            let body = registration(ORG_A, "tenant_id", &next_tenant(), &["mw-usage"]);
            let id = s.register_engagement(&admin, &body).await;
            if route.path.starts_with("/referrals") {
                // a consent request over the minimum deal size makes the referral
                let asked = s
                    .call(
                        "POST",
                        &format!("/engagement-claims/{id}/consent-request"),
                        Some(&admin),
                        Some(&json!({"estimatedDealSizeUsd": 20000, "disclaimerAccepted": true})),
                        &[],
                    )
                    .await;
                assert_eq!(asked.status, 200, "{}", asked.text());
            }
            id
        } else {
            String::new()
        };
        let etag_path = format!("/engagement-claims/{id}");
        (id, String::new(), etag_path)
    } else {
        // a fresh claim of organisation A for each case, so no case sees another's change
        let c = s
            .create(
                &admin,
                &mws_body(ORG_A, &unique_tenant(), &customer_email()),
            )
            .await;
        let id = c["id"].as_str().expect("id").to_owned();
        let poe = s.upload_poe(&admin, &id, b"%PDF matrix").await;
        let etag_path = format!("/claims/{id}");
        (id, poe, etag_path)
    };
    let (path, body) = request_for(route.method, route.path, &id, &poe, org, &tenant);
    let etag = s
        .call("GET", &etag_path, Some(&admin), None, &[])
        .await
        .header("etag")
        .unwrap_or("\"0\"")
        .to_owned();
    let r = s
        .call(
            route.method,
            &path,
            Some(&token),
            body.as_ref(),
            &[("if-match", etag)],
        )
        .await;
    assert!(
        r.status < 500,
        "{} {} as {role}: {}",
        route.method,
        path,
        r.text()
    );
    // routes on no claim of anyone's: creating, listing, the engagement catalogue routes
    let creates_own = route.function == "create-claim"
        || route.function == "list-claims"
        || (engagement && !route.path.contains("{id}"));
    if !own && !microsoft(role) && !creates_own {
        assert_eq!(
            r.status, 404,
            "another organisation's claim is not found: {} {}",
            route.method, route.path
        );
    }
    let expected = actor_for(role, org).can(cap) && (own || creates_own || microsoft(role));
    let denied = r.status == 403 || r.status == 404 || r.status == 401;
    (
        denied,
        expected,
        r.status,
        format!("{} {} as {role} own={own}", route.method, route.path),
    )
}

/// Customers eligible for `mw-usage` (cap one each): one per registration the matrix makes.
static TENANT_POOL: std::sync::LazyLock<Vec<String>> =
    std::sync::LazyLock::new(|| (0..400).map(|_| unique_tenant()).collect());
static NEXT_TENANT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn next_tenant() -> String {
    let i = NEXT_TENANT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    TENANT_POOL[i % TENANT_POOL.len()].clone()
}

/// The matrix's reference data: every pooled customer eligible for `mw-usage`.
async fn with_pool(s: &Stack) {
    let records = TENANT_POOL
        .iter()
        .map(|t| json!({"identifierType": "tenant_id", "value": t, "eligibility": {"mw-usage": "eligible"}}))
        .collect();
    let result = s.import_reference(&dataset(records)).await;
    assert_eq!(result["outcome"], "imported", "{result}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_route_every_role_own_and_other_organisation_follows_the_matrix() {
    let s = std::sync::Arc::new(stack().await);
    with_pool(&s).await;
    let mut cases = Vec::new();
    for route in ROUTES
        .iter()
        .filter(|r| r.auth == Auth::Jwt && r.capability.is_some())
    {
        for role in PARTNER_ROLES
            .iter()
            .copied()
            .chain(["reviewer", "microsoft_seller"])
        {
            for own in [true, false] {
                if microsoft(role) && !own {
                    continue; // reviewers belong to no organisation
                }
                cases.push((route, role, own));
            }
        }
    }
    let mut tried = 0;
    let mut unauthorized = Vec::new();
    let mut wrongly_denied = Vec::new();
    for chunk in cases.chunks(16) {
        let mut set = tokio::task::JoinSet::new();
        for &(route, role, own) in chunk {
            let s = s.clone();
            set.spawn(async move { matrix_case(&s, route, role, own).await });
        }
        while let Some(result) = set.join_next().await {
            let (denied, expected, status, what) = result.expect("case");
            tried += 1;
            if denied && expected {
                wrongly_denied.push(format!("{what}: {status}"));
            }
            if !denied && !expected {
                unauthorized.push(format!("{what}: {status}"));
            }
        }
    }
    println!(
        "hardening | authorization matrix | {tried} cases | {} unauthorized | {} wrongly denied",
        unauthorized.len(),
        wrongly_denied.len()
    );
    assert!(unauthorized.is_empty(), "{unauthorized:#?}");
    assert!(wrongly_denied.is_empty(), "{wrongly_denied:#?}");
    assert!(tried >= 100);
}

async fn history_is_consistent(s: &Stack, id: &str) -> Vec<String> {
    let h = s
        .call(
            "GET",
            &format!("/claims/{id}/history"),
            Some(&s.admin(ORG_A)),
            None,
            &[],
        )
        .await
        .json();
    let items = h["items"].as_array().expect("items").clone();
    let seqs: Vec<u64> = items.iter().filter_map(|e| e["seq"].as_u64()).collect();
    assert_eq!(
        seqs,
        (1..=seqs.len() as u64).collect::<Vec<_>>(),
        "gapless history"
    );
    // each entry starts where the previous one ended
    for w in items.windows(2) {
        if let Some(from) = w[1].get("from") {
            assert_eq!(from, &w[0]["to"], "history chains: {w:?}");
        }
    }
    items
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn races_end_in_one_outcome_with_a_consistent_history() {
    let s = stack().await;
    let rounds = 4;
    let mut tried = 0;
    for _ in 0..rounds {
        // two reviewers deciding at once: one approval and one rejection, one wins
        let (id, _) = s.under_review(ORG_A).await;
        let (a, b) = tokio::join!(
            s.review(&id, json!({"action": "approve"})),
            s.review(
                &id,
                json!({"action": "reject", "reasons": ["insufficient_poe"], "comment": "no"})
            )
        );
        let mut statuses = [a.status, b.status];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "{} / {}", a.text(), b.text());
        let actions = history_is_consistent(&s, &id).await;
        assert_eq!(
            actions
                .iter()
                .filter(|a| *a == "approve" || *a == "reject")
                .count(),
            1
        );
        tried += 1;

        // an edit racing the review start: both may apply, in some order, never lost
        let c = s
            .submitted(ORG_A, &unique_tenant(), &customer_email())
            .await;
        let id = c["id"].as_str().expect("id").to_owned();
        let etag = format!("\"{}\"", c["version"]);
        let admin = s.admin(ORG_A);
        let patch =
            json!({"partnerContact": {"name": "Renamed", "email": "luis@fabrikam.example"}});
        let path = format!("/claims/{id}");
        let headers = [("if-match", etag)];
        let (edit, start) = tokio::join!(
            s.call("PATCH", &path, Some(&admin), Some(&patch), &headers),
            s.review(&id, json!({"action": "start"}))
        );
        assert_eq!(start.status, 200, "{}", start.text());
        assert!(edit.status == 200 || edit.status == 412, "{}", edit.text());
        let now = s.get(&admin, &id).await.json();
        assert_eq!(now["status"], "under_review");
        if edit.status == 200 {
            assert_eq!(
                now["partnerContact"]["name"], "Renamed",
                "an accepted edit is never lost"
            );
        }
        history_is_consistent(&s, &id).await;
        tried += 1;

        // a customer decline racing the activation sweep: active-then-ended or rejected for
        // good, never both
        let customer = customer_email();
        let c = s.submitted(ORG_A, &unique_tenant(), &customer).await;
        let id = c["id"].as_str().expect("id").to_owned();
        s.review(&id, json!({"action": "start"})).await;
        let approved = s.review(&id, json!({"action": "approve"})).await.json();
        let due = chrono::DateTime::parse_from_rfc3339(approved["dueAt"].as_str().expect("due"))
            .expect("rfc3339")
            .with_timezone(&chrono::Utc);
        let link = s.consent_path(&customer).await;
        let decline = s.decide(&link, "decline");
        let (d, _) = tokio::join!(decline, s.sweep(due));
        assert_eq!(d.status, 200, "{}", d.text());
        let end = s.get(&admin, &id).await.json();
        assert!(
            end["status"] == "rejected_final" || end["status"] == "ended",
            "{end}"
        );
        let actions = history_is_consistent(&s, &id).await;
        assert_eq!(
            actions.iter().filter(|a| *a == "customer_decline").count(),
            1
        );
        tried += 1;

        // the sweep racing a resubmission at the partner-response deadline
        let (id, _) = s.under_review(ORG_A).await;
        let par = s
            .review(&id, json!({"action": "request_info", "reasons": ["missing_products"], "comment": "which?"}))
            .await
            .json();
        let due = chrono::DateTime::parse_from_rfc3339(par["dueAt"].as_str().expect("due"))
            .expect("rfc3339")
            .with_timezone(&chrono::Utc);
        let (resubmit, _) = tokio::join!(s.submit(&admin, &id), s.sweep(due));
        let end = s.get(&admin, &id).await.json();
        match resubmit.status {
            200 => assert!(end["status"] == "under_review", "{end}"),
            409 => assert_eq!(end["statusReason"]["codes"], json!(["no_partner_response"])),
            other => panic!("resubmit: {other} {}", resubmit.text()),
        }
        history_is_consistent(&s, &id).await;
        tried += 1;
    }
    println!("hardening | races | {tried} cases | 0 lost | 0 corrupted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn repeated_and_late_firings_act_once() {
    let s = stack().await;
    let admin = s.admin(ORG_A);
    let (id, _) = s.under_review(ORG_A).await;
    let approved = s.review(&id, json!({"action": "approve"})).await.json();
    let version = approved["version"].as_u64().expect("version");
    let due = chrono::DateTime::parse_from_rfc3339(approved["dueAt"].as_str().expect("due"))
        .expect("rfc3339")
        .with_timezone(&chrono::Utc);
    let payload =
        json!({"claimId": id, "status": "approved", "version": version, "time": due.to_rfc3339()});
    // the one-time schedule fires twice at once, then once more a day late
    let app = &s.run.sweep_app;
    let (a, b) = tokio::join!(
        deadline_sweep::sweep(app, &payload),
        deadline_sweep::sweep(app, &payload)
    );
    let applied = a.expect("sweep").deadlines_applied + b.expect("sweep").deadlines_applied;
    assert_eq!(applied, 1);
    let mut late = payload.clone();
    late["time"] = json!((due + chrono::Duration::days(1)).to_rfc3339());
    assert_eq!(
        deadline_sweep::sweep(app, &late)
            .await
            .expect("sweep")
            .deadlines_applied,
        0
    );
    // the periodic sweep twice at once changes nothing more
    let (x, y) = tokio::join!(s.sweep(due), s.sweep(due));
    assert_eq!(x.deadlines_applied + y.deadlines_applied, 0);
    let now = s.get(&admin, &id).await.json();
    assert_eq!(now["status"], "active");
    let actions = history_is_consistent(&s, &id).await;
    assert_eq!(actions.iter().filter(|a| *a == "activate").count(), 1);
    // a POST retried with the same key while... after the first finished: same claim
    let body = mws_body(ORG_A, &unique_tenant(), "x@y.example");
    let key = ("idempotency-key", "retry-1".to_owned());
    let (r1, r2) = tokio::join!(
        s.call(
            "POST",
            "/claims",
            Some(&admin),
            Some(&body),
            std::slice::from_ref(&key)
        ),
        s.call(
            "POST",
            "/claims",
            Some(&admin),
            Some(&body),
            std::slice::from_ref(&key)
        )
    );
    // at once: one creates, the other is told it is in progress or gets the replay
    let mut statuses = [r1.status, r2.status];
    statuses.sort_unstable();
    assert!(
        statuses == [201, 201] || statuses == [201, 409],
        "{statuses:?}"
    );
    let list = s
        .call("GET", "/claims?status=draft", Some(&admin), None, &[])
        .await
        .json();
    let named = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["customer"]["tenantId"] == body["customer"]["tenantId"])
        .count();
    assert_eq!(named, 1, "one claim for one key");
    println!("hardening | retries | 6 cases | 0 acted twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_route_refuses_bad_bodies_with_a_named_field_and_stores_nothing() {
    let s = stack().await;
    let admin = s.admin(ORG_A);
    let c = s
        .create(
            &admin,
            &mws_body(ORG_A, &unique_tenant(), &customer_email()),
        )
        .await;
    let id = c["id"].as_str().expect("id").to_owned();
    let version = c["version"].clone();
    let mut tried = 0;
    let auth = ("authorization".to_owned(), format!("Bearer {admin}"));
    for route in ROUTES
        .iter()
        .filter(|r| r.auth == Auth::Jwt && (r.method == "POST" || r.method == "PATCH"))
    {
        let path = route
            .path
            .replace("{id}", &id)
            .replace("{engagementId}", "mw-usage");
        let mut base = vec![
            auth.clone(),
            ("if-match".to_owned(), format!("\"{version}\"")),
        ];
        // routes without a body still refuse garbage where they read one
        let (_, valid) = request_for(route.method, route.path, &id, "x", ORG_A, &unique_tenant());
        let Some(valid) = valid else { continue };
        let cases: Vec<BadBody> = vec![
            (
                vec![("content-type".into(), "application/json".into())],
                b"{".to_vec(),
                400,
                Some("body"),
            ),
            (
                vec![("content-type".into(), "text/plain".into())],
                valid.to_string().into_bytes(),
                415,
                None,
            ),
            (
                vec![("content-type".into(), "application/json".into())],
                vec![b' '; 70 * 1024],
                413,
                None,
            ),
            (
                vec![("content-type".into(), "application/json".into())],
                b"[1,2,3]".to_vec(),
                400,
                None,
            ),
            (
                vec![("content-type".into(), "application/json".into())],
                {
                    let mut v = valid.clone();
                    v["unexpectedField"] = json!(1);
                    v.to_string().into_bytes()
                },
                400,
                Some("unexpectedField"),
            ),
        ];
        for (headers, body, expected, field) in cases {
            let mut h = base.clone();
            h.extend(headers);
            let r = s.raw(route.method, &path, h, body).await;
            tried += 1;
            assert_eq!(
                r.status,
                expected,
                "{} {}: {}",
                route.method,
                route.path,
                r.text()
            );
            assert_eq!(r.header("content-type"), Some("application/problem+json"));
            if let Some(field) = field {
                let fields: Vec<String> = r.json()["errors"]
                    .as_array()
                    .map(|e| {
                        e.iter()
                            .filter_map(|x| x["field"].as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                assert!(
                    fields.iter().any(|f| f == field),
                    "{} {}: {fields:?}",
                    route.method,
                    route.path
                );
            }
        }
        base.clear();
    }
    // nothing changed: the draft is as created, and no other claim appeared
    let now = s.get(&admin, &id).await.json();
    assert_eq!(now["version"], version);
    let list = s
        .call("GET", "/claims", Some(&admin), None, &[])
        .await
        .json();
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
    println!("hardening | bad bodies on every route | {tried} cases | 0 stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tokens_for_another_audience_or_issuer_are_refused() {
    let s = stack().await;
    let now = chrono::Utc::now();
    let claims = |aud: &str, iss: &str| {
        let header = base64_url(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = base64_url(
            json!({"iss": iss, "aud": aud, "sub": "u", "partner_id": ORG_A, "roles": ["incentives_admin"], "exp": now.timestamp() + 600})
                .to_string()
                .as_bytes(),
        );
        use hmac::Mac;
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&s.run.jwt_key).expect("key");
        mac.update(format!("{header}.{payload}").as_bytes());
        format!(
            "{header}.{payload}.{}",
            base64_url(&mac.finalize().into_bytes())
        )
    };
    let ok = claims(cpor_local::jwt::AUDIENCE, cpor_local::jwt::ISSUER);
    assert_eq!(
        s.call("GET", "/claims", Some(&ok), None, &[]).await.status,
        200
    );
    for bad in [
        claims("someone-else", cpor_local::jwt::ISSUER),
        claims(cpor_local::jwt::AUDIENCE, "https://evil.example"),
    ] {
        assert_eq!(
            s.call("GET", "/claims", Some(&bad), None, &[]).await.status,
            401
        );
    }
    // alg=none is refused
    let none = format!(
        "{}.{}.",
        base64_url(br#"{"alg":"none"}"#),
        ok.split('.').nth(1).expect("payload")
    );
    assert_eq!(
        s.call("GET", "/claims", Some(&none), None, &[])
            .await
            .status,
        401
    );
    println!("hardening | tokens | 4 cases | 0 unauthorized");
}

/// Extra headers, body, expected status, the field the problem must name.
type BadBody = (Vec<(String, String)>, Vec<u8>, u16, Option<&'static str>);

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_idempotency_key_names_one_request_on_one_resource() {
    let s = stack().await;
    let admin = s.admin(ORG_A);
    let a = s
        .submitted(ORG_A, &unique_tenant(), &customer_email())
        .await;
    let b = s
        .submitted(ORG_A, &unique_tenant(), &customer_email())
        .await;
    let (a, b) = (
        a["id"].as_str().expect("id").to_owned(),
        b["id"].as_str().expect("id").to_owned(),
    );
    let comment = json!({"text": "Signed SoW attached"});
    let key = [("idempotency-key", "comment-1".to_owned())];
    let on = |id: &str| format!("/claims/{id}/comments");
    let first = s
        .call("POST", &on(&a), Some(&admin), Some(&comment), &key)
        .await;
    assert!(first.status < 300, "{}", first.text());
    // the same key and body on A again: the first answer, replayed
    let replay = s
        .call("POST", &on(&a), Some(&admin), Some(&comment), &key)
        .await;
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    // WHEN the same key comes with the same body for claim B THEN it is not A's replay: 422,
    // and B is untouched
    let other = s
        .call("POST", &on(&b), Some(&admin), Some(&comment), &key)
        .await;
    assert_eq!(other.status, 422, "{}", other.text());
    assert_eq!(other.json()["type"], "/problems/idempotency-mismatch");
    let comments_on = |id: String| {
        let (s, admin) = (&s, admin.clone());
        async move {
            s.history(&admin, &id)
                .await
                .iter()
                .filter(|e| e["action"] == "comment")
                .count()
        }
    };
    assert_eq!(comments_on(a.clone()).await, 1);
    assert_eq!(comments_on(b.clone()).await, 0);
    // a key that is present but not visible ASCII is refused, naming the header, not ignored
    for bad in ["clé-1", "two words", ""] {
        let r = s
            .call(
                "POST",
                &on(&b),
                Some(&admin),
                Some(&comment),
                &[("idempotency-key", bad.to_owned())],
            )
            .await;
        assert_eq!(r.status, 400, "{bad:?}: {}", r.text());
        assert_eq!(r.json()["errors"][0]["field"], "Idempotency-Key");
    }
    assert_eq!(comments_on(b).await, 0, "nothing stored for a refused key");
    println!("hardening | idempotency scope | 5 cases | 0 acted twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reviewers_are_anonymous_in_a_partners_history() {
    let s = stack().await;
    let admin = s.admin(ORG_A);
    let (id, _) = s.under_review(ORG_A).await;
    let history = |token: String| {
        let (s, id) = (&s, id.clone());
        async move {
            s.history(&token, &id)
                .await
                .into_iter()
                .filter(|e| e["actor"]["kind"] == "reviewer")
                .map(|e| e["actor"].clone())
                .collect::<Vec<Value>>()
        }
    };
    let to_partner = history(admin).await;
    assert!(!to_partner.is_empty());
    assert!(
        to_partner.iter().all(|a| a.get("user").is_none()),
        "{to_partner:?}"
    );
    let to_reviewer = history(s.reviewer()).await;
    assert!(to_reviewer.iter().all(|a| a["user"] == "reviewer-1"));
    println!("hardening | reviewer identity | 2 views | 0 leaked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn consent_emails_on_request_are_rate_limited_per_claim() {
    let s = stack().await;
    let admin = s.admin(ORG_A);
    let customer = customer_email();
    let c = s.submitted(ORG_A, &unique_tenant(), &customer).await;
    let id = c["id"].as_str().expect("id").to_owned();
    let before = s.emails_to(&customer).await.len();
    let mut statuses = Vec::new();
    for _ in 0..25 {
        let r = s
            .call(
                "POST",
                &format!("/claims/{id}/consent-email"),
                Some(&admin),
                None,
                &[],
            )
            .await;
        if r.status == 429 {
            let wait: u64 = r
                .header("retry-after")
                .and_then(|v| v.parse().ok())
                .expect("Retry-After in seconds");
            assert!(wait > 0 && wait <= 15 * 60, "{wait}");
            assert_eq!(r.json()["type"], "/problems/too-many-requests");
        }
        statuses.push(r.status);
    }
    assert!(statuses[0] < 300, "{statuses:?}");
    assert!(statuses[1..].iter().all(|s| *s == 429), "{statuses:?}");
    assert_eq!(
        s.emails_to(&customer).await.len(),
        before + 1,
        "25 requests, one email"
    );
    // the cooldown passed: another may go (the daily cap counts it)
    let later = (chrono::Utc::now() + chrono::Duration::minutes(16)).to_rfc3339();
    let r = s
        .call(
            "POST",
            &format!("/claims/{id}/consent-email"),
            Some(&admin),
            None,
            &[("x-cpor-now", later)],
        )
        .await;
    assert!(r.status < 300, "{}", r.text());
    println!("hardening | consent resends | 26 requests | 2 emails");
}

/// Secrets out of the environment (issue 18): the running functions read the token key ring
/// from its Secrets Manager secret and again as it comes due, so a rotation — a new key put in
/// front — signs the next links without a restart while links signed before still open, until
/// the old key is taken out of the secret.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_key_rotated_in_the_secret_reaches_the_running_functions() {
    use cpor::tokens::KeyRing;
    // keys read again on every invocation here (300 s as deployed)
    let s = crate::helpers::stack::stack_with(&[("CPOR_TOKEN_KEYS_REFRESH_SECONDS", "0")]).await;
    let token_of = |path: &str| path.trim_start_matches("/consent/").to_owned();
    let first = customer_email();
    s.submitted(ORG_A, &unique_tenant(), &first).await;
    let old_link = s.consent_path(&first).await;
    let old_ring = KeyRing::parse(cpor_local::DEV_TOKEN_KEYS).expect("dev keys");
    assert!(old_ring.open_any_consent(&token_of(&old_link)).is_ok());

    // WHEN a new key is put in front of the ring in the secret
    let new_key = format!(
        "k9:{}",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, [7u8; 32])
    );
    let secrets = aws_sdk_secretsmanager::Client::new(&s.run.config);
    let rotate = |ring: String| {
        let secrets = secrets.clone();
        let name = s.run.names.token_keys.clone();
        async move {
            secrets
                .put_secret_value()
                .secret_id(name)
                .secret_string(ring)
                .send()
                .await
                .expect("rotated");
        }
    };
    rotate(format!("{new_key},{}", cpor_local::DEV_TOKEN_KEYS)).await;
    // THEN the next link is signed with it (no restart), and the earlier one still opens
    let second = customer_email();
    s.submitted(ORG_A, &unique_tenant(), &second).await;
    let new_link = s.consent_path(&second).await;
    let only_new = KeyRing::parse(&new_key).expect("new key");
    assert!(only_new.open_any_consent(&token_of(&new_link)).is_ok());
    assert!(old_ring.open_any_consent(&token_of(&new_link)).is_err());
    assert_eq!(s.call("GET", &old_link, None, None, &[]).await.status, 200);
    // WHEN the old key is taken out THEN links it signed stop opening; the new ones open
    rotate(new_key.clone()).await;
    assert_eq!(s.call("GET", &old_link, None, None, &[]).await.status, 404);
    assert_eq!(s.call("GET", &new_link, None, None, &[]).await.status, 200);
    // and a secret that does not parse changes nothing: the functions keep the ring they have
    rotate("not a key ring".to_owned()).await;
    assert_eq!(s.call("GET", &new_link, None, None, &[]).await.status, 200);
}

//! End to end over HTTP, the other paths: information requests, silence, declines, disputes,
//! races, access, bad input, preconditions and retries.

use crate::helpers::{
    ORG_A, ORG_B, ba_body, customer_email, id_of, mws_body, stack, unique_tenant,
};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

fn ts(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().expect("a time"))
        .expect("rfc3339")
        .with_timezone(&Utc)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn information_requested_then_resubmitted_and_silence_rejects() {
    let s = stack().await;
    let t = s.admin(ORG_A);
    // GIVEN a claim under review
    let (id, _) = s.under_review(ORG_A).await;
    // WHEN the reviewer asks for information without a comment THEN the field is named
    let r = s
        .review(
            &id,
            json!({"action": "request_info", "reasons": ["missing_or_old_dates"]}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    // WHEN with reasons and a comment
    let r = s
        .review(&id, json!({"action": "request_info", "reasons": ["missing_or_old_dates"], "comment": "Dates are from <2019>"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let par = r.json();
    assert_eq!(par["status"], "partner_action_required");
    assert_eq!(
        par["statusReason"]["codes"],
        json!(["missing_or_old_dates"])
    );
    let mails = s
        .emails_about(&format!("partner-{ORG_A}@fabrikam.example"), &id)
        .await;
    let (_, body) = mails
        .iter()
        .find(|(s, _)| s.starts_with("Action required"))
        .expect("partner told");
    assert!(body.contains("Dates are from &lt;2019&gt;"));
    // THEN the partner edits (If-Match), adds a PoE and resubmits: back under review
    let patch = json!({"products": [{"product": "teams"}, {"product": "sharepoint_online"}]});
    let etag = format!("\"{}\"", par["version"]);
    let r = s
        .call(
            "PATCH",
            &format!("/claims/{id}"),
            Some(&t),
            Some(&patch),
            &[("if-match", etag)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    s.upload_poe(&t, &id, b"%PDF dated 2026").await;
    let r = s.submit(&t, &id).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "under_review");

    // GIVEN another claim waiting for the partner, who never answers
    let c2 = s
        .submitted(ORG_A, &unique_tenant(), &customer_email())
        .await;
    let id2 = id_of(&c2);
    s.review(&id2, json!({"action": "start"})).await;
    let par2 = s
        .review(&id2, json!({"action": "request_info", "reasons": ["missing_products"], "comment": "Which workloads?"}))
        .await
        .json();
    let due = ts(&par2["dueAt"]);
    // WHEN the sweep runs past the 5 business days THEN it is rejected for no response
    s.sweep(due - Duration::seconds(1)).await;
    assert_eq!(
        s.get(&t, &id2).await.json()["status"],
        "partner_action_required"
    );
    assert!(s.sweep(due).await.deadlines_applied >= 1);
    let rejected = s.get(&t, &id2).await.json();
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(
        rejected["statusReason"]["codes"],
        json!(["no_partner_response"])
    );
    // and its workloads are free for another partner
    let tenant2 = c2["customer"]["tenantId"].as_str().unwrap().to_owned();
    let other = s.submitted(ORG_B, &tenant2, &customer_email()).await;
    assert_eq!(other["status"], "submitted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_customer_decline_releases_the_workload_before_and_after_activation() {
    let s = stack().await;
    let tenant = unique_tenant();
    let customer = customer_email();
    // GIVEN partner A holds the customer's Teams and Exchange
    let a = s.submitted(ORG_A, &tenant, &customer).await;
    // THEN partner B cannot submit the same workloads: 409 naming them, not partner A
    let tb = s.admin(ORG_B);
    let b = s
        .create(&tb, &mws_body(ORG_B, &tenant, &customer_email()))
        .await;
    let b_id = id_of(&b);
    s.upload_poe(&tb, &b_id, b"%PDF B").await;
    let refused = s.submit(&tb, &b_id).await;
    assert_eq!(refused.status, 409, "{}", refused.text());
    let p = refused.json();
    assert_eq!(p["type"], "/problems/workload-taken");
    assert!(
        p["workloads"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("teams"))
    );
    assert!(!refused.text().contains(ORG_A));
    // WHEN the customer declines through the link
    let link = s.consent_path(&customer).await;
    let receipt = s.decide(&link, "decline").await;
    assert_eq!(receipt.status, 200);
    assert!(receipt.text().contains("Declined"));
    let ta = s.admin(ORG_A);
    let a_now = s.get(&ta, &id_of(&a)).await.json();
    // THEN the decline is final (seed 001): no dispute window, a dispute is refused, and the
    // partner's email says it is final instead of inviting one
    assert_eq!(a_now["status"], "rejected_final");
    assert_eq!(a_now["statusReason"]["codes"], json!(["customer_declined"]));
    assert!(a_now.get("dueAt").is_none(), "{a_now}");
    let dispute = s
        .call(
            "POST",
            &format!("/claims/{}/dispute", id_of(&a)),
            Some(&ta),
            Some(&json!({"justification": "The customer misunderstood"})),
            &[],
        )
        .await;
    assert_eq!(dispute.status, 409, "{}", dispute.text());
    let rejected_mail = s
        .emails_about(&format!("partner-{ORG_A}@fabrikam.example"), &id_of(&a))
        .await
        .into_iter()
        .find(|(subject, _)| subject.starts_with("Claim rejected"))
        .expect("the partner is told");
    assert!(rejected_mail.1.contains("This decision is final"));
    assert!(!rejected_mail.1.contains("dispute the rejection"));
    // and the link, replayed, shows the decline, with nothing left to press
    let page = s.raw("GET", &link, vec![], vec![]).await.text();
    assert!(page.contains("You declined this association"), "{page}");
    assert!(!page.contains("<form"));
    // THEN B can submit now
    let r = s.submit(&tb, &b_id).await;
    assert_eq!(r.status, 200, "{}", r.text());

    // GIVEN B's association becomes active
    s.review(&b_id, json!({"action": "start"})).await;
    let approved = s.review(&b_id, json!({"action": "approve"})).await.json();
    s.sweep(ts(&approved["dueAt"])).await;
    assert_eq!(s.get(&tb, &b_id).await.json()["status"], "active");
    // WHEN its customer declines after activation THEN it ends and the workloads are free
    let b_customer = b["customerContact"]["email"].as_str().unwrap().to_owned();
    let r = s
        .decide(&s.consent_path(&b_customer).await, "decline")
        .await;
    assert_eq!(r.status, 200);
    let ended = s.get(&tb, &b_id).await.json();
    assert_eq!(ended["status"], "ended");
    let c = s.submitted(ORG_A, &tenant, &customer_email()).await;
    assert_eq!(c["status"], "submitted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rejected_then_disputed_then_approved_and_a_late_dispute_is_refused() {
    let s = stack().await;
    let t = s.admin(ORG_A);
    let (id, _) = s.under_review(ORG_A).await;
    let rejected = s
        .review(
            &id,
            json!({"action": "reject", "reasons": ["insufficient_poe"], "comment": "Unsigned"}),
        )
        .await
        .json();
    assert_eq!(rejected["status"], "rejected");
    let mails = s
        .emails_about(&format!("partner-{ORG_A}@fabrikam.example"), &id)
        .await;
    assert!(
        mails
            .iter()
            .any(|(s, b)| s.starts_with("Claim rejected") && b.contains("dispute the rejection"))
    );
    // an incentives user may not dispute; an admin may
    let user = s.partner(ORG_A, "incentives_user");
    let body = json!({"justification": "Signed SoW attached"});
    let r = s
        .call(
            "POST",
            &format!("/claims/{id}/dispute"),
            Some(&user),
            Some(&body),
            &[],
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    let r = s
        .call(
            "POST",
            &format!("/claims/{id}/dispute"),
            Some(&t),
            Some(&body),
            &[],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "disputed");
    let approved = s.review(&id, json!({"action": "approve"})).await.json();
    assert_eq!(approved["status"], "approved");

    // GIVEN another rejection, 30 days pass
    let c2 = s
        .submitted(ORG_A, &unique_tenant(), &customer_email())
        .await;
    let id2 = id_of(&c2);
    s.review(&id2, json!({"action": "start"})).await;
    let r2 = s
        .review(
            &id2,
            json!({"action": "reject", "reasons": ["poe_unavailable"], "comment": "Link dead"}),
        )
        .await
        .json();
    let closes = ts(&r2["dueAt"]);
    let late = (closes + Duration::seconds(1)).to_rfc3339();
    let r = s
        .call(
            "POST",
            &format!("/claims/{id2}/dispute"),
            Some(&t),
            Some(&body),
            &[("x-cpor-now", late)],
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert_eq!(r.json()["type"], "/problems/dispute-window-closed");
    // and the sweep makes the rejection final
    s.sweep(closes).await;
    assert_eq!(s.get(&t, &id2).await.json()["status"], "rejected_final");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_partners_submitting_one_workload_at_once_one_wins() {
    let s = stack().await;
    for _ in 0..5 {
        let tenant = unique_tenant();
        let (ta, tb) = (s.admin(ORG_A), s.admin(ORG_B));
        let a = id_of(
            &s.create(&ta, &mws_body(ORG_A, &tenant, &customer_email()))
                .await,
        );
        let b = id_of(
            &s.create(&tb, &mws_body(ORG_B, &tenant, &customer_email()))
                .await,
        );
        s.upload_poe(&ta, &a, b"%PDF a").await;
        s.upload_poe(&tb, &b, b"%PDF b").await;
        let (ra, rb) = tokio::join!(s.submit(&ta, &a), s.submit(&tb, &b));
        let mut statuses = [ra.status, rb.status];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "{} / {}", ra.text(), rb.text());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn access_is_checked_on_every_route() {
    let s = stack().await;
    let c = s
        .submitted(ORG_A, &unique_tenant(), &customer_email())
        .await;
    let id = id_of(&c);
    let other = s.admin(ORG_B);
    // another organisation's claim does not exist for them
    for (m, p) in [
        ("GET", format!("/claims/{id}")),
        ("GET", format!("/claims/{id}/history")),
    ] {
        assert_eq!(
            s.call(m, &p, Some(&other), None, &[]).await.status,
            404,
            "{m} {p}"
        );
    }
    let r = s
        .call(
            "POST",
            &format!("/claims/{id}/comments"),
            Some(&other),
            Some(&json!({"text": "hi"})),
            &[],
        )
        .await;
    assert_eq!(r.status, 404);
    // and their list does not show it
    let list = s
        .call("GET", "/claims", Some(&other), None, &[])
        .await
        .json();
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["partnerId"] == ORG_B)
    );
    // no token, a forged token, an expired one: 401
    assert_eq!(s.call("GET", "/claims", None, None, &[]).await.status, 401);
    let forged = cpor_local::jwt::issue(
        b"not the key",
        &cpor_local::jwt::Identity {
            sub: "x".into(),
            partner_id: Some(ORG_A.into()),
            partner_name: None,
            locations: vec![],
            roles: vec!["incentives_admin".into()],
        },
        Utc::now(),
        Duration::hours(1),
    );
    assert_eq!(
        s.call("GET", "/claims", Some(&forged), None, &[])
            .await
            .status,
        401
    );
    let expired = cpor_local::jwt::issue(
        &s.run.jwt_key,
        &cpor_local::jwt::Identity {
            sub: "x".into(),
            partner_id: Some(ORG_A.into()),
            partner_name: None,
            locations: vec![],
            roles: vec!["incentives_admin".into()],
        },
        Utc::now() - Duration::hours(2),
        Duration::hours(1),
    );
    assert_eq!(
        s.call("GET", "/claims", Some(&expired), None, &[])
            .await
            .status,
        401
    );
    // roles: a billing admin cannot create; a partner cannot review
    let billing = s.partner(ORG_A, "billing_admin");
    let r = s
        .call(
            "POST",
            "/claims",
            Some(&billing),
            Some(&mws_body(ORG_A, &unique_tenant(), "x@y.example")),
            &[],
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    let r = s
        .call(
            "POST",
            &format!("/claims/{id}/review"),
            Some(&s.admin(ORG_A)),
            Some(&json!({"action": "start"})),
            &[],
        )
        .await;
    assert_eq!(r.status, 403);
    // reviewers list a status queue; without one the field is named
    let rt = s.reviewer();
    let r = s.call("GET", "/claims", Some(&rt), None, &[]).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["errors"][0]["field"], "status");
    let q = s
        .call("GET", "/claims?status=submitted", Some(&rt), None, &[])
        .await
        .json();
    assert!(
        q["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == id.as_str())
    );
    // a cursor from one organisation's list is refused on another's
    for _ in 0..2 {
        s.create(
            &s.admin(ORG_A),
            &mws_body(ORG_A, &unique_tenant(), "x@y.example"),
        )
        .await;
    }
    let page = s
        .call("GET", "/claims?limit=1", Some(&s.admin(ORG_A)), None, &[])
        .await
        .json();
    let cursor = page["nextCursor"].as_str().expect("a next page").to_owned();
    let r = s
        .call(
            "GET",
            &format!("/claims?limit=1&cursor={cursor}"),
            Some(&other),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["errors"][0]["field"], "cursor");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_bodies_get_problems_naming_the_field_and_store_nothing() {
    let s = stack().await;
    let t = s.admin(ORG_A);
    let base = mws_body(ORG_A, &unique_tenant(), "a@b.example");
    let mut bad_tenant = base.clone();
    bad_tenant["customer"]["tenantId"] = json!("not-a-guid");
    let mut unknown = base.clone();
    unknown["colour"] = json!("red");
    let mut wrong_type = base.clone();
    wrong_type["products"] = json!("teams");
    let mut crlf = base.clone();
    crlf["name"] = json!("Contoso\r\nBcc: x");
    let cases = [
        (bad_tenant, "customer.tenantId"),
        (unknown, "colour"),
        (wrong_type, "products"),
        (crlf, "name"),
    ];
    for (body, field) in &cases {
        let r = s.call("POST", "/claims", Some(&t), Some(body), &[]).await;
        assert_eq!(r.status, 400, "{field}: {}", r.text());
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        let fields: Vec<String> = r.json()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect();
        assert!(
            fields.iter().any(|f| f == field),
            "{field} not in {fields:?}"
        );
    }
    // malformed JSON, wrong content type, oversize
    let auth = ("authorization".to_owned(), format!("Bearer {t}"));
    let r = s
        .raw(
            "POST",
            "/claims",
            vec![
                auth.clone(),
                ("content-type".into(), "application/json".into()),
            ],
            b"{\"name\":".to_vec(),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = s
        .raw(
            "POST",
            "/claims",
            vec![auth.clone(), ("content-type".into(), "text/plain".into())],
            base.to_string().into_bytes(),
        )
        .await;
    assert_eq!(r.status, 415);
    let r = s
        .raw(
            "POST",
            "/claims",
            vec![auth, ("content-type".into(), "application/json".into())],
            vec![b' '; 70 * 1024],
        )
        .await;
    assert_eq!(r.status, 413);
    // an oversize PoE declaration names sizeBytes
    let c = s.create(&t, &base).await;
    let poe = json!({"fileName": "big.pdf", "contentType": "application/pdf", "sizeBytes": 11 * 1024 * 1024, "sha256": "00".repeat(32)});
    let r = s
        .call(
            "POST",
            &format!("/claims/{}/poe", id_of(&c)),
            Some(&t),
            Some(&poe),
            &[],
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["errors"][0]["field"], "sizeBytes");
    // nothing but the one valid draft was stored
    let list = s.call("GET", "/claims", Some(&t), None, &[]).await.json();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn edits_need_the_current_etag_and_retries_with_a_key_replay() {
    let s = stack().await;
    let t = s.admin(ORG_A);
    let body = mws_body(ORG_A, &unique_tenant(), "a@b.example");
    // the same Idempotency-Key twice: one claim, the same response
    let key = ("idempotency-key", "create-1".to_owned());
    let first = s
        .call(
            "POST",
            "/claims",
            Some(&t),
            Some(&body),
            std::slice::from_ref(&key),
        )
        .await;
    let again = s
        .call(
            "POST",
            "/claims",
            Some(&t),
            Some(&body),
            std::slice::from_ref(&key),
        )
        .await;
    assert_eq!((first.status, again.status), (201, 201));
    assert_eq!(first.json()["id"], again.json()["id"]);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    let mut other = body.clone();
    other["name"] = json!("Another");
    let r = s
        .call(
            "POST",
            "/claims",
            Some(&t),
            Some(&other),
            std::slice::from_ref(&key),
        )
        .await;
    assert_eq!(r.status, 422);
    let list = s.call("GET", "/claims", Some(&t), None, &[]).await.json();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    // PATCH: 428 without If-Match, 412 when stale, 200 with the current ETag
    let id = id_of(&first.json());
    let patch = json!({"name": "Renamed"});
    let r = s
        .call(
            "PATCH",
            &format!("/claims/{id}"),
            Some(&t),
            Some(&patch),
            &[],
        )
        .await;
    assert_eq!(r.status, 428);
    let etag = first.header("etag").unwrap().to_owned();
    let r = s
        .call(
            "PATCH",
            &format!("/claims/{id}"),
            Some(&t),
            Some(&patch),
            &[("if-match", etag.clone())],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_ne!(r.header("etag").unwrap(), etag);
    let r = s
        .call(
            "PATCH",
            &format!("/claims/{id}"),
            Some(&t),
            Some(&json!({"name": "Stale"})),
            &[("if-match", etag)],
        )
        .await;
    assert_eq!(r.status, 412);
    assert_eq!(s.get(&t, &id).await.json()["name"], "Renamed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn scanners_opening_the_link_change_nothing_and_a_decision_is_shown_after() {
    let s = stack().await;
    let customer = customer_email();
    let c = s.submitted(ORG_A, &unique_tenant(), &customer).await;
    let link = s.consent_path(&customer).await;
    for _ in 0..3 {
        assert_eq!(s.raw("GET", &link, vec![], vec![]).await.status, 200);
    }
    let t = s.admin(ORG_A);
    assert_eq!(s.get(&t, &id_of(&c)).await.json()["version"], c["version"]);
    let r = s.decide(&link, "decline").await;
    assert_eq!(r.status, 200);
    // posting again: the decline replayed is the same receipt; a keep is refused with a page
    // that says the customer declined; neither changes anything
    let version = s.get(&t, &id_of(&c)).await.json()["version"].clone();
    let replayed = s.decide(&link, "decline").await;
    assert_eq!(replayed.status, 200);
    assert!(replayed.text().contains("Declined"));
    let again = s.decide(&link, "keep").await;
    assert_eq!(again.status, 409);
    assert!(again.text().contains("You declined this association"));
    assert!(!again.text().contains("Kept"));
    assert_eq!(s.get(&t, &id_of(&c)).await.json()["version"], version);
    let page = s.raw("GET", &link, vec![], vec![]).await.text();
    assert!(page.contains("You declined this association"));
    assert!(!page.contains("value=\"decline\""));
    // a tampered link is not valid
    let bad = format!("{}x", link);
    assert_eq!(s.raw("GET", &bad, vec![], vec![]).await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn side_effects_are_delivered_from_the_stream_after_the_answer() {
    // GIVEN a rejected claim to which the partner adds a PoE document for a dispute
    let s = stack().await;
    let t = s.admin(ORG_A);
    let (id, _) = s.under_review(ORG_A).await;
    let r = s
        .review(
            &id,
            json!({"action": "reject", "reasons": ["insufficient_poe"], "comment": "Unsigned"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let poe = s.upload_poe(&t, &id, b"%PDF-1.7 the signed SoW").await;
    let pending = vec![("cpor-upload".to_owned(), "pending".to_owned())];
    assert_eq!(s.poe_tags(&id, &poe).await, pending);
    // WHEN the dispute is committed by dispute-claim, which may only use the table and read
    // PoE objects (its manifest row and its Wired type leave every other port unwired)
    use cpor::functions::{Function, Port};
    assert_eq!(
        Function::named("dispute-claim").ports,
        [Port::Store, Port::Poe]
    );
    let body = json!({"justification": "Signed SoW attached"});
    let r = s
        .call(
            "POST",
            &format!("/claims/{id}/dispute"),
            Some(&t),
            Some(&body),
            &[],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // THEN deliver-outbox, fed by the table's stream, keeps the upload the dispute relies on
    assert_eq!(
        s.poe_tags(&id, &poe).await,
        vec![("cpor-upload".to_owned(), "attached".to_owned())]
    );
    // and the sweep, once the stream's grace has run out, finds nothing left to deliver
    let later = chrono::Utc::now() + cpor::outbox::STREAM_GRACE + Duration::seconds(1);
    let sweep = s.sweep(later).await;
    assert_eq!(sweep.outbox_delivered, 0, "{sweep:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn only_incentives_roles_move_a_claim_to_another_location() {
    // GIVEN a draft of organisation A
    let s = stack().await;
    let admin = s.admin(ORG_A);
    let c = s
        .create(
            &admin,
            &mws_body(ORG_A, &unique_tenant(), &customer_email()),
        )
        .await;
    let id = id_of(&c);
    let path = format!("/claims/{id}");
    let moved = json!({"partnerLocationId": format!("{ORG_A}002")});
    let etag = |r: &crate::helpers::HttpResponse| r.header("etag").unwrap().to_owned();
    let current = etag(&s.get(&admin, &id).await);
    // WHEN a global admin moves it THEN 403 (seed 004), and the claim is unchanged
    let global = s.partner(ORG_A, "global_admin");
    let r = s
        .call(
            "PATCH",
            &path,
            Some(&global),
            Some(&moved),
            &[("if-match", current.clone())],
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(r.json()["type"], "/problems/forbidden");
    assert_eq!(
        s.get(&admin, &id).await.json()["partnerLocationId"],
        format!("{ORG_A}001")
    );
    // WHEN an incentives user moves it THEN it moves
    let user = s.partner(ORG_A, "incentives_user");
    let r = s
        .call(
            "PATCH",
            &path,
            Some(&user),
            Some(&moved),
            &[("if-match", current)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["partnerLocationId"], format!("{ORG_A}002"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_business_applications_claim_names_how_the_customer_bought() {
    let s = stack().await;
    let t = s.admin(ORG_A);
    // WHEN the purchase channel is missing or is CSP THEN 400 naming it, pointing elsewhere
    for channel in [None, Some("csp")] {
        let mut body = ba_body(ORG_A, &unique_tenant(), &customer_email());
        match channel {
            None => body.as_object_mut().unwrap().remove("purchaseChannel"),
            Some(c) => body
                .as_object_mut()
                .unwrap()
                .insert("purchaseChannel".into(), json!(c)),
        };
        let r = s.call("POST", "/claims", Some(&t), Some(&body), &[]).await;
        assert_eq!(r.status, 400, "{}", r.text());
        let p = r.json();
        assert_eq!(p["errors"][0]["field"], "purchaseChannel");
        assert!(
            p["errors"][0]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("CSP, managed reseller and hosting"),
            "{p}"
        );
    }
    // and on a Modern Work claim it has no place
    let mut mws = mws_body(ORG_A, &unique_tenant(), &customer_email());
    mws["purchaseChannel"] = json!("web_direct");
    let r = s.call("POST", "/claims", Some(&t), Some(&mws), &[]).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["errors"][0]["field"], "purchaseChannel");
    // WHEN it is Volume Licensing THEN the claim is created, submitted, and the channel may
    // still change where products may (submitted)
    let c = s
        .create(&t, &ba_body(ORG_A, &unique_tenant(), &customer_email()))
        .await;
    assert_eq!(c["purchaseChannel"], "volume_licensing");
    let id = id_of(&c);
    s.upload_poe(&t, &id, b"%PDF ba").await;
    let submitted = s.submit(&t, &id).await;
    assert_eq!(submitted.status, 200, "{}", submitted.text());
    let etag = submitted.header("etag").unwrap().to_owned();
    let r = s
        .call(
            "PATCH",
            &format!("/claims/{id}"),
            Some(&t),
            Some(&json!({"purchaseChannel": "web_direct"})),
            &[("if-match", etag)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["purchaseChannel"], "web_direct");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn comments_reach_people_and_a_partners_waits_in_the_reviewer_queue() {
    let s = stack().await;
    let t = s.admin(ORG_A);
    let c = s
        .submitted(ORG_A, &unique_tenant(), &customer_email())
        .await;
    let id = id_of(&c);
    let s = &s;
    let queue = |awaiting: bool| {
        let path = format!("/claims?status=submitted&limit=100&awaitingReviewer={awaiting}");
        async move {
            let r = s.call("GET", &path, Some(&s.reviewer()), None, &[]).await;
            assert_eq!(r.status, 200, "{}", r.text());
            r.json()["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert!(!queue(true).await.contains(&id));
    // WHEN the partner comments THEN the reviewers are emailed and the claim waits for them
    let r = s
        .call(
            "POST",
            &format!("/claims/{id}/comments"),
            Some(&t),
            Some(&json!({"text": "Signed SoW attached as PoE 2"})),
            &[],
        )
        .await;
    assert!(r.status < 300, "{}", r.text());
    let to_reviewers = s.emails_to(&s.run.names.reviewers).await;
    assert_eq!(to_reviewers.len(), 1, "{to_reviewers:?}");
    assert!(
        to_reviewers[0]
            .0
            .starts_with("Partner comment awaiting a reviewer")
    );
    assert!(to_reviewers[0].1.contains("Signed SoW attached as PoE 2"));
    assert_eq!(s.get(&t, &id).await.json()["awaitingReviewer"], true);
    assert!(queue(true).await.contains(&id));
    // WHEN a reviewer answers THEN the partner contact reads it, and nothing waits any more
    let r = s
        .call(
            "POST",
            &format!("/claims/{id}/comments"),
            Some(&s.reviewer()),
            Some(&json!({"text": "Thanks, reviewing now"})),
            &[],
        )
        .await;
    assert!(r.status < 300, "{}", r.text());
    let to_partner = s
        .emails_to(&format!("partner-{ORG_A}@fabrikam.example"))
        .await;
    let (subject, body) = to_partner
        .iter()
        .find(|(subject, _)| subject.starts_with("New comment on your claim"))
        .expect("the partner contact is emailed");
    assert!(body.contains("Thanks, reviewing now"), "{subject}: {body}");
    assert!(body.contains(&format!("/claims/{id}")), "links the claim");
    assert_eq!(s.get(&t, &id).await.json()["awaitingReviewer"], false);
    assert!(!queue(true).await.contains(&id));
    assert!(queue(false).await.contains(&id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_overall_decision_sla_waits_for_the_partner_and_its_breach_is_recorded() {
    let s = stack().await;
    let t = s.admin(ORG_A);
    let (id, reviewing) = s.under_review(ORG_A).await;
    let due = ts(&reviewing["decisionDueAt"]);
    let submitted = ts(&reviewing["submittedAt"]);
    assert!(due - submitted >= Duration::days(14), "10 business days");
    // GIVEN the reviewer asks for more and the partner answers three days later
    s.review(
        &id,
        json!({"action": "request_info", "reasons": ["missing_products"], "comment": "Which?"}),
    )
    .await;
    let later = Utc::now() + Duration::days(3);
    let r = s
        .call(
            "POST",
            &format!("/claims/{id}/submit"),
            Some(&t),
            Some(&json!({"acknowledgements": {"informationAccurate": true, "customerAuthorized": true}})),
            &[("x-cpor-now", later.to_rfc3339())],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // THEN the decision is due three days later than before
    let extended = ts(&r.json()["decisionDueAt"]);
    let moved = extended - due;
    assert!(
        moved >= Duration::days(3) && moved < Duration::days(3) + Duration::minutes(1),
        "{moved}"
    );
    // WHEN nobody decides by then THEN the breach is recorded, the claim is not penalised
    s.sweep(extended).await;
    let now = s.get(&t, &id).await.json();
    assert_eq!(now["status"], "under_review");
    let breaches = now["slaBreaches"].as_array().cloned().unwrap_or_default();
    assert!(
        breaches.iter().any(|b| b["kind"] == "decision_sla"),
        "{now}"
    );
    // and a decision ends it
    let approved = s.review(&id, json!({"action": "approve"})).await.json();
    assert!(approved.get("decisionDueAt").is_none(), "{approved}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bounced_consent_email_is_recorded_published_and_the_partner_told_once() {
    let s = stack().await;
    let t = s.admin(ORG_A);
    let c = s
        .submitted(ORG_A, &unique_tenant(), &customer_email())
        .await;
    let id = id_of(&c);
    s.events().await;
    // GIVEN SES reports the consent email bounced (the sample, for this claim)
    let sample = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/events/email-feedback/200-bounce-consent-email.json"
    ))
    .expect("sample")
    .replace("8d3f1c52-6a1e-4b1f-9a7e-2f5c1d0b9e41", &id);
    let event: Value = serde_json::from_str(&sample).expect("json");
    // WHEN it arrives, twice (EventBridge delivers at least once)
    for _ in 0..2 {
        email_feedback::record(&s.run.feedback_app, &event)
            .await
            .expect("recorded");
    }
    // THEN the history says so once, the partner is told once, and an event is published
    let history = s.history(&t, &id).await;
    let bounced = history
        .iter()
        .filter(|e| e["action"] == "consent_email_bounced")
        .count();
    assert_eq!(bounced, 1, "{history:?}");
    let told: Vec<_> = s
        .emails_about(&format!("partner-{ORG_A}@fabrikam.example"), &id)
        .await
        .into_iter()
        .filter(|(subject, _)| subject.starts_with("The customer could not be reached"))
        .collect();
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].1.contains("refused the address"));
    let events = s.events().await;
    assert_eq!(
        events
            .iter()
            .filter(|e| e["detailType"] == "ConsentEmailBounced" && e["claimId"] == id.as_str())
            .count(),
        1
    );
    // and the claim itself moved on nowhere
    assert_eq!(s.get(&t, &id).await.json()["status"], "submitted");
}

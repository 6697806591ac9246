//! MCI engagements end to end (seed 004, SPEC §9): reference data dropped into the bucket and
//! imported through EventBridge, eligibility, the variable-pay quote, registering customers
//! under the cap (races included), the Customers page, contact edits, cancelling, history and
//! isolation — over HTTP on moto, as a portal calls them.

use crate::helpers::mci::{TENANT, dataset, registration};
use crate::helpers::stack::{ORG_A, ORG_B, Stack, stack};
use serde_json::{Value, json};

async fn with_data(customers: Vec<Value>) -> Stack {
    let s = stack().await;
    let result = s.import_reference(&dataset(customers)).await;
    assert_eq!(result["outcome"], "imported", "{result}");
    s
}

async fn register(s: &Stack, org: &str, body: &Value) -> crate::helpers::http::HttpResponse {
    s.call(
        "POST",
        "/engagement-claims",
        Some(&s.admin(org)),
        Some(body),
        &[],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_data_arrives_through_the_bucket_whole_or_not_at_all() {
    // GIVEN a stack with the sample dataset imported through the bucket
    let s = with_data(vec![]).await;
    let catalogue = s
        .call("GET", "/engagements", Some(&s.admin(ORG_A)), None, &[])
        .await;
    assert_eq!(catalogue.status, 200, "{}", catalogue.text());
    let items = catalogue.json()["items"].clone();
    let ids: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["id"].as_str())
        .collect();
    assert_eq!(ids, ["azure-migrate", "mw-usage"], "in ID order");
    assert_eq!(items[1]["consentDays"], 30);
    // only the enrolled location is eligible
    assert_eq!(
        items[1]["eligibleLocationIds"],
        json!([format!("{ORG_A}001")])
    );
    assert_eq!(items[0]["payment"]["hourlyRateUsd"], 150.0);

    // WHEN a bad document arrives THEN it is rejected whole, naming what is wrong, and the
    // catalogue is what it was
    let bad = br#"{"engagements": [{"id": "x", "name": "X", "payType": "variable",
        "identifierTypes": ["domain"], "consentDays": 0, "submissionDays": 1, "customerCap": 1,
        "referrals": {"enabled": false}}], "partnerLocations": [], "customers": []}"#;
    let rejected = s.import_reference(bad).await;
    assert_eq!(rejected["outcome"], "rejected");
    let reasons = rejected["reasons"].to_string();
    assert!(
        reasons.contains("engagements[0].consentDays")
            && reasons.contains("engagements[0].payment"),
        "{reasons}"
    );
    let again = s
        .call("GET", "/engagements", Some(&s.admin(ORG_A)), None, &[])
        .await;
    assert_eq!(again.json()["items"], items);
    assert_eq!(s.import_reference(b"not json").await["outcome"], "rejected");

    // the same document twice: the second import changes nothing
    assert_eq!(
        s.import_reference(&dataset(vec![])).await["outcome"],
        "alreadyCurrent"
    );

    // a new document replaces the dataset
    let mut replaced: Value = serde_json::from_slice(&dataset(vec![])).unwrap();
    replaced["engagements"].as_array_mut().unwrap().truncate(1);
    replaced["partnerLocations"][0]["engagements"] = json!(["mw-usage"]);
    replaced["customers"].as_array_mut().unwrap().truncate(3);
    let result = s.import_reference(replaced.to_string().as_bytes()).await;
    assert_eq!(result["outcome"], "imported", "{result}");
    let now = s
        .call("GET", "/engagements", Some(&s.admin(ORG_A)), None, &[])
        .await;
    assert_eq!(now.json()["items"].as_array().map(Vec::len), Some(1));

    // the catalogue is for the incentives roles only
    let billing = s.partner(ORG_A, "billing_admin");
    assert_eq!(
        s.call("GET", "/engagements", Some(&billing), None, &[])
            .await
            .status,
        403
    );
    assert_eq!(
        s.call("GET", "/engagements", Some(&s.reviewer()), None, &[])
            .await
            .status,
        403
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eligibility_and_the_quote_follow_the_reference_data() {
    let s = with_data(vec![]).await;
    let token = s.admin(ORG_A);
    let ask = |body: Value| {
        let token = token.clone();
        let s = &s;
        async move {
            s.call(
                "POST",
                "/engagements/eligibility",
                Some(&token),
                Some(&body),
                &[],
            )
            .await
        }
    };
    let location = format!("{ORG_A}001");
    // a domain is resolved to its tenant and checked as it
    let r = ask(
        json!({"identifierType": "domain", "value": "Contoso.com", "partnerLocationId": location}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let a = r.json();
    assert_eq!(a["resolvedTenantId"], TENANT);
    // (the catalogue's engagements in ID order: azure-migrate, mw-usage)
    assert_eq!(
        a["engagements"][1],
        json!({"engagementId": "mw-usage", "eligible": true, "reasons": []})
    );
    assert_eq!(
        a["engagements"][0]["reasons"],
        json!(["identifier_type_not_allowed"])
    );
    // the same customer's TPID has its own verdict; an unknown identifier is not eligible
    let tpid =
        ask(json!({"identifierType": "tpid", "value": "1234567", "partnerLocationId": location}))
            .await;
    assert_eq!(
        tpid.json()["engagements"][1]["reasons"],
        json!(["criteria_not_met"])
    );
    let unknown =
        ask(json!({"identifierType": "tpid", "value": "999", "partnerLocationId": location})).await;
    assert_eq!(
        unknown.json()["engagements"][1]["reasons"],
        json!(["unknown_identifier"])
    );
    // a tenant unrelated to the contact's email domain is flagged
    let mismatch = ask(
        json!({"identifierType": "tenant_id", "value": TENANT, "partnerLocationId": location,
                              "customerEmail": "ana@northwind.example"}),
    )
    .await;
    assert_eq!(mismatch.json()["tenantEmailDomainMismatch"], true);
    // a location not enrolled in MCI
    let not_enrolled = ask(json!({"identifierType": "tenant_id", "value": TENANT,
                                  "partnerLocationId": format!("{ORG_A}002")}))
    .await;
    assert_eq!(
        not_enrolled.json()["engagements"][1]["reasons"],
        json!(["partner_location_not_enrolled"])
    );
    // an unknown domain cannot be resolved: 422; bad input: 400 naming the fields
    let unresolved = ask(json!({"identifierType": "domain", "value": "nobody.example", "partnerLocationId": location})).await;
    assert_eq!(unresolved.status, 422, "{}", unresolved.text());
    let bad =
        ask(json!({"identifierType": "tpid", "value": "12a", "partnerLocationId": "999"})).await;
    assert_eq!(bad.status, 400);
    let fields: Vec<String> = bad.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert!(fields.contains(&"value".to_owned()), "{fields:?}");
    let foreign = ask(
        json!({"identifierType": "tpid", "value": "1", "partnerLocationId": format!("{ORG_B}001")}),
    )
    .await;
    assert_eq!(foreign.status, 400, "another organisation's location");

    // the quote: min(120 h × 150, 10 % of 400 000, 50 000) = 18 000
    let quote = s
        .call("POST", "/engagements/azure-migrate/quote", Some(&token),
              Some(&json!({"identifierType": "msx_opportunity_id", "value": "7-3kx9q2zp1", "plannedHours": 120})), &[])
        .await;
    assert_eq!(quote.status, 200, "{}", quote.text());
    assert_eq!(quote.json()["proposedPaymentUsd"], 18000.0);
    let fixed = s
        .call("POST", "/engagements/mw-usage/quote", Some(&token),
              Some(&json!({"identifierType": "msx_opportunity_id", "value": "7-3KX9Q2ZP1", "plannedHours": 1})), &[])
        .await;
    assert_eq!(fixed.status, 400, "{}", fixed.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registration_takes_the_customers_place_until_it_is_cancelled() {
    let s = with_data(vec![]).await;
    // WHEN partner A adds contoso.com for mw-usage
    let r = register(
        &s,
        ORG_A,
        &registration(ORG_A, "domain", "contoso.com", &["mw-usage"]),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let claim = r.json()["claims"][0].clone();
    let id = claim["id"].as_str().unwrap().to_owned();
    assert_eq!(claim["status"], "registered");
    assert_eq!(
        claim["customerKey"],
        json!({"identifierType": "tenant_id", "value": TENANT})
    );
    assert_eq!(
        r.header("location"),
        Some(format!("/engagement-claims/{id}").as_str())
    );
    // THEN the partner contact is told, in their language (seed 004's confirmation)
    let mails = s.emails_to(&format!("mci-{ORG_A}@fabrikam.example")).await;
    let (subject, body) = mails
        .iter()
        .find(|(_, b)| b.contains(&id))
        .expect("a confirmation");
    assert!(subject.starts_with("Cliente registrado"), "{subject}");
    assert!(body.contains("Modern Work Usage"), "{body}");

    // AND the customer's one place under the cap is taken: A again, or B, is refused
    let again = register(
        &s,
        ORG_A,
        &registration(ORG_A, "tenant_id", TENANT, &["mw-usage"]),
    )
    .await;
    assert_eq!(again.status, 409, "{}", again.text());
    let b = register(
        &s,
        ORG_B,
        &registration(ORG_B, "tenant_id", TENANT, &["mw-usage"]),
    )
    .await;
    assert_eq!(b.status, 409, "{}", b.text());
    assert_eq!(
        b.json()["engagements"][0]["reasons"],
        json!(["cap_reached"]),
        "{}",
        b.text()
    );
    // AND B's eligibility check says so, whether it names the tenant or its domain
    for (kind, value) in [
        ("tenant_id", TENANT),
        ("domain", "contoso.com"),
        ("tenant_id", TENANT),
    ] {
        let body = json!({"identifierType": kind, "value": value,
                          "partnerLocationId": format!("{ORG_B}001")});
        let r = s
            .call(
                "POST",
                "/engagements/eligibility",
                Some(&s.admin(ORG_B)),
                Some(&body),
                &[],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let mw = &r.json()["engagements"][1];
        assert_eq!(mw["engagementId"], "mw-usage");
        assert_eq!(
            mw["reasons"],
            json!(["cap_reached"]),
            "{kind}: {}",
            r.text()
        );
    }

    // AND the Customers page shows it on "eligible" with its actions; "complete" is empty
    let page = |tab: &str| {
        let s = &s;
        let path = format!("/engagements/mw-usage/customers?tab={tab}");
        async move { s.call("GET", &path, Some(&s.admin(ORG_A)), None, &[]).await }
    };
    let eligible = page("eligible").await;
    assert_eq!(eligible.status, 200, "{}", eligible.text());
    let rows = eligible.json()["items"].clone();
    assert_eq!(
        rows[0]["customer"],
        json!({"identifierType": "tenant_id", "value": TENANT})
    );
    assert_eq!(rows[0]["claims"][0]["claimId"], id);
    assert_eq!(
        rows[0]["claims"][0]["actions"],
        json!(["send_consent_email", "edit_contacts", "cancel"])
    );
    assert_eq!(page("complete").await.json()["items"], json!([]));
    assert_eq!(page("not_eligible").await.json()["items"], json!([]));
    assert_eq!(page("sideways").await.status, 400);

    // AND another organisation cannot see it; a reviewer can
    let path = format!("/engagement-claims/{id}");
    assert_eq!(
        s.call("GET", &path, Some(&s.admin(ORG_B)), None, &[])
            .await
            .status,
        404
    );
    let read = s.call("GET", &path, Some(&s.reviewer()), None, &[]).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.header("etag"), Some("\"1\""));

    // WHEN the contacts are edited with a stale version THEN 412; with the current one, 200
    let edit = json!({"customerContact": {"name": "Ana Pérez", "title": "CIO", "email": "ana.perez@contoso.com"}});
    let stale = s
        .call(
            "PATCH",
            &path,
            Some(&s.admin(ORG_A)),
            Some(&edit),
            &[("if-match", "\"7\"".into())],
        )
        .await;
    assert_eq!(stale.status, 412, "{}", stale.text());
    let ok = s
        .call(
            "PATCH",
            &path,
            Some(&s.admin(ORG_A)),
            Some(&edit),
            &[("if-match", "\"1\"".into())],
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(ok.json()["customerContact"]["title"], "CIO");
    let unversioned = s
        .call("PATCH", &path, Some(&s.admin(ORG_A)), Some(&edit), &[])
        .await;
    assert_eq!(unversioned.status, 428, "{}", unversioned.text());
    let bad = s
        .call(
            "PATCH",
            &path,
            Some(&s.admin(ORG_A)),
            Some(&json!({"customerContact": {"name": "A"}})),
            &[],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["errors"][0]["field"], "customerContact.email");

    // WHEN A cancels THEN the place is free: B registers the same customer
    let cancelled = s
        .call("DELETE", &path, Some(&s.admin(ORG_A)), None, &[])
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.text());
    assert_eq!(cancelled.json()["status"], "cancelled");
    assert_eq!(
        s.call("DELETE", &path, Some(&s.admin(ORG_A)), None, &[])
            .await
            .status,
        409
    );
    let complete = page("complete").await.json();
    assert_eq!(complete["items"][0]["id"], id);
    assert_eq!(
        page("eligible").await.json()["items"],
        json!([]),
        "not known, nothing open: gone"
    );
    let b = register(
        &s,
        ORG_B,
        &registration(ORG_B, "tenant_id", TENANT, &["mw-usage"]),
    )
    .await;
    assert_eq!(b.status, 201, "{}", b.text());

    // AND the history says what happened, in order
    let history = s
        .call(
            "GET",
            &format!("{path}/history"),
            Some(&s.admin(ORG_A)),
            None,
            &[],
        )
        .await;
    let actions: Vec<Value> = history.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].clone())
        .collect();
    assert_eq!(actions, [json!("register"), json!("edit"), json!("cancel")]);
    // paged as every list is: the first entry, then the rest from its `nextCursor`
    let first = s
        .call(
            "GET",
            &format!("{path}/history?limit=1"),
            Some(&s.admin(ORG_A)),
            None,
            &[],
        )
        .await
        .json();
    assert_eq!(first["items"][0]["action"], "register");
    let next = first["nextCursor"].as_str().expect("a next page");
    let rest = s
        .call(
            "GET",
            &format!("{path}/history?cursor={next}"),
            Some(&s.admin(ORG_A)),
            None,
            &[],
        )
        .await
        .json();
    assert_eq!(rest["items"][0]["action"], "edit");
    assert!(rest["nextCursor"].is_null());
    assert_eq!(
        s.call(
            "GET",
            &format!("{path}/history"),
            Some(&s.admin(ORG_B)),
            None,
            &[]
        )
        .await
        .status,
        404
    );
    // a CPOR route does not serve an engagement claim
    assert_eq!(
        s.call(
            "GET",
            &format!("/claims/{id}"),
            Some(&s.admin(ORG_A)),
            None,
            &[]
        )
        .await
        .status,
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_rules_are_answered_with_their_status_and_fields() {
    let s = with_data(vec![]).await;
    // variable pay: planned hours required, the proposed payment computed and stored
    let mut variable = registration(
        ORG_A,
        "msx_opportunity_id",
        "7-3KX9Q2ZP1",
        &["azure-migrate"],
    );
    let r = register(&s, ORG_A, &variable).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["errors"][0]["field"], "plannedHours");
    variable["plannedHours"] = json!(400);
    let r = register(&s, ORG_A, &variable).await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["claims"][0]["proposedPaymentUsd"], 40000.0);
    assert_eq!(r.json()["claims"][0]["plannedHours"], 400);
    // not eligible: 409 naming each engagement and its reasons
    let tpid = register(
        &s,
        ORG_A,
        &registration(ORG_A, "tpid", "1234567", &["mw-usage"]),
    )
    .await;
    assert_eq!(tpid.status, 409);
    assert_eq!(
        tpid.json()["engagements"],
        json!([{"engagementId": "mw-usage", "eligible": false, "reasons": ["criteria_not_met"]}])
    );
    // an unknown domain: 422; claiming a customer the partner does not know: 409
    let unknown = register(
        &s,
        ORG_A,
        &registration(ORG_A, "domain", "nobody.example", &["mw-usage"]),
    )
    .await;
    assert_eq!(unknown.status, 422, "{}", unknown.text());
    let mut claim = registration(ORG_A, "tenant_id", TENANT, &["mw-usage"]);
    claim["source"] = json!("claim");
    let r = register(&s, ORG_A, &claim).await;
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["type"], "/problems/customer-not-known");
    // a tenant unrelated to the contact's domain needs a reason
    let mut mismatch = registration(ORG_A, "tenant_id", TENANT, &["mw-usage"]);
    mismatch["customerContact"]["email"] = json!("ana@northwind.example");
    let r = register(&s, ORG_A, &mismatch).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["errors"][0]["field"], "tenantMismatchReason");
    // roles: a global admin may not register
    let global = s.partner(ORG_A, "global_admin");
    let r = s
        .call(
            "POST",
            "/engagement-claims",
            Some(&global),
            Some(&registration(ORG_A, "tenant_id", TENANT, &["mw-usage"])),
            &[],
        )
        .await;
    assert_eq!(r.status, 403);
    // bad input is 400 naming every field; an unknown field too
    let r = register(&s, ORG_A, &json!({"name": "", "source": "borrow"})).await;
    assert_eq!(r.status, 400, "{}", r.text());
    let r = register(
        &s,
        ORG_A,
        &json!({"customer": {"identifierType": "tpid"}, "engagementIds": []}),
    )
    .await;
    assert_eq!(r.status, 400);
    let fields = r.json()["errors"].to_string();
    for f in [
        "name",
        "partnerLocationId",
        "source",
        "customer.value",
        "engagementIds",
        "customerContact",
        "partnerContact",
    ] {
        assert!(fields.contains(&format!("\"{f}\"")), "{f} in {fields}");
    }
    // an Idempotency-Key replays the registration instead of refusing it as a second one
    let body = registration(ORG_A, "domain", "contoso.com", &["mw-usage"]);
    let key = [("idempotency-key", "register-1".to_owned())];
    let first = s
        .call(
            "POST",
            "/engagement-claims",
            Some(&s.admin(ORG_A)),
            Some(&body),
            &key,
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.text());
    let replay = s
        .call(
            "POST",
            "/engagement-claims",
            Some(&s.admin(ORG_A)),
            Some(&body),
            &key,
        )
        .await;
    assert_eq!(replay.status, 201);
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    assert_eq!(
        replay.json()["claims"][0]["id"],
        first.json()["claims"][0]["id"]
    );
}

/// Two partners race for the last place under a cap of one, ten times over (a fresh customer
/// each round): exactly one registration wins each round, whatever the interleaving.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_partners_racing_for_the_last_place_exactly_one_wins() {
    let tenants: Vec<String> = (0..10).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let records = tenants
        .iter()
        .map(|t| json!({"identifierType": "tenant_id", "value": t, "eligibility": {"mw-usage": "eligible"}}))
        .collect();
    let s = with_data(records).await;
    for tenant in &tenants {
        let (body_a, body_b) = (
            registration(ORG_A, "tenant_id", tenant, &["mw-usage"]),
            registration(ORG_B, "tenant_id", tenant, &["mw-usage"]),
        );
        let (a, b) = tokio::join!(register(&s, ORG_A, &body_a), register(&s, ORG_B, &body_b));
        let mut statuses = [a.status, b.status];
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 409], "{} / {}", a.text(), b.text());
        let loser = if a.status == 409 { &a } else { &b };
        assert!(
            ["/problems/cap-reached", "/problems/not-eligible"]
                .contains(&loser.json()["type"].as_str().unwrap_or_default()),
            "{}",
            loser.text()
        );
    }
}

//! MCI engagements II end to end on moto (seed 004, SPEC §9): the opt-in consent email read
//! from moto and answered through its link (both decisions), the referral created and made
//! co-sell, the customer becoming known (claim customer, the not-eligible tab), submission
//! and review, both expiries by sweeps as of chosen instants, and the cap place a decline or
//! an ending frees.

use crate::helpers::mci::{TENANT, dataset, registration};
use crate::helpers::stack::{ORG_A, ORG_B, Stack, stack};
use chrono::{Duration, Utc};
use serde_json::{Value, json};

/// The shared dataset plus two engagements the tenant is eligible / not eligible for.
async fn with_data(extra_tenants: &[&str]) -> Stack {
    let records = extra_tenants
        .iter()
        .map(|t| {
            json!({"identifierType": "tenant_id", "value": t, "emailDomains": ["contoso.com"],
                        "eligibility": {"mw-usage": "eligible"}})
        })
        .collect();
    let mut doc: Value = serde_json::from_slice(&dataset(records)).expect("json");
    let engagements = doc["engagements"].as_array_mut().expect("engagements");
    for (id, name) in [
        ("security-ws", "Security Workshop"),
        ("data-ws", "Data Workshop"),
    ] {
        engagements.push(json!({"id": id, "name": name, "payType": "fixed",
            "identifierTypes": ["tenant_id"], "consentDays": 20, "submissionDays": 30,
            "customerCap": 2, "referrals": {"enabled": false}}));
    }
    doc["partnerLocations"][0]["engagements"] =
        json!(["mw-usage", "azure-migrate", "security-ws", "data-ws"]);
    doc["customers"][1]["eligibility"] =
        json!({"mw-usage": "eligible", "security-ws": "eligible", "data-ws": "criteria_not_met"});
    let s = stack().await;
    let r = s.import_reference(doc.to_string().as_bytes()).await;
    assert_eq!(r["outcome"], "imported", "{r}");
    s
}

/// A registration of `tenant` for mw-usage by ORG_A, its customer contact `customer`.
async fn registered(s: &Stack, tenant: &str, customer: &str) -> String {
    let mut body = registration(ORG_A, "tenant_id", tenant, &["mw-usage"]);
    body["customerContact"] = json!({"name": "Ana Pérez", "email": customer, "language": "es"});
    s.register_engagement(&s.admin(ORG_A), &body).await
}

async fn post(
    s: &Stack,
    token: &str,
    path: &str,
    body: Value,
) -> crate::helpers::http::HttpResponse {
    s.call("POST", path, Some(token), Some(&body), &[]).await
}

fn customer_address() -> String {
    format!(
        "{}@contoso.com",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

async fn claim(s: &Stack, id: &str) -> Value {
    s.call(
        "GET",
        &format!("/engagement-claims/{id}"),
        Some(&s.admin(ORG_A)),
        None,
        &[],
    )
    .await
    .json()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_accepted_through_the_emailed_link_then_submitted_and_completed() {
    let s = with_data(&[]).await;
    let admin = s.admin(ORG_A);
    let customer = customer_address();
    let id = registered(&s, TENANT, &customer).await;
    let path = format!("/engagement-claims/{id}");

    // the disclaimer and a positive deal size are required
    let r = post(
        &s,
        &admin,
        &format!("{path}/consent-request"),
        json!({"estimatedDealSizeUsd": 20000}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["errors"][0]["field"], "disclaimerAccepted");
    // WHEN the partner asks for consent
    let r = post(
        &s,
        &admin,
        &format!("{path}/consent-request"),
        json!({"estimatedDealSizeUsd": 20000, "disclaimerAccepted": true}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let c = r.json();
    assert_eq!(c["status"], "consent_requested");
    assert_eq!(c["estimatedDealSizeUsd"], 20000.0);
    assert_eq!(
        c["referral"]["type"], "partner_led",
        "deal size over the engagement's minimum"
    );
    assert_eq!(
        c["referral"]["id"],
        id.as_str(),
        "the link to GET /referrals/{{id}}"
    );
    // the deal size is fixed; a reminder right away is too soon (429 with Retry-After)
    let again = post(
        &s,
        &admin,
        &format!("{path}/consent-request"),
        json!({"estimatedDealSizeUsd": 1, "disclaimerAccepted": true}),
    )
    .await;
    assert_eq!(again.status, 409);
    let soon = post(&s, &admin, &format!("{path}/consent-email"), json!({})).await;
    assert_eq!(soon.status, 429, "{}", soon.text());
    assert!(soon.header("retry-after").is_some());

    // the referral: its organisation's referral admin opens it, its incentives roles see the
    // link only, another organisation and a seller (not co-sell yet) learn nothing
    let referral = format!("/referrals/{id}");
    let get = |token: String| {
        let s = &s;
        let referral = referral.clone();
        async move { s.call("GET", &referral, Some(&token), None, &[]).await }
    };
    let opened = get(s.partner(ORG_A, "referral_admin")).await;
    assert_eq!(opened.status, 200, "{}", opened.text());
    assert_eq!(opened.json()["type"], "partner_led");
    assert_eq!(opened.json()["estimatedDealSizeUsd"], 20000.0);
    assert_eq!(get(admin.clone()).await.status, 403);
    assert_eq!(get(s.partner(ORG_B, "referral_admin")).await.status, 404);
    assert_eq!(get(s.seller()).await.status, 404);
    assert_eq!(
        s.call("GET", &path, Some(&s.seller()), None, &[])
            .await
            .status,
        404
    );

    // THEN the customer gets the request in Spanish, with a link to accept or decline
    let mails = s.emails_to(&customer).await;
    let (subject, body) = mails.last().expect("a consent email");
    assert!(
        subject.contains("Fabrikam Ltd") && subject.contains("Modern Work Usage"),
        "{subject}"
    );
    assert!(body.contains("Aceptar o rechazar"), "{body}");
    let link = s.consent_path(&customer).await;
    let page = s.call("GET", &link, None, None, &[]).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.header("content-language"), Some("es"));
    let html = page.text();
    assert!(
        html.contains("value=\"accept\"") && html.contains("value=\"decline\""),
        "{html}"
    );
    assert_eq!(
        claim(&s, &id).await["status"],
        "consent_requested",
        "GET changes nothing"
    );
    // the link is an engagement link: its claim is not a CPOR claim's consent page
    let accepted = s.form(&link, "decision=accept", &[]).await;
    assert_eq!(accepted.status, 200, "{}", accepted.text());
    assert!(
        accepted.text().contains("aceptó participar"),
        "{}",
        accepted.text()
    );
    let replay = s.form(&link, "decision=decline", &[]).await;
    assert_eq!(
        replay.status, 409,
        "a decided request shows the recorded answer"
    );
    assert!(replay.text().contains("aceptó participar"));

    // the claim is consented, due for submission in the engagement's days, co-sell
    let c = claim(&s, &id).await;
    assert_eq!(c["status"], "consented");
    assert_eq!(c["referral"]["type"], "co_sell");
    // co-sell: Microsoft sellers now read the claim and its referral, and nothing else
    assert_eq!(get(s.seller()).await.json()["type"], "co_sell");
    assert_eq!(
        s.call("GET", &path, Some(&s.seller()), None, &[])
            .await
            .status,
        200
    );
    assert_eq!(
        s.call(
            "GET",
            &format!("{path}/history"),
            Some(&s.seller()),
            None,
            &[]
        )
        .await
        .status,
        403
    );
    assert_eq!(
        post(&s, &s.seller(), &format!("{path}/submit"), json!({}))
            .await
            .status,
        403
    );
    assert!(c["submissionDueAt"].is_string());
    let partner_mail = s.emails_to(&format!("mci-{ORG_A}@fabrikam.example")).await;
    assert!(
        partner_mail.iter().any(|(subject, b)| subject
            .starts_with("El cliente dio su consentimiento")
            && b.contains(&id)),
        "{partner_mail:?}"
    );

    // the customer is now known: claimed for another engagement, shown as not eligible where
    // the reference data says so, never on an engagement that only takes MSX opportunities
    let mut claim_body = registration(ORG_A, "tenant_id", TENANT, &["security-ws"]);
    claim_body["source"] = json!("claim");
    let r = s
        .call(
            "POST",
            "/engagement-claims",
            Some(&admin),
            Some(&claim_body),
            &[],
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let page = |engagement: &str, tab: &str| {
        let path = format!("/engagements/{engagement}/customers?tab={tab}");
        let s = &s;
        let token = admin.clone();
        async move { s.call("GET", &path, Some(&token), None, &[]).await.json() }
    };
    let not_eligible = page("data-ws", "not_eligible").await;
    assert_eq!(not_eligible["items"][0]["customer"]["value"], TENANT);
    assert_eq!(
        not_eligible["items"][0]["reasons"],
        json!(["criteria_not_met"])
    );
    assert_eq!(page("data-ws", "eligible").await["items"], json!([]));
    assert_eq!(
        page("azure-migrate", "not_eligible").await["items"],
        json!([])
    );
    let mw = page("mw-usage", "eligible").await;
    assert_eq!(mw["items"][0]["known"], true);
    assert_eq!(
        mw["items"][0]["claims"][0]["actions"],
        json!(["submit", "cancel"])
    );

    // WHEN the partner submits and a reviewer approves THEN the claim is completed and its
    // place under the cap is free: another partner may register the customer
    let r = post(
        &s,
        &admin,
        &format!("{path}/submit"),
        json!({"comment": "Workshop held"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "submitted");
    // the reviewers' queue holds it; partners cannot list it; a status is a status
    let queue = |token: String, status: &'static str| {
        let s = &s;
        async move {
            s.call(
                "GET",
                &format!("/engagement-claims?status={status}"),
                Some(&token),
                None,
                &[],
            )
            .await
        }
    };
    let listed = queue(s.reviewer(), "submitted").await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    assert_eq!(listed.json()["items"][0]["id"], id, "{}", listed.text());
    assert_eq!(queue(admin.clone(), "submitted").await.status, 403);
    let bad = queue(s.reviewer(), "nope").await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["errors"][0]["field"], "status");
    let refused = post(
        &s,
        &admin,
        &format!("{path}/review"),
        json!({"action": "approve", "comment": "ok"}),
    )
    .await;
    assert_eq!(refused.status, 403, "partners do not review");
    let bad = post(
        &s,
        &s.reviewer(),
        &format!("{path}/review"),
        json!({"action": "reject", "comment": "no"}),
    )
    .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["errors"][0]["field"], "reasons");
    let r = post(
        &s,
        &s.reviewer(),
        &format!("{path}/review"),
        json!({"action": "approve", "comment": "Evidence checked"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "completed");
    assert_eq!(
        queue(s.reviewer(), "submitted").await.json()["items"],
        json!([]),
        "a decided claim leaves the queue"
    );
    assert_eq!(
        queue(s.reviewer(), "completed").await.json()["items"][0]["id"],
        id
    );
    let b = s
        .call(
            "POST",
            "/engagement-claims",
            Some(&s.admin(ORG_B)),
            Some(&registration(ORG_B, "tenant_id", TENANT, &["mw-usage"])),
            &[],
        )
        .await;
    assert_eq!(b.status, 201, "{}", b.text());
    let history = s
        .call("GET", &format!("{path}/history"), Some(&admin), None, &[])
        .await
        .json();
    let actions: Vec<&str> = history["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|h| h["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        ["register", "request_consent", "accept", "submit", "approve"]
    );
    assert_eq!(page("mw-usage", "complete").await["items"][0]["id"], id);

    // every move was announced on the bus (source cpor.engagements, each detail checked
    // against its schema), the referral's two beside the moves that created and upgraded it
    let events = s.events().await;
    let mut of_claim: Vec<&Value> = events.iter().filter(|e| e["claimId"] == id).collect();
    of_claim.sort_by_key(|e| (e["sequence"].as_u64(), e["id"].as_str().map(str::len)));
    let types: Vec<&str> = of_claim
        .iter()
        .filter_map(|e| e["detailType"].as_str())
        .collect();
    assert_eq!(
        types,
        [
            "EngagementClaimRegistered",
            "EngagementConsentRequested",
            "ReferralCreated",
            "EngagementConsentGiven",
            "ReferralUpgradedToCoSell",
            "EngagementClaimSubmitted",
            "EngagementClaimCompleted"
        ]
    );
    let upgraded = of_claim[4];
    assert_eq!(upgraded["referral"]["type"], "co_sell");
    assert_eq!(upgraded["referral"]["estimatedDealSizeUsd"], 20000.0);
    assert_eq!(upgraded["customer"]["value"], TENANT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decline_frees_the_place_deadlines_expire_by_schedule_or_sweep_and_the_partner_is_reminded()
 {
    let tenants: Vec<String> = (0..3).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let refs: Vec<&str> = tenants.iter().map(String::as_str).collect();
    let s = with_data(&refs).await;
    let admin = s.admin(ORG_A);
    let ask = json!({"estimatedDealSizeUsd": 500, "disclaimerAccepted": true});

    // a decline through the link: declined, the customer drops off, the place is free
    let customer = customer_address();
    let declined = registered(&s, &tenants[0], &customer).await;
    let r = post(
        &s,
        &admin,
        &format!("/engagement-claims/{declined}/consent-request"),
        ask.clone(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        r.json()["referral"].is_null(),
        "under the minimum deal size: no referral"
    );
    let link = s.consent_path(&customer).await;
    let r = s.form(&link, "decision=decline", &[]).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(claim(&s, &declined).await["status"], "declined");
    let eligible = s
        .call(
            "GET",
            "/engagements/mw-usage/customers?tab=eligible",
            Some(&admin),
            None,
            &[],
        )
        .await
        .json();
    assert!(
        !eligible["items"].to_string().contains(&tenants[0]),
        "a declined customer drops off the page: {eligible}"
    );
    let again = s
        .call(
            "POST",
            "/engagement-claims",
            Some(&s.admin(ORG_B)),
            Some(&registration(
                ORG_B,
                "tenant_id",
                &tenants[0],
                &["mw-usage"],
            )),
            &[],
        )
        .await;
    assert_eq!(
        again.status,
        201,
        "the place is free again: {}",
        again.text()
    );

    // consent expires 30 days after registration, asked or not
    let unanswered = registered(&s, &tenants[1], &customer_address()).await;
    let report = s.sweep(Utc::now() + Duration::days(29)).await;
    assert_eq!(
        claim(&s, &unanswered).await["status"],
        "registered",
        "{report:?}"
    );
    s.sweep(Utc::now() + Duration::days(31)).await;
    assert_eq!(claim(&s, &unanswered).await["status"], "consent_expired");
    s.sweep(Utc::now() + Duration::days(32)).await;
    assert_eq!(
        claim(&s, &unanswered).await["version"],
        2,
        "a second firing changes nothing"
    );

    // submission expires 60 days after consent
    let customer = customer_address();
    let consented = registered(&s, &tenants[2], &customer).await;
    post(
        &s,
        &admin,
        &format!("/engagement-claims/{consented}/consent-request"),
        ask,
    )
    .await;
    let link = s.consent_path(&customer).await;
    assert_eq!(s.form(&link, "decision=accept", &[]).await.status, 200);
    let c = claim(&s, &consented).await;
    let due = chrono::DateTime::parse_from_rfc3339(c["submissionDueAt"].as_str().expect("due"))
        .expect("rfc3339")
        .with_timezone(&Utc);
    // this claim's deadlines run on its own one-time schedules, fired as Scheduler would
    let hex = consented.replace('-', "");
    let fired = s.fire_schedules(Utc::now() + Duration::days(31)).await;
    assert!(
        !fired.iter().any(|(name, _)| name.contains(&hex)),
        "consent given: its consent schedule was deleted, not fired: {fired:?}"
    );
    assert_eq!(
        claim(&s, &consented).await["status"],
        "consented",
        "the consent deadline no longer applies"
    );
    // two business days before the deadline the partner contact is reminded, once
    let fired = s.fire_schedules(due - Duration::hours(1)).await;
    assert!(
        fired.contains(&(format!("mci-{hex}-remind"), true)),
        "{fired:?}"
    );
    let reminders = |mails: &[(String, String)]| {
        mails
            .iter()
            .filter(|(subject, b)| {
                subject.starts_with("El plazo de envío vence en dos días hábiles")
                    && b.contains(&consented)
            })
            .count()
    };
    let partner = format!("mci-{ORG_A}@fabrikam.example");
    assert_eq!(reminders(&s.emails_to(&partner).await), 1);
    assert_eq!(claim(&s, &consented).await["status"], "consented");
    // the deadline's schedule (at the whole second after it) expires it; the sweep a day later
    // finds nothing more to do
    let fired = s.fire_schedules(due + Duration::seconds(1)).await;
    assert!(
        fired.contains(&(format!("mci-{hex}-submit"), true)),
        "{fired:?}"
    );
    assert_eq!(claim(&s, &consented).await["status"], "submission_expired");
    let version = claim(&s, &consented).await["version"].clone();
    s.sweep(due + Duration::days(1)).await;
    assert_eq!(claim(&s, &consented).await["version"], version);
    let mails = s.emails_to(&partner).await;
    assert_eq!(reminders(&mails), 1);
    assert!(mails.iter().any(
        |(subject, b)| subject.starts_with("Venció el plazo de envío") && b.contains(&consented)
    ));
    assert!(mails.iter().any(
        |(subject, b)| subject.starts_with("Sin consentimiento del cliente")
            && b.contains(&unanswered)
    ));

    // each ending was announced once, the expiries by the scheduler's action
    let events = s.events().await;
    let last = |id: &str| {
        events
            .iter()
            .filter(|e| e["claimId"] == id)
            .max_by_key(|e| e["sequence"].as_u64())
            .map(|e| (e["detailType"].clone(), e["action"].clone()))
    };
    assert_eq!(
        last(&declined),
        Some((json!("EngagementConsentDeclined"), json!("decline")))
    );
    assert_eq!(
        last(&unanswered),
        Some((json!("EngagementConsentExpired"), json!("expire_consent")))
    );
    assert_eq!(
        last(&consented),
        Some((
            json!("EngagementSubmissionExpired"),
            json!("expire_submission")
        ))
    );
    assert!(events.iter().any(
        |e| e["claimId"] == consented && e["detailType"] == "EngagementSubmissionReminderSent"
    ));
    let expiries = events
        .iter()
        .filter(|e| e["claimId"] == unanswered && e["detailType"] == "EngagementConsentExpired")
        .count();
    assert_eq!(expiries, 1, "a second firing announces nothing");
}

//! End to end over real HTTP: a local stack per test (its own table, bucket, bus, identity) on
//! the shared moto, the same front `make run` serves, tokens from the local issuer. Each test
//! walks a claim through part of its life the way a portal, a reviewer, a customer and the
//! scheduler would.

use crate::helpers::{ORG_A, customer_email, stack, unique_tenant};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

fn ts(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().expect("a time"))
        .expect("rfc3339")
        .with_timezone(&Utc)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_claim_goes_from_draft_to_active() {
    let s = stack().await;
    let customer = customer_email();
    let t = s.admin(ORG_A);
    // a draft, PoE uploaded through the presigned URL, submitted
    let claim = s.submitted(ORG_A, &unique_tenant(), &customer).await;
    let id = claim["id"].as_str().unwrap().to_owned();
    assert_eq!(claim["status"], "submitted");
    assert!(claim["dueAt"].is_string());
    assert_eq!(claim["poe"].as_array().unwrap().len(), 1);
    // the upload was tagged pending by its presigned PUT; submitting attached it (outbox)
    let poe_id = claim["poe"][0]["poeId"].as_str().unwrap().to_owned();
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&s.run.config)
            .force_path_style(true)
            .build(),
    );
    s.delivered().await;
    let tags = s3
        .get_object_tagging()
        .bucket(&s.run.names.bucket)
        .key(format!("claims/{id}/poe/{poe_id}"))
        .send()
        .await
        .expect("tags");
    let tags: Vec<(&str, &str)> = tags
        .tag_set()
        .iter()
        .map(|t| (t.key(), t.value()))
        .collect();
    assert_eq!(tags, vec![("cpor-upload", "attached")]);
    // the customer was emailed a consent link; a scanner's GET changes nothing
    let link = s.consent_path(&customer).await;
    let page = s.raw("GET", &link, vec![], vec![]).await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("usage and seat counts"));
    assert!(
        html.contains("Contoso &lt;b&gt;Teams&lt;/b&gt; rollout"),
        "escaped name"
    );
    assert!(html.contains("value=\"decline\""));
    let unchanged = s.get(&t, &id).await.json();
    assert_eq!(unchanged["version"], claim["version"]);
    // review: start, approve → approved, with the opt-out window as the deadline
    assert_eq!(s.review(&id, json!({"action": "start"})).await.status, 200);
    let approved = s.review(&id, json!({"action": "approve"})).await;
    assert_eq!(approved.status, 200, "{}", approved.text());
    let approved = approved.json();
    assert_eq!(approved["status"], "approved");
    let opt_out_until = ts(&approved["dueAt"]);
    assert!(
        s.emails_to(&customer).await.len() >= 2,
        "consent notice on approval"
    );
    // the sweep before the window ends does nothing; after it, the claim is active
    let early = s.sweep(opt_out_until - Duration::seconds(1)).await;
    assert_eq!(early.deadlines_applied, 0);
    let swept = s.sweep(opt_out_until + Duration::seconds(1)).await;
    assert_eq!(swept.deadlines_applied, 1, "{swept:?}");
    let active = s.get(&t, &id).await.json();
    assert_eq!(active["status"], "active");
    // running it again (a repeated firing) changes nothing
    let again = s.sweep(opt_out_until + Duration::seconds(2)).await;
    assert_eq!(again.deadlines_applied, 0);
    assert_eq!(s.get(&t, &id).await.json()["version"], active["version"]);
    // the bus carried every change in order, ending with the activation
    let events = s.events().await;
    let mine: Vec<&Value> = events
        .iter()
        .filter(|e| e["claimId"] == id.as_str())
        .collect();
    let seqs: Vec<u64> = {
        let mut v: Vec<u64> = mine.iter().filter_map(|e| e["sequence"].as_u64()).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    assert_eq!(
        seqs,
        (1..=active["version"].as_u64().unwrap()).collect::<Vec<_>>()
    );
    assert!(
        mine.iter()
            .any(|e| e["detailType"] == "AssociationActivated")
    );
    // the partner heard about approval and activation
    let partner_mail = s
        .emails_about(&format!("partner-{ORG_A}@fabrikam.example"), &id)
        .await;
    assert!(
        partner_mail
            .iter()
            .any(|(s, _)| s.starts_with("Claim approved"))
    );
    assert!(
        partner_mail
            .iter()
            .any(|(s, _)| s.starts_with("Association active"))
    );
    // history has every step, in order
    let h = s
        .call("GET", &format!("/claims/{id}/history"), Some(&t), None, &[])
        .await
        .json();
    let actions: Vec<&str> = h["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "create",
            "add_poe",
            "submit",
            "start_review",
            "approve",
            "activate"
        ]
    );
    assert!(h["nextCursor"].is_null(), "the whole history fits one page");
    // paged as every list is: `limit`, then `cursor` = the page's `nextCursor`
    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            None => format!("/claims/{id}/history?limit=4"),
            Some(c) => format!("/claims/{id}/history?limit=4&cursor={c}"),
        };
        let page = s.call("GET", &path, Some(&t), None, &[]).await.json();
        paged.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["action"].as_str().unwrap().to_owned()),
        );
        match page["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(paged, actions);
    let bad = s
        .call(
            "GET",
            &format!("/claims/{id}/history?cursor=not-ours"),
            Some(&t),
            None,
            &[],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["errors"][0]["field"], "cursor");
}

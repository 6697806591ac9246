//! Proof of execution that was declared but never uploaded, and decisions that stand on PoE
//! (issue "Hardening II", findings 2 and 3), end to end on moto: an abandoned declaration is
//! removed or its upload renewed instead of blocking submit for good; an approval and a
//! dispute check every document with S3 first and keep them (`attached`).

use crate::helpers::stack::put_upload;
use crate::helpers::{ORG_A, customer_email, mws_body, stack, unique_tenant};
use serde_json::json;

const ATTACHED: (&str, &str) = ("cpor-upload", "attached");

fn attached() -> Vec<(String, String)> {
    vec![(ATTACHED.0.to_owned(), ATTACHED.1.to_owned())]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_abandoned_declaration_is_removed_or_uploaded_again_and_then_submit_goes_through() {
    let s = stack().await;
    let t = s.admin(ORG_A);
    let c = s
        .create(&t, &mws_body(ORG_A, &unique_tenant(), &customer_email()))
        .await;
    let id = c["id"].as_str().expect("id").to_owned();
    let uploaded = s.upload_poe(&t, &id, b"%PDF the signed SoW").await;
    // GIVEN two declarations whose uploads never happened (their URLs ran out)
    let late = b"%PDF the usage report";
    let abandoned = s.declare_poe(&t, &id, late).await;
    let forgotten = s.declare_poe(&t, &id, b"%PDF a draft").await;
    let abandoned_id = abandoned["poeId"].as_str().expect("poeId").to_owned();
    let forgotten_id = forgotten["poeId"].as_str().expect("poeId").to_owned();
    let blocked = s.submit(&t, &id).await;
    assert_eq!(blocked.status, 409, "{}", blocked.text());
    assert!(blocked.text().contains(&abandoned_id));
    let poe = |poe_id: &str, suffix: &str| format!("/claims/{id}/poe/{poe_id}{suffix}");

    // WHEN the partner asks for a fresh URL for one THEN it is a new URL for the same object,
    // and uploading through it works
    let renewed = s
        .call(
            "POST",
            &poe(&abandoned_id, "/upload-url"),
            Some(&t),
            None,
            &[],
        )
        .await;
    assert_eq!(renewed.status, 200, "{}", renewed.text());
    let renewed = renewed.json();
    assert_eq!(renewed["poeId"], abandoned_id.as_str());
    assert!(
        renewed["uploadUrl"]
            .as_str()
            .expect("url")
            .contains(&abandoned_id)
    );
    put_upload(&renewed, late).await;
    // an uploaded document needs no fresh URL; an unknown one is not found; another
    // organisation learns nothing; a role that cannot edit is refused
    let again = s
        .call(
            "POST",
            &poe(&abandoned_id, "/upload-url"),
            Some(&t),
            None,
            &[],
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.text());
    assert_eq!(again.json()["type"], "/problems/poe-uploaded");
    let unknown = uuid::Uuid::new_v4().to_string();
    for (token, path, status) in [
        (&t, poe(&unknown, "/upload-url"), 404),
        (
            &s.admin(crate::helpers::ORG_B),
            poe(&forgotten_id, "/upload-url"),
            404,
        ),
        (
            &s.partner(ORG_A, "referral_admin"),
            poe(&forgotten_id, "/upload-url"),
            403,
        ),
    ] {
        let r = s.call("POST", &path, Some(token), None, &[]).await;
        assert_eq!(r.status, status, "{path}: {}", r.text());
    }

    // WHEN it removes the other THEN 204, it is gone (a second DELETE is 404) and the claim
    // submits with the two documents that are there
    let other_org = s
        .call(
            "DELETE",
            &poe(&forgotten_id, ""),
            Some(&s.admin(crate::helpers::ORG_B)),
            None,
            &[],
        )
        .await;
    assert_eq!(other_org.status, 404);
    let removed = s
        .call("DELETE", &poe(&forgotten_id, ""), Some(&t), None, &[])
        .await;
    assert_eq!(removed.status, 204, "{}", removed.text());
    assert_eq!(
        s.call("DELETE", &poe(&forgotten_id, ""), Some(&t), None, &[])
            .await
            .status,
        404
    );
    let submitted = s.submit(&t, &id).await;
    assert_eq!(submitted.status, 200, "{}", submitted.text());
    let ids: Vec<&str> = submitted.json()["poe"]
        .as_array()
        .expect("poe")
        .iter()
        .filter_map(|p| p["poeId"].as_str())
        .collect::<Vec<_>>()
        .into_iter()
        .map(|p| if p == uploaded { "uploaded" } else { "renewed" })
        .collect();
    assert_eq!(ids, ["uploaded", "renewed"]);
    // the view says which documents a submission stands on (the portal offers no removal)
    assert!(
        submitted.json()["poe"]
            .as_array()
            .expect("poe")
            .iter()
            .all(|p| p["submittedAt"].is_string()),
        "{}",
        submitted.text()
    );
    let history = s.history(&t, &id).await;
    assert!(history.iter().any(|h| h["action"] == "remove_poe"));

    // THEN what the submission stands on stays: neither removed nor uploaded again
    for (method, suffix) in [("DELETE", ""), ("POST", "/upload-url")] {
        let r = s
            .call(method, &poe(&uploaded, suffix), Some(&t), None, &[])
            .await;
        assert_eq!(r.status, 409, "{method}: {}", r.text());
        assert_eq!(r.json()["type"], "/problems/poe-submitted");
    }
    assert_eq!(s.poe_tags(&id, &abandoned_id).await, attached());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_approval_and_a_dispute_stand_on_poe_checked_with_s3_and_keep_it() {
    let s = stack().await;
    let t = s.admin(ORG_A);
    // GIVEN a submitted claim to which the partner declares a document it never uploads
    let c = s
        .submitted(ORG_A, &unique_tenant(), &customer_email())
        .await;
    let id = c["id"].as_str().expect("id").to_owned();
    let late = b"%PDF added after submission";
    let added = s.declare_poe(&t, &id, late).await;
    let added_id = added["poeId"].as_str().expect("poeId").to_owned();
    assert_eq!(s.review(&id, json!({"action": "start"})).await.status, 200);
    // WHEN a reviewer approves THEN 409 naming the missing document: nothing is approved on
    // evidence that is not there
    let refused = s.review(&id, json!({"action": "approve"})).await;
    assert_eq!(refused.status, 409, "{}", refused.text());
    assert!(refused.text().contains(&added_id));
    assert_eq!(s.get(&t, &id).await.json()["status"], "under_review");
    // once it is uploaded the approval goes through and every document is kept
    let renewed = s
        .call(
            "POST",
            &format!("/claims/{id}/poe/{added_id}/upload-url"),
            Some(&t),
            None,
            &[],
        )
        .await;
    assert_eq!(
        renewed.status,
        409,
        "under review, PoE is neither added nor renewed: {}",
        renewed.text()
    );
    put_upload(&added, late).await;
    let approved = s.review(&id, json!({"action": "approve"})).await;
    assert_eq!(approved.status, 200, "{}", approved.text());
    assert_eq!(s.poe_tags(&id, &added_id).await, attached());

    // GIVEN a rejected claim and a dispute citing a document declared but not uploaded
    let (id, _) = s.under_review(ORG_A).await;
    let r = s
        .review(
            &id,
            json!({"action": "reject", "reasons": ["insufficient_poe"], "comment": "Unsigned"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let signed = b"%PDF the signed SoW, at last";
    let cited = s.declare_poe(&t, &id, signed).await;
    let cited_id = cited["poeId"].as_str().expect("poeId").to_owned();
    let dispute = |poe: &str| json!({"justification": "Signed SoW attached", "poeIds": [poe]});
    let path = format!("/claims/{id}/dispute");
    let refused = s
        .call("POST", &path, Some(&t), Some(&dispute(&cited_id)), &[])
        .await;
    assert_eq!(refused.status, 409, "{}", refused.text());
    assert!(refused.text().contains(&cited_id));
    put_upload(&cited, signed).await;
    let disputed = s
        .call("POST", &path, Some(&t), Some(&dispute(&cited_id)), &[])
        .await;
    assert_eq!(disputed.status, 200, "{}", disputed.text());
    assert_eq!(disputed.json()["status"], "disputed");
    assert_eq!(s.poe_tags(&id, &cited_id).await, attached());
}

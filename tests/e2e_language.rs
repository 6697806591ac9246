//! End to end over HTTP: who asks and in which language. Customers and partners read emails
//! in the language their contact names (en, es, fr, ja); the consent page follows `?lang=`, the
//! contact's language, then the browser's; claim views label statuses and reasons in the
//! reader's `Accept-Language`.

use crate::helpers::{ORG_A, PARTNER_NAME, customer_email, id_of, mws_body, stack, unique_tenant};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_japanese_customer_and_a_mexican_partner_each_read_their_own_language() {
    let s = stack().await;
    let t = s.admin(ORG_A);
    let customer = customer_email();
    let mut body = mws_body(ORG_A, &unique_tenant(), &customer);
    body["customerContact"]["language"] = json!("ja");
    body["partnerContact"]["language"] = json!("es-MX");
    let c = s.create(&t, &body).await;
    let id = id_of(&c);
    assert_eq!(c["partnerName"], PARTNER_NAME);
    assert_eq!(c["customerContact"]["language"], "ja");
    assert_eq!(c["partnerContact"]["language"], "es-MX");
    s.upload_poe(&t, &id, b"%PDF-1.7 signed").await;
    assert_eq!(s.submit(&t, &id).await.status, 200);

    // The customer's consent email: in Japanese, naming the partner and its contact.
    let mails = s.emails_to(&customer).await;
    let (subject, text) = mails.last().expect("a consent email");
    assert_eq!(
        subject,
        &format!("{PARTNER_NAME} が Microsoft パートナーとしての関連付けを要求しています")
    );
    assert!(text.contains("パートナーの連絡先: Luis Gómez"), "{text}");
    assert!(
        text.contains("lang=\"ja\""),
        "the HTML part says its language"
    );
    assert!(!subject.contains(ORG_A), "named, not numbered: {subject}");

    // The page: Japanese from the contact's language, French when asked, with links to the rest.
    let link = s.consent_path(&customer).await;
    let ja = s.raw("GET", &link, vec![], vec![]).await;
    assert_eq!(ja.status, 200);
    assert_eq!(ja.header("content-language"), Some("ja"));
    let html = ja.text();
    assert!(
        html.starts_with("<!doctype html><html lang=\"ja\">"),
        "{html}"
    );
    assert!(html.contains("このパートナーを拒否する") && html.contains(PARTNER_NAME));
    for other in ["en", "es", "fr"] {
        assert!(html.contains(&format!("href=\"?lang={other}\"")), "{other}");
    }
    let fr = s
        .raw(
            "GET",
            &format!("{link}?lang=fr"),
            vec![("accept-language".into(), "es".into())],
            vec![],
        )
        .await;
    assert_eq!(fr.header("content-language"), Some("fr"));
    assert!(fr.text().contains("Refuser ce partenaire"), "{}", fr.text());

    // Views: labels in the reader's language.
    let en = s.get(&t, &id).await;
    assert_eq!(en.json()["statusLabel"], "Submitted");
    let es = s
        .call(
            "GET",
            &format!("/claims/{id}"),
            Some(&t),
            None,
            &[("accept-language", "es-MX,es;q=0.9".into())],
        )
        .await;
    assert_eq!(es.header("content-language"), Some("es"));
    assert_eq!(es.json()["statusLabel"], "Enviado");

    // A reviewer rejects: the partner contact reads it in Spanish, with the seed's reason name.
    s.review(&id, json!({"action": "start"})).await;
    let rejected = s
        .review(
            &id,
            json!({"action": "reject", "reasons": ["insufficient_poe"], "comment": "Sin firma"}),
        )
        .await
        .json();
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(
        rejected["statusReason"]["reasons"][0]["label"],
        "Insufficient proof of execution"
    );
    let partner_mail = s
        .emails_about(&format!("partner-{ORG_A}@fabrikam.example"), &id)
        .await
        .into_iter()
        .find(|(subject, _)| subject.starts_with("Notificación rechazada"))
        .expect("a Spanish rejection email");
    assert!(partner_mail.1.contains("Prueba de ejecución insuficiente"));
    assert!(partner_mail.1.contains("impugne el rechazo"));

    // The customer declines on the rejected claim's page: the rejection becomes final.
    let page = s.raw("GET", &link, vec![], vec![]).await.text();
    assert!(page.contains("value=\"decline\"") && !page.contains("value=\"keep\""));
    let receipt = s.decide(&link, "decline").await;
    assert_eq!(receipt.status, 200);
    assert!(
        receipt.text().contains("拒否しました"),
        "{}",
        receipt.text()
    );
    let now = s.get(&t, &id).await.json();
    assert_eq!(now["status"], "rejected_final");
    assert_eq!(
        now["statusReason"]["codes"],
        json!(["customer_declined", "insufficient_poe"])
    );
    let dispute = s
        .call(
            "POST",
            &format!("/claims/{id}/dispute"),
            Some(&t),
            Some(&json!({"justification": "Firmado"})),
            &[],
        )
        .await;
    assert_eq!(dispute.status, 409, "{}", dispute.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_language_we_do_not_write_is_refused_naming_the_field() {
    let s = stack().await;
    let t = s.admin(ORG_A);
    for (field, value) in [
        ("customerContact", "de"),
        ("partnerContact", "pt-BR"),
        ("customerContact", ""),
        ("partnerContact", "español"),
    ] {
        let mut body = mws_body(ORG_A, &unique_tenant(), &customer_email());
        body[field]["language"] = json!(value);
        let r = s.call("POST", "/claims", Some(&t), Some(&body), &[]).await;
        assert_eq!(r.status, 400, "{value}: {}", r.text());
        let p = r.json();
        assert_eq!(p["errors"][0]["field"], format!("{field}.language"), "{p}");
        assert!(
            p["errors"][0]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("en, es-MX, fr-CA or ja"),
            "{p}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_expired_link_offers_a_fresh_one_sent_only_to_the_contact_on_file() {
    let s = stack().await;
    let customer = customer_email();
    let c = s.submitted(ORG_A, &unique_tenant(), &customer).await;
    let old = s.consent_path(&customer).await;
    let sent_before = s.emails_to(&customer).await.len();
    // GIVEN the link expired (links last a year from submission)
    let late = (chrono::Utc::now() + chrono::Duration::days(400)).to_rfc3339();
    let at = [("x-cpor-now", late.clone())];
    // WHEN the customer opens it THEN the page offers a fresh link and names no address
    let page = s
        .raw(
            "GET",
            &old,
            vec![("x-cpor-now".into(), late.clone())],
            vec![],
        )
        .await;
    assert_eq!(page.status, 410);
    let html = page.text();
    assert!(html.contains("Email me a new link"), "{html}");
    assert!(html.contains("name=\"request\" value=\"link\""));
    assert!(!html.contains(&customer) && !html.contains('@'), "{html}");
    // a decision on the expired link records nothing
    assert_eq!(s.form(&old, "decision=decline", &at).await.status, 410);
    // WHEN they ask THEN a new link goes to the contact on file, and it works
    let asked = s.form(&old, "request=link", &at).await;
    assert_eq!(asked.status, 202, "{}", asked.text());
    assert!(!asked.text().contains(&customer));
    let mails = s.emails_to(&customer).await;
    assert_eq!(mails.len(), sent_before + 1);
    let fresh = s.consent_path(&customer).await;
    assert_ne!(fresh, old);
    let open = s
        .raw(
            "GET",
            &fresh,
            vec![("x-cpor-now".into(), late.clone())],
            vec![],
        )
        .await;
    assert_eq!(open.status, 200);
    assert!(open.text().contains("value=\"decline\""));
    // and asking again at once is refused for a while, without another email
    let again = s.form(&old, "request=link", &at).await;
    assert_eq!(again.status, 429);
    assert!(again.header("retry-after").is_some());
    assert_eq!(s.emails_to(&customer).await.len(), sent_before + 1);
    // the decision through the fresh link counts
    assert_eq!(s.form(&fresh, "decision=decline", &at).await.status, 200);
    let t = s.admin(ORG_A);
    assert_eq!(
        s.get(&t, &id_of(&c)).await.json()["status"],
        "rejected_final"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_link_opens_only_for_the_contact_it_was_sent_to() {
    let s = stack().await;
    let t = s.admin(ORG_A);
    let first = customer_email();
    let c = s.submitted(ORG_A, &unique_tenant(), &first).await;
    let id = id_of(&c);
    let old_link = s.consent_path(&first).await;
    assert_eq!(s.raw("GET", &old_link, vec![], vec![]).await.status, 200);
    // WHEN the partner corrects the customer contact (allowed while submitted) and resends
    let second = customer_email();
    let current = s.get(&t, &id).await;
    let etag = current.header("etag").expect("etag").to_owned();
    let mut contact = current.json()["customerContact"].clone();
    contact["email"] = json!(second);
    let r = s
        .call(
            "PATCH",
            &format!("/claims/{id}"),
            Some(&t),
            Some(&json!({"customerContact": contact})),
            &[("if-match", etag)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s
        .call(
            "POST",
            &format!("/claims/{id}/consent-email"),
            Some(&t),
            None,
            &[],
        )
        .await;
    assert!(r.status < 300, "{}", r.text());
    // THEN the link sent to the previous contact no longer opens or decides anything
    assert_eq!(s.raw("GET", &old_link, vec![], vec![]).await.status, 404);
    assert_eq!(s.decide(&old_link, "decline").await.status, 404);
    assert_eq!(s.get(&t, &id).await.json()["status"], "submitted");
    // and the new contact's link works
    let new_link = s.consent_path(&second).await;
    assert_ne!(new_link, old_link);
    let page = s.raw("GET", &new_link, vec![], vec![]).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("value=\"decline\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_link_resent_after_a_year_lasts_from_its_sending() {
    let s = stack().await;
    let t = s.admin(ORG_A);
    let customer = customer_email();
    let c = s.submitted(ORG_A, &unique_tenant(), &customer).await;
    let first = s.consent_path(&customer).await;
    let late = (chrono::Utc::now() + chrono::Duration::days(400)).to_rfc3339();
    let at = vec![("x-cpor-now".to_owned(), late.clone())];
    assert_eq!(s.raw("GET", &first, at.clone(), vec![]).await.status, 410);
    // WHEN the partner resends the consent email a year on
    let r = s
        .call(
            "POST",
            &format!("/claims/{}/consent-email", id_of(&c)),
            Some(&t),
            None,
            &[("x-cpor-now", late.clone())],
        )
        .await;
    assert!(r.status < 300, "{}", r.text());
    // THEN the email carries a new link, valid from then
    let resent = s.consent_path(&customer).await;
    assert_ne!(resent, first);
    assert_eq!(s.raw("GET", &resent, at, vec![]).await.status, 200);
}

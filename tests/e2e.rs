//! End to end over real HTTP: a local stack per test (its own table, bucket, bus, identity) on
//! the shared moto, the same front `make run` serves, tokens from the local issuer. Each test
//! walks a claim through part of its life the way a portal, a reviewer, a customer and the
//! scheduler would.

use chrono::{DateTime, Duration, Utc};
use cpor_local::jwt::Identity;
use cpor_local::provision::Names;
use cpor_tests::{HttpResponse, moto, moto_data, request};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub struct Stack {
    pub run: cpor_local::Running,
}

pub async fn stack() -> Stack {
    let run = cpor_local::start(cpor_local::Options {
        endpoint: moto().endpoint.clone(),
        names: Names::unique(),
        listen: ([127, 0, 0, 1], 0).into(),
        sweep_every: None,
    })
    .await
    .unwrap_or_else(|e| panic!("stack: {e}"));
    Stack { run }
}

pub const ORG_A: &str = "1111111";
pub const ORG_B: &str = "2222222";

pub fn unique_tenant() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A valid Modern Work & Security draft body for `tenant`, with a customer contact of its own.
pub fn mws_body(org: &str, tenant: &str, customer_email: &str) -> Value {
    json!({
        "name": "Contoso <b>Teams</b> rollout",
        "partnerLocationId": format!("{org}001"),
        "customer": {"tenantId": tenant, "domain": "contoso.com"},
        "solutionArea": "modern_work_security",
        "partnerRole": "use_or_consume",
        "products": [{"product": "teams"}, {"product": "exchange_online"}],
        "customerContact": {"name": "Ana <i>Pérez</i>", "title": "CIO", "email": customer_email},
        "partnerContact": {"name": "Luis Gómez", "email": format!("partner-{org}@fabrikam.example")}
    })
}

pub fn customer_email() -> String {
    format!(
        "{}@contoso.example",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

impl Stack {
    pub fn partner(&self, org: &str, role: &str) -> String {
        self.run.token(&Identity {
            sub: format!("user-{org}"),
            partner_id: Some(org.to_owned()),
            locations: vec![format!("{org}001"), format!("{org}002")],
            roles: vec![role.to_owned()],
        })
    }

    pub fn admin(&self, org: &str) -> String {
        self.partner(org, "incentives_admin")
    }

    pub fn reviewer(&self) -> String {
        self.run.token(&Identity {
            sub: "reviewer-1".into(),
            partner_id: None,
            locations: vec![],
            roles: vec!["reviewer".into()],
        })
    }

    /// One request: JSON body if given, extra headers, optional bearer token.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        extra: &[(&str, String)],
    ) -> HttpResponse {
        let url = format!("{}{path}", self.run.base_url);
        let mut headers: Vec<(String, String)> = Vec::new();
        if let Some(t) = token {
            headers.push(("authorization".into(), format!("Bearer {t}")));
        }
        let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        if body.is_some() {
            headers.push(("content-type".into(), "application/json".into()));
        }
        for (k, v) in extra {
            headers.push(((*k).to_owned(), v.clone()));
        }
        let method = method.to_owned();
        tokio::task::spawn_blocking(move || request(&method, &url, &headers, &bytes))
            .await
            .expect("request task")
    }

    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> HttpResponse {
        let url = format!("{}{path}", self.run.base_url);
        let method = method.to_owned();
        tokio::task::spawn_blocking(move || request(&method, &url, &headers, &body))
            .await
            .expect("request task")
    }

    pub async fn create(&self, token: &str, body: &Value) -> Value {
        let r = self
            .call("POST", "/claims", Some(token), Some(body), &[])
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        r.json()
    }

    /// Declares a PoE, uploads it through the presigned URL with the headers it came with.
    pub async fn upload_poe(&self, token: &str, id: &str, content: &[u8]) -> String {
        let sha: String = Sha256::digest(content)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let declared = json!({"fileName": "signed sow.pdf", "contentType": "application/pdf", "sizeBytes": content.len(), "sha256": sha});
        let r = self
            .call(
                "POST",
                &format!("/claims/{id}/poe"),
                Some(token),
                Some(&declared),
                &[],
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        let up = r.json();
        let headers: Vec<(String, String)> = up["uploadHeaders"]
            .as_object()
            .expect("headers")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
            .collect();
        let url = up["uploadUrl"].as_str().expect("url").to_owned();
        let content = content.to_vec();
        let put = tokio::task::spawn_blocking(move || request("PUT", &url, &headers, &content))
            .await
            .expect("upload");
        assert_eq!(put.status, 200, "upload: {}", put.text());
        up["poeId"].as_str().expect("poeId").to_owned()
    }

    pub async fn submit(&self, token: &str, id: &str) -> HttpResponse {
        let body =
            json!({"acknowledgements": {"informationAccurate": true, "customerAuthorized": true}});
        self.call(
            "POST",
            &format!("/claims/{id}/submit"),
            Some(token),
            Some(&body),
            &[],
        )
        .await
    }

    pub async fn review(&self, id: &str, body: Value) -> HttpResponse {
        let t = self.reviewer();
        self.call(
            "POST",
            &format!("/claims/{id}/review"),
            Some(&t),
            Some(&body),
            &[],
        )
        .await
    }

    /// A claim created by `org` with one uploaded PoE, submitted (200 asserted).
    pub async fn submitted(&self, org: &str, tenant: &str, customer: &str) -> Value {
        let t = self.admin(org);
        let c = self.create(&t, &mws_body(org, tenant, customer)).await;
        let id = c["id"].as_str().expect("id").to_owned();
        self.upload_poe(&t, &id, b"%PDF-1.7 signed statement of work")
            .await;
        let r = self.submit(&t, &id).await;
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()
    }

    pub async fn get(&self, token: &str, id: &str) -> HttpResponse {
        self.call("GET", &format!("/claims/{id}"), Some(token), None, &[])
            .await
    }

    pub async fn sweep(&self, at: DateTime<Utc>) -> deadline_sweep::SweepResult {
        self.run.sweep(at).await.expect("sweep")
    }

    /// Every event detail on the stack's queue so far (drained).
    pub async fn events(&self) -> Vec<Value> {
        let sqs = aws_sdk_sqs::Client::new(&self.run.config);
        let mut out = Vec::new();
        loop {
            let r = sqs
                .receive_message()
                .queue_url(&self.run.events_queue_url)
                .max_number_of_messages(10)
                .send()
                .await
                .expect("receive");
            if r.messages().is_empty() {
                return out;
            }
            for m in r.messages() {
                let v: Value =
                    serde_json::from_str(m.body().unwrap_or_default()).unwrap_or_default();
                out.push(v["detail"].clone());
                sqs.delete_message()
                    .queue_url(&self.run.events_queue_url)
                    .receipt_handle(m.receipt_handle().unwrap_or_default())
                    .send()
                    .await
                    .expect("delete");
            }
        }
    }
}

/// Emails moto captured for `to`: (subject, body).
pub fn emails_to(to: &str) -> Vec<(String, String)> {
    moto_data()["ses"]["Message"]
        .as_array()
        .map(|ms| {
            ms.iter()
                .filter(|m| m["destinations"]["ToAddresses"][0] == to)
                .map(|m| {
                    (
                        m["subject"].as_str().unwrap_or_default().to_owned(),
                        m["body"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The consent link path (`/consent/<token>`) in the latest email to `to`.
pub fn consent_path(to: &str) -> String {
    let mails = emails_to(to);
    let (_, body) = mails.last().expect("a consent email");
    let start = body.find("/consent/").expect("a consent link");
    body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "/-_".contains(*c))
        .collect()
}

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
    let link = consent_path(&customer);
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
        emails_to(&customer).len() >= 2,
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
    let partner_mail = emails_to(&format!("partner-{ORG_A}@fabrikam.example"));
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
}

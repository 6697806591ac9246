//! A local stack per test, zero2prod's `spawn_app` style: its own table, bucket, bus and
//! identity on the shared moto, the same front `make run` serves, tokens from the local issuer,
//! and a typed client for the calls a portal, a reviewer, a customer and the scheduler make.

use super::http::{HttpResponse, request};
use super::moto::moto;
use chrono::{DateTime, Utc};
use cpor_local::jwt::Identity;
use cpor_local::provision::Names;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub struct Stack {
    pub run: cpor_local::Running,
}

pub async fn stack() -> Stack {
    stack_with(&[]).await
}

/// A stack whose functions get `settings` over the local ones.
pub async fn stack_with(settings: &[(&str, &str)]) -> Stack {
    let run = cpor_local::start(cpor_local::Options {
        endpoint: moto().endpoint.clone(),
        names: Names::unique(),
        listen: ([127, 0, 0, 1], 0).into(),
        sweep_every: None,
        // tests make it poll when they wait for what was delivered
        stream_every: std::time::Duration::from_secs(2),
        settings: settings
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    })
    .await
    .unwrap_or_else(|e| panic!("stack: {e}"));
    Stack { run }
}

pub const ORG_A: &str = "1111111";
pub const ORG_B: &str = "2222222";
/// The display name every test partner token carries (`partner_name`).
pub const PARTNER_NAME: &str = "Fabrikam Ltd";

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

/// A Business Applications body (influenced revenue) on fresh subscriptions.
pub fn ba_body(org: &str, tenant: &str, customer_email: &str) -> Value {
    json!({
        "name": "Contoso Dynamics",
        "partnerLocationId": format!("{org}001"),
        "customer": {"tenantId": tenant},
        "solutionArea": "business_applications",
        "partnerRole": "influenced_revenue",
        "products": [
            {"product": "dynamics_365_sales", "subscriptionId": unique_tenant()},
            {"product": "power_apps", "subscriptionId": unique_tenant()}
        ],
        "purchaseChannel": "volume_licensing",
        "customerContact": {"name": "Ana Pérez", "title": "CIO", "email": customer_email},
        "partnerContact": {"name": "Luis Gómez", "email": format!("partner-{org}@fabrikam.example")},
        "revenueDetails": {"sellerName": "Fabrikam", "customerName": "Contoso", "isvProduct": "Fabrikam CRM"}
    })
}

/// A claim's ID from its JSON view.
pub fn id_of(claim: &Value) -> String {
    claim["id"].as_str().expect("id").to_owned()
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
            partner_name: Some(PARTNER_NAME.to_owned()),
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
            partner_name: None,
            locations: vec![],
            roles: vec!["reviewer".into()],
        })
    }

    /// A Microsoft field seller's token (seed 004's co-sell).
    pub fn seller(&self) -> String {
        self.run.token(&Identity {
            sub: "seller-1".into(),
            partner_id: None,
            partner_name: None,
            locations: vec![],
            roles: vec!["microsoft_seller".into()],
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
        let (m, p) = (method.clone(), path.to_owned());
        let response =
            tokio::task::spawn_blocking(move || request(&method, &url, &headers, &bytes))
                .await
                .expect("request task");
        super::contract::check(&m, &p, &response);
        response
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
        let (m, p) = (method.clone(), path.to_owned());
        let response = tokio::task::spawn_blocking(move || request(&method, &url, &headers, &body))
            .await
            .expect("request task");
        super::contract::check(&m, &p, &response);
        response
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
        let up = self.declare_poe(token, id, content).await;
        put_upload(&up, content).await;
        up["poeId"].as_str().expect("poeId").to_owned()
    }

    /// Declares `content` as a PoE document of claim `id` without uploading it: the upload
    /// view (`poeId`, `uploadUrl`, `uploadHeaders`, `expiresAt`).
    pub async fn declare_poe(&self, token: &str, id: &str, content: &[u8]) -> Value {
        let sha = cpor::domain::values::hex(&Sha256::digest(content));
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
        r.json()
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

    /// A submitted claim of `org` whose review has started: its ID and body.
    pub async fn under_review(&self, org: &str) -> (String, Value) {
        let c = self
            .submitted(org, &unique_tenant(), &customer_email())
            .await;
        let id = c["id"].as_str().expect("id").to_owned();
        let r = self.review(&id, json!({"action": "start"})).await;
        assert_eq!(r.status, 200, "{}", r.text());
        (id, r.json())
    }

    pub async fn get(&self, token: &str, id: &str) -> HttpResponse {
        self.call("GET", &format!("/claims/{id}"), Some(token), None, &[])
            .await
    }

    /// The customer's form post on a consent link: `decision=keep|decline`, or `request=link`.
    pub async fn form(&self, link: &str, body: &str, extra: &[(&str, String)]) -> HttpResponse {
        let mut headers = vec![(
            "content-type".to_owned(),
            "application/x-www-form-urlencoded".to_owned(),
        )];
        headers.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
        self.raw("POST", link, headers, body.as_bytes().to_vec())
            .await
    }

    /// A claim's history entries as `token`'s holder sees them (the first page).
    pub async fn history(&self, token: &str, id: &str) -> Vec<Value> {
        let r = self
            .call(
                "GET",
                &format!("/claims/{id}/history"),
                Some(token),
                None,
                &[],
            )
            .await;
        assert_eq!(r.status, 200, "history: {}", r.text());
        r.json()["items"].as_array().expect("items").clone()
    }

    /// The customer's decision through a consent link.
    pub async fn decide(&self, link: &str, decision: &str) -> HttpResponse {
        self.form(link, &format!("decision={decision}"), &[]).await
    }

    /// The sweep as of `at`, once the stream has delivered what was committed (as deployed,
    /// the stream is done within a second; the sweep only picks up what it could not deliver).
    pub async fn sweep(&self, at: DateTime<Utc>) -> deadline_sweep::SweepResult {
        self.delivered().await;
        self.run.sweep(at).await.expect("sweep")
    }

    /// Registers the engagement claims `body` asks for as `token`'s holder (201 asserted): the
    /// first claim's ID.
    pub async fn register_engagement(&self, token: &str, body: &Value) -> String {
        let r = self
            .call("POST", "/engagement-claims", Some(token), Some(body), &[])
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        r.json()["claims"][0]["id"].as_str().expect("id").to_owned()
    }

    /// The S3 tags of a claim's PoE object on the stack's bucket, once what was committed so
    /// far is delivered.
    pub async fn poe_tags(&self, claim: &str, poe: &str) -> Vec<(String, String)> {
        self.delivered().await;
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&self.run.config)
                .force_path_style(true)
                .build(),
        );
        let out = s3
            .get_object_tagging()
            .bucket(&self.run.names.bucket)
            .key(format!("claims/{claim}/poe/{poe}"))
            .send()
            .await
            .expect("tagging");
        out.tag_set()
            .iter()
            .map(|t| (t.key().to_owned(), t.value().to_owned()))
            .collect()
    }

    /// Fires the one-time schedules due by `until` as EventBridge Scheduler would, once what
    /// was committed so far is delivered (the delivery creates and deletes them): each
    /// schedule's name and whether the sweep it invoked succeeded.
    pub async fn fire_schedules(&self, until: DateTime<Utc>) -> Vec<(String, bool)> {
        self.delivered().await;
        self.run
            .fire_schedules(until)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|f| (f.name, f.result.is_ok()))
            .collect()
    }

    /// Waits (bounded) until the stream has handed every outbox entry committed so far to
    /// `deliver-outbox` and it has answered: the API answers before its side effects happen.
    /// moto answers one request at a time, so while the authorization matrix runs beside it a
    /// pass over a few dozen entries has taken 44 s on 2 cores (20 s was too short on CI); the
    /// bound only says when to give up.
    pub async fn delivered(&self) {
        self.run
            .stream
            .caught_up(std::time::Duration::from_secs(150))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }

    /// The emails sent to `to` once what was committed so far is delivered: (subject, body).
    pub async fn emails_to(&self, to: &str) -> Vec<(String, String)> {
        self.delivered().await;
        super::moto::emails_to(to)
    }

    /// The emails sent to `to` about claim `id` (their claim link names it), once delivered:
    /// partner addresses are shared by tests running at once.
    pub async fn emails_about(&self, to: &str, id: &str) -> Vec<(String, String)> {
        let link = format!("/claims/{id}");
        self.emails_to(to)
            .await
            .into_iter()
            .filter(|(_, body)| body.contains(&link))
            .collect()
    }

    /// The consent link path (`/consent/<token>`) in the latest email to `to`, once delivered.
    pub async fn consent_path(&self, to: &str) -> String {
        self.delivered().await;
        super::moto::consent_path(to)
    }

    /// Every event detail on the stack's queue so far (drained), once what was committed so
    /// far is delivered, each checked against the JSON Schema of its detail type.
    pub async fn events(&self) -> Vec<Value> {
        self.delivered().await;
        let sqs = aws_sdk_sqs::Client::new(&self.run.config);
        super::aws::drain_queue(&sqs, &self.run.events_queue_url)
            .await
            .into_iter()
            .map(|event| {
                let source = if event["detail"]["engagementId"].is_string() {
                    "cpor.engagements"
                } else {
                    "cpor.claims"
                };
                assert_eq!(event["source"], source);
                assert_eq!(event["detail-type"], event["detail"]["detailType"]);
                super::schemas::assert_valid_event(&event["detail"]);
                event["detail"].clone()
            })
            .collect()
    }

    /// Drops a reference data document into the stack's bucket under `reference/` and waits
    /// (bounded) for `import-reference-data` to report on it: the bucket's event reaches it
    /// through EventBridge's rule, as deployed. Returns the report's `result`.
    pub async fn import_reference(&self, document: &[u8]) -> Value {
        let key = format!("reference/{}.json", uuid::Uuid::new_v4().simple());
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&self.run.config)
                .force_path_style(true)
                .build(),
        );
        s3.put_object()
            .bucket(&self.run.names.bucket)
            .key(&key)
            .body(document.to_vec().into())
            .send()
            .await
            .expect("put reference document");
        let report = self
            .run
            .imports
            .of(&key, std::time::Duration::from_secs(20))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        report["result"].clone()
    }
}

/// Uploads `content` through an upload view's presigned PUT, as a browser would.
pub async fn put_upload(up: &Value, content: &[u8]) {
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
}

//! The benchmark's stubbed SDK HTTP client (feature `canned-aws`, built by `make bench` only):
//! every request is answered in process, without a socket, from a table of canned responses,
//! so the warm figures measure the function and the SDK's own work, not AWS or a loopback
//! round trip. Chosen at start when `CPOR_CANNED_AWS` names the table's file:
//!
//! ```json
//! { "dynamodb.GetItem": { "status": 200, "body": "{\"Item\": ...}" }, "s3.HEAD": { "status": 404 },
//!   "dynamodb.GetItem when \"REF\"": { "body": "{\"Item\": ...}" } }
//! ```
//!
//! Requests are named by [`super::operation_name`]; a key `<operation> when <text>` answers
//! the operation's requests whose body contains the text (an engagement function reads the
//! reference pointer and a claim with the same operation), the plain key the rest. A request
//! with no answer gets `200 {}`.

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use std::collections::HashMap;
use std::sync::Arc;

/// One canned answer.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Canned {
    #[serde(default = "ok")]
    pub status: u16,
    #[serde(default)]
    pub body: String,
    /// Headers set over the defaults (`content-type: application/x-amz-json-1.0`).
    #[serde(default)]
    pub headers: HashMap<String, String>,
}

fn ok() -> u16 {
    200
}

/// A table's answers by operation, each with the text its request's body must contain, if any.
#[derive(Debug, Default, Clone)]
pub struct Answers {
    by_operation: HashMap<String, Vec<(Option<String>, Canned)>>,
}

impl Answers {
    pub fn new(table: HashMap<String, Canned>) -> Self {
        let mut by_operation: HashMap<String, Vec<(Option<String>, Canned)>> = HashMap::new();
        for (key, canned) in table {
            let (operation, when) = match key.split_once(" when ") {
                Some((operation, text)) => (operation.to_owned(), Some(text.to_owned())),
                None => (key, None),
            };
            by_operation
                .entry(operation)
                .or_default()
                .push((when, canned));
        }
        // Conditional answers first, longest text first (the most specific), the plain one last.
        for answers in by_operation.values_mut() {
            answers.sort_by(|(a, _), (b, _)| match (a, b) {
                (Some(a), Some(b)) => b.len().cmp(&a.len()).then(a.cmp(b)),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            });
        }
        Self { by_operation }
    }

    /// The answer to a request for `operation` with `body`.
    pub fn answer(&self, operation: &str, body: &[u8]) -> Option<&Canned> {
        self.by_operation
            .get(operation)?
            .iter()
            .find(|(when, _)| {
                when.as_ref().is_none_or(|text| {
                    body.windows(text.len().max(1))
                        .any(|w| w == text.as_bytes())
                })
            })
            .map(|(_, canned)| canned)
    }
}

/// The client answering from a table.
#[derive(Debug, Clone)]
pub struct CannedClient {
    answers: Arc<Answers>,
}

/// The client named by `CPOR_CANNED_AWS`, if set and readable.
pub fn from_env() -> Option<SharedHttpClient> {
    let path = std::env::var_os("CPOR_CANNED_AWS")?;
    let text = std::fs::read_to_string(path).ok()?;
    let table: HashMap<String, Canned> = serde_json::from_str(&text).ok()?;
    Some(SharedHttpClient::new(CannedClient::new(table)))
}

impl CannedClient {
    pub fn new(table: HashMap<String, Canned>) -> Self {
        Self {
            answers: Arc::new(Answers::new(table)),
        }
    }
}

impl HttpConnector for CannedClient {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let path = request
            .uri()
            .split_once("://")
            .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
            .unwrap_or("/");
        let op = super::operation_name(
            request.method(),
            path,
            request.headers().get("x-amz-target"),
        );
        let canned = self
            .answers
            .answer(&op, request.body().bytes().unwrap_or_default());
        let status = canned
            .and_then(|c| StatusCode::try_from(c.status).ok())
            .or_else(|| StatusCode::try_from(200).ok());
        let body = canned.map_or("{}", |c| c.body.as_str());
        let Some(status) = status else {
            return HttpConnectorFuture::ready(Err(ConnectorError::other(
                "canned status".into(),
                None,
            )));
        };
        let mut response = HttpResponse::new(status, SdkBody::from(body));
        response
            .headers_mut()
            .insert("content-type", "application/x-amz-json-1.0");
        response.headers_mut().insert("x-amzn-requestid", "canned");
        for (name, value) in canned.iter().flat_map(|c| c.headers.iter()) {
            response.headers_mut().insert(name.clone(), value.clone());
        }
        HttpConnectorFuture::ready(Ok(response))
    }
}

impl HttpClient for CannedClient {
    fn http_connector(
        &self,
        _settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(text: &str) -> Canned {
        Canned {
            status: 200,
            body: text.into(),
            headers: HashMap::new(),
        }
    }

    #[test]
    fn an_answer_for_a_body_is_chosen_before_the_operations_plain_one() {
        let answers = Answers::new(HashMap::from([
            ("dynamodb.GetItem".into(), body("claim")),
            ("dynamodb.GetItem when \"REF\"".into(), body("pointer")),
            ("dynamodb.GetItem when \"REF#d1\"".into(), body("record")),
        ]));
        let answer = |op: &str, req: &str| answers.answer(op, req.as_bytes()).map(|c| &*c.body);
        assert_eq!(
            answer("dynamodb.GetItem", r#"{"pk":{"S":"REF"}}"#),
            Some("pointer")
        );
        assert_eq!(
            answer("dynamodb.GetItem", r#"{"pk":{"S":"REF#d1"}}"#),
            Some("record")
        );
        assert_eq!(
            answer("dynamodb.GetItem", r#"{"pk":{"S":"CLAIM#1"}}"#),
            Some("claim")
        );
        assert_eq!(answer("dynamodb.Query", "{}"), None);
    }
}

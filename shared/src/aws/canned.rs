//! The benchmark's stubbed SDK HTTP client (feature `canned-aws`, built by `make bench` only):
//! every request is answered in process, without a socket, from a table of canned responses,
//! so the warm figures measure the function and the SDK's own work, not AWS or a loopback
//! round trip. Chosen at start when `CPOR_CANNED_AWS` names the table's file:
//!
//! ```json
//! { "dynamodb.GetItem": { "status": 200, "body": "{\"Item\": ...}" }, "s3.HEAD": { "status": 404 } }
//! ```
//!
//! Requests are named by [`super::operation_name`]; one not in the table gets `200 {}`.

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

/// The client answering from `table`.
#[derive(Debug, Clone)]
pub struct CannedClient {
    table: Arc<HashMap<String, Canned>>,
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
            table: Arc::new(table),
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
        let canned = self.table.get(&op);
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

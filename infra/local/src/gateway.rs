//! The HTTP front of the local stack, doing what API Gateway does for the deployed functions:
//! match the route, verify the JWT (except on the public consent routes), build the same
//! payload-2.0 event — request context with the authorizer's claims — and call the function's
//! handler, in process (already compiled: no request waits for a build).

use crate::functions::Handler;
use crate::jwt;
use cpor::routes::{self, Auth};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use lambda_http::{Body, Response};
use serde_json::json;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Bodies larger than this are refused as API Gateway would (10 MB there; smaller here).
const MAX_BODY: usize = 1024 * 1024;

pub struct Gateway {
    /// Each function's handler by name (`crate::functions::http`).
    pub functions: HashMap<&'static str, Handler>,
    pub jwt_key: Vec<u8>,
    /// Origins allowed by CORS (`CPOR_PORTAL_ORIGIN`, comma-separated; the template's
    /// `PortalOrigin`).
    pub cors_origins: Vec<String>,
    /// The OpenAPI document (`GET /openapi.json`), built once.
    pub openapi: Bytes,
    /// The reference portal at `/portal/`.
    pub portal: crate::portal::Portal,
}

/// Serves until the listener fails (the task is dropped with the stack).
pub async fn serve(listener: TcpListener, gateway: Arc<Gateway>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let gateway = gateway.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let gateway = gateway.clone();
                async move { Ok::<_, Infallible>(handle(&gateway, req).await) }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// An error API Gateway itself answers (no route, no or a refused token, a body too large):
/// its `{"message"}` body, not the functions' problem+json.
fn gateway_error(status: u16, message: &'static str) -> hyper::Response<Full<Bytes>> {
    hyper::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(
            json!({ "message": message }).to_string(),
        )))
        .unwrap_or_default()
}

/// API Gateway's CORS handling as `cpor::routes::CORS` configures it: a preflight (OPTIONS with
/// `Access-Control-Request-Method`) is answered here, 204, the allowed lists when the origin
/// is allowed; other responses to an allowed origin carry its allow-origin and the exposed
/// headers. An origin not allowed gets no CORS headers.
fn preflight(
    origin: Option<&str>,
    headers: &hyper::HeaderMap,
) -> Option<hyper::Response<Full<Bytes>>> {
    headers.get("access-control-request-method")?;
    let mut response = hyper::Response::builder().status(204);
    if let Some(origin) = origin {
        let cors = &routes::CORS;
        response = response
            .header("access-control-allow-origin", origin)
            .header("access-control-allow-methods", cors.allow_methods.join(","))
            .header("access-control-allow-headers", cors.allow_headers.join(","))
            .header("access-control-max-age", cors.max_age_seconds.to_string());
    }
    Some(response.body(Full::new(Bytes::new())).unwrap_or_default())
}

fn allowed_origin(gw: &Gateway, headers: &hyper::HeaderMap) -> Option<String> {
    let origin = headers.get("origin")?.to_str().ok()?;
    gw.cors_origins
        .iter()
        .any(|o| o.eq_ignore_ascii_case(origin))
        .then(|| origin.to_owned())
}

/// What API Gateway adds to every response: its request ID, and CORS for an allowed origin.
fn as_api_gateway(
    origin: Option<&str>,
    request_id: &str,
    mut response: hyper::Response<Full<Bytes>>,
) -> hyper::Response<Full<Bytes>> {
    let headers = response.headers_mut();
    if let Ok(v) = request_id.parse() {
        headers.insert("apigw-requestid", v);
    }
    if let Some(origin) = origin {
        if let Ok(v) = origin.parse() {
            headers.insert("access-control-allow-origin", v);
        }
        if let Ok(v) = routes::CORS.expose_headers.join(",").parse() {
            headers.insert("access-control-expose-headers", v);
        }
    }
    response
}

async fn handle(gw: &Gateway, req: hyper::Request<Incoming>) -> hyper::Response<Full<Bytes>> {
    let request_id = uuid::Uuid::new_v4().to_string();
    let origin = allowed_origin(gw, req.headers());
    let response = if req.method() == hyper::Method::GET && req.uri().path() == "/openapi.json" {
        hyper::Response::builder()
            .header("content-type", "application/json")
            .body(Full::new(gw.openapi.clone()))
            .unwrap_or_default()
    } else if req.uri().path().starts_with("/portal") {
        portal(gw, req).await
    } else if req.method() == hyper::Method::OPTIONS {
        match preflight(origin.as_deref(), req.headers()) {
            Some(answer) => answer,
            None => route(gw, req, &request_id).await,
        }
    } else {
        route(gw, req, &request_id).await
    };
    as_api_gateway(origin.as_deref(), &request_id, response)
}

/// A request's body, refused as API Gateway would when it cannot be read or is too large.
async fn read_body(body: Incoming) -> Result<Bytes, hyper::Response<Full<Bytes>>> {
    let Ok(bytes) = body.collect().await.map(|b| b.to_bytes()) else {
        return Err(gateway_error(400, "Bad Request"));
    };
    if bytes.len() > MAX_BODY {
        return Err(gateway_error(413, "Request Entity Too Large"));
    }
    Ok(bytes)
}

/// `a=1&b=2` (a query string or a form body) as a map; a name given twice keeps the last.
pub fn form_map(raw: &[u8]) -> HashMap<String, String> {
    form_urlencoded::parse(raw)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The portal's files (and locally its sign-in), not an API route.
async fn portal(gw: &Gateway, req: hyper::Request<Incoming>) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let bytes = match read_body(body).await {
        Ok(b) => b,
        Err(refused) => return refused,
    };
    gw.portal
        .handle(
            &parts.method,
            parts.uri.path(),
            parts.uri.query().unwrap_or_default(),
            &bytes,
        )
        .unwrap_or_else(|| gateway_error(404, "Not Found"))
}

async fn route(
    gw: &Gateway,
    req: hyper::Request<Incoming>,
    request_id: &str,
) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or_default().to_owned();
    let Some((route, params)) = routes::find(parts.method.as_str(), &path) else {
        return gateway_error(404, "Not Found");
    };
    let bytes = match read_body(body).await {
        Ok(b) => b,
        Err(refused) => return refused,
    };
    let mut headers: HashMap<String, String> = HashMap::new();
    for (k, v) in &parts.headers {
        let v = String::from_utf8_lossy(v.as_bytes()).into_owned();
        headers
            .entry(k.as_str().to_ascii_lowercase())
            .and_modify(|e| {
                e.push(',');
                e.push_str(&v);
            })
            .or_insert(v);
    }
    let claims = match route.auth {
        Auth::Public => None,
        Auth::Jwt => {
            let token = headers.get("authorization").and_then(|a| {
                a.strip_prefix("Bearer ")
                    .or_else(|| a.strip_prefix("bearer "))
            });
            let Some(token) = token else {
                return gateway_error(401, "Unauthorized");
            };
            match jwt::verify(&gw.jwt_key, token.trim(), chrono::Utc::now()) {
                Ok(c) => Some(c),
                Err(_) => return gateway_error(401, "Unauthorized"),
            }
        }
    };
    let now = chrono::Utc::now();
    let query_map = form_map(query.as_bytes());
    let (body_field, is_base64) = match std::str::from_utf8(&bytes) {
        Ok(s) => (s.to_owned(), false),
        Err(_) => {
            use base64::Engine as _;
            (
                base64::engine::general_purpose::STANDARD.encode(&bytes),
                true,
            )
        }
    };
    let route_key = format!("{} {}", route.method, route.path);
    let event = json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "queryStringParameters": if query_map.is_empty() { None } else { Some(query_map) },
        "pathParameters": if params.is_empty() { None } else { Some(params.iter().cloned().collect::<HashMap<_, _>>()) },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": headers.get("host").cloned().unwrap_or_default(),
            "domainPrefix": "local",
            "http": {
                "method": parts.method.as_str(),
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": headers.get("user-agent").cloned().unwrap_or_default()
            },
            "requestId": request_id,
            "routeKey": route_key,
            "stage": "$default",
            "time": now.format("%d/%b/%Y:%H:%M:%S +0000").to_string(),
            "timeEpoch": now.timestamp_millis(),
            "authorizer": claims.map(|c| json!({"jwt": {"claims": c, "scopes": null}}))
        },
        "body": if bytes.is_empty() { None } else { Some(body_field) },
        "isBase64Encoded": is_base64
    });
    let mut request = match lambda_http::request::from_str(&event.to_string()) {
        Ok(r) => r,
        Err(_) => return gateway_error(500, "Internal Server Error"),
    };
    if let Some(at) = headers
        .get("x-cpor-now")
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
    {
        request
            .extensions_mut()
            .insert(cpor::http::LocalClock(at.with_timezone(&chrono::Utc)));
    }
    let response = dispatch(gw, route.function, request).await;
    to_hyper(response)
}

/// Calls the function's handler, as Lambda would.
pub async fn dispatch(gw: &Gateway, function: &str, req: lambda_http::Request) -> Response<Body> {
    match gw.functions.get(function) {
        Some(handler) => handler(req).await,
        None => cpor::http::Problem::new(
            500,
            "internal",
            "Internal error",
            format!("no function {function}"),
        )
        .into_response(),
    }
}

fn to_hyper(resp: Response<Body>) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = resp.into_parts();
    let bytes = match body {
        Body::Empty => Bytes::new(),
        Body::Text(t) => Bytes::from(t),
        Body::Binary(b) => Bytes::from(b),
        _ => Bytes::new(),
    };
    hyper::Response::from_parts(parts, Full::new(bytes))
}

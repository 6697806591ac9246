//! The API Gateway (HTTP API, payload 2.0) edge shared by every HTTP function: who is calling
//! (JWT claims in the request context), reading bodies and headers into domain types with
//! errors that name the field, and responses — JSON or `application/problem+json`, mapped from
//! [`crate::app::Failure`] in one place.

pub mod bodies;
pub mod csv;
pub mod engagement_bodies;
pub mod engagements;
pub mod identity;
pub mod problem;

pub use identity::actor;
pub use lambda_http::http::HeaderValue;
pub use lambda_http::{Body, Request, RequestExt, Response};
pub use problem::Problem;

use crate::domain::{ClaimId, PoeId};
use crate::ports::IdempotencyKey;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

/// Request bodies larger than this are refused (413) before parsing.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The raw body bytes (API Gateway may base64-encode them; lambda_http decodes).
pub fn body_bytes(req: &Request) -> &[u8] {
    match req.body() {
        Body::Empty => &[],
        Body::Text(t) => t.as_bytes(),
        Body::Binary(b) => b,
        _ => &[],
    }
}

fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// Parses a JSON body into `T`, naming the offending field on error.
pub fn json_body<T: DeserializeOwned>(req: &Request) -> Result<T, Problem> {
    let bytes = body_bytes(req);
    if bytes.len() > MAX_BODY_BYTES {
        return Err(Problem::too_large(MAX_BODY_BYTES));
    }
    let media = header(req, "content-type")
        .map(|c| c.split(';').next().unwrap_or(c).trim().to_ascii_lowercase());
    match media.as_deref() {
        Some("application/json") => {}
        Some(m) if m.starts_with("application/") && m.ends_with("+json") => {}
        _ => return Err(Problem::unsupported_media_type("application/json")),
    }
    if bytes.is_empty() {
        return Err(Problem::invalid("body", "a JSON object is required"));
    }
    parse_json(bytes)
}

/// Parses JSON bytes into `T` (also used by non-HTTP events).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = inner.to_string();
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_owned();
        // Broken JSON is the body's fault, wherever the parser stopped.
        if matches!(
            inner.classify(),
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof
        ) {
            return Problem::invalid("body", &format!("not valid JSON: {message}"));
        }
        // "unknown field `x`, expected ..." names the field inside the path's object.
        let field = match message
            .strip_prefix("unknown field `")
            .and_then(|rest| rest.split('`').next())
        {
            Some(name) if path == "." => name.to_owned(),
            Some(name) if path == name || path.ends_with(&format!(".{name}")) => path,
            Some(name) => format!("{path}.{name}"),
            None if path == "." => "body".to_owned(),
            None => path,
        };
        Problem::invalid(&field, &message)
    })?;
    de.end()
        .map_err(|_| Problem::invalid("body", "trailing characters after the JSON value"))?;
    Ok(value)
}

/// A path parameter parsed as a claim ID (a malformed one is 404: no such claim).
pub fn claim_id(req: &Request) -> Result<ClaimId, Problem> {
    req.path_parameters_ref()
        .and_then(|p| p.first("id"))
        .and_then(|id| ClaimId::parse(id).ok())
        .ok_or_else(Problem::not_found)
}

pub fn poe_id(req: &Request) -> Result<PoeId, Problem> {
    req.path_parameters_ref()
        .and_then(|p| p.first("poeId"))
        .and_then(|id| PoeId::parse(id).ok())
        .ok_or_else(|| Problem::from(crate::app::Failure::PoeNotFound))
}

pub fn path_param<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.path_parameters_ref().and_then(|p| p.first(name))
}

pub fn query_param<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.query_string_parameters_ref()
        .and_then(|q| q.first(name))
}

/// A history page's query: `after` (a sequence number, default 0) and `limit` (1–500,
/// default 100).
pub fn history_query(req: &Request) -> Result<(u64, u32), Problem> {
    let after = match query_param(req, "cursor") {
        None | Some("") => 0,
        Some(c) => open_history_cursor(c).ok_or_else(|| {
            Problem::invalid(
                "cursor",
                "is not a cursor from this history; start again without it",
            )
        })?,
    };
    Ok((after, page_limit(req, HISTORY_PAGE)?))
}

/// One page of a history, as every list answers: `items`, and `nextCursor` (opaque: the last
/// entry's number) while more follow.
pub fn history_page<T>(
    items: Vec<T>,
    more: bool,
    seq: impl Fn(&T) -> u64,
) -> crate::views::PageView<T> {
    let next_cursor = items
        .last()
        .filter(|_| more)
        .map(|last| history_cursor(seq(last)));
    crate::views::PageView { items, next_cursor }
}

/// A history cursor: `h<seq>` in base64url. Not sealed: it only says where a page starts in a
/// history the caller may read whole.
fn history_cursor(seq: u64) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("h{seq}"))
}

fn open_history_cursor(cursor: &str) -> Option<u64> {
    use base64::Engine as _;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()?;
    std::str::from_utf8(&raw)
        .ok()?
        .strip_prefix('h')?
        .parse()
        .ok()
}

/// How many items a page of a list holds: `default` when `limit` is absent, at most `max`
/// (the OpenAPI document describes `limit` from the same values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSize {
    pub default: u32,
    pub max: u32,
}

/// Claim lists, reviewer queues, Customers page tabs.
pub const LIST_PAGE: PageSize = PageSize {
    default: 20,
    max: 100,
};

/// Histories.
pub const HISTORY_PAGE: PageSize = PageSize {
    default: 100,
    max: 500,
};

/// `limit` of a page: 1–`size.max`, `size.default` when absent.
pub fn page_limit(req: &Request, size: PageSize) -> Result<u32, Problem> {
    let PageSize { default, max } = size;
    match query_param(req, "limit") {
        None | Some("") => Ok(default),
        Some(l) => l
            .parse::<u32>()
            .ok()
            .filter(|l| (1..=max).contains(l))
            .ok_or_else(|| Problem::invalid("limit", &format!("must be between 1 and {max}"))),
    }
}

/// A list's `cursor`, opened with the key ring under the list's `scope` (one sealed for
/// another list, or forged, is 400).
pub fn cursor(
    req: &Request,
    keys: &crate::tokens::KeyRing,
    scope: &str,
) -> Result<Option<crate::ports::Continuation>, Problem> {
    match query_param(req, "cursor") {
        None | Some("") => Ok(None),
        Some(c) => keys
            .open_cursor(scope, c)
            .map(|bytes| Some(crate::ports::Continuation(bytes)))
            .map_err(|_| {
                Problem::invalid(
                    "cursor",
                    "is not a cursor from this list; start again without it",
                )
            }),
    }
}

/// `If-Match: "<version>"` (required where `required`): the version the caller last read.
pub fn if_match(req: &Request, required: bool) -> Result<Option<u64>, Problem> {
    match header(req, "if-match") {
        None if required => Err(Problem::precondition_required()),
        None => Ok(None),
        Some(raw) => {
            let v = raw.trim().trim_start_matches("W/").trim_matches('"');
            v.parse()
                .map(Some)
                .map_err(|_| Problem::invalid("If-Match", "must be the claim's ETag, e.g. \"3\""))
        }
    }
}

/// The route a request came by, as API Gateway names it in the request context
/// (`POST /claims/{id}/submit`); the method and path where there is none.
pub fn route_key(req: &Request) -> String {
    let from_gateway = match req.request_context_ref() {
        Some(lambda_http::request::RequestContext::ApiGatewayV2(c)) => c.route_key.clone(),
        _ => None,
    };
    from_gateway.unwrap_or_else(|| format!("{} {}", req.method(), req.uri().path()))
}

/// The longest `Idempotency-Key` accepted (visible ASCII).
pub const IDEMPOTENCY_KEY_MAX: usize = 200;

/// The `Idempotency-Key` header, scoped to the caller and the route, with the hash of what the
/// request asks: its concrete path (the resource) and its body. The same key on another claim
/// is therefore a different request under a used key (422), never a replay of the first.
pub fn idempotency_key(
    req: &Request,
    caller: &str,
    route: &str,
) -> Result<Option<(IdempotencyKey, String)>, Problem> {
    let Some(raw) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    // A present key that is not visible ASCII is refused, not ignored (ignoring it would run a
    // retry twice).
    let key = raw.to_str().map(str::trim).unwrap_or_default();
    if key.is_empty()
        || key.len() > IDEMPOTENCY_KEY_MAX
        || !key.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(Problem::invalid(
            "Idempotency-Key",
            &format!("must be 1-{IDEMPOTENCY_KEY_MAX} visible ASCII characters"),
        ));
    }
    let mut digest = Sha256::new();
    digest.update(req.method().as_str().as_bytes());
    digest.update(b" ");
    digest.update(req.uri().path().as_bytes());
    digest.update(b"\n");
    digest.update(body_bytes(req));
    let hash = crate::domain::values::hex(&digest.finalize());
    Ok(Some((
        IdempotencyKey {
            scope: format!("{caller}:{route}"),
            key: key.to_owned(),
        },
        hash,
    )))
}

/// A JSON response.
pub fn json<T: Serialize>(status: u16, value: &T) -> Response<Body> {
    let body = serde_json::to_string(value).unwrap_or_else(|_| "{}".to_owned());
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("cache-control", "no-store")
        .body(Body::Text(body))
        .unwrap_or_default()
}

/// A JSON response carrying the claim version as its strong ETag.
pub fn json_with_etag<T: Serialize>(status: u16, value: &T, version: u64) -> Response<Body> {
    let mut resp = json(status, value);
    if let Ok(v) = format!("\"{version}\"").parse() {
        resp.headers_mut().insert("etag", v);
    }
    resp
}

/// Replays a stored response (an `Idempotency-Key` retry).
pub fn replay(stored: &crate::ports::StoredResponse) -> Response<Body> {
    Response::builder()
        .status(stored.status)
        .header("content-type", "application/json")
        .header("idempotent-replayed", "true")
        .body(Body::Text(stored.body.clone()))
        .unwrap_or_default()
}

/// An HTML page (the consent pages), in `lang`.
pub fn html(status: u16, page: String, lang: crate::domain::Language) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "text/html; charset=utf-8")
        .header("content-language", lang.code())
        .header("vary", "accept-language")
        .header("cache-control", "no-store")
        .header("x-frame-options", "DENY")
        .header(
            "content-security-policy",
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
        )
        .header("referrer-policy", "no-referrer")
        .body(Body::Text(page))
        .unwrap_or_default()
}

/// A request-scoped clock the local stack attaches (from its `X-Cpor-Now` header) so
/// end-to-end tests can act "30 days later". It is a request extension: nothing from the wire
/// can set it in a deployed function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalClock(pub chrono::DateTime<chrono::Utc>);

/// Now, for a request: the wall clock, or the local stack's clock.
pub fn now(req: &Request) -> chrono::DateTime<chrono::Utc> {
    req.extensions()
        .get::<LocalClock>()
        .map_or_else(chrono::Utc::now, |c| c.0)
}

/// The language the request's `Accept-Language` prefers among those we write, if any.
pub fn accept_language(req: &Request) -> Option<crate::domain::Language> {
    header(req, "accept-language").and_then(crate::i18n::from_accept_language)
}

/// The language a request reads labels in (`Accept-Language`, else `CPOR_DEFAULT_LANGUAGE`),
/// with dates in the deadline calendar's zone.
pub fn labels<W: crate::app::Wiring>(app: &crate::app::App<W>, req: &Request) -> Labels {
    let lang = accept_language(req).unwrap_or(app.language);
    Labels {
        text: crate::i18n::Text::new(lang, app.policy.calendar.time_zone()),
        policy: app.policy.clone(),
    }
}

/// What a response's labels are written with: the reader's language and the configured spans.
pub struct Labels {
    pub text: crate::i18n::Text,
    pub policy: std::sync::Arc<crate::domain::DeadlinePolicy>,
}

impl Labels {
    pub fn claim(&self, claim: &crate::domain::Claim) -> crate::views::ClaimView {
        crate::views::ClaimView::of(claim, &self.text, &self.policy)
    }
}

/// The response body for a claim, as stored for idempotent replays too.
pub fn claim_body(claim: &crate::domain::Claim, labels: &Labels) -> String {
    serde_json::to_string(&labels.claim(claim)).unwrap_or_default()
}

/// A claim response with its ETag (and `Location` when it was created), its labels in the
/// reader's language (`Content-Language`).
pub fn claim_response(
    status: u16,
    claim: &crate::domain::Claim,
    labels: &Labels,
) -> Response<Body> {
    let mut resp = json_with_etag(status, &labels.claim(claim), claim.version());
    if status == 201 {
        if let Ok(v) = format!("/claims/{}", claim.id()).parse() {
            resp.headers_mut().insert("location", v);
        }
    }
    if let Ok(v) = labels.text.lang().code().parse() {
        resp.headers_mut().insert("content-language", v);
    }
    resp
}

/// How an operation that honours `Idempotency-Key` starts.
pub enum Begun<'a, T: ?Sized = crate::domain::Claim> {
    /// Run it, completing the key (if any) in its commit.
    Run(Option<crate::app::Idempotent<'a, T>>),
    /// A request with this key already completed: answer its response again.
    Replay(Response<Body>),
}

/// Starts an operation that honours `Idempotency-Key`.
pub async fn begin_idempotent<'a, W: crate::app::Wiring, T: ?Sized>(
    app: &crate::app::App<W>,
    req: &Request,
    actor: &crate::domain::Actor,
    now: chrono::DateTime<chrono::Utc>,
    respond: &'a (dyn Fn(&T) -> crate::ports::StoredResponse + Send + Sync),
) -> Result<Begun<'a, T>, Problem> {
    let idem = idempotency_key(req, &identity::caller_scope(actor), &route_key(req))?.map(
        |(key, hash)| crate::app::Idempotent {
            key,
            request_hash: hash,
            respond,
        },
    );
    Ok(match app.start(idem, now).await? {
        crate::app::Started::Replay(stored) => Begun::Replay(replay(&stored)),
        crate::app::Started::Run(idem) => Begun::Run(idem),
    })
}

/// Ends an idempotent operation: on failure the key is released so a corrected retry runs.
pub async fn settle<W: crate::app::Wiring, T, R: ?Sized>(
    app: &crate::app::App<W>,
    idem: Option<&crate::app::Idempotent<'_, R>>,
    result: Result<T, crate::app::Failure>,
) -> Result<T, Problem> {
    match result {
        Ok(v) => Ok(v),
        Err(e) => {
            app.abandon(idem).await;
            Err(e.into())
        }
    }
}

/// How every handler ends: a problem becomes its response; one log line per request, with the
/// cause of a 5xx.
pub fn finish(function: &'static str, result: Result<Response<Body>, Problem>) -> Response<Body> {
    let (response, cause) = match result {
        Ok(r) => (r, None),
        Err(mut p) => {
            let cause = p.cause.take();
            (p.into_response(), cause)
        }
    };
    let status = response.status().as_u16();
    if status >= 500 {
        tracing::error!(
            function,
            status,
            cause = cause.as_deref().unwrap_or("-"),
            "request failed"
        );
    } else {
        tracing::info!(function, status, "request done");
    }
    response
}

/// The common shape of a command route: optional `If-Match`, `Idempotency-Key` honoured, the
/// claim (200, with its ETag) as the answer.
pub async fn run_command<W: crate::app::Wiring>(
    app: &crate::app::App<W>,
    req: &Request,
    actor: &crate::domain::Actor,
    id: crate::domain::ClaimId,
    command: crate::domain::Command,
) -> Result<Response<Body>, Problem> {
    let now = now(req);
    let expected = if_match(req, false)?;
    let labels = labels(app, req);
    let respond = |c: &crate::domain::Claim| crate::ports::StoredResponse {
        status: 200,
        body: claim_body(c, &labels),
    };
    let idem = match begin_idempotent(app, req, actor, now, &respond).await? {
        Begun::Run(idem) => idem,
        Begun::Replay(response) => return Ok(response),
    };
    let result = if command.relies_on_poe() {
        app.execute_on_poe(actor, id, expected, idem.as_ref(), now, command)
            .await
    } else {
        app.execute(actor, id, expected, None, idem.as_ref(), now, move |_| {
            Ok(command.clone())
        })
        .await
    };
    let done = settle(app, idem.as_ref(), result).await?;
    Ok(claim_response(200, &done.claim, &labels))
}

/// Parses optional free text into `LongText`, naming the field on error.
pub fn long_text(
    field: &str,
    raw: Option<&str>,
) -> Result<Option<crate::domain::LongText>, Problem> {
    raw.map(|t| {
        crate::domain::LongText::parse(t).map_err(|e| Problem::invalid(field, &e.to_string()))
    })
    .transpose()
}

/// Parses required free text into `LongText`.
pub fn required_text(field: &str, raw: Option<&str>) -> Result<crate::domain::LongText, Problem> {
    long_text(field, raw)?.ok_or_else(|| Problem::invalid(field, "is required"))
}

/// A presigned PoE upload as the API answers it (`POST /claims/{id}/poe` and its renewal).
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct UploadView {
    pub poe_id: String,
    pub upload_url: String,
    pub upload_method: String,
    pub upload_headers: std::collections::BTreeMap<String, String>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// The view of `upload`: the headers the client must send, without `host`.
pub fn upload_view(
    poe_id: crate::domain::PoeId,
    upload: &crate::ports::PresignedRequest,
) -> UploadView {
    UploadView {
        poe_id: poe_id.to_string(),
        upload_url: upload.url.clone(),
        upload_method: upload.method.clone(),
        upload_headers: upload
            .headers
            .iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case("host"))
            .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
            .collect(),
        expires_at: upload.expires_at,
    }
}

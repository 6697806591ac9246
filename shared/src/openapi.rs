//! The OpenAPI 3.1 document of the HTTP API (`docs/openapi.json`, drift-checked; served by the
//! local stack at `GET /openapi.json`): paths and security from the route table
//! ([`crate::routes::ROUTES`]), bodies from the very types the functions parse and answer with
//! (JSON Schemas derived by schemars, Draft 2020-12 as OpenAPI 3.1 uses: requests as they
//! deserialize, responses as they serialize), problem+json errors, and the `{"message"}`
//! refusals API Gateway answers itself.
//!
//! Every route has an entry in [`operation`]; a route without one fails `openapi::tests`.

use crate::domain::engagement::{
    ConsentRequestInput, ContactsPatch, EngagementClaim, EngagementHistoryEntry, RegistrationInput,
};
use crate::domain::{ClaimInput, ClaimPatch, PoeUploadRequest};
use crate::http::bodies::{CommentBody, DisputeBody, ReasonBody, ReviewBody, SubmitBody};
use crate::http::engagement_bodies::{
    Catalogue, CustomersPageView, EligibilityAnswer, EligibilityBody, EngagementReviewBody,
    EngagementSubmitBody, QuoteAnswer, QuoteBody, ReferralView,
};
use crate::http::problem::Problem;
use crate::http::{self, UploadView};
use crate::routes::{Auth, ROUTES, Route};
use crate::views::{ClaimView, PageView};
use schemars::generate::{Contract, SchemaSettings};
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value, json};

/// Routes the document does not describe yet: none (kept so a new route can be added before
/// its description only by saying so here).
pub const UNDESCRIBED: &[&str] = &[];

/// A response body.
enum Answer {
    Json(Value),
    Empty,
    Csv,
    Html,
    Pdf,
}

/// What one route takes and answers (besides the errors every route may answer).
struct Operation {
    /// A JSON body's schema, or (`form`) a form's.
    request: Option<Value>,
    form: bool,
    responses: Vec<(u16, &'static str, Answer)>,
    /// Query parameters: name, description, schema.
    query: Vec<(&'static str, &'static str, Value)>,
}

/// A paged list's `limit` and `cursor`, as `cpor::http::page_limit` reads them.
fn paging(size: http::PageSize) -> [(&'static str, &'static str, Value); 2] {
    [
        (
            "limit",
            "How many items the page holds",
            json!({"type": "integer", "minimum": 1, "maximum": size.max, "default": size.default}),
        ),
        (
            "cursor",
            "The previous page's nextCursor",
            json!({"type": "string"}),
        ),
    ]
}

/// The two generators: requests as they deserialize, responses as they serialize.
struct Schemas {
    requests: SchemaGenerator,
    responses: SchemaGenerator,
}

impl Schemas {
    fn new() -> Self {
        let settings = |contract| {
            SchemaSettings::draft2020_12().with(|s| {
                s.definitions_path = "/components/schemas".into();
                s.meta_schema = None;
                s.contract = contract;
            })
        };
        Self {
            requests: settings(Contract::Deserialize).into_generator(),
            responses: settings(Contract::Serialize).into_generator(),
        }
    }

    fn request<T: JsonSchema>(&mut self) -> Option<Value> {
        Some(self.requests.subschema_for::<T>().to_value())
    }

    fn response<T: JsonSchema>(&mut self) -> Answer {
        Answer::Json(self.responses.subschema_for::<T>().to_value())
    }
}

/// An engagement claim as the API shows it: the claim, its referral carrying its ID
/// (`crate::http::engagements::claim_view`).
fn engagement_claim(s: &mut Schemas) -> Value {
    let claim = s.responses.subschema_for::<EngagementClaim>().to_value();
    json!({"allOf": [claim, {"properties": {"referral": {"properties": {"id": {"type": "string", "format": "uuid"}}}}}]})
}

fn engagement_view(s: &mut Schemas) -> (u16, &'static str, Answer) {
    (
        200,
        "The engagement claim (`ETag` is its version)",
        Answer::Json(engagement_claim(s)),
    )
}

fn claim_view(s: &mut Schemas, status: u16) -> (u16, &'static str, Answer) {
    (
        status,
        "The claim (`ETag` is its version)",
        s.response::<ClaimView>(),
    )
}

/// The route's operation; `None` for a route not described yet.
fn operation(route: &Route, s: &mut Schemas) -> Option<Operation> {
    let op = |request, responses| Operation {
        request,
        form: false,
        responses,
        query: vec![],
    };
    let string = json!({"type": "string"});
    Some(match route.function {
        "create-claim" => op(s.request::<ClaimInput>(), vec![claim_view(s, 201)]),
        "update-claim" => op(s.request::<ClaimPatch>(), vec![claim_view(s, 200)]),
        "get-claim" => op(None, vec![claim_view(s, 200)]),
        "cancel-claim" => op(None, vec![(204, "Cancelled", Answer::Empty)]),
        "list-claims" => Operation {
            request: None,
            form: false,
            responses: vec![
                (200, "A page of claims", s.response::<PageView<ClaimView>>()),
                (200, "The list as CSV (`Accept: text/csv`)", Answer::Csv),
            ],
            query: vec![
                (
                    "status",
                    "Codes and groups (open, complete), comma-separated",
                    string.clone(),
                ),
                (
                    "sort",
                    "-createdAt or dueAt",
                    json!({"enum": ["-createdAt", "dueAt"]}),
                ),
                ("solutionArea", "A solution area code", string.clone()),
                (
                    "tenantId",
                    "The customer's tenant",
                    json!({"type": "string", "format": "uuid"}),
                ),
                (
                    "awaitingReviewer",
                    "Only claims whose partner comment waits",
                    json!({"type": "boolean"}),
                ),
                ("namePrefix", "Claim name prefix, any case", string.clone()),
                ("domain", "The customer's domain", string.clone()),
                (
                    "overdue",
                    "Only claims whose deadline has passed",
                    json!({"type": "boolean"}),
                ),
                (
                    "partnerId",
                    "Reviewers: one partner's claims",
                    string.clone(),
                ),
            ]
            .into_iter()
            .chain(paging(http::LIST_PAGE))
            .collect(),
        },
        "presign-poe-upload" => op(
            s.request::<PoeUploadRequest>(),
            vec![(201, "Where to PUT the document", s.response::<UploadView>())],
        ),
        "renew-poe-upload" => op(
            None,
            vec![(200, "A fresh upload URL", s.response::<UploadView>())],
        ),
        "remove-poe" => op(None, vec![(204, "Removed", Answer::Empty)]),
        "download-poe" => op(
            None,
            vec![(
                200,
                "A short-lived download URL",
                Answer::Json(json!({
                    "type": "object",
                    "required": ["url", "expiresAt"],
                    "properties": {"url": {"type": "string"}, "expiresAt": {"type": "string", "format": "date-time"}}
                })),
            )],
        ),
        "poe-template" => op(None, vec![(200, "The PoE template", Answer::Pdf)]),
        "submit-claim" => op(s.request::<SubmitBody>(), vec![claim_view(s, 200)]),
        "review-decision" => op(s.request::<ReviewBody>(), vec![claim_view(s, 200)]),
        "add-comment" => op(
            s.request::<CommentBody>(),
            vec![(
                201,
                "The claim with the comment in its thread",
                s.response::<ClaimView>(),
            )],
        ),
        "withdraw-claim" | "disassociate-claim" => {
            op(s.request::<ReasonBody>(), vec![claim_view(s, 200)])
        }
        "dispute-claim" => op(s.request::<DisputeBody>(), vec![claim_view(s, 200)]),
        "resend-consent" => op(
            None,
            vec![(
                202,
                "The email is on its way: the claim",
                s.response::<ClaimView>(),
            )],
        ),
        "get-history" => Operation {
            request: None,
            form: false,
            responses: vec![(
                200,
                "A page of the claim's history",
                s.response::<PageView<crate::domain::HistoryEntry>>(),
            )],
            query: paging(http::HISTORY_PAGE).into(),
        },
        "consent-callback" if route.method == "POST" => Operation {
            request: Some(json!({
                "type": "object",
                "properties": {
                    "decision": {"enum": ["keep", "decline"]},
                    "request": {"enum": ["link"]}
                }
            })),
            form: true,
            responses: vec![
                (
                    200,
                    "The customer's decision recorded: a receipt page",
                    Answer::Html,
                ),
                (
                    202,
                    "A fresh link is on its way (the link had expired): a page saying so",
                    Answer::Html,
                ),
            ],
            query: vec![],
        },
        "consent-callback" => op(
            None,
            vec![(
                200,
                "The consent page, in the customer's language",
                Answer::Html,
            )],
        ),
        "list-engagements" => op(
            None,
            vec![(
                200,
                "The catalogue, with the caller's eligible locations",
                s.response::<Catalogue>(),
            )],
        ),
        "check-eligibility" => op(
            s.request::<EligibilityBody>(),
            vec![(
                200,
                "Each engagement, eligible or why not",
                s.response::<EligibilityAnswer>(),
            )],
        ),
        "quote-engagement" => op(
            s.request::<QuoteBody>(),
            vec![(200, "The proposed payment", s.response::<QuoteAnswer>())],
        ),
        "register-engagement-claims" => {
            let claim = engagement_claim(s);
            op(
                s.request::<RegistrationInput>(),
                vec![(
                    201,
                    "One registered claim per engagement",
                    Answer::Json(json!({
                        "type": "object",
                        "required": ["claims"],
                        "properties": {"claims": {"type": "array", "items": claim}}
                    })),
                )],
            )
        }
        "get-engagement-claim" | "cancel-engagement-claim" | "resend-engagement-consent" => {
            op(None, vec![engagement_view(s)])
        }
        "update-engagement-claim" => op(s.request::<ContactsPatch>(), vec![engagement_view(s)]),
        "request-engagement-consent" => {
            op(s.request::<ConsentRequestInput>(), vec![engagement_view(s)])
        }
        "submit-engagement-claim" => op(
            s.request::<EngagementSubmitBody>(),
            vec![engagement_view(s)],
        ),
        "review-engagement-claim" => op(
            s.request::<EngagementReviewBody>(),
            vec![engagement_view(s)],
        ),
        "get-engagement-history" => Operation {
            request: None,
            form: false,
            responses: vec![(
                200,
                "A page of the engagement claim's history",
                s.response::<PageView<EngagementHistoryEntry>>(),
            )],
            query: paging(http::HISTORY_PAGE).into(),
        },
        "list-engagement-claims" => Operation {
            request: None,
            form: false,
            responses: vec![(
                200,
                "A page of the queue",
                s.response::<PageView<EngagementClaim>>(),
            )],
            query: vec![(
                "status",
                "An engagement claim status (submitted)",
                json!({"type": "string"}),
            )]
            .into_iter()
            .chain(paging(http::LIST_PAGE))
            .collect(),
        },
        "list-engagement-customers" => Operation {
            request: None,
            form: false,
            responses: vec![(
                200,
                "One tab of the Customers page",
                s.response::<CustomersPageView>(),
            )],
            query: vec![(
                "tab",
                "eligible, not_eligible or complete",
                json!({"type": "string"}),
            )]
            .into_iter()
            .chain(paging(http::LIST_PAGE))
            .collect(),
        },
        "get-referral" => op(
            None,
            vec![(200, "The referral", s.response::<ReferralView>())],
        ),
        _ => return None,
    })
}

/// The problem+json every route may answer (a page, in the customer's language, on the
/// consent routes), and API Gateway's own refusals.
fn errors(route: &Route) -> Vec<(String, Value)> {
    let problem = if route.function == "consent-callback" {
        json!({"text/html": {"schema": {"type": "string"}}})
    } else {
        json!({"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}})
    };
    let gateway =
        json!({"application/json": {"schema": {"$ref": "#/components/schemas/GatewayMessage"}}});
    let mut out = vec![(
        "default".to_owned(),
        json!({"description": "A problem (RFC 9457): the fields at fault in `errors`", "content": problem}),
    )];
    if route.auth == Auth::Jwt {
        out.push((
            "401".to_owned(),
            json!({"description": "API Gateway: no or a refused token", "content": gateway}),
        ));
    }
    out
}

/// The headers an answer carries: the claim's `ETag`, a new claim's `Location`, and on a
/// write `Idempotent-Replayed` when a retry was answered from the first response.
fn response_headers(
    route: &Route,
    status: &str,
    entry: &Value,
    writes: bool,
) -> Map<String, Value> {
    let text = entry.to_string();
    let mut headers = Map::new();
    if text.contains("schemas/ClaimView") || text.contains("schemas/EngagementClaim") {
        headers.insert(
            "ETag".into(),
            json!({"description": "The claim's version, for If-Match", "schema": {"type": "string"}}),
        );
    }
    if status == "201"
        && matches!(
            route.function,
            "create-claim" | "register-engagement-claims"
        )
    {
        headers.insert(
            "Location".into(),
            json!({"description": "Where the new claim is (a registration: when it made one)", "schema": {"type": "string"}}),
        );
    }
    if writes {
        headers.insert(
            "Idempotent-Replayed".into(),
            json!({"description": "`true` on a retry answered from the first response", "schema": {"type": "string", "enum": ["true"]}}),
        );
    }
    headers
}

/// The request headers a route reads: `Accept-Language` always; on a write `Idempotency-Key`,
/// and `If-Match` where it changes one claim (required to edit).
fn header_parameters(route: &Route, writes: bool) -> Vec<Value> {
    let mut out = vec![json!({
        "name": "Accept-Language", "in": "header",
        "description": "en, es, fr or ja for labels and pages (else the default language)",
        "schema": {"type": "string"}
    })];
    if writes {
        out.push(json!({
            "name": "Idempotency-Key", "in": "header",
            "description": "Visible ASCII; a retry with the same key and body gets the first answer, another body 422",
            "schema": {"type": "string", "pattern": format!("^[\\x21-\\x7e]{{1,{}}}$", crate::http::IDEMPOTENCY_KEY_MAX)}
        }));
        if route.path.contains("{id}") && !route.path.contains("{poeId}") {
            out.push(json!({
                "name": "If-Match", "in": "header", "required": route.method == "PATCH",
                "description": "The ETag last read: 412 when the claim changed since (required to edit: 428 without)",
                "schema": {"type": "string"}
            }));
        }
    }
    out
}

fn path_parameters(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
        .collect()
}

fn content(answer: Answer) -> Option<Value> {
    match answer {
        Answer::Json(schema) => Some(json!({"application/json": {"schema": schema}})),
        Answer::Empty => None,
        Answer::Csv => Some(json!({"text/csv": {"schema": {"type": "string"}}})),
        Answer::Html => Some(json!({"text/html": {"schema": {"type": "string"}}})),
        Answer::Pdf => Some(
            json!({"application/pdf": {"schema": {"type": "string", "contentMediaType": "application/pdf"}}}),
        ),
    }
}

/// The document.
pub fn document() -> Value {
    let mut schemas = Schemas::new();
    let mut paths: Map<String, Value> = Map::new();
    for route in ROUTES {
        let Some(op) = operation(route, &mut schemas) else {
            continue;
        };
        let mut responses: Map<String, Value> = Map::new();
        for (status, description, answer) in op.responses {
            let entry = responses
                .entry(status.to_string())
                .or_insert_with(|| json!({"description": description, "content": {}}));
            if let (Some(c), Some(map)) = (content(answer), entry["content"].as_object_mut()) {
                map.extend(c.as_object().cloned().unwrap_or_default());
            }
            if entry["content"].as_object().is_some_and(Map::is_empty) {
                if let Some(e) = entry.as_object_mut() {
                    e.remove("content");
                }
            }
        }
        let writes = route.method != "GET" && route.auth == Auth::Jwt;
        for (status, entry) in responses.iter_mut() {
            let headers = response_headers(route, status, entry, writes);
            if !headers.is_empty() {
                entry["headers"] = Value::Object(headers);
            }
        }
        for (status, response) in errors(route) {
            responses.entry(status).or_insert(response);
        }
        let mut parameters = path_parameters(route.path);
        parameters.extend(header_parameters(route, writes));
        parameters.extend(op.query.into_iter().map(|(name, description, schema)| {
            json!({"name": name, "in": "query", "description": description, "schema": schema})
        }));
        // The function's name, with the method where one function serves two routes.
        let shared = ROUTES
            .iter()
            .filter(|r| r.function == route.function)
            .count()
            > 1;
        let operation_id = if shared {
            format!("{}-{}", route.function, route.method.to_ascii_lowercase())
        } else {
            route.function.to_owned()
        };
        let mut operation = json!({
            "operationId": operation_id,
            "summary": route.summary,
            "responses": responses,
        });
        if !parameters.is_empty() {
            operation["parameters"] = Value::Array(parameters);
        }
        if let Some(schema) = op.request {
            let media = if op.form {
                "application/x-www-form-urlencoded"
            } else {
                "application/json"
            };
            operation["requestBody"] =
                json!({"required": true, "content": {(media): {"schema": schema}}});
        }
        if route.auth == Auth::Public {
            operation["security"] = json!([]);
        }
        paths
            .entry(route.path.to_owned())
            .or_insert_with(|| json!({}))[route.method.to_ascii_lowercase()] = operation;
    }
    schemas.responses.subschema_for::<Problem>();
    let requests = schemas.requests.take_definitions(true);
    let responses = schemas.responses.take_definitions(true);
    let mut components = merge(requests, responses, &mut paths);
    components.insert(
        "GatewayMessage".to_owned(),
        json!({"type": "object", "required": ["message"], "properties": {"message": {"type": "string"}}}),
    );
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "cpor — Claiming Partner of Record and MCI engagements",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Generated from the route table and the types the functions use (`cargo run -p cpor --features openapi --example openapi`). See docs/api.md."
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "security": [{"jwt": []}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"jwt": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
        }
    })
}

/// The request-side and response-side schemas in one `components`: a type read and written
/// the same way is one schema; one that differs (an optional field always written, say) is
/// kept twice, the written form as `{name}Response`, and every reference from a response
/// (in `paths` and in the response-side schemas) points at it.
fn merge(
    requests: Map<String, Value>,
    responses: Map<String, Value>,
    paths: &mut Map<String, Value>,
) -> Map<String, Value> {
    let refers_to = |schema: &Value, names: &std::collections::BTreeSet<String>| {
        let text = schema.to_string();
        names
            .iter()
            .any(|n| text.contains(&format!("\"#/components/schemas/{n}\"")))
    };
    // Differing forms, and (to a fixed point) what refers to them on both sides.
    let mut differ: std::collections::BTreeSet<String> = responses
        .iter()
        .filter(|(n, v)| requests.get(*n).is_some_and(|r| r != *v))
        .map(|(n, _)| n.clone())
        .collect();
    loop {
        let more: Vec<String> = responses
            .iter()
            .filter(|(n, v)| {
                !differ.contains(*n) && requests.contains_key(*n) && refers_to(v, &differ)
            })
            .map(|(n, _)| n.clone())
            .collect();
        if more.is_empty() {
            break;
        }
        differ.extend(more);
    }
    let rename = |v: &mut Value| {
        for name in &differ {
            rewrite_refs(
                v,
                &format!("#/components/schemas/{name}"),
                &format!("#/components/schemas/{name}Response"),
            );
        }
    };
    for path in paths.values_mut() {
        for operation in path
            .as_object_mut()
            .into_iter()
            .flat_map(|o| o.values_mut())
        {
            if let Some(r) = operation.get_mut("responses") {
                rename(r);
            }
        }
    }
    let mut components = requests;
    for (name, mut schema) in responses {
        rename(&mut schema);
        let key = if differ.contains(&name) {
            format!("{name}Response")
        } else {
            name
        };
        components.insert(key, schema);
    }
    components
}

fn rewrite_refs(v: &mut Value, from: &str, to: &str) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if k == "$ref" && child.as_str() == Some(from) {
                    *child = Value::String(to.to_owned());
                } else {
                    rewrite_refs(child, from, to);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| rewrite_refs(i, from, to)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_described_or_listed_as_not_yet() {
        let mut s = Schemas::new();
        for route in ROUTES {
            let described = operation(route, &mut s).is_some();
            let listed = UNDESCRIBED.contains(&route.function);
            assert!(
                described != listed,
                "{} {} ({}): described {described}, listed as undescribed {listed}",
                route.method,
                route.path,
                route.function
            );
        }
    }

    #[test]
    fn the_headers_a_client_needs_are_described() {
        let doc = document();
        let param = |path: &str, method: &str, name: &str| {
            doc["paths"][path][method]["parameters"]
                .as_array()
                .and_then(|ps| ps.iter().find(|p| p["name"] == name).cloned())
        };
        let edit = param("/claims/{id}", "patch", "If-Match").expect("If-Match on an edit");
        assert_eq!(edit["required"], true);
        assert!(param("/claims", "post", "Idempotency-Key").is_some());
        assert!(param("/claims/{id}/submit", "post", "If-Match").is_some());
        assert!(param("/consent/{token}", "post", "Idempotency-Key").is_none());
        let created = &doc["paths"]["/claims"]["post"]["responses"]["201"]["headers"];
        for header in ["ETag", "Location", "Idempotent-Replayed"] {
            assert!(created.get(header).is_some(), "{header}");
        }
        let read = &doc["paths"]["/engagement-claims/{id}"]["get"]["responses"]["200"]["headers"];
        assert!(read.get("ETag").is_some() && read.get("Idempotent-Replayed").is_none());
    }

    #[test]
    fn every_reference_resolves() {
        let doc = document();
        let text = doc.to_string();
        for piece in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = piece.split('"').next().unwrap_or_default();
            assert!(
                doc["components"]["schemas"].get(name).is_some(),
                "no component {name}"
            );
        }
        assert_eq!(doc["openapi"], "3.1.0");
        assert_eq!(
            doc["paths"]["/consent/{token}"]["get"]["security"],
            json!([]),
            "the consent page is public"
        );
    }
}

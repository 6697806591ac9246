//! The HTTP API's routes as data: the local stack routes by it, the infra consistency test
//! checks the template against it, and the README's route table is generated from it.

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// A JWT checked by the API Gateway authorizer (partners and reviewers).
    Jwt,
    /// Public: the customer's consent link carries its own signed token.
    Public,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub method: &'static str,
    /// API Gateway syntax: `{name}` is a path parameter.
    pub path: &'static str,
    /// The function crate (and Lambda function) that serves it.
    pub function: &'static str,
    pub auth: Auth,
    /// What the caller must be allowed (the permission matrix row); `None` for the consent
    /// routes (the signed link is the permission) and the template (any signed-in caller).
    pub capability: Option<Capability>,
    pub summary: &'static str,
}

/// The API's CORS configuration, as API Gateway applies it (`CorsConfiguration` in the
/// template; `tests/infra.rs` checks they agree) and the local front answers it. The allowed
/// origin is the deployment's portal origin (`PortalOrigin`; locally `CPOR_PORTAL_ORIGIN`).
pub struct Cors {
    pub allow_methods: &'static [&'static str],
    pub allow_headers: &'static [&'static str],
    pub expose_headers: &'static [&'static str],
    pub max_age_seconds: u32,
}

pub const CORS: Cors = Cors {
    allow_methods: &["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
    allow_headers: &[
        "authorization",
        "content-type",
        "if-match",
        "idempotency-key",
    ],
    expose_headers: &[
        "etag",
        "location",
        "idempotent-replayed",
        "next-cursor",
        "retry-after",
    ],
    max_age_seconds: 600,
};

/// The PoE bucket's CORS rule, for the portal's origin: the browser PUTs a document straight to
/// S3 through its presigned URL (with the headers the signature binds). The bucket's
/// `CorsConfiguration` in the template (`tests/infra.rs` checks they agree); the local stack
/// puts it on moto's bucket.
pub struct BucketCors {
    pub allowed_methods: &'static [&'static str],
    pub allowed_headers: &'static [&'static str],
    pub max_age_seconds: u32,
}

pub const UPLOAD_CORS: BucketCors = BucketCors {
    allowed_methods: &["PUT", "GET"],
    allowed_headers: &[
        "content-type",
        "content-length",
        "x-amz-checksum-sha256",
        "x-amz-tagging",
        "x-amz-sdk-checksum-algorithm",
    ],
    max_age_seconds: 600,
};

/// The portal's Content-Security-Policy: its own scripts and styles only, API calls and PoE
/// uploads to `connect` (the API, the bucket, the identity provider), no framing. The local
/// stack sends it with the portal's files; the template's CloudFront response headers policy
/// sets the same (`tests/infra.rs` checks).
pub fn portal_csp(connect: &str) -> String {
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self' {connect}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
}

const fn r(
    method: &'static str,
    path: &'static str,
    function: &'static str,
    auth: Auth,
    capability: Option<Capability>,
    summary: &'static str,
) -> Route {
    Route {
        method,
        path,
        function,
        auth,
        capability,
        summary,
    }
}

use crate::domain::Capability;
use crate::domain::Capability as C;

pub const ROUTES: &[Route] = &[
    r(
        "POST",
        "/claims",
        "create-claim",
        Auth::Jwt,
        Some(C::Create),
        "create a draft",
    ),
    r(
        "GET",
        "/claims",
        "list-claims",
        Auth::Jwt,
        Some(C::Read),
        "list claims (own organisation; reviewers: by status or partner)",
    ),
    r(
        "GET",
        "/claims/{id}",
        "get-claim",
        Auth::Jwt,
        Some(C::Read),
        "read a claim",
    ),
    r(
        "PATCH",
        "/claims/{id}",
        "update-claim",
        Auth::Jwt,
        Some(C::Edit),
        "edit what the status allows (If-Match)",
    ),
    r(
        "DELETE",
        "/claims/{id}",
        "cancel-claim",
        Auth::Jwt,
        Some(C::CancelDraft),
        "cancel a draft",
    ),
    r(
        "POST",
        "/claims/{id}/poe",
        "presign-poe-upload",
        Auth::Jwt,
        Some(C::Edit),
        "declare a PoE document and get its upload URL",
    ),
    r(
        "GET",
        "/claims/{id}/poe/{poeId}",
        "download-poe",
        Auth::Jwt,
        Some(C::Read),
        "a short-lived download URL",
    ),
    r(
        "DELETE",
        "/claims/{id}/poe/{poeId}",
        "remove-poe",
        Auth::Jwt,
        Some(C::Edit),
        "remove a PoE declaration not yet part of a submission (204)",
    ),
    r(
        "POST",
        "/claims/{id}/poe/{poeId}/upload-url",
        "renew-poe-upload",
        Auth::Jwt,
        Some(C::Edit),
        "a fresh upload URL for a declaration not yet uploaded",
    ),
    r(
        "GET",
        "/poe-template",
        "poe-template",
        Auth::Jwt,
        None,
        "the PoE template document",
    ),
    r(
        "POST",
        "/claims/{id}/submit",
        "submit-claim",
        Auth::Jwt,
        Some(C::Submit),
        "submit, or resubmit after partner action required",
    ),
    r(
        "POST",
        "/claims/{id}/review",
        "review-decision",
        Auth::Jwt,
        Some(C::Review),
        "start, approve, reject, request information",
    ),
    r(
        "POST",
        "/claims/{id}/comments",
        "add-comment",
        Auth::Jwt,
        Some(C::Comment),
        "comment on the claim's thread (emails the other side)",
    ),
    r(
        "GET",
        "/claims/{id}/history",
        "get-history",
        Auth::Jwt,
        Some(C::Read),
        "the full history, comments included",
    ),
    r(
        "POST",
        "/claims/{id}/withdraw",
        "withdraw-claim",
        Auth::Jwt,
        Some(C::Withdraw),
        "withdraw (rejected for good, partner request)",
    ),
    r(
        "POST",
        "/claims/{id}/dispute",
        "dispute-claim",
        Auth::Jwt,
        Some(C::Dispute),
        "dispute a rejection within 30 days",
    ),
    r(
        "POST",
        "/claims/{id}/disassociate",
        "disassociate-claim",
        Auth::Jwt,
        Some(C::Disassociate),
        "end an active association",
    ),
    r(
        "POST",
        "/claims/{id}/consent-email",
        "resend-consent",
        Auth::Jwt,
        Some(C::ResendConsent),
        "resend the customer's consent email",
    ),
    r(
        "GET",
        "/consent/{token}",
        "consent-callback",
        Auth::Public,
        None,
        "the consent page (changes nothing)",
    ),
    r(
        "POST",
        "/consent/{token}",
        "consent-callback",
        Auth::Public,
        None,
        "record keep or decline, or email a fresh link",
    ),
    r(
        "GET",
        "/engagements",
        "list-engagements",
        Auth::Jwt,
        Some(C::Engage),
        "the MCI engagement catalogue, with your eligible locations",
    ),
    r(
        "POST",
        "/engagements/eligibility",
        "check-eligibility",
        Auth::Jwt,
        Some(C::Engage),
        "which engagements a customer and location are eligible for",
    ),
    r(
        "POST",
        "/engagements/{engagementId}/quote",
        "quote-engagement",
        Auth::Jwt,
        Some(C::Engage),
        "the proposed payment of a variable-pay engagement",
    ),
    r(
        "GET",
        "/engagements/{engagementId}/customers",
        "list-engagement-customers",
        Auth::Jwt,
        Some(C::Engage),
        "the engagement's Customers page (`tab=eligible|not_eligible|complete`)",
    ),
    r(
        "POST",
        "/engagement-claims",
        "register-engagement-claims",
        Auth::Jwt,
        Some(C::Engage),
        "add or claim a customer: one claim per engagement",
    ),
    r(
        "GET",
        "/engagement-claims",
        "list-engagement-claims",
        Auth::Jwt,
        Some(C::Review),
        "reviewers: engagement claims in one status (`status=submitted`), oldest first",
    ),
    r(
        "GET",
        "/engagement-claims/{id}",
        "get-engagement-claim",
        Auth::Jwt,
        Some(C::Read),
        "read an engagement claim",
    ),
    r(
        "GET",
        "/engagement-claims/{id}/history",
        "get-engagement-history",
        Auth::Jwt,
        Some(C::Read),
        "an engagement claim's history",
    ),
    r(
        "PATCH",
        "/engagement-claims/{id}",
        "update-engagement-claim",
        Auth::Jwt,
        Some(C::Engage),
        "edit the contacts before consent is requested (If-Match)",
    ),
    r(
        "DELETE",
        "/engagement-claims/{id}",
        "cancel-engagement-claim",
        Auth::Jwt,
        Some(C::Engage),
        "cancel before submission (frees the cap)",
    ),
    r(
        "POST",
        "/engagement-claims/{id}/consent-request",
        "request-engagement-consent",
        Auth::Jwt,
        Some(C::Engage),
        "email the customer's opt-in consent request (deal size, disclaimer)",
    ),
    r(
        "POST",
        "/engagement-claims/{id}/consent-email",
        "resend-engagement-consent",
        Auth::Jwt,
        Some(C::Engage),
        "resend the consent email while consent is pending",
    ),
    r(
        "POST",
        "/engagement-claims/{id}/submit",
        "submit-engagement-claim",
        Auth::Jwt,
        Some(C::Engage),
        "submit a consented claim before its deadline",
    ),
    r(
        "POST",
        "/engagement-claims/{id}/review",
        "review-engagement-claim",
        Auth::Jwt,
        Some(C::Review),
        "approve (completed) or reject for good",
    ),
    r(
        "GET",
        "/referrals/{id}",
        "get-referral",
        Auth::Jwt,
        Some(C::OpenReferral),
        "a referral (referral admins; Microsoft sellers once co-sell)",
    ),
];

/// Every function crate name (the manifest's).
pub fn functions() -> Vec<&'static str> {
    crate::functions::FUNCTIONS.iter().map(|f| f.name).collect()
}

/// Finds the route for a method and path, with its path parameters.
pub fn find(method: &str, path: &str) -> Option<(&'static Route, Vec<(String, String)>)> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    ROUTES.iter().find_map(|route| {
        if !route.method.eq_ignore_ascii_case(method) {
            return None;
        }
        let pattern: Vec<&str> = route.path.split('/').collect();
        if pattern.len() != segments.len() {
            return None;
        }
        let mut params = Vec::new();
        for (p, s) in pattern.iter().zip(&segments) {
            match p.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(name) if !s.is_empty() => params.push((name.to_owned(), (*s).to_owned())),
                Some(_) => return None,
                None if p == s => {}
                None => return None,
            }
        }
        Some((route, params))
    })
}

/// The route table in Markdown (the README's copy is checked against it).
pub fn routes_markdown() -> String {
    let mut out = String::from(
        "| method | path | function | who (capability in the matrix) | what |\n|---|---|---|---|---|\n",
    );
    for r in ROUTES {
        let who = match (r.auth, r.capability) {
            (Auth::Public, _) => "customer, by the signed link".to_owned(),
            (Auth::Jwt, None) => "any signed-in caller".to_owned(),
            (Auth::Jwt, Some(c)) => format!("`{c}`"),
        };
        out.push_str(&format!(
            "| {} | `{}` | {} | {} | {} |\n",
            r.method, r.path, r.function, who, r.summary
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_route_to_their_function_with_parameters() {
        let (route, params) = find("GET", "/claims/abc/poe/def").unwrap();
        assert_eq!(route.function, "download-poe");
        assert_eq!(
            params,
            vec![("id".into(), "abc".into()), ("poeId".into(), "def".into())]
        );
        assert_eq!(find("POST", "/claims").unwrap().0.function, "create-claim");
        assert_eq!(find("GET", "/claims").unwrap().0.function, "list-claims");
        assert!(find("PUT", "/claims").is_none());
        assert!(find("GET", "/claims//poe/x").is_none());
        assert!(find("GET", "/nope").is_none());
    }

    #[test]
    fn every_function_is_named_once() {
        let f = functions();
        assert_eq!(f.len(), 38);
        assert!(f.contains(&"deadline-sweep") && f.contains(&"deliver-outbox"));
    }
}

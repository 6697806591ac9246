//! `Accept: text/csv` on a list: the same claims as the JSON pages, as RFC 4180 text a
//! spreadsheet opens — a header row, CRLF line ends, fields quoted when they hold a comma, a
//! quote or a line break. Text a person typed (a claim name) that a spreadsheet would run as a
//! formula (`=`, `+`, `-`, `@`, tab, CR first) is prefixed with `'` (OWASP's CSV injection
//! advice), so opening an export never runs what a partner typed.

use crate::domain::Claim;
use crate::http::Labels;
use chrono::{DateTime, SecondsFormat, Utc};
use lambda_http::{Body, Request, Response};

/// The most rows one export holds; past it the response names the cursor of the rest
/// (`Next-Cursor`).
pub const MAX_ROWS: usize = 1000;

/// The columns, in order.
pub const COLUMNS: [&str; 13] = [
    "id",
    "name",
    "status",
    "statusLabel",
    "solutionArea",
    "partnerId",
    "partnerLocationId",
    "customerTenantId",
    "customerDomain",
    "createdAt",
    "submittedAt",
    "dueAt",
    "overdue",
];

/// Whether the caller asked for CSV (`Accept: text/csv`).
pub fn wanted(req: &Request) -> bool {
    req.headers()
        .get_all("accept")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|range| {
            let mut parts = range.split(';').map(str::trim);
            let media = parts.next().unwrap_or_default();
            let refused = parts.any(|p| p.replace(' ', "") == "q=0");
            media.eq_ignore_ascii_case("text/csv") && !refused
        })
}

/// One field, quoted when it must be.
fn field(out: &mut String, value: &str) {
    if value.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

/// Text a person typed: never read as a formula.
fn typed(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

fn time(at: Option<DateTime<Utc>>) -> String {
    at.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// The claims as CSV, status labels in the reader's language.
pub fn claims(claims: &[Claim], labels: &Labels, now: DateTime<Utc>) -> String {
    let mut out = COLUMNS.join(",");
    out.push_str("\r\n");
    for claim in claims {
        let content = claim.content();
        let customer = content.customer();
        let row = [
            claim.id().to_string(),
            typed(content.name().as_str()),
            claim.status().code().to_owned(),
            labels.text.status(claim.status()),
            content.solution_area().code().to_owned(),
            claim.partner_id().to_string(),
            content.partner_location_id().to_string(),
            customer.tenant_id.to_string(),
            customer
                .domain
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            time(Some(claim.created_at())),
            time(claim.submitted_at()),
            time(claim.due_at()),
            claim.due_at().is_some_and(|d| d < now).to_string(),
        ];
        for (i, value) in row.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            field(&mut out, value);
        }
        out.push_str("\r\n");
    }
    out
}

/// The CSV response; `next_cursor` when more rows match than one export holds.
pub fn response(body: String, next_cursor: Option<String>) -> Response<Body> {
    let mut builder = Response::builder()
        .status(200)
        .header("content-type", "text/csv; charset=utf-8; header=present")
        .header("content-disposition", "attachment; filename=\"claims.csv\"")
        .header("cache-control", "no-store");
    if let Some(cursor) = next_cursor {
        builder = builder.header("next-cursor", cursor);
    }
    builder.body(Body::Text(body)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Status;
    use crate::testing::{claim_in_at, monday};

    fn labels() -> Labels {
        Labels {
            text: crate::i18n::Text::new(crate::domain::Language::Fr, chrono_tz::Tz::UTC),
            policy: std::sync::Arc::new(crate::domain::DeadlinePolicy::default()),
        }
    }

    #[test]
    fn fields_are_quoted_only_when_they_must_be_and_typed_text_never_runs() {
        let mut out = String::new();
        field(&mut out, "plain");
        field(&mut out, "a,b");
        field(&mut out, "say \"hi\"");
        field(&mut out, "two\r\nlines");
        assert_eq!(out, "plain\"a,b\"\"say \"\"hi\"\"\"\"two\r\nlines\"");
        for formula in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(typed(formula).starts_with('\''), "{formula:?}");
        }
        assert_eq!(typed("Contoso rollout"), "Contoso rollout");
    }

    #[test]
    fn a_claim_is_one_row_under_the_header_in_the_readers_language() {
        let (claim, _) = claim_in_at(Status::Submitted, monday());
        let due = claim.due_at().unwrap();
        let text = claims(
            std::slice::from_ref(&claim),
            &labels(),
            due + chrono::Duration::hours(1),
        );
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines.len(), 3, "header, one row, the final CRLF");
        assert_eq!(lines[0], COLUMNS.join(","));
        assert!(lines[1].starts_with(&claim.id().to_string()));
        assert!(lines[1].contains(",submitted,Envoyée,"), "{}", lines[1]);
        assert!(lines[1].ends_with(",true"), "overdue: {}", lines[1]);
        assert_eq!(lines[2], "");
    }

    #[test]
    fn csv_is_wanted_only_when_accepted() {
        let with = |accept: &str| {
            let mut req = Request::default();
            req.headers_mut().insert("accept", accept.parse().unwrap());
            wanted(&req)
        };
        assert!(with("text/csv"));
        assert!(with("application/json;q=0.5, text/csv"));
        assert!(!with("application/json"));
        assert!(!with("text/csv;q=0, application/json"));
        assert!(!wanted(&Request::default()));
    }
}

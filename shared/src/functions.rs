//! The function manifest: one row per Lambda, the single source of what each function is and
//! may do. Its HTTP routes are in [`crate::routes::ROUTES`]; everything else is here.
//!
//! Read by: the wiring at cold start (which keys to load), the local stack (which handler a
//! route reaches), `infra/template.py` through `infra/functions.json` (roles, environment,
//! triggers — written by `cargo run -p cpor --example manifest`, drift-checked by a test), and
//! `tests/infra.rs`, which checks every row against the function's Cargo features, its `Wired`
//! type and the IAM the template grants.

use crate::routes::{ROUTES, Route};
use serde::Serialize;

/// A port a function wires to a real adapter (the others are `Unwired` in its type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Port {
    /// DynamoDB: claims, history, outbox, locks, idempotency.
    Store,
    /// S3: proof-of-execution documents.
    Poe,
    /// SES v2: emails.
    Mail,
    /// EventBridge Scheduler: one-time deadline schedules.
    Schedules,
    /// EventBridge: domain events on the bus.
    Events,
}

impl Port {
    pub const ALL: [Port; 5] = [
        Port::Store,
        Port::Poe,
        Port::Mail,
        Port::Schedules,
        Port::Events,
    ];

    /// The `cpor` Cargo feature that links this port's SDK crate.
    pub const fn feature(self) -> &'static str {
        match self {
            Port::Store => "dynamodb",
            Port::Poe => "s3",
            Port::Mail => "ses",
            Port::Schedules => "scheduler",
            Port::Events => "eventbridge",
        }
    }
}

/// What a function does with the proof-of-execution bucket (each is an IAM action set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PoeUse {
    /// Presigns uploads, which carry the `cpor-upload=pending` tag.
    Upload,
    /// Reads objects: HeadObject at submit, presigned downloads.
    Read,
    /// Tags uploads `attached` once their claim relies on them.
    Tag,
}

/// Which token keys (`CPOR_TOKEN_KEYS`) a function needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Keys {
    None,
    /// Seals and opens list cursors only: no consent-link settings.
    Cursors,
    /// Signs or reads consent links (and renders emails with links): the link settings too.
    ConsentLinks,
}

/// How a function is invoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Trigger {
    /// API Gateway routes ([`Function::routes`]).
    Http,
    /// EventBridge Scheduler (asynchronous invocation, with a dead-letter queue).
    Schedule,
    /// SES bounce and complaint reports: the configuration set's EventBridge destination (the
    /// default bus), a rule on it (asynchronous invocation, with a dead-letter queue).
    EmailFeedback,
}

impl Trigger {
    /// Invoked asynchronously: retried, with a dead-letter queue it may write to.
    pub fn is_async(self) -> bool {
        matches!(self, Self::Schedule | Self::EmailFeedback)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Function {
    /// The crate, binary and Lambda function name.
    pub name: &'static str,
    pub trigger: Trigger,
    /// The ports wired to real adapters; the function links exactly their SDK crates.
    pub ports: &'static [Port],
    /// Whether it changes the table (else it only reads).
    pub writes: bool,
    pub poe: &'static [PoeUse],
    pub keys: Keys,
}

use Keys::{ConsentLinks, Cursors};
use Port::{Events, Mail, Poe, Schedules, Store};

const fn http(
    name: &'static str,
    ports: &'static [Port],
    writes: bool,
    poe: &'static [PoeUse],
    keys: Keys,
) -> Function {
    Function {
        name,
        trigger: Trigger::Http,
        ports,
        writes,
        poe,
        keys,
    }
}

/// Writes that deliver nothing themselves: the outbox hands emails and schedules to the sweep.
const RECORDS: &[Port] = &[Store, Events];
/// Writes whose outcome may email the customer or partner and start or stop a deadline.
const NOTIFIES: &[Port] = &[Store, Mail, Schedules, Events];
/// Writes whose outcome emails someone but starts or stops no deadline.
const MAILS: &[Port] = &[Store, Mail, Events];
const READS: &[Port] = &[Store];

/// Every function, by name.
pub const FUNCTIONS: &[Function] = &[
    http("add-comment", MAILS, true, &[], ConsentLinks),
    http("cancel-claim", RECORDS, true, &[], Keys::None),
    http("consent-callback", NOTIFIES, true, &[], ConsentLinks),
    http("create-claim", RECORDS, true, &[], Keys::None),
    Function {
        name: "deadline-sweep",
        trigger: Trigger::Schedule,
        ports: &Port::ALL,
        writes: true,
        poe: &[PoeUse::Tag],
        keys: ConsentLinks,
    },
    http("disassociate-claim", NOTIFIES, true, &[], ConsentLinks),
    http("dispute-claim", NOTIFIES, true, &[], ConsentLinks),
    http(
        "download-poe",
        &[Store, Poe],
        false,
        &[PoeUse::Read],
        Keys::None,
    ),
    Function {
        name: "email-feedback",
        trigger: Trigger::EmailFeedback,
        ports: MAILS,
        writes: true,
        poe: &[],
        keys: ConsentLinks,
    },
    http("get-claim", READS, false, &[], Keys::None),
    http("get-history", READS, false, &[], Keys::None),
    http("list-claims", READS, false, &[], Cursors),
    http("poe-template", &[], false, &[], Keys::None),
    http(
        "presign-poe-upload",
        &[Store, Poe, Events],
        true,
        &[PoeUse::Upload],
        Keys::None,
    ),
    http("resend-consent", MAILS, true, &[], ConsentLinks),
    http("review-decision", NOTIFIES, true, &[], ConsentLinks),
    http(
        "submit-claim",
        &Port::ALL,
        true,
        &[PoeUse::Read, PoeUse::Tag],
        ConsentLinks,
    ),
    http("update-claim", RECORDS, true, &[], Keys::None),
    http("withdraw-claim", NOTIFIES, true, &[], ConsentLinks),
];

impl Function {
    /// The manifest row of a function. `cpor::http_function!` evaluates it in a constant, so a
    /// function missing from the manifest does not compile, and its binary carries its own row
    /// only; elsewhere (the local stack, tests) a missing name panics.
    pub const fn named(name: &str) -> Function {
        let mut i = 0;
        while i < FUNCTIONS.len() {
            if same(FUNCTIONS[i].name, name) {
                return FUNCTIONS[i];
            }
            i += 1;
        }
        panic!("a function is missing from the function manifest (cpor::functions::FUNCTIONS)")
    }

    /// Its HTTP API routes.
    pub fn routes(&self) -> impl Iterator<Item = &'static Route> + use<'_> {
        ROUTES.iter().filter(move |r| r.function == self.name)
    }

    pub fn uses(&self, port: Port) -> bool {
        self.ports.contains(&port)
    }

    /// The `cpor` Cargo features the function's crate must enable, exactly.
    pub fn features(&self) -> Vec<&'static str> {
        let mut out = vec!["http"];
        out.extend(self.ports.iter().map(|p| p.feature()));
        out
    }
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The manifest as JSON for the deployment template (`infra/functions.json`).
pub fn manifest_json() -> String {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Row {
        #[serde(flatten)]
        function: Function,
        routes: Vec<JsonRoute>,
    }
    #[derive(Serialize)]
    struct JsonRoute {
        method: &'static str,
        path: &'static str,
        public: bool,
    }
    let rows: Vec<Row> = FUNCTIONS
        .iter()
        .map(|f| Row {
            function: *f,
            routes: f
                .routes()
                .map(|r| JsonRoute {
                    method: r.method,
                    path: r.path,
                    public: r.auth == crate::routes::Auth::Public,
                })
                .collect(),
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&rows).unwrap_or_default();
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_routed_function_is_in_the_manifest_once_and_sorted() {
        let names: Vec<&str> = FUNCTIONS.iter().map(|f| f.name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted, "sorted, each once");
        for r in ROUTES {
            assert_eq!(Function::named(r.function).trigger, Trigger::Http);
        }
        for f in FUNCTIONS {
            assert_eq!(
                f.routes().next().is_some(),
                f.trigger == Trigger::Http,
                "{}: HTTP functions have routes, the others none",
                f.name
            );
            assert_eq!(
                !f.poe.is_empty(),
                f.uses(Port::Poe),
                "{}: bucket uses iff the PoE port",
                f.name
            );
            assert!(
                !f.writes || f.uses(Port::Store),
                "{}: writes need the store",
                f.name
            );
        }
    }
}

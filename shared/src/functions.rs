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
    /// Reads the reference data documents dropped under `reference/`.
    Reference,
}

/// Which token keys (`CPOR_TOKEN_KEYS`) a function needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Keys {
    None,
    /// The key ring only: seals and opens list cursors, opens consent links.
    Ring,
    /// Signs consent links into the emails it renders: the link settings too.
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
    /// The table's stream: an event source mapping filtered to new outbox entries
    /// ([`OUTBOX_STREAM`]), with partial batch responses and an on-failure queue.
    OutboxStream,
    /// The bucket's "Object Created" events under `reference/`, sent to EventBridge (the
    /// default bus), a rule on it (asynchronous invocation, with a dead-letter queue).
    ReferenceUpload,
}

impl Trigger {
    /// Invoked asynchronously: retried, with a dead-letter queue it may write to.
    pub fn is_async(self) -> bool {
        matches!(
            self,
            Self::Schedule | Self::EmailFeedback | Self::ReferenceUpload
        )
    }
}

/// How `deliver-outbox` reads the table's stream: Lambda's event source mapping, in the
/// template, and the local stack's emulation of it (the same values, from here).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamSource {
    /// Lambda's `FilterCriteria` pattern: only records of outbox entries being written for the
    /// first time reach the function — not claims, not an entry's later updates (lease,
    /// delivered), not deletions by TTL.
    pub filter: &'static str,
    /// Records per invocation: a commit writes a handful of entries, delivered concurrently.
    pub batch_size: u32,
    /// Retries of a batch with failed records (then the on-failure queue; the sweep still
    /// delivers the entry when its grace ends).
    pub maximum_retry_attempts: u32,
    /// Records older than this go to the on-failure queue instead (the sweep has them by then).
    pub maximum_record_age_seconds: u32,
    /// On a function error, retry each half of the batch apart.
    pub bisect_batch_on_function_error: bool,
}

pub const OUTBOX_STREAM: StreamSource = StreamSource {
    filter: r#"{"eventName":["INSERT"],"dynamodb":{"NewImage":{"itemType":{"S":["outbox"]}}}}"#,
    batch_size: 10,
    maximum_retry_attempts: 5,
    maximum_record_age_seconds: 600,
    bisect_batch_on_function_error: true,
};

/// Where reference data documents are dropped in the bucket.
pub const REFERENCE_PREFIX: &str = "reference/";

/// The EventBridge pattern of `import-reference-data`'s rule on the default bus: the bucket's
/// "Object Created" events under [`REFERENCE_PREFIX`] (the template and the local stack use
/// it). A struct, so it serialises in one field order whatever `serde_json`'s map features.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventPattern<B> {
    source: [&'static str; 1],
    #[serde(rename = "detail-type")]
    detail_type: [&'static str; 1],
    detail: PatternDetail<B>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct PatternDetail<B> {
    bucket: BucketName<B>,
    object: ObjectKey,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct BucketName<B> {
    name: [B; 1],
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct ObjectKey {
    key: [KeyPrefix; 1],
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct KeyPrefix {
    prefix: &'static str,
}

pub fn reference_upload_pattern<B: Serialize>(bucket: B) -> EventPattern<B> {
    EventPattern {
        source: ["aws.s3"],
        detail_type: ["Object Created"],
        detail: PatternDetail {
            bucket: BucketName { name: [bucket] },
            object: ObjectKey {
                key: [KeyPrefix {
                    prefix: REFERENCE_PREFIX,
                }],
            },
        },
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

use Keys::{ConsentLinks, Ring};
use Port::{Poe, Store};

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

/// The table: a function that changes a claim commits the change with its side effects as
/// outbox entries and answers; `deliver-outbox` sends them from the table's stream.
const STORE: &[Port] = &[Store];
/// The outbox's deliverers: the stream's function and the sweep (the backstop) send emails,
/// create and delete schedules, publish events and tag the PoE a claim relies on.
const DELIVERS: &[Port] = &Port::ALL;

/// Every function, by name.
pub const FUNCTIONS: &[Function] = &[
    http("add-comment", STORE, true, &[], Keys::None),
    http("cancel-claim", STORE, true, &[], Keys::None),
    http("cancel-engagement-claim", STORE, true, &[], Keys::None),
    http("check-eligibility", STORE, false, &[], Keys::None),
    http("consent-callback", STORE, true, &[], Ring),
    http("create-claim", STORE, true, &[], Keys::None),
    Function {
        name: "deadline-sweep",
        trigger: Trigger::Schedule,
        ports: DELIVERS,
        writes: true,
        poe: &[PoeUse::Tag],
        keys: ConsentLinks,
    },
    Function {
        name: "deliver-outbox",
        trigger: Trigger::OutboxStream,
        ports: DELIVERS,
        writes: true,
        poe: &[PoeUse::Tag],
        keys: ConsentLinks,
    },
    http("disassociate-claim", STORE, true, &[], Keys::None),
    http(
        "dispute-claim",
        &[Store, Poe],
        true,
        &[PoeUse::Read],
        Keys::None,
    ),
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
        ports: STORE,
        writes: true,
        poe: &[],
        keys: Keys::None,
    },
    http("get-claim", STORE, false, &[], Keys::None),
    http("get-engagement-claim", STORE, false, &[], Keys::None),
    http("get-engagement-history", STORE, false, &[], Keys::None),
    http("get-history", STORE, false, &[], Keys::None),
    http("get-referral", STORE, false, &[], Keys::None),
    Function {
        name: "import-reference-data",
        trigger: Trigger::ReferenceUpload,
        ports: &[Store, Poe],
        writes: true,
        poe: &[PoeUse::Reference],
        keys: Keys::None,
    },
    http("list-claims", STORE, false, &[], Ring),
    http("list-engagement-claims", STORE, false, &[], Ring),
    http("list-engagement-customers", STORE, false, &[], Ring),
    http("list-engagements", STORE, false, &[], Keys::None),
    http("poe-template", &[], false, &[], Keys::None),
    http(
        "presign-poe-upload",
        &[Store, Poe],
        true,
        &[PoeUse::Upload],
        Keys::None,
    ),
    http("quote-engagement", STORE, false, &[], Keys::None),
    http("register-engagement-claims", STORE, true, &[], Keys::None),
    http("remove-poe", STORE, true, &[], Keys::None),
    http(
        "renew-poe-upload",
        &[Store, Poe],
        false,
        &[PoeUse::Read, PoeUse::Upload],
        Keys::None,
    ),
    http("request-engagement-consent", STORE, true, &[], Keys::None),
    http("resend-consent", STORE, true, &[], Keys::None),
    http("resend-engagement-consent", STORE, true, &[], Keys::None),
    http(
        "review-decision",
        &[Store, Poe],
        true,
        &[PoeUse::Read],
        Keys::None,
    ),
    http("review-engagement-claim", STORE, true, &[], Keys::None),
    http(
        "submit-claim",
        &[Store, Poe],
        true,
        &[PoeUse::Read],
        Keys::None,
    ),
    http("submit-engagement-claim", STORE, true, &[], Keys::None),
    http("update-claim", STORE, true, &[], Keys::None),
    http("update-engagement-claim", STORE, true, &[], Keys::None),
    http("withdraw-claim", STORE, true, &[], Keys::None),
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
        // the token keys are read from Secrets Manager
        if self.keys != Keys::None {
            out.push("secrets");
        }
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

/// `{"Ref": "PoeBucket"}`: the bucket, as the template names it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PoeBucketRef {
    #[serde(rename = "Ref")]
    r#ref: &'static str,
}

/// The manifest as JSON for the deployment template (`infra/functions.json`).
pub fn manifest_json() -> String {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Row {
        #[serde(flatten)]
        function: Function,
        routes: Vec<JsonRoute>,
        #[serde(skip_serializing_if = "Option::is_none")]
        stream: Option<StreamSource>,
        /// The rule's event pattern, the bucket named by the template's `PoeBucket`.
        #[serde(skip_serializing_if = "Option::is_none")]
        event_pattern: Option<EventPattern<PoeBucketRef>>,
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
            stream: (f.trigger == Trigger::OutboxStream).then_some(OUTBOX_STREAM),
            event_pattern: (f.trigger == Trigger::ReferenceUpload)
                .then(|| reference_upload_pattern(PoeBucketRef { r#ref: "PoeBucket" })),
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

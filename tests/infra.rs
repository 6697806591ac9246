//! The function manifest (`cpor::functions`) against everything that restates it: each crate's
//! Cargo features, each function's `Wired` type, `infra/functions.json` and the deployment
//! template generated from it — every function crate has its function and the reverse, the
//! HTTP API's routes are exactly `cpor::routes::ROUTES` (which the README's table is generated
//! from), and every role grants exactly what its manifest row says. cfn-lint checks the
//! template itself in CI (`make infra-check`).

use cpor::functions::{FUNCTIONS, Function, Keys, PoeUse, Port, Trigger};
use cpor::routes::{Auth, ROUTES};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn template() -> Value {
    let text =
        std::fs::read_to_string(root().join("infra/template.json")).expect("infra/template.json");
    serde_json::from_str(&text).expect("template is JSON")
}

fn crates() -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for dir in std::fs::read_dir(root().join("functions")).expect("functions/") {
        let dir = dir.expect("entry").path();
        let Ok(toml) = std::fs::read_to_string(dir.join("Cargo.toml")) else {
            continue;
        };
        let name = dir
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let line = toml
            .lines()
            .find(|l| l.starts_with("cpor = "))
            .expect("cpor dependency");
        let feats = line
            .split("features = [")
            .nth(1)
            .and_then(|r| r.split(']').next())
            .unwrap_or_default()
            .split(',')
            .map(|f| f.trim().trim_matches('"').to_owned())
            .filter(|f| !f.is_empty())
            .collect();
        out.insert(name, feats);
    }
    out
}

/// The function resources: crate name → resource.
fn functions(t: &Value) -> BTreeMap<String, (String, Value)> {
    t["Resources"]
        .as_object()
        .expect("resources")
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Serverless::Function")
        .map(|(id, r)| {
            let binary = r["Metadata"]["BuildProperties"]["Binary"]
                .as_str()
                .expect("Binary")
                .to_owned();
            (binary, (id.clone(), r.clone()))
        })
        .collect()
}

#[test]
fn the_manifest_json_is_up_to_date() {
    let text =
        std::fs::read_to_string(root().join("infra/functions.json")).expect("infra/functions.json");
    assert!(
        text == cpor::functions::manifest_json(),
        "infra/functions.json is stale: cargo run -p cpor --example manifest > infra/functions.json"
    );
}

#[test]
fn the_openapi_document_is_up_to_date() {
    let text =
        std::fs::read_to_string(root().join("docs/openapi.json")).expect("docs/openapi.json");
    let committed: Value = serde_json::from_str(&text).expect("docs/openapi.json is JSON");
    assert!(
        committed == cpor::openapi::document(),
        "docs/openapi.json is stale: cargo run -p cpor --features openapi --example openapi > docs/openapi.json"
    );
}

#[test]
fn the_portal_catalogue_is_up_to_date() {
    let text = std::fs::read_to_string(root().join("portal/catalogue.json"))
        .expect("portal/catalogue.json");
    let committed: Value = serde_json::from_str(&text).expect("portal/catalogue.json is JSON");
    assert!(
        committed == cpor::portal::catalogue(),
        "portal/catalogue.json is stale: cargo run -p cpor --features openapi --example portal_catalogue > portal/catalogue.json"
    );
}

#[test]
fn each_crate_enables_exactly_the_features_of_its_manifest_ports() {
    let crates = crates();
    let names: BTreeSet<&str> = crates.keys().map(String::as_str).collect();
    let listed: BTreeSet<&str> = FUNCTIONS.iter().map(|f| f.name).collect();
    assert_eq!(names, listed, "function crates vs manifest");
    for f in FUNCTIONS {
        let expected: BTreeSet<String> = f.features().iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(crates[f.name], expected, "{}: cpor features", f.name);
    }
}

#[test]
fn each_function_is_wired_with_exactly_its_manifest_ports() {
    let wired = cpor_local::functions::wired_ports();
    assert_eq!(wired.len(), FUNCTIONS.len());
    for (name, ports) in wired {
        assert_eq!(
            ports,
            Function::named(name).ports,
            "{name}: its Wired type vs its manifest row"
        );
    }
}

#[test]
fn the_generated_template_is_up_to_date() {
    let status = std::process::Command::new("python3")
        .arg(root().join("infra/template.py"))
        .arg("--check")
        .status()
        .expect("python3");
    assert!(
        status.success(),
        "infra/template.json is stale: run python3 infra/template.py"
    );
}

#[test]
fn every_crate_has_its_function_and_every_function_its_crate() {
    let t = template();
    let fns = functions(&t);
    let crates = crates();
    let a: BTreeSet<&String> = fns.keys().collect();
    let b: BTreeSet<&String> = crates.keys().collect();
    assert_eq!(a, b, "function resources vs crates");
    for (name, (_, r)) in &fns {
        let p = &r["Properties"];
        assert_eq!(
            p["FunctionName"]["Fn::Sub"],
            format!("${{NamePrefix}}{name}"),
            "{name}: same name as its crate"
        );
        assert_eq!(p["Runtime"], "provided.al2023");
        assert_eq!(p["Architectures"], serde_json::json!(["arm64"]));
        assert_eq!(r["Metadata"]["BuildMethod"], "rust-cargolambda");
        assert!(
            p["MemorySize"].as_u64().is_some() && p["Timeout"].as_u64().is_some(),
            "{name}: sized"
        );
        assert!(
            p["LoggingConfig"]["LogGroup"]["Ref"].is_string(),
            "{name}: its own log group"
        );
    }
    let mut expected: Vec<&str> = cpor::routes::functions();
    expected.sort_unstable();
    assert_eq!(a.iter().map(|s| s.as_str()).collect::<Vec<_>>(), expected);
}

#[test]
fn the_api_routes_are_exactly_the_route_table() {
    let t = template();
    let mut in_template = BTreeSet::new();
    for (name, (_, r)) in functions(&t) {
        let Some(events) = r["Properties"]["Events"].as_object() else {
            continue;
        };
        for ev in events.values() {
            assert_eq!(ev["Type"], "HttpApi");
            let p = &ev["Properties"];
            let public = p["Auth"]["Authorizer"] == "NONE";
            in_template.insert((
                p["Method"].as_str().expect("method").to_owned(),
                p["Path"].as_str().expect("path").to_owned(),
                name.clone(),
                public,
            ));
        }
    }
    let in_code: BTreeSet<(String, String, String, bool)> = ROUTES
        .iter()
        .map(|r| {
            (
                r.method.to_owned(),
                r.path.to_owned(),
                r.function.to_owned(),
                r.auth == Auth::Public,
            )
        })
        .collect();
    assert_eq!(in_template, in_code);
    let api = &t["Resources"]["HttpApi"]["Properties"];
    assert_eq!(
        api["Auth"]["DefaultAuthorizer"], "Jwt",
        "every other route needs a JWT"
    );
    let cors = &api["CorsConfiguration"];
    assert_eq!(
        cors["AllowOrigins"],
        serde_json::json!([{"Ref": "PortalOrigin"}])
    );
    // the local front answers CORS from the same configuration (tests/e2e_gateway.rs)
    let c = &cpor::routes::CORS;
    assert_eq!(cors["AllowMethods"], serde_json::json!(c.allow_methods));
    assert_eq!(cors["AllowHeaders"], serde_json::json!(c.allow_headers));
    assert_eq!(cors["ExposeHeaders"], serde_json::json!(c.expose_headers));
    assert_eq!(cors["MaxAge"], serde_json::json!(c.max_age_seconds));
}

fn statements(role: &Value) -> Vec<Value> {
    role["Properties"]["Policies"]
        .as_array()
        .expect("policies")
        .iter()
        .flat_map(|p| {
            p["PolicyDocument"]["Statement"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .collect()
}

fn actions(s: &Value) -> Vec<String> {
    match &s["Action"] {
        Value::String(a) => vec![a.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => vec![],
    }
}

#[test]
fn every_role_grants_exactly_what_its_manifest_row_says() {
    let t = template();
    let mut checked = 0;
    for (name, (id, r)) in functions(&t) {
        let f = Function::named(&name);
        let role_id = id.trim_end_matches("Function").to_owned() + "Role";
        let role = &t["Resources"][&role_id];
        assert_eq!(role["Type"], "AWS::IAM::Role", "{name}: its own role");
        let mut granted = BTreeSet::new();
        for s in statements(role) {
            assert_eq!(s["Effect"], "Allow");
            let resource = s["Resource"].to_string();
            assert!(!resource.contains("\"*\""), "{name}: a * resource in {s}");
            for a in actions(&s) {
                assert!(
                    !a.ends_with(":*") && a != "*",
                    "{name}: wildcard action {a}"
                );
                let service = a.split(':').next().unwrap_or_default();
                let allowed = match service {
                    "logs" => true,
                    "dynamodb" if STREAM_READ.contains(&a.as_str()) => {
                        // the event source mapping reads the table's stream with the role
                        f.trigger == Trigger::OutboxStream && resource.contains("StreamArn")
                    }
                    "dynamodb" => {
                        assert!(
                            resource.contains("ClaimsTable"),
                            "{name}: DynamoDB beyond the table: {resource}"
                        );
                        f.uses(Port::Store) && (DDB_READS.contains(&a.as_str()) || f.writes)
                    }
                    "s3" if a == "s3:ListBucket" => {
                        // the bucket itself, only under the prefix whose objects it reads
                        let prefix = &s["Condition"]["StringLike"]["s3:prefix"];
                        resource.contains("PoeBucket")
                            && !resource.contains("/claims/")
                            && ((f.poe.contains(&PoeUse::Read) && *prefix == json!(["claims/*"]))
                                || (f.poe.contains(&PoeUse::Reference)
                                    && *prefix == json!(["reference/*"])))
                    }
                    "s3" => {
                        resource.contains("PoeBucket")
                            && f.poe.iter().any(|u| {
                                poe_actions(*u).contains(&a.as_str())
                                    && resource.contains(poe_prefix(*u))
                            })
                    }
                    "ses" => f.uses(Port::Mail) && a == "ses:SendEmail",
                    "scheduler" => f.uses(Port::Schedules),
                    "iam" => {
                        f.uses(Port::Schedules)
                            && a == "iam:PassRole"
                            && resource.contains("SchedulerRole")
                    }
                    "events" => {
                        f.uses(Port::Events)
                            && a == "events:PutEvents"
                            && resource.contains("EventBus")
                    }
                    "secretsmanager" => {
                        f.keys != Keys::None
                            && a == "secretsmanager:GetSecretValue"
                            && resource.contains("TokenKeysSecretArn")
                    }
                    "sqs" => {
                        (f.trigger.is_async() && resource.contains("AsyncDeadLetterQueue"))
                            || (f.trigger == Trigger::OutboxStream
                                && resource.contains("StreamDeadLetterQueue"))
                    }
                    _ => false,
                };
                assert!(allowed, "{name} may not have {a} on {resource}");
                granted.insert(a);
                checked += 1;
            }
        }
        // ... and everything it needs: a port without its permission fails on AWS only.
        let mut needed: Vec<&str> = Vec::new();
        if f.uses(Port::Store) {
            needed.extend(DDB_READS);
        }
        if f.writes {
            // TransactWriteItems is authorised action by action
            needed.extend([
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:DeleteItem",
            ]);
            needed.push("dynamodb:ConditionCheckItem");
        }
        if f.poe.contains(&PoeUse::Reference) {
            // a dataset is written in batches
            needed.push("dynamodb:BatchWriteItem");
        }
        needed.extend(f.poe.iter().flat_map(|u| poe_actions(*u)));
        if f.poe.contains(&PoeUse::Read) || f.poe.contains(&PoeUse::Reference) {
            // a missing object must answer 404, not 403 (HeadObject at submit, GetObject)
            needed.push("s3:ListBucket");
        }
        if f.uses(Port::Mail) {
            needed.push("ses:SendEmail");
        }
        if f.uses(Port::Schedules) {
            needed.extend(["scheduler:CreateSchedule", "scheduler:DeleteSchedule"]);
        }
        if f.uses(Port::Events) {
            needed.push("events:PutEvents");
        }
        if f.trigger == Trigger::OutboxStream {
            needed.extend(STREAM_READ);
            needed.push("sqs:SendMessage");
        }
        if f.keys != Keys::None {
            needed.push("secretsmanager:GetSecretValue");
        }
        for a in needed {
            assert!(granted.contains(a), "{name} lacks {a}");
        }
        let env = &r["Properties"]["Environment"]["Variables"];
        // the keys' secret by name only: no secret value in any environment (readable with
        // lambda:GetFunctionConfiguration), no dynamic reference resolved into one
        assert_eq!(
            env.get("CPOR_TOKEN_KEYS_SECRET").is_some(),
            f.keys != Keys::None,
            "{name}: token keys"
        );
        assert!(
            env.get("CPOR_TOKEN_KEYS").is_none(),
            "{name}: keys in the environment"
        );
        assert!(!env.to_string().contains("{{resolve:"), "{name}: {env}");
        assert_eq!(
            env.get("CPOR_CONSENT_BASE_URL").is_some(),
            f.keys == Keys::ConsentLinks,
            "{name}: consent-link settings only where links are made"
        );
    }
    assert!(checked > 40);
}

/// What Lambda's event source mapping needs to read a DynamoDB stream.
const STREAM_READ: [&str; 4] = [
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
];

#[test]
fn api_functions_commit_and_answer_and_the_stream_delivers() {
    // No HTTP or feedback function sends an email, touches a schedule or publishes an event:
    // they commit outbox entries; deliver-outbox (and the sweep, the backstop) deliver them.
    for f in FUNCTIONS {
        let delivers = [Port::Mail, Port::Schedules, Port::Events]
            .iter()
            .any(|p| f.uses(*p));
        assert_eq!(
            delivers,
            ["deliver-outbox", "deadline-sweep"].contains(&f.name),
            "{}",
            f.name
        );
        assert!(!f.poe.contains(&PoeUse::Tag) || delivers, "{}", f.name);
    }
    // The table has a stream of new images, mapped to deliver-outbox as the manifest says.
    let t = template();
    assert_eq!(
        t["Resources"]["ClaimsTable"]["Properties"]["StreamSpecification"]["StreamViewType"],
        "NEW_IMAGE"
    );
    let mappings: Vec<&Value> = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::Lambda::EventSourceMapping")
        .collect();
    assert_eq!(mappings.len(), 1);
    let m = &mappings[0]["Properties"];
    let stream = cpor::functions::OUTBOX_STREAM;
    assert_eq!(
        m["EventSourceArn"],
        json!({"Fn::GetAtt": ["ClaimsTable", "StreamArn"]})
    );
    assert_eq!(m["FunctionName"], json!({"Ref": "DeliverOutboxFunction"}));
    assert_eq!(
        m["FunctionResponseTypes"],
        json!(["ReportBatchItemFailures"])
    );
    assert_eq!(m["FilterCriteria"]["Filters"][0]["Pattern"], stream.filter);
    assert_eq!(m["BatchSize"], stream.batch_size);
    assert_eq!(m["MaximumRetryAttempts"], stream.maximum_retry_attempts);
    assert_eq!(
        m["MaximumRecordAgeInSeconds"],
        stream.maximum_record_age_seconds
    );
    assert_eq!(m["BisectBatchOnFunctionError"], true);
    assert_eq!(
        m["DestinationConfig"]["OnFailure"]["Destination"],
        json!({"Fn::GetAtt": ["StreamDeadLetterQueue", "Arn"]})
    );
    assert_eq!(
        t["Resources"]["StreamDeadLetterQueueDepth"]["Properties"]["AlarmActions"],
        json!([{"Ref": "AlarmTopic"}])
    );
    // The lease outlives both deliverers' timeouts: a live delivery never loses it.
    for deliverer in ["DeliverOutboxFunction", "DeadlineSweepFunction"] {
        let timeout = t["Resources"][deliverer]["Properties"]["Timeout"]
            .as_i64()
            .unwrap();
        assert!(
            cpor::outbox::DELIVERY_LEASE.num_seconds() > timeout,
            "{deliverer}"
        );
    }
}

fn poe_actions(u: PoeUse) -> &'static [&'static str] {
    match u {
        PoeUse::Upload => &["s3:PutObject", "s3:PutObjectTagging"],
        PoeUse::Read | PoeUse::Reference => &["s3:GetObject"],
        PoeUse::Tag => &["s3:PutObjectTagging"],
    }
}

/// Where in the bucket each use applies.
fn poe_prefix(u: PoeUse) -> &'static str {
    match u {
        PoeUse::Reference => "/reference/*",
        _ => "/claims/*",
    }
}

/// What every function with the table may do: read items, batches of items, query.
const DDB_READS: [&str; 3] = [
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
];

#[test]
fn data_is_protected() {
    let t = template();
    let table = &t["Resources"]["ClaimsTable"];
    assert_eq!(table["DeletionPolicy"], "Retain");
    assert_eq!(table["Properties"]["DeletionProtectionEnabled"], true);
    assert_eq!(
        table["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"],
        true
    );
    let indexes: BTreeSet<&str> = table["Properties"]["GlobalSecondaryIndexes"]
        .as_array()
        .expect("indexes")
        .iter()
        .filter_map(|i| i["IndexName"].as_str())
        .collect();
    assert_eq!(
        indexes,
        BTreeSet::from(["byOrg", "byOrgStatus", "byOrgStatusDue", "queue", "due"])
    );
    let bucket = &t["Resources"]["PoeBucket"]["Properties"];
    let block = &bucket["PublicAccessBlockConfiguration"];
    for k in [
        "BlockPublicAcls",
        "BlockPublicPolicy",
        "IgnorePublicAcls",
        "RestrictPublicBuckets",
    ] {
        assert_eq!(block[k], true, "{k}");
    }
    assert!(bucket["BucketEncryption"].is_object());
    // the portal's browser uploads straight to the bucket; the local stack puts the same rule
    // on moto's bucket (cpor_local::provision::allow_uploads_from)
    let rule = &bucket["CorsConfiguration"]["CorsRules"][0];
    let c = &cpor::routes::UPLOAD_CORS;
    assert_eq!(
        rule["AllowedOrigins"],
        serde_json::json!([{"Ref": "PortalOrigin"}])
    );
    assert_eq!(rule["AllowedMethods"], serde_json::json!(c.allowed_methods));
    assert_eq!(rule["AllowedHeaders"], serde_json::json!(c.allowed_headers));
    assert_eq!(rule["MaxAge"], serde_json::json!(c.max_age_seconds));
    let policy = t["Resources"]["PoeBucketPolicy"].to_string();
    assert!(policy.contains("aws:SecureTransport"), "TLS only");
}

#[test]
fn ses_reports_reach_the_email_feedback_function_and_nothing_else() {
    let t = template();
    let resources = t["Resources"].as_object().expect("resources");
    let feedback: Vec<&Function> = FUNCTIONS
        .iter()
        .filter(|f| f.trigger == Trigger::EmailFeedback)
        .collect();
    assert_eq!(feedback.len(), 1);
    // the configuration set publishes bounces and complaints to the default bus
    let destination = resources
        .values()
        .find(|r| r["Type"] == "AWS::SES::ConfigurationSetEventDestination")
        .expect("an event destination");
    let d = &destination["Properties"]["EventDestination"];
    assert_eq!(d["MatchingEventTypes"], json!(["BOUNCE", "COMPLAINT"]));
    assert!(
        d["EventBridgeDestination"]["EventBusArn"]
            .to_string()
            .contains("event-bus/default")
    );
    // one rule, on the default bus, for SES's two detail types of our set, targets it
    let rules: Vec<&Value> = resources
        .values()
        .filter(|r| r["Type"] == "AWS::Events::Rule")
        .filter(|r| r["Properties"]["EventPattern"]["source"] == json!(["aws.ses"]))
        .collect();
    assert_eq!(rules.len(), 1);
    let rule = &rules[0]["Properties"];
    assert_eq!(rule["EventBusName"], "default");
    assert_eq!(rule["EventPattern"]["source"], json!(["aws.ses"]));
    assert_eq!(
        rule["EventPattern"]["detail-type"],
        json!(["Email Bounced", "Email Complaint Received"])
    );
    assert!(
        rule["EventPattern"]["detail"]
            .to_string()
            .contains("EmailConfigurationSet")
    );
    let target = &rule["Targets"][0];
    assert!(target["Arn"].to_string().contains("EmailFeedbackFunction"));
    assert!(
        target["DeadLetterConfig"]["Arn"]
            .to_string()
            .contains("AsyncDeadLetterQueue")
    );
    // only that rule may invoke it
    let permission = &resources["EmailFeedbackPermission"];
    assert_eq!(
        permission["Properties"]["Principal"],
        "events.amazonaws.com"
    );
    assert!(
        permission["Properties"]["SourceArn"]
            .to_string()
            .contains("Rule")
    );
}

#[test]
fn reference_uploads_reach_the_import_function_through_the_default_bus_and_nothing_else() {
    let t = template();
    let r = &t["Resources"];
    let imports: Vec<&Function> = FUNCTIONS
        .iter()
        .filter(|f| f.trigger == Trigger::ReferenceUpload)
        .collect();
    assert_eq!(imports.len(), 1);
    // the bucket sends its events to EventBridge
    assert_eq!(
        r["PoeBucket"]["Properties"]["NotificationConfiguration"]["EventBridgeConfiguration"]["EventBridgeEnabled"],
        true
    );
    // a rule on the default bus with the manifest's pattern: objects created under reference/
    // in this bucket only
    let rule = &r["ImportReferenceDataRule"]["Properties"];
    assert_eq!(rule["EventBusName"], "default");
    assert_eq!(
        rule["EventPattern"],
        serde_json::to_value(cpor::functions::reference_upload_pattern(
            json!({"Ref": "PoeBucket"})
        ))
        .expect("a pattern")
    );
    let target = &rule["Targets"][0];
    assert!(
        target["Arn"]
            .to_string()
            .contains("ImportReferenceDataFunction")
    );
    assert!(
        target["DeadLetterConfig"]["Arn"]
            .to_string()
            .contains("AsyncDeadLetterQueue")
    );
    assert_eq!(
        r["ImportReferenceDataPermission"]["Properties"]["SourceArn"],
        json!({"Fn::GetAtt": ["ImportReferenceDataRule", "Arn"]})
    );
    // both rules may send what they give up on to the dead-letter queue, nobody else
    let sources = &r["AsyncDeadLetterQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
        ["Condition"]["ArnEquals"]["aws:SourceArn"];
    assert_eq!(
        sources,
        &json!([
            {"Fn::GetAtt": ["EmailFeedbackRule", "Arn"]},
            {"Fn::GetAtt": ["ImportReferenceDataRule", "Arn"]}
        ])
    );
    // the function reads documents under reference/ and nothing else of the bucket
    let role = r["ImportReferenceDataRole"].to_string();
    assert!(
        role.contains("${PoeBucket.Arn}/reference/*") && !role.contains("/claims/"),
        "{role}"
    );
}

/// The optional portal hosting: a private bucket that only the distribution reads (origin
/// access control, SigV4, the distribution's ARN in the policy), HTTPS only, and the same
/// Content-Security-Policy the local stack sends (`cpor::routes::portal_csp`).
#[test]
fn the_portal_is_hosted_privately_behind_cloudfront_with_the_local_csp() {
    let t = template();
    let r = &t["Resources"];
    for name in [
        "PortalBucket",
        "PortalOriginAccessControl",
        "PortalHeaders",
        "PortalDistribution",
        "PortalBucketPolicy",
    ] {
        assert_eq!(r[name]["Condition"], "HostPortal", "{name} is optional");
    }
    let block = &r["PortalBucket"]["Properties"]["PublicAccessBlockConfiguration"];
    assert!(
        block
            .as_object()
            .expect("public access block")
            .values()
            .all(|v| v == true)
    );
    let oac = &r["PortalOriginAccessControl"]["Properties"]["OriginAccessControlConfig"];
    assert_eq!(oac["SigningBehavior"], "always");
    assert_eq!(oac["OriginAccessControlOriginType"], "s3");
    let dist = &r["PortalDistribution"]["Properties"]["DistributionConfig"];
    assert_eq!(
        dist["Origins"][0]["OriginAccessControlId"]["Fn::GetAtt"][0],
        "PortalOriginAccessControl"
    );
    assert_eq!(
        dist["DefaultCacheBehavior"]["ViewerProtocolPolicy"],
        "redirect-to-https"
    );
    let statements = r["PortalBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .expect("statements")
        .clone();
    let read = &statements[0];
    assert_eq!(read["Principal"]["Service"], "cloudfront.amazonaws.com");
    assert_eq!(read["Action"], "s3:GetObject");
    assert!(
        read["Condition"]["StringEquals"]["AWS:SourceArn"]
            .to_string()
            .contains("${PortalDistribution}"),
        "only this distribution reads the bucket"
    );
    let csp = r["PortalHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]
        ["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
        .as_str()
        .expect("CSP")
        .to_owned();
    let connect = csp
        .split("connect-src 'self' ")
        .nth(1)
        .and_then(|rest| rest.split(';').next())
        .expect("connect-src");
    assert_eq!(
        csp,
        cpor::routes::portal_csp(connect),
        "one policy, two places"
    );
    for source in [
        "${HttpApi}.execute-api",
        "${PoeBucket}.s3",
        "${PortalSignInOrigins}",
    ] {
        assert!(connect.contains(source), "connect-src: {connect}");
    }
}

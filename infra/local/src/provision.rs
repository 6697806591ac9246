//! The local resources, created idempotently on moto: the table and its indexes, the PoE
//! bucket, the sender identity and configuration set, the event bus with a rule copying every
//! event to a queue (so events can be read back), and the schedule group; and the path of a
//! reference data upload: the bucket's events to EventBridge, a rule on the default bus for
//! objects created under `reference/` (the template's), a queue the local stack reads it from.

use aws_config::SdkConfig;
use cpor::aws::dynamo::DynamoStore;

/// Resource names. `local()` for `make run`; `unique()` gives each test its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    pub table: String,
    pub bucket: String,
    pub sender: String,
    /// Where partners' comments are sent for reviewers (`CPOR_REVIEWERS_EMAIL`).
    pub reviewers: String,
    pub configuration_set: String,
    pub bus: String,
    pub events_queue: String,
    /// Where the default bus's rule for reference data uploads sends them (see
    /// [`provision_reference`]).
    pub reference_queue: String,
    pub schedule_group: String,
    /// The Secrets Manager secret holding the token key ring (`CPOR_TOKEN_KEYS_SECRET`).
    pub token_keys: String,
}

impl Names {
    pub fn local() -> Self {
        Self::with_prefix("cpor-local")
    }

    pub fn unique() -> Self {
        Self::with_prefix(&format!(
            "t{}",
            &uuid::Uuid::new_v4().simple().to_string()[..10]
        ))
    }

    fn with_prefix(p: &str) -> Self {
        Self {
            table: p.to_owned(),
            bucket: format!("{p}-poe"),
            sender: format!("no-reply@{p}.cpor.example"),
            reviewers: format!("reviewers@{p}.cpor.example"),
            configuration_set: p.to_owned(),
            bus: p.to_owned(),
            events_queue: format!("{p}-events"),
            reference_queue: format!("{p}-reference"),
            schedule_group: p.to_owned(),
            token_keys: format!("{p}-token-keys"),
        }
    }
}

fn exists(e: &impl std::fmt::Debug) -> bool {
    let s = format!("{e:?}");
    s.contains("ResourceInUse")
        || s.contains("AlreadyExists")
        || s.contains("AlreadyOwnedByYou")
        || s.contains("Conflict")
}

/// Creates the queue (or finds it) and returns its URL and ARN.
async fn queue(
    config: &SdkConfig,
    name: &str,
    visibility_seconds: Option<&str>,
) -> Result<(String, String), String> {
    let sqs = aws_sdk_sqs::Client::new(config);
    let mut create = sqs.create_queue().queue_name(name);
    if let Some(v) = visibility_seconds {
        create = create.attributes(aws_sdk_sqs::types::QueueAttributeName::VisibilityTimeout, v);
    }
    let url = create
        .send()
        .await
        .map_err(|e| format!("queue {name}: {e:?}"))?
        .queue_url()
        .unwrap_or_default()
        .to_owned();
    let arn_attr = aws_sdk_sqs::types::QueueAttributeName::QueueArn;
    let arn = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(arn_attr.clone())
        .send()
        .await
        .map_err(|e| format!("queue {name} arn: {e:?}"))?
        .attributes()
        .and_then(|a| a.get(&arn_attr))
        .cloned()
        .unwrap_or_default();
    Ok((url, arn))
}

/// Creates what is missing; returns the events queue URL.
pub async fn provision(config: &SdkConfig, names: &Names) -> Result<String, String> {
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(config), &names.table);
    if let Err(e) = store.create_table().await {
        let msg = format!("{:?}", std::error::Error::source(&e));
        if !msg.contains("ResourceInUse") {
            return Err(format!("table: {e}: {msg}"));
        }
    }
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(config)
            .force_path_style(true)
            .build(),
    );
    if let Err(e) = s3.create_bucket().bucket(&names.bucket).send().await {
        if !exists(&e) {
            return Err(format!("bucket: {e:?}"));
        }
    }
    // The token key ring, kept as deployed: in a secret the functions read (a rotation put
    // into it reaches them without a restart). An existing one is kept as it is.
    let secrets = aws_sdk_secretsmanager::Client::new(config);
    if let Err(e) = secrets
        .create_secret()
        .name(&names.token_keys)
        .secret_string(crate::DEV_TOKEN_KEYS)
        .send()
        .await
    {
        if !exists(&e) && !format!("{e:?}").contains("ResourceExists") {
            return Err(format!("token key secret: {e:?}"));
        }
    }
    let ses = aws_sdk_sesv2::Client::new(config);
    if let Err(e) = ses
        .create_email_identity()
        .email_identity(&names.sender)
        .send()
        .await
    {
        if !exists(&e) {
            return Err(format!("sender identity: {e:?}"));
        }
    }
    if let Err(e) = ses
        .create_configuration_set()
        .configuration_set_name(&names.configuration_set)
        .send()
        .await
    {
        if !exists(&e) {
            return Err(format!("configuration set: {e:?}"));
        }
    }
    let scheduler = aws_sdk_scheduler::Client::new(config);
    if let Err(e) = scheduler
        .create_schedule_group()
        .name(&names.schedule_group)
        .send()
        .await
    {
        if !exists(&e) {
            return Err(format!("schedule group: {e:?}"));
        }
    }
    let eb = aws_sdk_eventbridge::Client::new(config);
    if let Err(e) = eb.create_event_bus().name(&names.bus).send().await {
        if !exists(&e) {
            return Err(format!("bus: {e:?}"));
        }
    }
    let (queue_url, queue_arn) = queue(config, &names.events_queue, None).await?;
    eb.put_rule()
        .name("cpor-all-events")
        .event_bus_name(&names.bus)
        .event_pattern(r#"{"source":["cpor.claims","cpor.engagements"]}"#)
        .send()
        .await
        .map_err(|e| format!("rule: {e:?}"))?;
    let target = aws_sdk_eventbridge::types::Target::builder()
        .id("events-queue")
        .arn(queue_arn)
        .build()
        .map_err(|e| format!("target: {e}"))?;
    eb.put_targets()
        .rule("cpor-all-events")
        .event_bus_name(&names.bus)
        .targets(target)
        .send()
        .await
        .map_err(|e| format!("targets: {e:?}"))?;
    Ok(queue_url)
}

/// Sends the bucket's "Object Created" events under the reference prefix to a queue, as the
/// template's rule sends them to `import-reference-data`: the bucket's EventBridge
/// notifications on, a rule on the default bus with the template's pattern. Returns the
/// queue URL.
pub async fn provision_reference(config: &SdkConfig, names: &Names) -> Result<String, String> {
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(config)
            .force_path_style(true)
            .build(),
    );
    let notifications = aws_sdk_s3::types::NotificationConfiguration::builder()
        .event_bridge_configuration(aws_sdk_s3::types::EventBridgeConfiguration::builder().build())
        .build();
    s3.put_bucket_notification_configuration()
        .bucket(&names.bucket)
        .notification_configuration(notifications)
        .send()
        .await
        .map_err(|e| format!("bucket notifications: {e:?}"))?;
    // a failed import is tried again when the message's visibility ends, as Lambda retries
    let (queue_url, queue_arn) = queue(config, &names.reference_queue, Some("10")).await?;
    let eb = aws_sdk_eventbridge::Client::new(config);
    let rule = format!("{}-reference-data", names.table);
    eb.put_rule()
        .name(&rule)
        .event_bus_name("default")
        .event_pattern(
            serde_json::to_string(&cpor::functions::reference_upload_pattern(&names.bucket))
                .map_err(|e| format!("reference rule pattern: {e}"))?,
        )
        .send()
        .await
        .map_err(|e| format!("reference rule: {e:?}"))?;
    let target = aws_sdk_eventbridge::types::Target::builder()
        .id("reference-queue")
        .arn(queue_arn)
        .build()
        .map_err(|e| format!("reference target: {e}"))?;
    eb.put_targets()
        .rule(&rule)
        .event_bus_name("default")
        .targets(target)
        .send()
        .await
        .map_err(|e| format!("reference targets: {e:?}"))?;
    Ok(queue_url)
}

/// Lets `origins` (the portal's) PUT PoE documents into the bucket from the browser, with the
/// rule the template gives the deployed bucket (`cpor::routes::UPLOAD_CORS`).
pub async fn allow_uploads_from(
    config: &aws_config::SdkConfig,
    names: &Names,
    origins: &[String],
) -> Result<(), String> {
    use aws_sdk_s3::types::{CorsConfiguration, CorsRule};
    let c = &cpor::routes::UPLOAD_CORS;
    let rule = CorsRule::builder()
        .set_allowed_origins(Some(origins.to_vec()))
        .set_allowed_methods(Some(
            c.allowed_methods.iter().map(|m| (*m).to_owned()).collect(),
        ))
        .set_allowed_headers(Some(
            c.allowed_headers.iter().map(|h| (*h).to_owned()).collect(),
        ))
        .max_age_seconds(i32::try_from(c.max_age_seconds).unwrap_or(600))
        .build()
        .map_err(|e| format!("bucket CORS: {e}"))?;
    let cors = CorsConfiguration::builder()
        .cors_rules(rule)
        .build()
        .map_err(|e| format!("bucket CORS: {e}"))?;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(config)
            .force_path_style(true)
            .build(),
    );
    s3.put_bucket_cors()
        .bucket(&names.bucket)
        .cors_configuration(cors)
        .send()
        .await
        .map_err(|e| format!("bucket CORS: {e:?}"))?;
    Ok(())
}

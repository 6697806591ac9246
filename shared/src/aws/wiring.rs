//! Building adapters from one `SdkConfig` and the settings, once per cold start. Each function's
//! `main.rs` picks the ones it needs; [`Everything`] wires all of them (the sweep, the local
//! stack and the tests).

use crate::app::{App, Wiring};
use crate::delivery::Deliverer;
use crate::domain::ConfigError;
use crate::settings::Settings;
#[cfg(any(
    feature = "dynamodb",
    feature = "s3",
    feature = "ses",
    feature = "scheduler",
    feature = "eventbridge"
))]
use aws_config::SdkConfig;

#[cfg(feature = "dynamodb")]
pub fn store<F: Fn(&str) -> Option<String>>(
    config: &SdkConfig,
    s: &Settings<F>,
) -> Result<super::dynamo::DynamoStore, ConfigError> {
    Ok(super::dynamo::DynamoStore::new(
        aws_sdk_dynamodb::Client::new(config),
        s.required("CPOR_TABLE")?,
    ))
}

/// `CPOR_BUCKET`; `CPOR_S3_FORCE_PATH_STYLE=true` for an emulator on loopback.
#[cfg(feature = "s3")]
pub fn poe<F: Fn(&str) -> Option<String>>(
    config: &SdkConfig,
    s: &Settings<F>,
) -> Result<super::s3::S3PoeStorage, ConfigError> {
    let client = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(config)
            .force_path_style(s.flag("CPOR_S3_FORCE_PATH_STYLE")?)
            .build(),
    );
    Ok(super::s3::S3PoeStorage::new(
        client,
        s.required("CPOR_BUCKET")?,
    ))
}

/// `CPOR_SENDER`, `CPOR_CONFIGURATION_SET` (optional).
#[cfg(feature = "ses")]
pub fn mailer<F: Fn(&str) -> Option<String>>(
    config: &SdkConfig,
    s: &Settings<F>,
) -> Result<super::ses::SesMailer, ConfigError> {
    let sender = s.required("CPOR_SENDER")?;
    crate::domain::EmailAddress::parse(&sender).map_err(|e| ConfigError {
        setting: "CPOR_SENDER",
        message: e.to_string(),
    })?;
    Ok(super::ses::SesMailer::new(
        aws_sdk_sesv2::Client::new(config),
        sender,
        s.optional("CPOR_CONFIGURATION_SET"),
    ))
}

/// `CPOR_SCHEDULE_GROUP`, `CPOR_SWEEP_ARN`, `CPOR_SCHEDULER_ROLE_ARN`, `CPOR_SCHEDULER_DLQ_ARN`.
#[cfg(feature = "scheduler")]
pub fn schedules<F: Fn(&str) -> Option<String>>(
    config: &SdkConfig,
    s: &Settings<F>,
) -> Result<super::scheduler::EventBridgeSchedules, ConfigError> {
    Ok(super::scheduler::EventBridgeSchedules::new(
        aws_sdk_scheduler::Client::new(config),
        super::scheduler::SchedulerSettings {
            group: s.required("CPOR_SCHEDULE_GROUP")?,
            target_arn: s.required("CPOR_SWEEP_ARN")?,
            role_arn: s.required("CPOR_SCHEDULER_ROLE_ARN")?,
            dead_letter_arn: s.optional("CPOR_SCHEDULER_DLQ_ARN"),
        },
    ))
}

/// `CPOR_BUS`.
#[cfg(feature = "eventbridge")]
pub fn events<F: Fn(&str) -> Option<String>>(
    config: &SdkConfig,
    s: &Settings<F>,
) -> Result<super::events::EventBridgePublisher, ConfigError> {
    Ok(super::events::EventBridgePublisher::new(
        aws_sdk_eventbridge::Client::new(config),
        s.required("CPOR_BUS")?,
    ))
}

/// Assembles an app from the adapters a function chose. `keys` only where consent links are
/// made or read.
pub fn app<W: Wiring, F: Fn(&str) -> Option<String>>(
    s: &Settings<F>,
    store: W::Store,
    poe: W::Poe,
    mailer: W::Mail,
    schedules: W::Schedules,
    events: W::Events,
    keys: Option<crate::tokens::KeyRing>,
) -> Result<App<W>, ConfigError> {
    // Links are needed only where emails are rendered (those functions also sign links).
    let links = if keys.is_some() {
        Some(s.links()?)
    } else {
        None
    };
    Ok(App {
        store: store.clone(),
        poe: poe.clone(),
        deliverer: Deliverer {
            store,
            poe,
            mailer,
            schedules,
            events,
            keys,
            links,
        },
        policy: s.deadline_policy()?,
        poe_policy: s.poe_policy()?,
    })
}

/// Every adapter wired (the sweep, the local stack, tests).
#[cfg(all(
    feature = "dynamodb",
    feature = "s3",
    feature = "ses",
    feature = "scheduler",
    feature = "eventbridge"
))]
pub struct Everything;

#[cfg(all(
    feature = "dynamodb",
    feature = "s3",
    feature = "ses",
    feature = "scheduler",
    feature = "eventbridge"
))]
impl Wiring for Everything {
    type Store = super::dynamo::DynamoStore;
    type Poe = super::s3::S3PoeStorage;
    type Mail = super::ses::SesMailer;
    type Schedules = super::scheduler::EventBridgeSchedules;
    type Events = super::events::EventBridgePublisher;
}

#[cfg(all(
    feature = "dynamodb",
    feature = "s3",
    feature = "ses",
    feature = "scheduler",
    feature = "eventbridge"
))]
pub fn everything<F: Fn(&str) -> Option<String>>(
    config: &SdkConfig,
    s: &Settings<F>,
) -> Result<App<Everything>, ConfigError> {
    app::<Everything, F>(
        s,
        store(config, s)?,
        poe(config, s)?,
        mailer(config, s)?,
        schedules(config, s)?,
        events(config, s)?,
        Some(s.keys()?),
    )
}

//! How a function's adapters are chosen and built. A function states its wiring once, as a type
//! in its library — `pub type Wired = Wire<DynamoStore, Unwired, Unwired, Unwired, EventBridgePublisher>;`
//! — and [`app`] builds every part of it from the SDK config and the settings at cold start,
//! with the keys the function's manifest row asks for. An [`Unwired`] part costs nothing, links
//! no SDK crate, and makes the port's work go to the sweep (or fail, for a read).

use crate::app::{App, Wiring};
use crate::delivery::{Deliverer, LinkSettings};
use crate::domain::ConfigError;
use crate::functions::{Function, Keys, Port};
use crate::ports::{
    ClaimReader, ClaimWriter, EngagementStore, EventPublisher, IdempotencyStore, Mailer,
    OutboxStore, PoeStorage, ReferenceStore, Schedules, Unwired,
};
use crate::settings::Settings;
use crate::tokens::{KeySource, LiveKeys};
use aws_config::SdkConfig;
use std::marker::PhantomData;
use std::sync::Arc;

/// An adapter that builds itself from the SDK config and the settings it names.
pub trait Part: Sized + Send + Sync + 'static {
    /// The port it serves; `None` for [`Unwired`].
    const PORT: Option<Port>;

    fn build<F: Fn(&str) -> Option<String>>(
        config: &SdkConfig,
        settings: &Settings<F>,
    ) -> Result<Self, ConfigError>;

    /// Opens the adapter's connection now (see [`warm_up`]); nothing by default.
    fn warm_up(&self) -> impl std::future::Future<Output = ()> + Send {
        async {}
    }
}

/// How long a cold start waits for its first connection before giving up on warming it (the
/// first request then opens it).
pub const WARM_UP_LIMIT: std::time::Duration = std::time::Duration::from_millis(1000);

/// Opens the table's connection during init, where Lambda gives the function a full CPU, so
/// the first request does not pay the TLS handshake at a 128–256 MB share of one (published:
/// ~745 ms opened lazily at 128 MB, ~21 ms warmed in init). Every request of a function goes to
/// the table first; the other services' connections open when first used. Bounded by
/// [`WARM_UP_LIMIT`]; a failure only means the first request opens the connection.
pub async fn warm_up<W: Buildable>(app: &App<W>) {
    if tokio::time::timeout(WARM_UP_LIMIT, app.store.warm_up())
        .await
        .is_err()
    {
        tracing::warn!("the table's connection did not open during init");
    }
}

/// A wiring as a type: the adapter serving each port, in the order store, PoE storage, mail,
/// schedules, events.
pub struct Wire<Store, Poe, Mail, Sched, Events>(
    PhantomData<Parts<Store, Poe, Mail, Sched, Events>>,
);

/// A wiring holds no values: its parts only name types (and so it is `Send + Sync`).
type Parts<S, P, M, Sc, E> = fn() -> (S, P, M, Sc, E);

impl<S, P, M, Sc, E> Wiring for Wire<S, P, M, Sc, E>
where
    S: Part
        + ClaimReader
        + ClaimWriter
        + OutboxStore
        + IdempotencyStore
        + EngagementStore
        + ReferenceStore
        + Clone,
    P: Part + PoeStorage + Clone,
    M: Part + Mailer,
    Sc: Part + Schedules,
    E: Part + EventPublisher,
{
    type Store = S;
    type Poe = P;
    type Mail = M;
    type Schedules = Sc;
    type Events = E;
}

/// A wiring whose parts all build themselves.
pub trait Buildable:
    Wiring<Store: Part, Poe: Part, Mail: Part, Schedules: Part, Events: Part>
{
}

impl<W> Buildable for W where
    W: Wiring<Store: Part, Poe: Part, Mail: Part, Schedules: Part, Events: Part>
{
}

/// The ports a wiring serves with real adapters (checked against the manifest by a test).
pub fn ports<W: Buildable>() -> Vec<Port> {
    [
        W::Store::PORT,
        W::Poe::PORT,
        W::Mail::PORT,
        W::Schedules::PORT,
        W::Events::PORT,
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The token keys and link settings a function's manifest row asks for. Inlined, so with the
/// row a constant (`cpor::http_function!`) the branches a function does not take are not in
/// its binary (a function without keys links no key parsing).
#[inline(always)]
pub fn keys<F: Fn(&str) -> Option<String>>(
    needs: Keys,
    s: &Settings<F>,
) -> Result<(Option<KeySource>, Option<LinkSettings>), ConfigError> {
    Ok(match needs {
        Keys::None => (None, None),
        Keys::Ring => (Some(s.key_source()?), None),
        Keys::ConsentLinks => (Some(s.key_source()?), Some(s.links()?)),
    })
}

/// The live key ring of a source: fixed, or read from its secret (first by
/// [`App::refresh_keys`], at cold start).
fn live_keys<F: Fn(&str) -> Option<String>>(
    source: KeySource,
    config: &SdkConfig,
    s: &Settings<F>,
) -> Result<LiveKeys, ConfigError> {
    match source {
        KeySource::Inline(ring) => Ok(LiveKeys::fixed(ring)),
        #[cfg(feature = "secrets")]
        KeySource::Secret(id) => Ok(LiveKeys::fetched(
            Box::new(crate::aws::secrets::SecretKeys::new(
                aws_sdk_secretsmanager::Client::new(config),
                id,
            )),
            s.key_refresh()?,
        )),
        #[cfg(not(feature = "secrets"))]
        KeySource::Secret(_) => {
            let _ = (config, s);
            Err(ConfigError::new(
                "CPOR_TOKEN_KEYS_SECRET",
                "this function is built without Secrets Manager (the `secrets` feature)",
            ))
        }
    }
}

/// Builds a function's app: the adapters of its wiring, with the keys [`keys`] loaded.
pub fn app<W: Buildable, F: Fn(&str) -> Option<String>>(
    (keys, links): (Option<KeySource>, Option<LinkSettings>),
    config: &SdkConfig,
    s: &Settings<F>,
) -> Result<App<W>, ConfigError> {
    let keys = keys.map(|k| live_keys(k, config, s)).transpose()?;
    let store = W::Store::build(config, s)?;
    let poe = W::Poe::build(config, s)?;
    let policy = Arc::new(s.deadline_policy()?);
    let language = s.default_language()?;
    Ok(App {
        store: store.clone(),
        poe: poe.clone(),
        deliverer: Deliverer {
            store,
            poe,
            mailer: W::Mail::build(config, s)?,
            schedules: W::Schedules::build(config, s)?,
            events: W::Events::build(config, s)?,
            keys,
            links,
            policy: policy.clone(),
            language,
            reviewers_email: s.reviewers_email()?,
        },
        policy,
        language,
        poe_policy: s.poe_policy()?,
    })
}

/// The app of the function `function` names in the manifest (the local stack, tests).
pub fn app_of<W: Buildable, F: Fn(&str) -> Option<String>>(
    function: Function,
    config: &SdkConfig,
    s: &Settings<F>,
) -> Result<App<W>, ConfigError> {
    app::<W, F>(keys(function.keys, s)?, config, s)
}

impl Part for Unwired {
    const PORT: Option<Port> = None;

    fn build<F: Fn(&str) -> Option<String>>(
        _: &SdkConfig,
        _: &Settings<F>,
    ) -> Result<Self, ConfigError> {
        Ok(Unwired)
    }
}

/// `CPOR_TABLE`.
#[cfg(feature = "dynamodb")]
impl Part for super::dynamo::DynamoStore {
    const PORT: Option<Port> = Some(Port::Store);

    fn build<F: Fn(&str) -> Option<String>>(
        config: &SdkConfig,
        s: &Settings<F>,
    ) -> Result<Self, ConfigError> {
        Ok(Self::new(
            aws_sdk_dynamodb::Client::new(config),
            s.required("CPOR_TABLE")?,
        ))
    }

    fn warm_up(&self) -> impl std::future::Future<Output = ()> + Send {
        self.open_connection()
    }
}

/// `CPOR_BUCKET`; for an emulator on loopback `CPOR_S3_FORCE_PATH_STYLE=true` and, when it
/// does not report stored checksums, `CPOR_S3_EMULATOR_CHECKSUMS=true`.
#[cfg(feature = "s3")]
impl Part for super::s3::S3PoeStorage {
    const PORT: Option<Port> = Some(Port::Poe);

    fn build<F: Fn(&str) -> Option<String>>(
        config: &SdkConfig,
        s: &Settings<F>,
    ) -> Result<Self, ConfigError> {
        let client = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(config)
                .force_path_style(s.flag("CPOR_S3_FORCE_PATH_STYLE")?)
                .build(),
        );
        let storage = Self::new(client, s.required("CPOR_BUCKET")?);
        Ok(if s.flag("CPOR_S3_EMULATOR_CHECKSUMS")? {
            storage.hashing_unreported_checksums()
        } else {
            storage
        })
    }
}

/// `CPOR_SENDER`, `CPOR_CONFIGURATION_SET` (optional).
#[cfg(feature = "ses")]
impl Part for super::ses::SesMailer {
    const PORT: Option<Port> = Some(Port::Mail);

    fn build<F: Fn(&str) -> Option<String>>(
        config: &SdkConfig,
        s: &Settings<F>,
    ) -> Result<Self, ConfigError> {
        let sender = s.required("CPOR_SENDER")?;
        crate::domain::EmailAddress::parse(&sender).map_err(|e| ConfigError {
            setting: "CPOR_SENDER",
            message: e.to_string(),
        })?;
        Ok(Self::new(
            aws_sdk_sesv2::Client::new(config),
            sender,
            s.optional("CPOR_CONFIGURATION_SET"),
        ))
    }
}

/// `CPOR_SCHEDULE_GROUP`, `CPOR_SWEEP_ARN`, `CPOR_SCHEDULER_ROLE_ARN`, `CPOR_SCHEDULER_DLQ_ARN`.
#[cfg(feature = "scheduler")]
impl Part for super::scheduler::EventBridgeSchedules {
    const PORT: Option<Port> = Some(Port::Schedules);

    fn build<F: Fn(&str) -> Option<String>>(
        config: &SdkConfig,
        s: &Settings<F>,
    ) -> Result<Self, ConfigError> {
        Ok(Self::new(
            aws_sdk_scheduler::Client::new(config),
            super::scheduler::SchedulerSettings {
                group: s.required("CPOR_SCHEDULE_GROUP")?,
                target_arn: s.required("CPOR_SWEEP_ARN")?,
                role_arn: s.required("CPOR_SCHEDULER_ROLE_ARN")?,
                dead_letter_arn: s.optional("CPOR_SCHEDULER_DLQ_ARN"),
            },
        ))
    }
}

/// `CPOR_BUS`.
#[cfg(feature = "eventbridge")]
impl Part for super::events::EventBridgePublisher {
    const PORT: Option<Port> = Some(Port::Events);

    fn build<F: Fn(&str) -> Option<String>>(
        config: &SdkConfig,
        s: &Settings<F>,
    ) -> Result<Self, ConfigError> {
        Ok(Self::new(
            aws_sdk_eventbridge::Client::new(config),
            s.required("CPOR_BUS")?,
        ))
    }
}

/// Every adapter wired: the sweep's wiring (the tests use it too).
#[cfg(all(
    feature = "dynamodb",
    feature = "s3",
    feature = "ses",
    feature = "scheduler",
    feature = "eventbridge"
))]
pub type Everything = Wire<
    super::dynamo::DynamoStore,
    super::s3::S3PoeStorage,
    super::ses::SesMailer,
    super::scheduler::EventBridgeSchedules,
    super::events::EventBridgePublisher,
>;

/// The app with every adapter and every key (as the sweep has them).
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
    app_of::<Everything, F>(Function::named("deadline-sweep"), config, s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_keys_need_no_consent_link_settings() {
        const KEYS: &str = "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
        let only_keys = Settings(|k: &str| (k == "CPOR_TOKEN_KEYS").then(|| KEYS.to_owned()));
        let (ring, links) = keys(Keys::Ring, &only_keys).unwrap();
        assert!(ring.is_some() && links.is_none());
        assert_eq!(
            keys(Keys::ConsentLinks, &only_keys).unwrap_err().setting,
            "CPOR_CONSENT_BASE_URL"
        );
        let nothing = Settings(|_: &str| None);
        assert!(matches!(keys(Keys::None, &nothing), Ok((None, None))));
        assert_eq!(
            keys(Keys::Ring, &nothing).unwrap_err().setting,
            "CPOR_TOKEN_KEYS"
        );
        // list-claims is the function that needs cursors only
        assert_eq!(Function::named("list-claims").keys, Keys::Ring);
    }
}

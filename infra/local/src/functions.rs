//! Every function as Lambda runs it: each HTTP handler over an app built with **its own**
//! `Wired` type and its own manifest row, so an unwired port locally does what it does deployed
//! (it commits; `deliver-outbox`, fed by the table's stream, delivers). The sweep,
//! `deliver-outbox` and `email-feedback` have their own apps too (SES reports never arrive from
//! moto: tests hand them over as EventBridge would).

use cpor::aws::wiring;
use cpor::domain::ConfigError;
use cpor::functions::{Function, Port};
use cpor::settings::Settings;
use lambda_http::{Body, Request, Response};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A function's handler, ready to take a request (an API Gateway event).
pub type Handler =
    Box<dyn Fn(Request) -> Pin<Box<dyn Future<Output = Response<Body>> + Send>> + Send + Sync>;

/// The app the sweep runs with (the deadline sweep's wiring).
pub type SweepApp = cpor::app::App<deadline_sweep::Wired>;

/// The app SES reports are recorded with (`email-feedback`'s wiring).
pub type FeedbackApp = cpor::app::App<email_feedback::Wired>;

/// Lists the HTTP functions once, for what is built per function below.
macro_rules! with_http_functions {
    ($apply:ident) => {
        $apply!(
            add_comment,
            cancel_claim,
            cancel_engagement_claim,
            check_eligibility,
            consent_callback,
            create_claim,
            disassociate_claim,
            dispute_claim,
            download_poe,
            get_claim,
            get_engagement_claim,
            get_engagement_history,
            get_history,
            get_referral,
            list_claims,
            list_engagement_claims,
            list_engagement_customers,
            list_engagements,
            presign_poe_upload,
            quote_engagement,
            register_engagement_claims,
            remove_poe,
            renew_poe_upload,
            request_engagement_consent,
            resend_consent,
            resend_engagement_consent,
            review_decision,
            review_engagement_claim,
            submit_claim,
            submit_engagement_claim,
            update_claim,
            update_engagement_claim,
            withdraw_claim
        )
    };
}

/// The HTTP handlers by function name, each over its own wiring.
pub fn http<F: Fn(&str) -> Option<String>>(
    config: &aws_config::SdkConfig,
    settings: &Settings<F>,
) -> Result<HashMap<&'static str, Handler>, ConfigError> {
    let mut handlers: HashMap<&'static str, Handler> = HashMap::new();
    macro_rules! wire {
        ($($lib:ident),*) => {$(
            let row = Function::named($lib::NAME);
            let app = Arc::new(wiring::app_of::<$lib::Wired, _>(row, config, settings)?);
            handlers.insert(
                $lib::NAME,
                Box::new(move |req| {
                    let app = app.clone();
                    // as the Lambda runtime wrapper does: keys read again when due
                    Box::pin(async move {
                        app.refresh_keys().await;
                        $lib::handle(&app, req).await
                    })
                }),
            );
        )*};
    }
    with_http_functions!(wire);
    handlers.insert(
        poe_template::NAME,
        Box::new(|req| Box::pin(poe_template::handle(req))),
    );
    Ok(handlers)
}

/// The sweep's app.
pub fn sweep<F: Fn(&str) -> Option<String>>(
    config: &aws_config::SdkConfig,
    settings: &Settings<F>,
) -> Result<SweepApp, ConfigError> {
    wiring::app_of::<deadline_sweep::Wired, _>(
        Function::named(deadline_sweep::NAME),
        config,
        settings,
    )
}

/// The app `deliver-outbox` runs with.
pub fn deliver<F: Fn(&str) -> Option<String>>(
    config: &aws_config::SdkConfig,
    settings: &Settings<F>,
) -> Result<crate::stream::DeliverApp, ConfigError> {
    wiring::app_of::<deliver_outbox::Wired, _>(
        Function::named(deliver_outbox::NAME),
        config,
        settings,
    )
}

/// The app `import-reference-data` runs with.
pub fn import<F: Fn(&str) -> Option<String>>(
    config: &aws_config::SdkConfig,
    settings: &Settings<F>,
) -> Result<crate::reference::ImportApp, ConfigError> {
    wiring::app_of::<import_reference_data::Wired, _>(
        Function::named(import_reference_data::NAME),
        config,
        settings,
    )
}

/// The app `email-feedback` runs with.
pub fn feedback<F: Fn(&str) -> Option<String>>(
    config: &aws_config::SdkConfig,
    settings: &Settings<F>,
) -> Result<FeedbackApp, ConfigError> {
    wiring::app_of::<email_feedback::Wired, _>(
        Function::named(email_feedback::NAME),
        config,
        settings,
    )
}

/// Each function's name with the ports its `Wired` type serves (checked against the manifest).
pub fn wired_ports() -> Vec<(&'static str, Vec<Port>)> {
    let mut out = vec![
        (poe_template::NAME, Vec::new()),
        (
            deadline_sweep::NAME,
            wiring::ports::<deadline_sweep::Wired>(),
        ),
        (
            email_feedback::NAME,
            wiring::ports::<email_feedback::Wired>(),
        ),
        (
            deliver_outbox::NAME,
            wiring::ports::<deliver_outbox::Wired>(),
        ),
        (
            import_reference_data::NAME,
            wiring::ports::<import_reference_data::Wired>(),
        ),
    ];
    macro_rules! ports {
        ($($lib:ident),*) => {$(
            out.push(($lib::NAME, wiring::ports::<$lib::Wired>()));
        )*};
    }
    with_http_functions!(ports);
    out.sort_unstable();
    out
}

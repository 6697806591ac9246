//! The token key ring from Secrets Manager: the secret `CPOR_TOKEN_KEYS_SECRET` names holds the
//! ring's text (`k2:<base64>,k1:<base64>`, newest first). Read at cold start, beside the rest
//! of init, and again as [`crate::tokens::LiveKeys`] asks; the function's role may read this
//! one secret only.

use crate::ports::Unavailable;
use crate::tokens::{Fetching, KeyFetch};

pub struct SecretKeys {
    client: aws_sdk_secretsmanager::Client,
    secret_id: String,
}

impl SecretKeys {
    pub fn new(client: aws_sdk_secretsmanager::Client, secret_id: impl Into<String>) -> Self {
        Self {
            client,
            secret_id: secret_id.into(),
        }
    }
}

impl KeyFetch for SecretKeys {
    fn fetch(&self) -> Fetching<'_> {
        Box::pin(async move {
            let out = self
                .client
                .get_secret_value()
                .secret_id(&self.secret_id)
                .send()
                .await
                .map_err(|e| Unavailable::new("get secret value", e))?;
            out.secret_string()
                .map(str::to_owned)
                .ok_or_else(|| Unavailable::new("get secret value", "the secret holds no text"))
        })
    }
}

//! Configuration read once at cold start from the environment (or any lookup, in tests). Each
//! function asks only for the settings it uses; a missing or bad one fails the cold start with
//! a message naming it.

use crate::delivery::LinkSettings;
use crate::domain::{ConfigError, DeadlinePolicy, EmailAddress, Language, PoePolicy};
use crate::tokens::{KeyRing, KeySource};

/// A source of settings.
pub struct Settings<F>(pub F);

/// The process environment.
pub fn from_env() -> Settings<impl Fn(&str) -> Option<String>> {
    Settings(|name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
}

impl<F: Fn(&str) -> Option<String>> Settings<F> {
    pub fn optional(&self, name: &str) -> Option<String> {
        (self.0)(name)
    }

    pub fn required(&self, name: &'static str) -> Result<String, ConfigError> {
        self.optional(name).ok_or_else(|| ConfigError {
            setting: name,
            message: "is required".into(),
        })
    }

    pub fn flag(&self, name: &'static str) -> Result<bool, ConfigError> {
        match self.optional(name).as_deref() {
            None | Some("false" | "0") => Ok(false),
            Some("true" | "1") => Ok(true),
            Some(_) => Err(ConfigError {
                setting: name,
                message: "must be true or false".into(),
            }),
        }
    }

    pub fn deadline_policy(&self) -> Result<DeadlinePolicy, ConfigError> {
        DeadlinePolicy::from_lookup(&self.0)
    }

    pub fn poe_policy(&self) -> Result<PoePolicy, ConfigError> {
        PoePolicy::from_lookup(&self.0)
    }

    /// `CPOR_DEFAULT_LANGUAGE` (`en`, `es`, `fr` or `ja`; default `en`): the language of emails
    /// and pages for a contact who named none, and of labels when a request asks for none.
    pub fn default_language(&self) -> Result<Language, ConfigError> {
        match self.optional("CPOR_DEFAULT_LANGUAGE") {
            None => Ok(Language::En),
            Some(tag) => Language::of_tag(tag.trim()).ok_or(ConfigError {
                setting: "CPOR_DEFAULT_LANGUAGE",
                message: "must be en, es, fr or ja".into(),
            }),
        }
    }

    /// `CPOR_REVIEWERS_EMAIL` (optional): the reviewers' shared address, told of partners'
    /// comments.
    pub fn reviewers_email(&self) -> Result<Option<EmailAddress>, ConfigError> {
        self.optional("CPOR_REVIEWERS_EMAIL")
            .map(|raw| {
                EmailAddress::parse(&raw).map_err(|e| ConfigError {
                    setting: "CPOR_REVIEWERS_EMAIL",
                    message: e.to_string(),
                })
            })
            .transpose()
    }

    /// `CPOR_TOKEN_KEYS`: the signing keys for consent links and cursors.
    pub fn keys(&self) -> Result<KeyRing, ConfigError> {
        KeyRing::parse(&self.required("CPOR_TOKEN_KEYS")?)
    }

    /// Where the signing keys come from: `CPOR_TOKEN_KEYS_SECRET` (a Secrets Manager secret's
    /// ID or ARN holding the ring, as deployed), else `CPOR_TOKEN_KEYS` itself.
    pub fn key_source(&self) -> Result<KeySource, ConfigError> {
        match self.optional("CPOR_TOKEN_KEYS_SECRET") {
            Some(secret) => Ok(KeySource::Secret(secret)),
            None => self.keys().map(KeySource::Inline),
        }
    }

    /// `CPOR_TOKEN_KEYS_REFRESH_SECONDS` (default 300): how often a running function reads the
    /// key secret again.
    pub fn key_refresh(&self) -> Result<std::time::Duration, ConfigError> {
        match self.optional("CPOR_TOKEN_KEYS_REFRESH_SECONDS") {
            None => Ok(std::time::Duration::from_secs(300)),
            Some(raw) => raw
                .trim()
                .parse::<u64>()
                .map(std::time::Duration::from_secs)
                .map_err(|_| ConfigError {
                    setting: "CPOR_TOKEN_KEYS_REFRESH_SECONDS",
                    message: "must be a whole number of seconds".into(),
                }),
        }
    }

    /// `CPOR_CONSENT_BASE_URL`, `CPOR_PORTAL_BASE_URL`, `CPOR_CONSENT_LINK_DAYS` (default 365).
    pub fn links(&self) -> Result<LinkSettings, ConfigError> {
        let url = |name: &'static str| {
            let v = self.required(name)?;
            if v.starts_with("https://") || v.starts_with("http://") {
                Ok(v)
            } else {
                Err(ConfigError {
                    setting: name,
                    message: "must be an http(s) URL".into(),
                })
            }
        };
        let days = match self.optional("CPOR_CONSENT_LINK_DAYS") {
            None => 365,
            Some(d) => d
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|d| (1..=3650).contains(d))
                .ok_or(ConfigError {
                    setting: "CPOR_CONSENT_LINK_DAYS",
                    message: "must be a number of days between 1 and 3650".into(),
                })?,
        };
        Ok(LinkSettings {
            consent_base_url: url("CPOR_CONSENT_BASE_URL")?,
            portal_base_url: url("CPOR_PORTAL_BASE_URL")?,
            consent_link_ttl: chrono::Duration::days(days),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Settings<impl Fn(&str) -> Option<String>> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Settings(move |k: &str| map.get(k).cloned())
    }

    #[test]
    fn missing_and_bad_settings_are_named() {
        let s = settings(&[("CPOR_CONSENT_BASE_URL", "ftp://x"), ("CPOR_FLAG", "yes")]);
        assert_eq!(s.required("CPOR_TABLE").unwrap_err().setting, "CPOR_TABLE");
        assert_eq!(s.links().unwrap_err().setting, "CPOR_CONSENT_BASE_URL");
        assert_eq!(s.flag("CPOR_FLAG").unwrap_err().setting, "CPOR_FLAG");
        assert_eq!(s.keys().unwrap_err().setting, "CPOR_TOKEN_KEYS");
        assert_eq!(s.default_language(), Ok(Language::En));
        let de = settings(&[("CPOR_DEFAULT_LANGUAGE", "de")]);
        assert_eq!(
            de.default_language().unwrap_err().setting,
            "CPOR_DEFAULT_LANGUAGE"
        );
        let ja = settings(&[("CPOR_DEFAULT_LANGUAGE", "ja-JP")]);
        assert_eq!(ja.default_language(), Ok(Language::Ja));
    }

    #[test]
    fn links_default_to_a_year() {
        let s = settings(&[
            ("CPOR_CONSENT_BASE_URL", "https://api.example/consent"),
            ("CPOR_PORTAL_BASE_URL", "https://portal.example"),
        ]);
        assert_eq!(
            s.links().unwrap().consent_link_ttl,
            chrono::Duration::days(365)
        );
    }
}

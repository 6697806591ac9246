//! Configuration errors: a setting that could not be read, named so a bad deployment fails at
//! cold start with a message that says which parameter to fix.

/// A configuration value that could not be read. Names the setting, so a bad deployment fails at
/// cold start with a message that says which parameter to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{setting}: {message}")]
pub struct ConfigError {
    pub setting: &'static str,
    pub message: String,
}

impl ConfigError {
    pub fn new(setting: &'static str, message: impl Into<String>) -> Self {
        Self {
            setting,
            message: message.into(),
        }
    }
}

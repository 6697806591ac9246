//! Validation errors: every failing field of a request at once, each under its JSON path with a
//! message safe to show (the API answers them as problem+json `errors`).

use super::values::ValueError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One failing field: its JSON path (`products[1].subscriptionId`) and a message safe to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Every field that failed, in a stable order. Never empty when returned as an error.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|e| e.field.as_str())
    }

    /// Parses a required value, recording the error under `field`.
    pub(crate) fn required<T>(
        &mut self,
        field: &str,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, ValueError>,
    ) -> Option<T> {
        match raw {
            None => {
                self.push(field, ValueError::Empty.to_string());
                None
            }
            Some(s) => self.optional(field, Some(s), parse),
        }
    }

    /// Parses an optional value; `None` stays `None` without an error.
    pub(crate) fn optional<T>(
        &mut self,
        field: &str,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, ValueError>,
    ) -> Option<T> {
        let s = raw?;
        match parse(s) {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(field, e.to_string());
                None
            }
        }
    }

    pub fn into_result<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, Self> {
        if self.0.is_empty() {
            // Every field parsed, so every `Option` is `Some`; `None` here is a bug in the
            // validator, reported as an error on the whole body rather than a panic.
            value().ok_or_else(|| {
                let mut e = ValidationErrors::default();
                e.push("", "could not be validated");
                e
            })
        } else {
            Err(self)
        }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.field, e.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

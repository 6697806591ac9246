//! Proof-of-execution documents (SPEC §6): what a partner declares before uploading, the
//! configured policy it must meet, and the server-generated storage key.

use super::config::ConfigError;
use super::content::ValidationErrors;
use super::values::{ClaimId, FileName, PoeId, Sha256Digest};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// At most this many PoE documents on one claim.
pub const MAX_POE_PER_CLAIM: usize = 20;

/// Allowed content types and the size cap (configuration; defaults PDF, PNG, JPEG, DOCX, XLSX
/// and 10 MiB).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoePolicy {
    pub allowed_types: Vec<String>,
    pub max_bytes: u64,
}

impl Default for PoePolicy {
    fn default() -> Self {
        Self {
            allowed_types: [
                "application/pdf",
                "image/png",
                "image/jpeg",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ]
            .map(str::to_owned)
            .to_vec(),
            max_bytes: 10 * 1024 * 1024,
        }
    }
}

impl PoePolicy {
    /// Reads `CPOR_POE_TYPES` (comma-separated) and `CPOR_POE_MAX_BYTES`, defaulting each.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut policy = Self::default();
        if let Some(types) = lookup("CPOR_POE_TYPES") {
            let types: Vec<String> = types
                .split(',')
                .map(|t| t.trim().to_ascii_lowercase())
                .filter(|t| !t.is_empty())
                .collect();
            if types.is_empty() || types.iter().any(|t| !t.contains('/')) {
                return Err(ConfigError {
                    setting: "CPOR_POE_TYPES",
                    message: "must be a comma-separated list of media types".into(),
                });
            }
            policy.allowed_types = types;
        }
        if let Some(max) = lookup("CPOR_POE_MAX_BYTES") {
            policy.max_bytes = max
                .trim()
                .parse()
                .ok()
                .filter(|n| (1..=5 * 1024 * 1024 * 1024).contains(n))
                .ok_or_else(|| ConfigError {
                    setting: "CPOR_POE_MAX_BYTES",
                    message: "must be a byte count between 1 and 5 GiB".into(),
                })?;
        }
        Ok(policy)
    }
}

/// What a partner declares when asking for an upload URL (wire shape).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PoeUploadRequest {
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub size_bytes: Option<u64>,
    pub sha256: Option<String>,
}

/// A PoE document attached to a claim. The object is uploaded by the partner to
/// [`PoeDocument::object_key`] and verified against size, type and checksum at submit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PoeDocument {
    pub id: PoeId,
    pub file_name: FileName,
    pub content_type: String,
    pub size_bytes: u64,
    pub sha256: Sha256Digest,
    pub added_at: DateTime<Utc>,
    /// When it became part of a submission (submit, resubmit or dispute): from then on it
    /// stays, and its upload cannot be redone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<DateTime<Utc>>,
}

impl PoeDocument {
    /// Validates a declaration against the policy, reporting every failing field.
    pub fn declare(
        id: PoeId,
        req: &PoeUploadRequest,
        policy: &PoePolicy,
        now: DateTime<Utc>,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let file_name = errs.required("fileName", req.file_name.as_deref(), FileName::parse);
        let content_type = match req
            .content_type
            .as_deref()
            .map(|t| t.trim().to_ascii_lowercase())
        {
            None => {
                errs.push("contentType", "is required");
                None
            }
            Some(t) if policy.allowed_types.contains(&t) => Some(t),
            Some(_) => {
                errs.push(
                    "contentType",
                    format!("must be one of: {}", policy.allowed_types.join(", ")),
                );
                None
            }
        };
        let size_bytes = match req.size_bytes {
            None => {
                errs.push("sizeBytes", "is required");
                None
            }
            Some(0) => {
                errs.push("sizeBytes", "must be at least 1 byte");
                None
            }
            Some(n) if n > policy.max_bytes => {
                errs.push(
                    "sizeBytes",
                    format!("must be at most {} bytes", policy.max_bytes),
                );
                None
            }
            Some(n) => Some(n),
        };
        let sha256 = errs.required("sha256", req.sha256.as_deref(), Sha256Digest::parse);
        errs.into_result(|| {
            Some(PoeDocument {
                id,
                file_name: file_name?,
                content_type: content_type?,
                size_bytes: size_bytes?,
                sha256: sha256?,
                added_at: now,
                submitted_at: None,
            })
        })
    }

    /// The S3 key: generated from IDs only, never from the client's file name.
    pub fn object_key(&self, claim: ClaimId) -> String {
        object_key(claim, self.id)
    }
}

/// The S3 key of a claim's document, made of the two IDs (known before the claim is read).
pub fn object_key(claim: ClaimId, poe: PoeId) -> String {
    format!("claims/{claim}/poe/{poe}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req() -> PoeUploadRequest {
        PoeUploadRequest {
            file_name: Some("SoW signed.pdf".into()),
            content_type: Some("application/pdf".into()),
            size_bytes: Some(12_345),
            sha256: Some("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".into()),
        }
    }

    #[test]
    fn a_declared_pdf_within_the_cap_is_accepted_and_its_key_ignores_the_file_name() {
        let id = PoeId::generate();
        let doc = PoeDocument::declare(id, &req(), &PoePolicy::default(), Utc::now()).unwrap();
        let claim = ClaimId::generate();
        assert_eq!(doc.object_key(claim), format!("claims/{claim}/poe/{id}"));
        assert!(!doc.object_key(claim).contains("SoW"));
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let bad = PoeUploadRequest {
            file_name: Some("../x.pdf".into()),
            content_type: Some("application/x-msdownload".into()),
            size_bytes: Some(10 * 1024 * 1024 + 1),
            sha256: Some("abc".into()),
        };
        let errs = PoeDocument::declare(PoeId::generate(), &bad, &PoePolicy::default(), Utc::now())
            .unwrap_err();
        assert_eq!(
            errs.fields().collect::<Vec<_>>(),
            ["fileName", "contentType", "sizeBytes", "sha256"]
        );
        let empty = PoeDocument::declare(
            PoeId::generate(),
            &PoeUploadRequest::default(),
            &PoePolicy::default(),
            Utc::now(),
        )
        .unwrap_err();
        assert_eq!(empty.0.len(), 4);
    }

    #[test]
    fn policy_is_configurable_and_bad_configuration_names_the_setting() {
        let p = PoePolicy::from_lookup(|k| match k {
            "CPOR_POE_TYPES" => Some("application/pdf, text/plain".into()),
            "CPOR_POE_MAX_BYTES" => Some("1024".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(p.allowed_types, ["application/pdf", "text/plain"]);
        assert_eq!(p.max_bytes, 1024);
        let mut r = req();
        r.size_bytes = Some(2048);
        assert!(PoeDocument::declare(PoeId::generate(), &r, &p, Utc::now()).is_err());
        let e = PoePolicy::from_lookup(|k| (k == "CPOR_POE_MAX_BYTES").then(|| "lots".into()))
            .unwrap_err();
        assert_eq!(e.setting, "CPOR_POE_MAX_BYTES");
    }
}

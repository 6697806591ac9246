//! S3 adapter for PoE documents: presigned PUTs whose signature binds the server-generated key,
//! the content type, the exact length and the SHA-256 checksum (the AWS SDK for Rust has no
//! presigned POST; signing the length on a PUT is how the size is capped), presigned GETs for
//! reading, and HeadObject for verification at submit.

use crate::ports::{ObjectMeta, PoeStorage, PresignedRequest, ReadError, Unavailable, UploadSpec};
use aws_sdk_s3::Client;
use aws_sdk_s3::operation::get_object::GetObjectError;
use aws_sdk_s3::operation::head_object::HeadObjectError;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::types::{ChecksumMode, Tag, Tagging};
use chrono::{DateTime, Utc};
use std::time::Duration;

/// The tag every upload carries until its claim is submitted (the bucket's lifecycle rule
/// deletes objects still tagged so after a configured number of days).
pub const PENDING_TAG: &str = "cpor-upload=pending";

/// How long an upload URL is valid.
pub const UPLOAD_TTL: Duration = Duration::from_secs(300);
/// How long a download URL is valid.
pub const DOWNLOAD_TTL: Duration = Duration::from_secs(300);

#[derive(Clone, Debug)]
pub struct S3PoeStorage {
    client: Client,
    bucket: String,
    /// For an emulator that stores the signed checksum without reporting it (moto): hash the
    /// stored bytes instead. Never on S3, which reports it.
    hash_unreported_checksums: bool,
}

impl S3PoeStorage {
    pub fn new(client: Client, bucket: impl Into<String>) -> Self {
        Self {
            client,
            bucket: bucket.into(),
            hash_unreported_checksums: false,
        }
    }

    /// On an emulator that does not report checksums on HeadObject: compute the SHA-256 of the
    /// stored object instead (`CPOR_S3_EMULATOR_CHECKSUMS=true`, set by the local stack).
    pub fn hashing_unreported_checksums(mut self) -> Self {
        self.hash_unreported_checksums = true;
        self
    }

    /// The stored object's SHA-256, base64, computed from its bytes.
    async fn hash_object(&self, key: &str) -> Result<String, Unavailable> {
        use base64::Engine as _;
        use sha2::{Digest, Sha256};
        let out = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| Unavailable::new("get object", e))?;
        let bytes = out
            .body
            .collect()
            .await
            .map_err(|e| Unavailable::new("read object", e))?
            .into_bytes();
        Ok(base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&bytes)))
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    fn config(now: DateTime<Utc>, ttl: Duration) -> Result<PresigningConfig, Unavailable> {
        PresigningConfig::builder()
            .start_time(now.into())
            .expires_in(ttl)
            .build()
            .map_err(|e| Unavailable::new("presigning config", e))
    }
}

fn to_request(
    p: aws_sdk_s3::presigning::PresignedRequest,
    expires_at: DateTime<Utc>,
) -> PresignedRequest {
    PresignedRequest {
        method: p.method().to_owned(),
        url: p.uri().to_owned(),
        headers: p
            .headers()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        expires_at,
    }
}

fn ttl(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or_default()
}

/// `attachment; filename="..."` with anything outside printable ASCII (and quotes,
/// backslashes) replaced, plus the RFC 5987 UTF-8 form for the real name.
fn content_disposition(file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

impl PoeStorage for S3PoeStorage {
    async fn presign_upload(
        &self,
        spec: &UploadSpec,
        now: DateTime<Utc>,
    ) -> Result<PresignedRequest, Unavailable> {
        let presigned = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(&spec.key)
            .content_type(&spec.content_type)
            .content_length(i64::try_from(spec.size_bytes).unwrap_or(i64::MAX))
            .checksum_sha256(&spec.sha256_b64)
            .tagging(PENDING_TAG)
            .presigned(Self::config(now, UPLOAD_TTL)?)
            .await
            .map_err(|e| Unavailable::new("presign upload", e))?;
        Ok(to_request(presigned, now + ttl(UPLOAD_TTL)))
    }

    async fn presign_download(
        &self,
        key: &str,
        file_name: &str,
        now: DateTime<Utc>,
    ) -> Result<PresignedRequest, Unavailable> {
        let presigned = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .response_content_disposition(content_disposition(file_name))
            .presigned(Self::config(now, DOWNLOAD_TTL)?)
            .await
            .map_err(|e| Unavailable::new("presign download", e))?;
        Ok(to_request(presigned, now + ttl(DOWNLOAD_TTL)))
    }

    async fn head(&self, key: &str) -> Result<Option<ObjectMeta>, Unavailable> {
        let result = self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .checksum_mode(ChecksumMode::Enabled)
            .send()
            .await;
        match result {
            Ok(out) => {
                let reported = out.checksum_sha256().map(str::to_owned);
                let sha256_b64 = match reported {
                    None if self.hash_unreported_checksums => Some(self.hash_object(key).await?),
                    other => other,
                };
                Ok(Some(ObjectMeta {
                    size_bytes: out
                        .content_length()
                        .and_then(|n| u64::try_from(n).ok())
                        .unwrap_or(0),
                    content_type: out.content_type().map(str::to_owned),
                    sha256_b64,
                }))
            }
            Err(err) if matches!(err.as_service_error(), Some(HeadObjectError::NotFound(_))) => {
                Ok(None)
            }
            Err(err) => Err(Unavailable::new("head object", err)),
        }
    }

    async fn mark_attached(&self, key: &str) -> Result<(), Unavailable> {
        let tag = Tag::builder()
            .key("cpor-upload")
            .value("attached")
            .build()
            .map_err(|e| Unavailable::new("build tag", e))?;
        let tagging = Tagging::builder()
            .tag_set(tag)
            .build()
            .map_err(|e| Unavailable::new("build tagging", e))?;
        let result = self
            .client
            .put_object_tagging()
            .bucket(&self.bucket)
            .key(key)
            .tagging(tagging)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err) if format!("{err:?}").contains("NoSuchKey") => Ok(()),
            Err(err) => Err(Unavailable::new("tag object", err)),
        }
    }

    async fn read(&self, key: &str, max_bytes: u64) -> Result<Option<Vec<u8>>, ReadError> {
        let result = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await;
        let out = match result {
            Ok(out) => out,
            Err(err) if matches!(err.as_service_error(), Some(GetObjectError::NoSuchKey(_))) => {
                return Ok(None);
            }
            Err(err) => return Err(Unavailable::new("get object", err).into()),
        };
        if out
            .content_length()
            .is_some_and(|n| u64::try_from(n).unwrap_or(u64::MAX) > max_bytes)
        {
            return Err(ReadError::TooLarge { max_bytes });
        }
        let bytes = out
            .body
            .collect()
            .await
            .map_err(|e| Unavailable::new("read object", e))?
            .into_bytes();
        if bytes.len() as u64 > max_bytes {
            return Err(ReadError::TooLarge { max_bytes });
        }
        Ok(Some(bytes.to_vec()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_disposition_cannot_break_out_of_the_header() {
        let d = content_disposition("a\"b\r\nX: y é.pdf");
        assert!(!d.contains('\r') && !d.contains('\n'));
        assert!(d.starts_with("attachment; filename=\"a_b__X: y _.pdf\""));
        assert!(d.ends_with("a%22b%0D%0AX%3A%20y%20%C3%A9.pdf"));
    }
}

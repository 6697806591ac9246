//! Signed tokens that leave the service: customer consent links and pagination cursors.
//!
//! Both are HMAC-SHA-256 sealed with a rotating key ring (`CPOR_TOKEN_KEYS`): new tokens are
//! signed with the first key, tokens signed with any listed key still verify, so a key is rotated
//! by prepending a new one and dropping the old one after the longest token lifetime. Tokens are
//! URL-safe base64 without padding. Nothing here touches AWS.
//!
//! - A **consent token** names one claim and an expiry; the MAC makes it unguessable. Nothing is
//!   stored: it is deterministic per (claim, expiry), so a resent email carries the same link.
//! - A **cursor** seals an opaque position under a *scope* (the caller's organisation, or the
//!   reviewer queue): a cursor minted for one scope does not open under another, so a client can
//!   neither forge one nor replay another organisation's.

use crate::domain::ConfigError;
use crate::domain::values::ClaimId;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeZone, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

type HmacSha256 = Hmac<Sha256>;

const CONSENT_VERSION: u8 = 3;
/// Claim (16 bytes), expiry (8), contact tag.
const CONSENT_BODY: usize = 24 + CONTACT_TAG;
const CONTACT_TAG: usize = 8;
const CURSOR_VERSION: u8 = 1;
const MAC_LEN: usize = 32;
/// Tokens longer than this are refused before any work (a cursor carries a small key).
const MAX_TOKEN_CHARS: usize = 2048;

/// Why a token was refused. Deliberately coarse: a caller learns nothing about which part of a
/// forged token was wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the link or cursor is not valid")]
    Invalid,
    #[error("the link has expired")]
    Expired,
}

/// One signing key.
#[derive(Clone)]
struct Key {
    id: String,
    secret: Vec<u8>,
}

/// The signing keys, newest first.
#[derive(Clone)]
pub struct KeyRing {
    keys: Vec<Key>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print secrets.
        let ids: Vec<&str> = self.keys.iter().map(|k| k.id.as_str()).collect();
        f.debug_struct("KeyRing").field("key_ids", &ids).finish()
    }
}

/// Where a function's key ring comes from: the `CPOR_TOKEN_KEYS` setting itself (the local
/// tools, the benchmark), or the Secrets Manager secret `CPOR_TOKEN_KEYS_SECRET` names (deployed:
/// no secret in the function's environment).
#[derive(Debug, Clone)]
pub enum KeySource {
    Inline(KeyRing),
    Secret(String),
}

/// A read of the key ring's text in flight.
pub type Fetching<'a> = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<String, crate::ports::Unavailable>> + Send + 'a>,
>;

/// Reads the key ring's text from where it is kept (the Secrets Manager adapter).
pub trait KeyFetch: Send + Sync {
    fn fetch(&self) -> Fetching<'_>;
}

impl<T: KeyFetch> KeyFetch for std::sync::Arc<T> {
    fn fetch(&self) -> Fetching<'_> {
        (**self).fetch()
    }
}

/// The key ring a running function signs and opens with. Read from its secret at cold start
/// and again once `every` has passed (checked as invocations arrive), so a rotation — a new key
/// prepended to the secret — reaches running functions without a redeploy. A failed read keeps
/// the ring it has.
pub struct LiveKeys {
    ring: std::sync::RwLock<Option<std::sync::Arc<KeyRing>>>,
    source: Option<Box<dyn KeyFetch>>,
    every: std::time::Duration,
    /// When the ring was last read; held across a read, so invocations arriving together
    /// (the local stack serves them at once) wait for the one read instead of going without.
    fetched_at: futures_util::lock::Mutex<Option<std::time::Instant>>,
}

impl std::fmt::Debug for LiveKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveKeys")
            .field("ring", &self.current())
            .field("refreshed", &self.source.is_some())
            .finish()
    }
}

impl LiveKeys {
    /// A ring that never changes.
    pub fn fixed(ring: KeyRing) -> Self {
        Self {
            ring: std::sync::RwLock::new(Some(std::sync::Arc::new(ring))),
            source: None,
            every: std::time::Duration::MAX,
            fetched_at: futures_util::lock::Mutex::new(None),
        }
    }

    /// A ring read from `source`, first by [`Self::refresh`], then every `every`.
    pub fn fetched(source: Box<dyn KeyFetch>, every: std::time::Duration) -> Self {
        Self {
            ring: std::sync::RwLock::new(None),
            source: Some(source),
            every,
            fetched_at: futures_util::lock::Mutex::new(None),
        }
    }

    /// The ring now; `None` until a fetched ring has been read once.
    pub fn current(&self) -> Option<std::sync::Arc<KeyRing>> {
        match self.ring.read() {
            Ok(ring) => ring.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Reads the ring again if it is fetched and `every` has passed since the last read (or
    /// there was none). Errors are logged and the ring kept; `true` if a new ring is in place.
    pub async fn refresh(&self) -> bool {
        let Some(source) = &self.source else {
            return false;
        };
        let mut last = self.fetched_at.lock().await;
        let now = std::time::Instant::now();
        if last.is_some_and(|at| now.duration_since(at) < self.every) {
            return false;
        }
        let ring = match source.fetch().await.map(|raw| KeyRing::parse(&raw)) {
            Ok(Ok(ring)) => ring,
            failed => {
                match failed {
                    Ok(Err(e)) => {
                        tracing::error!(error = %e, "the token key secret does not parse")
                    }
                    Err(e) => tracing::warn!(error = %e, "the token key secret could not be read"),
                    Ok(Ok(_)) => {}
                }
                // Without any ring yet the next invocation tries again at once; with one, it
                // is kept until the next read is due.
                if self.current().is_some() {
                    *last = Some(now);
                }
                return false;
            }
        };
        *last = Some(now);
        match self.ring.write() {
            Ok(mut r) => *r = Some(std::sync::Arc::new(ring)),
            Err(poisoned) => *poisoned.into_inner() = Some(std::sync::Arc::new(ring)),
        }
        true
    }
}

impl KeyRing {
    /// Parses `id:base64secret,id:base64secret` (newest first). Each secret must decode to at
    /// least 32 bytes; IDs are 1–16 characters of letters and digits.
    pub fn parse(raw: &str) -> Result<Self, ConfigError> {
        let err = |message: &str| ConfigError {
            setting: "CPOR_TOKEN_KEYS",
            message: message.to_owned(),
        };
        let mut keys = Vec::new();
        for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (id, secret) = part
                .split_once(':')
                .ok_or_else(|| err("each key is id:base64secret"))?;
            if id.is_empty() || id.len() > 16 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(err("key IDs are 1–16 letters or digits"));
            }
            let secret = base64::engine::general_purpose::STANDARD
                .decode(secret.trim())
                .or_else(|_| URL_SAFE_NO_PAD.decode(secret.trim()))
                .map_err(|_| err("a key secret is not base64"))?;
            if secret.len() < 32 {
                return Err(err("each key secret must be at least 32 bytes"));
            }
            if keys.iter().any(|k: &Key| k.id == id) {
                return Err(err("key IDs must be unique"));
            }
            keys.push(Key {
                id: id.to_owned(),
                secret,
            });
        }
        if keys.is_empty() {
            return Err(err("at least one key is required"));
        }
        Ok(Self { keys })
    }

    fn current(&self) -> &Key {
        // `parse` guarantees at least one key.
        &self.keys[0]
    }

    fn find(&self, id: &str) -> Option<&Key> {
        self.keys.iter().find(|k| k.id == id)
    }

    fn mac(key: &Key, parts: &[&[u8]]) -> Option<HmacSha256> {
        let mut mac = HmacSha256::new_from_slice(&key.secret).ok()?;
        for p in parts {
            mac.update(&(p.len() as u32).to_be_bytes());
            mac.update(p);
        }
        Some(mac)
    }

    /// `version | key id length | key id | body | mac(domain, version, key id, body)`.
    fn seal(&self, domain: &[u8], version: u8, body: &[u8]) -> String {
        let key = self.current();
        let mut out = Vec::with_capacity(2 + key.id.len() + body.len() + MAC_LEN);
        out.push(version);
        out.push(key.id.len() as u8);
        out.extend_from_slice(key.id.as_bytes());
        out.extend_from_slice(body);
        if let Some(mac) = Self::mac(key, &[domain, &[version], key.id.as_bytes(), body]) {
            out.extend_from_slice(&mac.finalize().into_bytes());
        }
        URL_SAFE_NO_PAD.encode(out)
    }

    /// Verifies a sealed token and returns the key that signed it and its body.
    fn open(&self, domain: &[u8], version: u8, token: &str) -> Result<(&Key, Vec<u8>), TokenError> {
        if token.is_empty() || token.len() > MAX_TOKEN_CHARS {
            return Err(TokenError::Invalid);
        }
        let raw = URL_SAFE_NO_PAD
            .decode(token.trim())
            .map_err(|_| TokenError::Invalid)?;
        let (&v, rest) = raw.split_first().ok_or(TokenError::Invalid)?;
        let (&id_len, rest) = rest.split_first().ok_or(TokenError::Invalid)?;
        let id_len = usize::from(id_len);
        if v != version || rest.len() < id_len + MAC_LEN {
            return Err(TokenError::Invalid);
        }
        let (id, rest) = rest.split_at(id_len);
        let (body, tag) = rest.split_at(rest.len() - MAC_LEN);
        let id = std::str::from_utf8(id).map_err(|_| TokenError::Invalid)?;
        let key = self.find(id).ok_or(TokenError::Invalid)?;
        let mac = Self::mac(key, &[domain, &[version], id.as_bytes(), body])
            .ok_or(TokenError::Invalid)?;
        // Constant-time comparison.
        mac.verify_slice(tag).map_err(|_| TokenError::Invalid)?;
        Ok((key, body.to_vec()))
    }

    /// The consent token for a claim, sent to `contact`, valid until `expires_at` (counted from
    /// sending). Deterministic for a key, claim, contact and expiry, and unguessable without the
    /// key, so nothing about it needs storing. It carries a keyed tag of the contact it was sent
    /// to, never the address: once the claim's customer contact changes, it no longer opens.
    pub fn consent_token(
        &self,
        claim: ClaimId,
        contact: &str,
        expires_at: DateTime<Utc>,
    ) -> String {
        self.consent_token_for(ConsentKind::Claim, claim, contact, expires_at)
    }

    /// The consent token of `kind`: a CPOR claim's link (keep or decline) and an MCI
    /// engagement claim's (accept or decline) are sealed under different domains, so neither
    /// opens as the other.
    pub fn consent_token_for(
        &self,
        kind: ConsentKind,
        claim: ClaimId,
        contact: &str,
        expires_at: DateTime<Utc>,
    ) -> String {
        let mut body = Vec::with_capacity(CONSENT_BODY);
        body.extend_from_slice(claim.as_uuid().as_bytes());
        body.extend_from_slice(&expires_at.timestamp().to_be_bytes());
        body.extend_from_slice(&Self::contact_tag(self.current(), contact));
        self.seal(kind.domain(), CONSENT_VERSION, &body)
    }

    /// A keyed fingerprint of a contact address (case-insensitive), 8 bytes.
    fn contact_tag(key: &Key, contact: &str) -> [u8; CONTACT_TAG] {
        let mut tag = [0u8; CONTACT_TAG];
        if let Some(mac) = Self::mac(
            key,
            &[b"cpor-contact", contact.to_ascii_lowercase().as_bytes()],
        ) {
            tag.copy_from_slice(&mac.finalize().into_bytes()[..CONTACT_TAG]);
        }
        tag
    }

    /// Verifies a consent token at `now` for the claim's current customer contact: the claim
    /// it names, or why not.
    pub fn verify_consent(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<ConsentGrant, TokenError> {
        let grant = self.open_consent(token)?;
        if now >= grant.expires_at {
            return Err(TokenError::Expired);
        }
        Ok(grant)
    }

    /// The claim a consent token we signed names, expired or not: an expired link may still
    /// ask for a fresh one to be emailed to the contact on file (it decides nothing itself).
    /// Whether it was sent to the claim's current contact is [`KeyRing::sent_to`].
    pub fn open_consent(&self, token: &str) -> Result<ConsentGrant, TokenError> {
        self.open_consent_for(ConsentKind::Claim, token)
    }

    /// Which kind of consent link a token is, and what it grants (expired or not).
    pub fn open_any_consent(&self, token: &str) -> Result<(ConsentKind, ConsentGrant), TokenError> {
        [ConsentKind::Claim, ConsentKind::Engagement]
            .into_iter()
            .find_map(|kind| self.open_consent_for(kind, token).ok().map(|g| (kind, g)))
            .ok_or(TokenError::Invalid)
    }

    /// A consent token of `kind` we signed: the claim it names, expired or not.
    pub fn open_consent_for(
        &self,
        kind: ConsentKind,
        token: &str,
    ) -> Result<ConsentGrant, TokenError> {
        let (key, body) = self.open(kind.domain(), CONSENT_VERSION, token)?;
        if body.len() != CONSENT_BODY {
            return Err(TokenError::Invalid);
        }
        let claim = Uuid::from_slice(&body[..16]).map_err(|_| TokenError::Invalid)?;
        let claim =
            ClaimId::parse(&claim.hyphenated().to_string()).map_err(|_| TokenError::Invalid)?;
        let secs = i64::from_be_bytes(body[16..24].try_into().map_err(|_| TokenError::Invalid)?);
        let expires_at = Utc
            .timestamp_opt(secs, 0)
            .single()
            .ok_or(TokenError::Invalid)?;
        let contact_tag: [u8; CONTACT_TAG] =
            body[24..].try_into().map_err(|_| TokenError::Invalid)?;
        Ok(ConsentGrant {
            claim,
            expires_at,
            contact_tag,
            key_id: key.id.clone(),
        })
    }

    /// Whether `grant`'s token was sent to `contact` (compared under the key that signed it).
    pub fn sent_to(&self, grant: &ConsentGrant, contact: &str) -> bool {
        self.find(&grant.key_id).is_some_and(|key| {
            let expected = Self::contact_tag(key, contact);
            // Constant time, like the token's own MAC.
            expected
                .iter()
                .zip(grant.contact_tag.iter())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
        })
    }

    /// Seals an opaque position for one scope (e.g. `org#4812345` or `reviewer`).
    pub fn seal_cursor(&self, scope: &str, position: &[u8]) -> String {
        self.seal(
            &[b"cpor-cursor:", scope.as_bytes()].concat(),
            CURSOR_VERSION,
            position,
        )
    }

    /// Opens a cursor sealed for `scope`; a cursor from another scope is invalid.
    pub fn open_cursor(&self, scope: &str, cursor: &str) -> Result<Vec<u8>, TokenError> {
        self.open(
            &[b"cpor-cursor:", scope.as_bytes()].concat(),
            CURSOR_VERSION,
            cursor,
        )
        .map(|(_, position)| position)
    }
}

/// Which flow a consent link belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentKind {
    /// A CPOR claim: the customer keeps or declines the association (opt-out).
    Claim,
    /// An MCI engagement claim: the customer accepts or declines taking part (opt-in).
    Engagement,
}

impl ConsentKind {
    fn domain(self) -> &'static [u8] {
        match self {
            Self::Claim => b"cpor-consent",
            Self::Engagement => b"cpor-engagement-consent",
        }
    }
}

/// What a valid consent token grants: a decision on this one claim, by the contact it was
/// sent to ([`KeyRing::sent_to`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentGrant {
    pub claim: ClaimId,
    pub expires_at: DateTime<Utc>,
    contact_tag: [u8; CONTACT_TAG],
    key_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A secret that answers from a list, counting reads.
    struct Script(
        std::sync::Mutex<Vec<Result<String, ()>>>,
        std::sync::atomic::AtomicU32,
    );

    impl KeyFetch for Script {
        fn fetch(&self) -> Fetching<'_> {
            self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let next = self.0.lock().unwrap().remove(0);
            Box::pin(async move {
                next.map_err(|()| crate::ports::Unavailable::new("get secret value", "down"))
            })
        }
    }

    /// Polls a future to its end (those here are ready or wait on one another only).
    fn block<F: std::future::Future>(f: F) -> F::Output {
        let mut f = std::pin::pin!(f);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        loop {
            if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }

    #[test]
    fn live_keys_are_read_when_due_kept_when_the_secret_fails_and_read_once_for_many() {
        let k1 = "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
        let k2 = format!(
            "k2:{},{k1}",
            base64::engine::general_purpose::STANDARD.encode([9u8; 32])
        );
        let script = std::sync::Arc::new(Script(
            std::sync::Mutex::new(vec![
                Err(()),
                Ok(k1.to_owned()),
                Ok("garbage".into()),
                Ok(k2),
            ]),
            std::sync::atomic::AtomicU32::new(0),
        ));
        let every = std::time::Duration::from_millis(40);
        let keys = LiveKeys::fetched(Box::new(script.clone()), every);
        let reads = || script.1.load(std::sync::atomic::Ordering::SeqCst);
        // a failed first read leaves no ring, and the next invocation tries again at once
        assert!(!block(keys.refresh()));
        assert!(keys.current().is_none());
        // two invocations at once: one read, both find the ring
        let (a, b) = block(futures_util::future::join(keys.refresh(), keys.refresh()));
        assert!(a && !b);
        assert_eq!(reads(), 2);
        assert_eq!(keys.current().expect("a ring").current().id, "k1");
        // not due yet: nothing read
        assert!(!block(keys.refresh()));
        assert_eq!(reads(), 2);
        // due: a secret that does not parse keeps the ring; the next good one replaces it
        std::thread::sleep(every);
        assert!(!block(keys.refresh()));
        assert_eq!(keys.current().expect("kept").current().id, "k1");
        std::thread::sleep(every);
        assert!(block(keys.refresh()));
        assert_eq!(keys.current().expect("rotated").current().id, "k2");
        // fixed keys are never read
        let fixed = LiveKeys::fixed(KeyRing::parse(k1).unwrap());
        assert!(!block(fixed.refresh()));
    }

    use chrono::Duration;
    use proptest::prelude::*;

    fn secret(byte: u8) -> String {
        base64::engine::general_purpose::STANDARD.encode([byte; 32])
    }

    fn ring(spec: &[(&str, u8)]) -> KeyRing {
        let raw: Vec<String> = spec
            .iter()
            .map(|(id, b)| format!("{id}:{}", secret(*b)))
            .collect();
        KeyRing::parse(&raw.join(",")).unwrap()
    }

    #[test]
    fn a_consent_token_names_its_claim_until_it_expires() {
        let keys = ring(&[("k1", 1)]);
        let claim = ClaimId::generate();
        let now = Utc::now();
        let token = keys.consent_token(claim, "ana@contoso.com", now + Duration::days(30));
        let grant = keys.verify_consent(&token, now).unwrap();
        assert_eq!(grant.claim, claim);
        assert!(
            keys.sent_to(&grant, "Ana@Contoso.com"),
            "the contact it was sent to"
        );
        assert!(
            !keys.sent_to(&grant, "eve@contoso.com"),
            "not another contact"
        );
        assert!(
            !token.contains("ana") && !token.contains("YW5h"),
            "the address is not in the link"
        );
        assert_eq!(
            keys.verify_consent(&token, now + Duration::days(30)),
            Err(TokenError::Expired)
        );
        assert!(token.len() < 120, "fits in a link: {}", token.len());
        assert!(
            token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
    }

    #[test]
    fn tokens_are_unguessable_and_tampering_is_detected() {
        let keys = ring(&[("k1", 1)]);
        let claim = ClaimId::generate();
        let exp = Utc::now() + Duration::days(1);
        let a = keys.consent_token(claim, "a@b.example", exp);
        let b = keys.consent_token(claim, "a@b.example", exp);
        assert_eq!(a, b, "the same claim and expiry give the same link");
        assert_ne!(
            a,
            keys.consent_token(claim, "a@b.example", exp + Duration::seconds(1))
        );
        assert_ne!(
            a,
            keys.consent_token(ClaimId::generate(), "a@b.example", exp)
        );
        assert_ne!(
            a,
            keys.consent_token(claim, "c@d.example", exp),
            "bound to the contact"
        );
        let mut raw = URL_SAFE_NO_PAD.decode(&a).unwrap();
        for i in 0..raw.len() {
            raw[i] ^= 1;
            let forged = URL_SAFE_NO_PAD.encode(&raw);
            assert!(
                keys.verify_consent(&forged, Utc::now()).is_err(),
                "byte {i}"
            );
            raw[i] ^= 1;
        }
        let other = ring(&[("k1", 2)]);
        assert_eq!(
            other.verify_consent(&a, Utc::now()),
            Err(TokenError::Invalid),
            "same id, other secret"
        );
    }

    #[test]
    fn rotation_signs_with_the_newest_key_and_still_accepts_the_previous_one() {
        let old = ring(&[("k1", 1)]);
        let rotated = ring(&[("k2", 2), ("k1", 1)]);
        let retired = ring(&[("k2", 2)]);
        let claim = ClaimId::generate();
        let exp = Utc::now() + Duration::days(1);
        let old_token = old.consent_token(claim, "a@b.example", exp);
        assert!(rotated.verify_consent(&old_token, Utc::now()).is_ok());
        assert_eq!(
            retired.verify_consent(&old_token, Utc::now()),
            Err(TokenError::Invalid)
        );
        let new_token = rotated.consent_token(claim, "a@b.example", exp);
        assert!(retired.verify_consent(&new_token, Utc::now()).is_ok());
        assert!(old.verify_consent(&new_token, Utc::now()).is_err());
    }

    #[test]
    fn a_cpor_link_and_an_engagement_link_are_not_interchangeable() {
        let ring = KeyRing::parse(&format!("k1:{}", secret(7))).unwrap();
        let claim = ClaimId::generate();
        let until = Utc::now() + Duration::days(1);
        let engagement =
            ring.consent_token_for(ConsentKind::Engagement, claim, "a@b.example", until);
        assert!(ring.open_consent(&engagement).is_err(), "not a CPOR link");
        let (kind, grant) = ring.open_any_consent(&engagement).unwrap();
        assert_eq!((kind, grant.claim), (ConsentKind::Engagement, claim));
        let cpor = ring.consent_token(claim, "a@b.example", until);
        assert!(
            ring.open_consent_for(ConsentKind::Engagement, &cpor)
                .is_err()
        );
        assert_eq!(ring.open_any_consent(&cpor).unwrap().0, ConsentKind::Claim);
        assert!(ring.open_any_consent("garbage").is_err());
    }

    #[test]
    fn a_cursor_opens_only_in_the_scope_it_was_made_for() {
        let keys = ring(&[("k1", 1)]);
        let cursor = keys.seal_cursor("org#4812345", b"{\"pk\":\"x\"}");
        assert_eq!(
            keys.open_cursor("org#4812345", &cursor).unwrap(),
            b"{\"pk\":\"x\"}"
        );
        assert_eq!(
            keys.open_cursor("org#7654321", &cursor),
            Err(TokenError::Invalid)
        );
        assert_eq!(
            keys.open_cursor("reviewer", &cursor),
            Err(TokenError::Invalid)
        );
        // A consent token is not a cursor and vice versa.
        let token = keys.consent_token(
            ClaimId::generate(),
            "a@b.example",
            Utc::now() + Duration::days(1),
        );
        assert!(keys.open_cursor("org#4812345", &token).is_err());
        assert!(keys.verify_consent(&cursor, Utc::now()).is_err());
    }

    #[test]
    fn key_configuration_errors_name_the_setting_and_debug_hides_secrets() {
        for bad in [
            "",
            "k1",
            "k1:short",
            "k 1:".to_owned().as_str(),
            &format!("k1:{0},k1:{0}", secret(1)),
        ] {
            assert_eq!(
                KeyRing::parse(bad).unwrap_err().setting,
                "CPOR_TOKEN_KEYS",
                "{bad:?}"
            );
        }
        let keys = ring(&[("k1", 7)]);
        let shown = format!("{keys:?}");
        assert!(
            shown.contains("k1") && !shown.contains(&secret(7)),
            "{shown}"
        );
    }

    proptest! {
        #[test]
        fn random_input_never_panics_or_verifies(s in "\\PC{0,300}", bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let keys = ring(&[("k1", 1)]);
            prop_assert!(keys.verify_consent(&s, Utc::now()).is_err());
            prop_assert!(keys.open_cursor("org#1", &s).is_err());
            let encoded = URL_SAFE_NO_PAD.encode(&bytes);
            prop_assert!(keys.verify_consent(&encoded, Utc::now()).is_err());
            prop_assert!(keys.open_cursor("org#1", &encoded).is_err());
        }
    }
}

//! Value types that cannot hold an invalid value: identifiers, email addresses and bounded text.
//!
//! Each type is built only by `parse` (or `TryFrom<String>` for serde), which trims where the rule
//! says so and rejects everything else with a [`ValueError`] that says what is wrong. Serialisation
//! writes the canonical form, deserialisation re-parses, so a stored value that was tampered with
//! cannot come back in as a valid one.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

/// Why a value was refused. The message is safe to show to the caller: it never echoes the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("is required")]
    Empty,
    #[error("must be at most {max} characters")]
    TooLong { max: usize },
    #[error("must not contain control characters")]
    ControlCharacter,
    #[error("must be a GUID such as 3fa85f64-5717-4562-b3fc-2c963f66afa6")]
    NotAGuid,
    #[error("must not be the nil GUID")]
    NilGuid,
    #[error("must be an email address such as name@example.com")]
    NotAnEmail,
    #[error("must be a domain name such as contoso.com")]
    NotADomain,
    #[error("may contain only letters, digits, '-' and '_'")]
    BadIdentifier,
    #[error("must be a 64-character hex SHA-256 digest")]
    NotASha256,
    #[error("must not contain path separators")]
    PathSeparator,
    #[error(
        "must be a BCP 47 language tag for English, Spanish, French or Japanese, such as en, es-MX, fr-CA or ja"
    )]
    UnsupportedLanguage,
    #[error("must be a TPID: digits only, at most 20")]
    NotATpid,
    #[error("must be an MSX opportunity ID: letters, digits and '-', at most 32")]
    NotAnOpportunityId,
    #[error("must be an amount of US dollars between 0 and 1000000000000")]
    NotAnAmount,
    #[error("must be between {min} and {max}")]
    OutOfRange { min: i64, max: i64 },
}

/// Implements `Display`, `AsRef<str>`, `TryFrom<String>` and `From<T> for String` for a string
/// newtype whose only constructor is `parse`.
/// The JSON Schema of a value sent as a string (`openapi` feature): inline, so the document
/// says `{"type": "string"}` where the value appears.
macro_rules! string_schema {
    ($name:ident, $schema:tt) => {
        #[cfg(feature = "openapi")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn inline_schema() -> bool {
                true
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!($schema)
            }
        }
    };
}

macro_rules! string_newtype {
    ($name:ident) => {
        string_schema!($name, { "type": "string" });
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl TryFrom<String> for $name {
            type Error = ValueError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }
        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
    };
}

/// Parses a GUID in the hyphenated form (braces and case tolerated) and refuses the nil GUID.
fn parse_guid(raw: &str) -> Result<Uuid, ValueError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(ValueError::Empty);
    }
    let inner = s
        .strip_prefix('{')
        .and_then(|x| x.strip_suffix('}'))
        .unwrap_or(s);
    // Only the 36-character hyphenated form: the simple and URN forms are not what portals show.
    if inner.len() != 36 {
        return Err(ValueError::NotAGuid);
    }
    let id = Uuid::try_parse(inner).map_err(|_| ValueError::NotAGuid)?;
    if id.is_nil() {
        return Err(ValueError::NilGuid);
    }
    Ok(id)
}

macro_rules! guid_newtype {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(Uuid);

        string_schema!($name, { "type": "string", "format": "uuid" });
        impl $name {
            pub fn parse(raw: &str) -> Result<Self, ValueError> {
                parse_guid(raw).map(Self)
            }
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                // Lower-case hyphenated: the one canonical spelling, used in lock keys too.
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }
        impl TryFrom<String> for $name {
            type Error = ValueError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }
        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.to_string()
            }
        }
    };
}

guid_newtype!(
    /// A customer's Microsoft Entra tenant (directory) ID.
    TenantId
);
guid_newtype!(
    /// A customer's subscription ID (Business Applications products name one each).
    SubscriptionId
);
guid_newtype!(
    /// A claim's ID, generated by the service.
    ClaimId
);
guid_newtype!(
    /// A proof-of-execution document's ID, generated by the service.
    PoeId
);

impl ClaimId {
    /// A fresh random ID. IDs are never derived from client input.
    pub fn generate() -> Self {
        Self(Uuid::new_v4())
    }
}

impl PoeId {
    /// A fresh random ID. The S3 key is derived from it, never from the client's file name.
    pub fn generate() -> Self {
        Self(Uuid::new_v4())
    }
}

/// Checks the opaque-identifier rule shared by partner, location and user IDs.
fn parse_identifier(raw: &str, max: usize) -> Result<String, ValueError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(ValueError::Empty);
    }
    if s.len() > max {
        return Err(ValueError::TooLong { max });
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(ValueError::BadIdentifier);
    }
    Ok(s.to_owned())
}

macro_rules! identifier_newtype {
    ($(#[$meta:meta])* $name:ident, $max:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(raw: &str) -> Result<Self, ValueError> {
                parse_identifier(raw, $max).map(Self)
            }
        }
        string_newtype!($name);
    };
}

identifier_newtype!(
    /// A partner organisation's ID (the caller's `partner_id` claim). Opaque: letters, digits,
    /// `-` and `_`, at most 64 characters, so it is safe inside storage keys.
    PartnerId,
    64
);
identifier_newtype!(
    /// A partner location ID (MPN / AI Cloud Partner Program location). Same alphabet as
    /// [`PartnerId`], at most 32 characters.
    LocationId,
    32
);
identifier_newtype!(
    /// A signed-in user (the JWT `sub`), recorded in history as the actor.
    UserId,
    128
);

/// An email address: trimmed, at most 254 characters, a dot-atom local part and a domain of at
/// least two labels. The domain is lower-cased; the local part keeps its case (it may matter).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(ValueError::Empty);
        }
        if s.chars().count() > 254 {
            return Err(ValueError::TooLong { max: 254 });
        }
        let (local, domain) = s.rsplit_once('@').ok_or(ValueError::NotAnEmail)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~.-".contains(&b));
        if !local_ok {
            return Err(ValueError::NotAnEmail);
        }
        let domain = DomainName::parse(domain).map_err(|_| ValueError::NotAnEmail)?;
        Ok(Self(format!("{local}@{}", domain.as_str())))
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or_default()
    }
}
string_newtype!(EmailAddress);

/// A DNS domain name such as `contoso.com`: ASCII labels of letters, digits and inner hyphens,
/// at least two labels, an alphabetic top-level label; lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DomainName(String);

impl DomainName {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim().trim_end_matches('.').to_ascii_lowercase();
        if s.is_empty() {
            return Err(ValueError::Empty);
        }
        if s.len() > 253 {
            return Err(ValueError::TooLong { max: 253 });
        }
        let labels: Vec<&str> = s.split('.').collect();
        let label_ok = |l: &&str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        let tld_ok = labels
            .last()
            .is_some_and(|t| t.len() >= 2 && t.bytes().all(|b| b.is_ascii_alphabetic()))
            // IDN top-level domains are spelled xn--...
            || labels.last().is_some_and(|t| t.starts_with("xn--"));
        if labels.len() < 2 || !labels.iter().all(label_ok) || !tld_ok {
            return Err(ValueError::NotADomain);
        }
        Ok(Self(s))
    }
}
string_newtype!(DomainName);

/// Shared rule for human text: trimmed, non-empty, at most `max` characters, no control
/// characters (so no CR/LF header injection and nothing invisible), except the newlines and tabs
/// that multi-line text may hold.
fn parse_text(raw: &str, max: usize, multiline: bool) -> Result<String, ValueError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(ValueError::Empty);
    }
    if s.chars().count() > max {
        return Err(ValueError::TooLong { max });
    }
    let allowed = |c: char| multiline && (c == '\n' || c == '\t' || c == '\r');
    // `char::is_control` covers C0 and C1; also refuse the Unicode line/paragraph separators and
    // bidi overrides, which render as line breaks or reorder text in mail clients.
    let bad = |c: char| {
        (c.is_control() && !allowed(c))
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    if s.chars().any(bad) {
        return Err(ValueError::ControlCharacter);
    }
    Ok(s.to_owned())
}

macro_rules! text_newtype {
    ($(#[$meta:meta])* $name:ident, $max:expr, $multiline:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;
            pub fn parse(raw: &str) -> Result<Self, ValueError> {
                parse_text(raw, $max, $multiline).map(Self)
            }
        }
        string_newtype!($name);
    };
}

text_newtype!(
    /// The claim's name, chosen by the partner: 1–100 characters, one line.
    ClaimName,
    100,
    false
);
text_newtype!(
    /// A person's name or job title, or a seller/customer/product name: 1–200 characters, one line.
    ShortText,
    200,
    false
);
text_newtype!(
    /// Free text written by a person (comments, justifications, reasons): 1–4000 characters,
    /// newlines allowed. Stored as given; every renderer escapes it.
    LongText,
    4000,
    true
);

/// A language we write to people in: the seeds' languages (SPEC §3). Emails, the consent page
/// and labels exist in each (`cpor::i18n`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
    strum::EnumCount,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Es,
    Fr,
    Ja,
}

impl Language {
    pub const ALL: [Self; <Self as strum::EnumCount>::COUNT] =
        all_variants(<Self as strum::VariantArray>::VARIANTS);

    pub fn code(self) -> &'static str {
        self.into()
    }

    /// The language a BCP 47 tag picks by its primary subtag (`es-MX` → Spanish), if we write
    /// it. The tag must be well formed: subtags of 1–8 letters or digits, the first 2–3 letters.
    pub fn of_tag(tag: &str) -> Option<Self> {
        let mut subtags = tag.split(['-', '_']);
        let primary = subtags.next()?;
        let well_formed = (2..=3).contains(&primary.len())
            && primary.bytes().all(|b| b.is_ascii_alphabetic())
            && subtags.all(|s| {
                (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
            });
        if !well_formed || tag.len() > 35 {
            return None;
        }
        primary.to_ascii_lowercase().parse().ok()
    }
}

/// A contact's language as a BCP 47 tag, kept as given (`fr-CA`); it picks a [`Language`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LanguageTag(String);

impl LanguageTag {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        Language::of_tag(s)
            .map(|_| Self(s.to_owned()))
            .ok_or(ValueError::UnsupportedLanguage)
    }

    pub fn language(&self) -> Language {
        Language::of_tag(&self.0).unwrap_or_default()
    }
}
string_newtype!(LanguageTag);

/// A file name shown to people: one line, at most 255 characters, no path separators. It is only
/// ever displayed; storage keys never derive from it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FileName(String);

impl FileName {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = parse_text(raw, 255, false)?;
        if s.contains(['/', '\\']) {
            return Err(ValueError::PathSeparator);
        }
        Ok(Self(s))
    }
}
string_newtype!(FileName);

/// A SHA-256 digest, given as 64 hex characters, kept as bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Sha256Digest([u8; 32]);

impl Sha256Digest {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(ValueError::Empty);
        }
        if s.len() != 64 {
            return Err(ValueError::NotASha256);
        }
        let mut out = [0u8; 32];
        for (i, pair) in s.as_bytes().chunks_exact(2).enumerate() {
            let hex = |b: u8| (b as char).to_digit(16).ok_or(ValueError::NotASha256);
            out[i] = u8::try_from(hex(pair[0])? * 16 + hex(pair[1])?)
                .map_err(|_| ValueError::NotASha256)?;
        }
        Ok(Self(out))
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }
}

impl fmt::Display for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}
impl TryFrom<String> for Sha256Digest {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}
impl From<Sha256Digest> for String {
    fn from(value: Sha256Digest) -> String {
        value.to_hex()
    }
}

/// An enum's variants as an array, from strum's `VariantArray` slice; `N` is its `EnumCount`,
/// so the array cannot miss a variant.
pub const fn all_variants<T: Copy, const N: usize>(variants: &[T]) -> [T; N] {
    match variants.first_chunk::<N>() {
        Some(array) if variants.len() == N => *array,
        _ => panic!("N must be the number of variants"),
    }
}

/// Lower-case hexadecimal of some bytes (digests, request tokens).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_language_tag_picks_one_of_the_four_languages_by_its_primary_subtag() {
        for (tag, lang) in [
            ("en", Language::En),
            ("es-MX", Language::Es),
            ("ES", Language::Es),
            ("fr-CA", Language::Fr),
            ("ja", Language::Ja),
            ("ja-JP-u-ca-japanese", Language::Ja),
            (" fr ", Language::Fr),
        ] {
            assert_eq!(LanguageTag::parse(tag).unwrap().language(), lang, "{tag}");
        }
        for bad in [
            "de",
            "pt-BR",
            "english",
            "e",
            "es--MX",
            "es-",
            "es_MX!",
            "zz",
            "es-toolongsubtag",
        ] {
            assert_eq!(
                LanguageTag::parse(bad),
                Err(ValueError::UnsupportedLanguage),
                "{bad}"
            );
        }
        assert_eq!(LanguageTag::parse(""), Err(ValueError::UnsupportedLanguage));
        assert_eq!(LanguageTag::parse("fr-CA").unwrap().as_str(), "fr-CA");
    }

    #[test]
    fn hex_is_lower_case_two_digits_a_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xab, 0xff]), "000fabff");
        assert_eq!(hex(&[]), "");
    }

    #[test]
    fn guid_is_canonicalised_to_lower_case_hyphenated() {
        let id = TenantId::parse(" {3FA85F64-5717-4562-B3FC-2C963F66AFA6} ").unwrap();
        assert_eq!(id.to_string(), "3fa85f64-5717-4562-b3fc-2c963f66afa6");
    }

    #[test]
    fn guid_rejects_nil_simple_form_and_garbage() {
        assert_eq!(
            TenantId::parse("00000000-0000-0000-0000-000000000000"),
            Err(ValueError::NilGuid)
        );
        assert_eq!(
            SubscriptionId::parse("3fa85f6457174562b3fc2c963f66afa6"),
            Err(ValueError::NotAGuid)
        );
        assert_eq!(TenantId::parse("not-a-guid"), Err(ValueError::NotAGuid));
        assert_eq!(TenantId::parse("   "), Err(ValueError::Empty));
    }

    #[test]
    fn guid_round_trips_through_serde_and_refuses_tampered_json() {
        let id = ClaimId::generate();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(serde_json::from_str::<ClaimId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<ClaimId>("\"x\"").is_err());
    }

    #[test]
    fn email_accepts_ordinary_addresses_and_lowercases_the_domain() {
        let e = EmailAddress::parse(" Jane.Doe+cpor@Contoso.COM ").unwrap();
        assert_eq!(e.as_str(), "Jane.Doe+cpor@contoso.com");
        assert_eq!(e.domain(), "contoso.com");
    }

    #[test]
    fn email_rejects_malformed_addresses() {
        for bad in [
            "plain",
            "@contoso.com",
            "a@",
            "a@contoso",
            "a..b@contoso.com",
            ".a@contoso.com",
            "a@-contoso.com",
            "a b@contoso.com",
            "a@contoso.com\r\nBcc: x@evil.com",
            "<script>@contoso.com",
            "a@contoso.c0m",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} was accepted");
        }
        let long = format!("{}@contoso.com", "a".repeat(65));
        assert_eq!(EmailAddress::parse(&long), Err(ValueError::NotAnEmail));
    }

    #[test]
    fn claim_name_is_trimmed_bounded_and_single_line() {
        assert_eq!(
            ClaimName::parse("  Contoso M365  ").unwrap().as_str(),
            "Contoso M365"
        );
        assert_eq!(ClaimName::parse(" \t "), Err(ValueError::Empty));
        assert!(
            ClaimName::parse(&"é".repeat(100)).is_ok(),
            "100 characters, not bytes"
        );
        assert_eq!(
            ClaimName::parse(&"x".repeat(101)),
            Err(ValueError::TooLong { max: 100 })
        );
        for bad in [
            "a\r\nb",
            "a\nb",
            "a\u{0}b",
            "a\u{1b}[31mb",
            "a\u{2028}b",
            "a\u{202e}b",
        ] {
            assert_eq!(
                ClaimName::parse(bad),
                Err(ValueError::ControlCharacter),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn long_text_keeps_newlines_but_not_other_controls() {
        assert_eq!(
            LongText::parse("line 1\nline 2").unwrap().as_str(),
            "line 1\nline 2"
        );
        assert_eq!(
            LongText::parse("a\u{7}b"),
            Err(ValueError::ControlCharacter)
        );
        assert!(
            LongText::parse("<script>alert(1)</script>").is_ok(),
            "stored as given"
        );
    }

    #[test]
    fn identifiers_refuse_key_separators_and_spaces() {
        assert!(PartnerId::parse("4812345").is_ok());
        assert!(LocationId::parse("loc_1-A").is_ok());
        for bad in ["a#b", "a b", "a/b", "ä", "a|b"] {
            assert_eq!(
                PartnerId::parse(bad),
                Err(ValueError::BadIdentifier),
                "{bad}"
            );
        }
        assert_eq!(
            LocationId::parse(&"1".repeat(33)),
            Err(ValueError::TooLong { max: 32 })
        );
    }

    #[test]
    fn file_names_are_display_only_and_refuse_paths() {
        assert!(FileName::parse("SoW signed.pdf").is_ok());
        assert_eq!(
            FileName::parse("../../etc/passwd"),
            Err(ValueError::PathSeparator)
        );
        assert_eq!(FileName::parse("a\\b.pdf"), Err(ValueError::PathSeparator));
    }

    #[test]
    fn sha256_parses_hex_in_either_case() {
        let hex = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";
        let d = Sha256Digest::parse(hex).unwrap();
        assert_eq!(d.to_hex(), hex.to_ascii_lowercase());
        assert_eq!(Sha256Digest::parse(&hex[1..]), Err(ValueError::NotASha256));
        assert_eq!(
            Sha256Digest::parse(&"g".repeat(64)),
            Err(ValueError::NotASha256)
        );
    }

    proptest! {
        #[test]
        fn parsers_never_panic_on_arbitrary_text(s in "\\PC*|[\\x00-\\x7f]{0,300}") {
            let _ = TenantId::parse(&s);
            let _ = EmailAddress::parse(&s);
            let _ = DomainName::parse(&s);
            let _ = ClaimName::parse(&s);
            let _ = LongText::parse(&s);
            let _ = PartnerId::parse(&s);
            let _ = FileName::parse(&s);
            let _ = Sha256Digest::parse(&s);
        }

        #[test]
        fn accepted_text_is_canonical_and_reparses_to_itself(s in "\\PC{0,120}") {
            if let Ok(name) = ClaimName::parse(&s) {
                prop_assert_eq!(name.as_str().trim(), name.as_str());
                prop_assert!(name.as_str().chars().count() <= 100);
                prop_assert!(!name.as_str().chars().any(char::is_control));
                prop_assert_eq!(ClaimName::parse(name.as_str()), Ok(name.clone()));
            }
            if let Ok(email) = EmailAddress::parse(&s) {
                prop_assert_eq!(EmailAddress::parse(email.as_str()), Ok(email.clone()));
            }
        }

        #[test]
        fn any_uuid_round_trips(bytes in any::<[u8; 16]>()) {
            let u = Uuid::from_bytes(bytes);
            prop_assume!(!u.is_nil());
            let id = TenantId::parse(&u.hyphenated().to_string().to_uppercase()).unwrap();
            prop_assert_eq!(id.as_uuid(), u);
        }
    }
}

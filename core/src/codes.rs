//! Every stable code Rollcall produces, as types: [`ProblemCode`] (a roster or validation
//! problem), [`JobNote`] (Rollcall's own reason for a row's end), [`OutcomeCode`] (why a row
//! ended as it did at a destination: a note, a problem or the provider's code) and [`ApiErrorCode`]
//! (the `code` of an error body). Each serializes as the same snake_case text as before; the
//! list in ARCHITECTURE.md is generated from these enums (`core/tests/codes.rs`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `enum $name { Variant, … }` with its text, `ALL`, `FromStr`, `Display` and serde as a string.
macro_rules! text_codes {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($variant,)+
        }

        impl $name {
            /// Every code, in the order written (alphabetical).
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stable text (what the JSON carries).
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!("unknown code {s:?}")),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = std::borrow::Cow::<str>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

text_codes!(
    /// Why a file, a row or a request is not valid (or, for a few, a warning). The roster's
    /// problems and the providers' documented rules alike.
    ProblemCode {
        ActivityPageOff = "activity_page_off",
        AreaFormat = "area_format",
        AreaInvalid = "area_invalid",
        AreaPlus = "area_plus",
        AreaRequired = "area_required",
        BatchTooLarge = "batch_too_large",
        CloudRecordOptionIgnored = "cloud_record_option_ignored",
        CoverUrlFormat = "cover_url_format",
        CoverUrlScheme = "cover_url_scheme",
        DecodeErrors = "decode_errors",
        DecodeFailed = "decode_failed",
        Duplicate = "duplicate",
        DuplicateHeader = "duplicate_header",
        EmailInvalid = "email_invalid",
        EmptyFile = "empty_file",
        EmptyHeader = "empty_header",
        EndBeforeStart = "end_before_start",
        EnrollIdentityRequired = "enroll_identity_required",
        ExtraCells = "extra_cells",
        FileTooLarge = "file_too_large",
        HostIdRequired = "host_id_required",
        Huiyi31FieldCodeMissing = "huiyi31_field_code_missing",
        Huiyi31FieldUnmapped = "huiyi31_field_unmapped",
        Huiyi31OptionUnknown = "huiyi31_option_unknown",
        ImAccountCharset = "im_account_charset",
        ImAccountInvalid = "im_account_invalid",
        ImAccountRequired = "im_account_required",
        ImAccountTooLong = "im_account_too_long",
        ImRole = "im_role",
        InvalidEnum = "invalid_enum",
        ItemsRequired = "items_required",
        JoinTimeBeforeGroup = "join_time_before_group",
        JoinTimeFormat = "join_time_format",
        JoinTimeFuture = "join_time_future",
        LengthOutOfRange = "length_out_of_range",
        LimitOutOfRange = "limit_out_of_range",
        MobileOrEmailRequired = "mobile_or_email_required",
        NoHeader = "no_header",
        NoIdentifier = "no_identifier",
        NotASpreadsheet = "not_a_spreadsheet",
        OpenIdNotAllowed = "open_id_not_allowed",
        OperatorIdType = "operator_id_type",
        PasswordFormat = "password_format",
        PasswordIgnored = "password_ignored",
        PasswordRequired = "password_required",
        PhoneAreaMissing = "phone_area_missing",
        PhoneAreaUnknown = "phone_area_unknown",
        PhoneFormat = "phone_format",
        PhoneInvalid = "phone_invalid",
        PhoneInvalidCn = "phone_invalid_cn",
        PhoneLength = "phone_length",
        PlaybackRequiresCloudRecord = "playback_requires_cloud_record",
        Quantity = "quantity",
        ReadFailed = "read_failed",
        Required = "required",
        SensitiveWordLength = "sensitive_word_length",
        SheetAndHeader = "sheet_and_header",
        SheetNotFound = "sheet_not_found",
        StartTooEarly = "start_too_early",
        TmIdentityRequired = "tm_identity_required",
        TooManySensitiveWords = "too_many_sensitive_words",
        Utf16NotSupported = "utf16_not_supported",
        WatermarkTypeIgnored = "watermark_type_ignored",
        WebinarCapExceeded = "webinar_cap_exceeded",
        Worker = "worker",
        XlsxNoSheet = "xlsx_no_sheet",
        XlsxNotBuilt = "xlsx_not_built",
        XlsxUnreadable = "xlsx_unreadable",
    }
);

text_codes!(
    /// Why a row ended as it did, when the reason is Rollcall's own (the others are a
    /// [`ProblemCode`] or the provider's number: see [`OutcomeCode`]).
    JobNote {
        Ambiguous = "ambiguous",
        Cancelled = "cancelled",
        DestinationFailed = "destination_failed",
        Interrupted = "interrupted",
        Result0 = "result_0",
        RetriesExhausted = "retries_exhausted",
        Unverifiable = "unverifiable",
        UserNonRegistered = "user_non_registered",
    }
);

text_codes!(
    /// The `code` of every error body the API answers (and two the UI makes for a failed fetch).
    ApiErrorCode {
        AdminOnly = "admin_only",
        BadEdited = "bad_edited",
        BadId = "bad_id",
        BadMapping = "bad_mapping",
        BadRequestBody = "bad_request_body",
        BadShareWith = "bad_share_with",
        BodyTooLarge = "body_too_large",
        Completed = "completed",
        ContentType = "content_type",
        Csrf = "csrf",
        DestinationUnavailable = "destination_unavailable",
        DuplicateDestination = "duplicate_destination",
        DuplicateIdentityHeader = "duplicate_identity_header",
        EmptyRoster = "empty_roster",
        Forbidden = "forbidden",
        HostNotAllowed = "host_not_allowed",
        Http = "http",
        Internal = "internal",
        Invalid = "invalid",
        InvalidSync = "invalid_sync",
        JournalUnavailable = "journal_unavailable",
        Network = "network",
        NoDestination = "no_destination",
        NoRole = "no_role",
        NoSuchRoute = "no_such_route",
        NotFound = "not_found",
        NotFromFrontProxy = "not_from_front_proxy",
        NotRunning = "not_running",
        NotSharedWithYou = "not_shared_with_you",
        NotYourJob = "not_your_job",
        ProviderError = "provider_error",
        ProviderNotConfigured = "provider_not_configured",
        ProviderOutcomeUnknown = "provider_outcome_unknown",
        ProviderUnavailable = "provider_unavailable",
        RosterTooLarge = "roster_too_large",
        Running = "running",
        Shredded = "shredded",
        SyncBusy = "sync_busy",
        SyncStopped = "sync_stopped",
        TooManyDestinations = "too_many_destinations",
        TooManyRunningJobs = "too_many_running_jobs",
        TooManyStreams = "too_many_streams",
        TooManyStreamsForYou = "too_many_streams_for_you",
        Unauthenticated = "unauthenticated",
    }
);

/// Why a row ended as it did at a destination.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OutcomeCode {
    /// Rollcall's own reason (retries exhausted, cancelled, ambiguous…).
    Note(JobNote),
    /// The row is not valid for this destination.
    Problem(ProblemCode),
    /// The provider's own error code.
    Provider(i64),
    /// Text another version wrote that this one does not know (kept as read).
    Other(String),
}

impl OutcomeCode {
    /// The text the JSON, the CSV and the journal carry.
    pub fn as_string(&self) -> String {
        match self {
            OutcomeCode::Note(n) => n.as_str().to_string(),
            OutcomeCode::Problem(p) => p.as_str().to_string(),
            OutcomeCode::Provider(n) => n.to_string(),
            OutcomeCode::Other(s) => s.clone(),
        }
    }

    /// Reads the text back: a note, a problem, a number, else kept as text.
    pub fn parse(s: &str) -> OutcomeCode {
        if let Ok(n) = s.parse::<JobNote>() {
            OutcomeCode::Note(n)
        } else if let Ok(p) = s.parse::<ProblemCode>() {
            OutcomeCode::Problem(p)
        } else if let Ok(n) = s.parse::<i64>() {
            OutcomeCode::Provider(n)
        } else {
            OutcomeCode::Other(s.to_string())
        }
    }
}

impl From<JobNote> for OutcomeCode {
    fn from(n: JobNote) -> Self {
        OutcomeCode::Note(n)
    }
}

impl From<ProblemCode> for OutcomeCode {
    fn from(p: ProblemCode) -> Self {
        OutcomeCode::Problem(p)
    }
}

impl fmt::Display for OutcomeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_string())
    }
}

impl Serialize for OutcomeCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.as_string())
    }
}

impl<'de> Deserialize<'de> for OutcomeCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        Ok(OutcomeCode::parse(&s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_as_their_text() {
        for &p in ProblemCode::ALL {
            assert_eq!(p.as_str().parse::<ProblemCode>(), Ok(p));
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(serde_json::from_str::<ProblemCode>(&json).unwrap(), p);
        }
        for &a in ApiErrorCode::ALL {
            assert_eq!(a.as_str().parse::<ApiErrorCode>(), Ok(a));
        }
        for o in [
            OutcomeCode::Note(JobNote::Cancelled),
            OutcomeCode::Problem(ProblemCode::PhoneInvalid),
            OutcomeCode::Provider(-1),
            OutcomeCode::Provider(190310),
            OutcomeCode::Other("from_a_newer_version".into()),
        ] {
            assert_eq!(OutcomeCode::parse(&o.as_string()), o);
            let json = serde_json::to_string(&o).unwrap();
            assert_eq!(serde_json::from_str::<OutcomeCode>(&json).unwrap(), o);
        }
        assert_eq!(
            serde_json::to_string(&OutcomeCode::Provider(9003)).unwrap(),
            "\"9003\""
        );
    }

    #[test]
    fn no_code_is_written_twice() {
        let mut all: Vec<&str> = ProblemCode::ALL.iter().map(|c| c.as_str()).collect();
        all.extend(JobNote::ALL.iter().map(|c| c.as_str()));
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n, "a note and a problem share a text");
    }
}

//! RFC 3339 timestamps as they appear in session files.

use std::fmt;

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A UTC instant with whole-second precision, written as `2026-03-04T09:30:00Z`.
///
/// Whole seconds keep files short and make save-then-load exact. Files may
/// also use TOML's native (unquoted) date-time syntax with any offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    /// `0000-01-01T00:00:00Z`, the earliest instant RFC 3339 can write.
    pub const MIN_UNIX: i64 = -62_167_219_200;
    /// `9999-12-31T23:59:59Z`, the latest instant RFC 3339 can write.
    pub const MAX_UNIX: i64 = 253_402_300_799;

    pub fn now() -> Timestamp {
        Timestamp::from_unix(Utc::now().timestamp())
    }

    /// Seconds since the Unix epoch; values outside years 0000 to 9999 (which
    /// RFC 3339 cannot write, so the file could not be read back) clamp to
    /// the epoch.
    pub fn from_unix(seconds: i64) -> Timestamp {
        if !(Timestamp::MIN_UNIX..=Timestamp::MAX_UNIX).contains(&seconds) {
            return Timestamp(DateTime::default());
        }
        Timestamp(Utc.timestamp_opt(seconds, 0).single().unwrap_or_default())
    }

    pub fn unix(self) -> i64 {
        self.0.timestamp()
    }

    pub fn parse(text: &str) -> Result<Timestamp, String> {
        let parsed = DateTime::parse_from_rfc3339(text.trim())
            .map_err(|e| format!("`{text}` is not an RFC 3339 date-time ({e})"))?;
        // `9999-12-31T23:59:59-01:00` is in year 10000 in UTC.
        let seconds = parsed.timestamp();
        if !(Timestamp::MIN_UNIX..=Timestamp::MAX_UNIX).contains(&seconds) {
            return Err(format!(
                "`{text}` is outside years 0000 to 9999 in UTC, which files cannot hold"
            ));
        }
        Ok(Timestamp::from_unix(seconds))
    }

    /// Whole seconds from `earlier` to `self`, never negative (clocks can step back).
    pub fn seconds_since(self, earlier: Timestamp) -> u64 {
        u64::try_from(self.unix().saturating_sub(earlier.unix())).unwrap_or(0)
    }

    /// `2026-03-04 09:30 UTC`, for reports.
    pub fn human(self) -> String {
        self.0.format("%Y-%m-%d %H:%M UTC").to_string()
    }

    /// `2026-03-04`, for dates in exports.
    pub fn date(self) -> String {
        self.0.format("%Y-%m-%d").to_string()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::Secs, true))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TimestampVisitor;
        impl<'de> serde::de::Visitor<'de> for TimestampVisitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an RFC 3339 date-time such as \"2026-03-04T09:30:00Z\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Timestamp, E> {
                Timestamp::parse(v).map_err(E::custom)
            }
            // TOML's native date-times arrive as a one-entry map holding the text.
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Timestamp, A::Error> {
                let Some((_, value)) = map.next_entry::<String, String>()? else {
                    return Err(serde::de::Error::custom("empty date-time"));
                };
                Timestamp::parse(&value).map_err(serde::de::Error::custom)
            }
        }
        deserializer.deserialize_any(TimestampVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_text() {
        let t = Timestamp::parse("2026-03-04T10:30:00+01:00").unwrap();
        assert_eq!(t.to_string(), "2026-03-04T09:30:00Z");
        assert_eq!(Timestamp::parse(&t.to_string()).unwrap(), t);
    }

    #[test]
    fn accepts_quoted_and_native_toml() {
        #[derive(Deserialize)]
        struct Doc {
            a: Timestamp,
            b: Timestamp,
        }
        let doc: Doc =
            toml::from_str("a = \"2026-03-04T09:30:00Z\"\nb = 2026-03-04T09:30:00Z\n").unwrap();
        assert_eq!(doc.a, doc.b);
    }

    #[test]
    fn stays_within_what_rfc_3339_can_write() {
        for seconds in [Timestamp::MIN_UNIX, Timestamp::MAX_UNIX] {
            let t = Timestamp::from_unix(seconds);
            assert_eq!(t.unix(), seconds);
            assert_eq!(Timestamp::parse(&t.to_string()).unwrap(), t);
        }
        // These used to print as `+10000-...` and `-0001-...`, which no
        // parser reads back.
        for seconds in [Timestamp::MAX_UNIX + 1, Timestamp::MIN_UNIX - 1, i64::MAX] {
            assert_eq!(Timestamp::from_unix(seconds).unix(), 0);
        }
        // Valid RFC 3339 whose UTC instant falls outside is refused, not
        // loaded into a session that then saves as an unreadable file.
        for text in ["9999-12-31T23:59:59-01:00", "0000-01-01T00:00:00+00:01"] {
            let err = Timestamp::parse(text).unwrap_err();
            assert!(err.contains("outside years 0000 to 9999"), "{err}");
        }
        assert!(Timestamp::parse("9999-12-31T23:59:59+01:00").is_ok());
    }

    #[test]
    fn rejects_dates_without_time() {
        assert!(Timestamp::parse("2026-03-04").is_err());
    }
}

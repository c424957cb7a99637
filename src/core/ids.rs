//! Short, stable element ids such as `A1`, `C3`, `F2`, `T12`.
//!
//! An id is a prefix naming the kind of element and a positive number. Ids are
//! never reused: the session remembers the last number issued per prefix, so
//! deleting `T12` and adding a threat gives `T13`, and old references in git
//! history or exported tickets keep pointing at the right thing.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What an id names. The prefix is part of the file format: never change one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IdKind {
    Participant,
    Asset,
    Actor,
    EntryPoint,
    Boundary,
    Component,
    Flow,
    Assumption,
    Threat,
    Mitigation,
}

impl IdKind {
    pub const ALL: [IdKind; 10] = [
        IdKind::Participant,
        IdKind::Asset,
        IdKind::Actor,
        IdKind::EntryPoint,
        IdKind::Boundary,
        IdKind::Component,
        IdKind::Flow,
        IdKind::Assumption,
        IdKind::Threat,
        IdKind::Mitigation,
    ];

    pub fn prefix(self) -> &'static str {
        match self {
            IdKind::Participant => "P",
            IdKind::Asset => "A",
            IdKind::Actor => "U",
            IdKind::EntryPoint => "E",
            IdKind::Boundary => "B",
            IdKind::Component => "C",
            IdKind::Flow => "F",
            IdKind::Assumption => "AS",
            IdKind::Threat => "T",
            IdKind::Mitigation => "M",
        }
    }

    /// A human name for messages ("component C4 does not exist").
    pub fn noun(self) -> &'static str {
        match self {
            IdKind::Participant => "participant",
            IdKind::Asset => "asset",
            IdKind::Actor => "actor",
            IdKind::EntryPoint => "entry point",
            IdKind::Boundary => "trust boundary",
            IdKind::Component => "component",
            IdKind::Flow => "data flow",
            IdKind::Assumption => "assumption",
            IdKind::Threat => "threat",
            IdKind::Mitigation => "mitigation",
        }
    }

    fn from_prefix(prefix: &str) -> Option<IdKind> {
        IdKind::ALL.into_iter().find(|k| k.prefix() == prefix)
    }
}

/// A parsed element id. Orders naturally: `T2` before `T10`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Id {
    pub kind: IdKind,
    pub number: u32,
}

impl Id {
    pub const fn new(kind: IdKind, number: u32) -> Id {
        Id { kind, number }
    }
}

impl Ord for Id {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.kind, self.number).cmp(&(other.kind, other.number))
    }
}

impl PartialOrd for Id {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.kind.prefix(), self.number)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not an element id (expected a prefix P, A, U, E, B, C, F, AS, T or M and a number, e.g. C3)"
)]
pub struct ParseIdError(pub String);

impl FromStr for Id {
    type Err = ParseIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits_at = s
            .find(|c: char| c.is_ascii_digit())
            .ok_or_else(|| ParseIdError(s.to_string()))?;
        let (prefix, digits) = s.split_at(digits_at);
        let kind = IdKind::from_prefix(prefix).ok_or_else(|| ParseIdError(s.to_string()))?;
        // Leading zeros would give two spellings of one id.
        if digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseIdError(s.to_string()));
        }
        let number: u32 = digits.parse().map_err(|_| ParseIdError(s.to_string()))?;
        Ok(Id { kind, number })
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl serde::de::Visitor<'_> for IdVisitor {
            type Value = Id;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an element id such as C3")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Id, E> {
                v.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_str(IdVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_every_prefix() {
        for kind in IdKind::ALL {
            let text = format!("{}42", kind.prefix());
            let id: Id = text.parse().unwrap();
            assert_eq!(id, Id::new(kind, 42));
            assert_eq!(id.to_string(), text);
        }
    }

    #[test]
    fn rejects_malformed_ids() {
        for bad in [
            "",
            "T",
            "12",
            "X1",
            "T01",
            "T0x",
            "t1",
            "T-1",
            "T1.5",
            "T99999999999",
        ] {
            assert!(bad.parse::<Id>().is_err(), "{bad} should not parse");
        }
    }

    #[test]
    fn orders_numerically() {
        let mut ids: Vec<Id> = ["T10", "T2", "T1"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        ids.sort();
        let text: Vec<String> = ids.iter().map(Id::to_string).collect();
        assert_eq!(text, ["T1", "T2", "T10"]);
    }
}

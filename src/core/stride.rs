//! STRIDE categories and the data-flow-diagram element types they apply to.

use serde::{Deserialize, Serialize};

/// One STRIDE category, named by the property it violates in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    Spoofing,
    Tampering,
    Repudiation,
    InformationDisclosure,
    DenialOfService,
    ElevationOfPrivilege,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::Spoofing,
        Category::Tampering,
        Category::Repudiation,
        Category::InformationDisclosure,
        Category::DenialOfService,
        Category::ElevationOfPrivilege,
    ];

    /// Its place in [`Category::ALL`] (STRIDE order).
    pub fn index(self) -> usize {
        match self {
            Category::Spoofing => 0,
            Category::Tampering => 1,
            Category::Repudiation => 2,
            Category::InformationDisclosure => 3,
            Category::DenialOfService => 4,
            Category::ElevationOfPrivilege => 5,
        }
    }

    /// The key used in files: `information-disclosure`.
    pub fn key(self) -> &'static str {
        match self {
            Category::Spoofing => "spoofing",
            Category::Tampering => "tampering",
            Category::Repudiation => "repudiation",
            Category::InformationDisclosure => "information-disclosure",
            Category::DenialOfService => "denial-of-service",
            Category::ElevationOfPrivilege => "elevation-of-privilege",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Category::Spoofing => "Spoofing",
            Category::Tampering => "Tampering",
            Category::Repudiation => "Repudiation",
            Category::InformationDisclosure => "Information disclosure",
            Category::DenialOfService => "Denial of service",
            Category::ElevationOfPrivilege => "Elevation of privilege",
        }
    }

    /// The single letter of the acronym, for matrices.
    pub fn letter(self) -> char {
        match self {
            Category::Spoofing => 'S',
            Category::Tampering => 'T',
            Category::Repudiation => 'R',
            Category::InformationDisclosure => 'I',
            Category::DenialOfService => 'D',
            Category::ElevationOfPrivilege => 'E',
        }
    }

    /// The security property a threat in this category violates.
    pub fn property(self) -> &'static str {
        match self {
            Category::Spoofing => "authenticity",
            Category::Tampering => "integrity",
            Category::Repudiation => "non-repudiation",
            Category::InformationDisclosure => "confidentiality",
            Category::DenialOfService => "availability",
            Category::ElevationOfPrivilege => "authorization",
        }
    }

    /// Accepts the file key, the display name or the letter, any case.
    pub fn parse(text: &str) -> Option<Category> {
        let t = text.trim();
        Category::ALL.into_iter().find(|c| {
            c.key().eq_ignore_ascii_case(t)
                || c.name().eq_ignore_ascii_case(t)
                || (t.len() == 1 && t.eq_ignore_ascii_case(&c.letter().to_string()))
        })
    }
}

/// The kind of data-flow-diagram element a catalog kind describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ElementType {
    ExternalEntity,
    Process,
    DataStore,
    DataFlow,
    TrustBoundary,
}

impl ElementType {
    pub fn key(self) -> &'static str {
        match self {
            ElementType::ExternalEntity => "external-entity",
            ElementType::Process => "process",
            ElementType::DataStore => "data-store",
            ElementType::DataFlow => "data-flow",
            ElementType::TrustBoundary => "trust-boundary",
        }
    }

    /// STRIDE-per-element: the categories a facilitator asks about for this
    /// element type. A trust boundary is not a target itself; its categories
    /// apply to the flows that cross it.
    pub fn default_categories(self) -> &'static [Category] {
        use Category::*;
        match self {
            ElementType::ExternalEntity => &[Spoofing, Repudiation],
            ElementType::Process => &Category::ALL,
            ElementType::DataStore => &[
                Tampering,
                Repudiation,
                InformationDisclosure,
                DenialOfService,
            ],
            ElementType::DataFlow => &[Tampering, InformationDisclosure, DenialOfService],
            ElementType::TrustBoundary => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_keys_names_and_letters() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.key()), Some(c));
            assert_eq!(Category::parse(&c.name().to_uppercase()), Some(c));
            assert_eq!(Category::parse(&c.letter().to_string()), Some(c));
        }
        assert_eq!(Category::parse("x"), None);
    }

    #[test]
    fn stride_per_element_matches_the_method() {
        let letters = |e: ElementType| -> String {
            e.default_categories().iter().map(|c| c.letter()).collect()
        };
        assert_eq!(letters(ElementType::ExternalEntity), "SR");
        assert_eq!(letters(ElementType::Process), "STRIDE");
        assert_eq!(letters(ElementType::DataStore), "TRID");
        assert_eq!(letters(ElementType::DataFlow), "TID");
        assert_eq!(letters(ElementType::TrustBoundary), "");
    }
}

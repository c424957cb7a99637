//! Every candidate threat the catalogs hold for every element of the scope:
//! the whole STRIDE walk at once, for a developer modelling alone.

use std::io::{self, Write};

use serde::Serialize;

use super::catalog::{CandidateThreat, Catalogs, Kind};
use super::coverage::walk_elements;
use super::export::cell::CsvFlavor;
use super::ids::Id;
use super::model::Session;
use super::stride::Category;

/// One candidate threat for one element.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion<'a> {
    pub element: Id,
    pub element_name: &'a str,
    pub kind: &'a str,
    pub category: &'static str,
    /// `aws.lambda/open-invoke`, for accepting it into the session.
    pub reference: String,
    pub title: &'a str,
    pub description: &'a str,
    pub mitigations: Vec<SuggestedMitigation<'a>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SuggestedMitigation<'a> {
    pub reference: String,
    pub control: &'a str,
    pub text: &'a str,
}

/// Suggestions in walk order: element by element, category by category.
pub fn suggestions<'a>(session: &'a Session, catalogs: &'a Catalogs) -> Vec<Suggestion<'a>> {
    let mut out = Vec::new();
    for element in walk_elements(session, catalogs) {
        for category in Category::ALL {
            for kind in &element.kinds {
                for threat in kind.threats_for(category) {
                    out.push(suggestion(element.id, element.name, kind, threat));
                }
            }
        }
    }
    out
}

fn suggestion<'a>(
    element: Id,
    element_name: &'a str,
    kind: &'a Kind,
    threat: &'a CandidateThreat,
) -> Suggestion<'a> {
    Suggestion {
        element,
        element_name,
        kind: &kind.id,
        category: threat.category.key(),
        reference: kind.threat_ref(threat),
        title: &threat.title,
        description: &threat.description,
        mitigations: threat
            .mitigations
            .iter()
            .map(|m| SuggestedMitigation {
                reference: kind.mitigation_ref(threat, m),
                control: &m.control,
                text: &m.text,
            })
            .collect(),
    }
}

pub fn write_json(out: &mut dyn Write, suggestions: &[Suggestion<'_>]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, suggestions)?;
    out.write_all(b"\n")
}

pub fn write_csv(out: &mut dyn Write, suggestions: &[Suggestion<'_>]) -> io::Result<()> {
    let mut w = CsvFlavor::Spreadsheet.writer(out);
    w.row([
        "Element",
        "Element name",
        "Kind",
        "Category",
        "Reference",
        "Title",
        "Description",
        "Mitigations",
    ])?;
    for s in suggestions {
        let mitigations: Vec<String> = s
            .mitigations
            .iter()
            .map(|m| format!("{}: {}", m.control, m.text))
            .collect();
        w.row([
            s.element.to_string().as_str(),
            s.element_name,
            s.kind,
            s.category,
            &s.reference,
            s.title,
            s.description,
            &mitigations.join("\n"),
        ])?;
    }
    w.finish()
}

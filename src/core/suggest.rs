//! Every candidate threat the catalogs hold for every element of the scope:
//! the whole STRIDE walk at once, for a developer modelling alone.
//!
//! The JSON form lists each element with the references of its candidate
//! threats, and each catalog threat's text once, in a dictionary: a model
//! of 1,000 components repeats the same forty AWS Lambda threats hundreds
//! of times, and writing their text out for every element would make the
//! output fifteen times larger for no new information. The CSV form, for
//! spreadsheets, has one self-contained row per element and threat.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, SerializeStruct, Serializer};

use super::catalog::{CandidateThreat, Catalogs, Kind};
use super::coverage::{WalkElement, walk_elements};
use super::export::cell::CsvFlavor;
use super::model::Session;
use super::stride::Category;
use super::walk;

/// One element and its candidate threats, in category order.
pub struct ElementSuggestions<'a> {
    pub element: WalkElement<'a>,
    pub threats: Vec<(&'a Kind, &'a CandidateThreat)>,
}

/// Suggestions in walk order: element by element, category by category.
pub fn suggestions<'a>(
    session: &'a Session,
    catalogs: &'a Catalogs,
) -> Vec<ElementSuggestions<'a>> {
    walk_elements(session, catalogs)
        .into_iter()
        .map(|element| {
            let mut threats = Vec::new();
            for category in Category::ALL {
                // The walk's candidates for the cell: a threat borrowed from
                // another kind is listed under its home kind.
                for t in walk::prompts(&element, category).candidates {
                    let kind = catalogs.threat(&t.reference).map(|(k, _)| k);
                    if let Some(kind) = kind.or_else(|| element.kinds.first().copied()) {
                        threats.push((kind, t));
                    }
                }
            }
            ElementSuggestions { element, threats }
        })
        .collect()
}

struct JsonElement<'a>(&'a ElementSuggestions<'a>);

impl Serialize for JsonElement<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let e = self.0;
        let mut st = s.serialize_struct("Element", 4)?;
        st.serialize_field("id", &e.element.id)?;
        st.serialize_field("name", e.element.name)?;
        let kinds: Vec<&str> = e.element.kinds.iter().map(|k| k.id.as_str()).collect();
        st.serialize_field("kinds", &kinds)?;
        st.serialize_field("threats", &JsonRefs(&e.threats))?;
        st.end()
    }
}

struct JsonRefs<'a>(&'a [(&'a Kind, &'a CandidateThreat)]);

impl Serialize for JsonRefs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for (_, threat) in self.0 {
            seq.serialize_element(&threat.reference)?;
        }
        seq.end()
    }
}

struct JsonThreat<'a>(&'a Kind, &'a CandidateThreat);

impl Serialize for JsonThreat<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (kind, t) = (self.0, self.1);
        let mut st = s.serialize_struct("Threat", 6)?;
        st.serialize_field("kind", &kind.id)?;
        st.serialize_field("category", t.category.key())?;
        st.serialize_field("title", &t.title)?;
        st.serialize_field("description", &t.description)?;
        let mitigations: Vec<JsonMitigation> = t
            .mitigations
            .iter()
            .map(|m| JsonMitigation {
                reference: &m.reference,
                control: &m.control,
                text: &m.text,
            })
            .collect();
        st.serialize_field("mitigations", &mitigations)?;
        st.serialize_field("references", &t.references)?;
        st.end()
    }
}

#[derive(Serialize)]
struct JsonMitigation<'a> {
    reference: &'a str,
    control: &'a str,
    text: &'a str,
}

struct JsonDocument<'a>(&'a [ElementSuggestions<'a>]);

impl Serialize for JsonDocument<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Every catalog threat that some element is offered, once.
        let mut used: BTreeMap<(&str, &str), (&Kind, &CandidateThreat)> = BTreeMap::new();
        for e in self.0 {
            for &(kind, threat) in &e.threats {
                used.insert((kind.id.as_str(), threat.id.as_str()), (kind, threat));
            }
        }
        let count: usize = self.0.iter().map(|e| e.threats.len()).sum();
        let mut st = s.serialize_struct("Suggestions", 5)?;
        st.serialize_field("format", "stridekit-suggestions")?;
        st.serialize_field("version", &1)?;
        st.serialize_field("suggestions", &count)?;
        st.serialize_field(
            "elements",
            &JsonSeq(self.0.iter().map(JsonElement).collect()),
        )?;
        st.serialize_field("threats", &JsonThreats(used))?;
        st.end()
    }
}

struct JsonSeq<T>(Vec<T>);

impl<T: Serialize> Serialize for JsonSeq<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(&self.0)
    }
}

struct JsonThreats<'a>(BTreeMap<(&'a str, &'a str), (&'a Kind, &'a CandidateThreat)>);

impl Serialize for JsonThreats<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (kind, threat) in self.0.values() {
            map.serialize_entry(&threat.reference, &JsonThreat(kind, threat))?;
        }
        map.end()
    }
}

/// `{"elements": [{"id", "name", "kinds", "threats": [refs]}], "threats":
/// {ref: {kind, category, title, description, mitigations, references}}}`.
pub fn write_json(out: &mut dyn Write, suggestions: &[ElementSuggestions<'_>]) -> io::Result<()> {
    // The escaping writer: catalog text may hold C1 or bidi controls.
    crate::core::export::json::write_value(&mut *out, &JsonDocument(suggestions), false)?;
    out.write_all(b"\n")
}

/// One row per element and candidate threat, mitigations in one cell.
pub fn write_csv(out: &mut dyn Write, suggestions: &[ElementSuggestions<'_>]) -> io::Result<()> {
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
    for e in suggestions {
        let id = e.element.id.to_string();
        for (kind, threat) in &e.threats {
            let mitigations: Vec<String> = threat
                .mitigations
                .iter()
                .map(|m| format!("{}: {}", m.control, m.text))
                .collect();
            w.row([
                id.as_str(),
                e.element.name,
                &kind.id,
                threat.category.key(),
                &threat.reference,
                &threat.title,
                &threat.description,
                &mitigations.join("\n"),
            ])?;
        }
    }
    w.finish()
}

//! Threat catalogs: component kinds, the STRIDE categories that apply to each,
//! prompt questions, candidate threats and their mitigations.
//!
//! The built-in catalogs (`generic`, `aws`) are compiled into the binary.
//! Users add catalogs, or override built-in kinds, with TOML files in the
//! config directory and in `./catalogs`; later sources win kind by kind.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::diag::{Diagnostic, FieldPath, Issue, Severity, SourceText};
use super::files::{self, LoadError};
use super::stride::{Category, ElementType};

/// The built-in catalogs: (file name, text).
pub const BUILTIN: [(&str, &str); 2] = [
    ("generic.toml", include_str!("../../catalogs/generic.toml")),
    ("aws.toml", include_str!("../../catalogs/aws.toml")),
];

/// The kinds the STRIDE walk uses for elements that have no kind of their own.
pub const ACTOR_KIND: &str = "generic.external-entity";
pub const FLOW_KIND: &str = "generic.data-flow";
pub const BOUNDARY_KIND: &str = "generic.trust-boundary";

/// Which side of AWS's shared-responsibility model a service sits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Responsibility {
    /// You run the OS and everything above it (EC2).
    Infrastructure,
    /// AWS runs the platform, you configure it and its access (RDS, EKS).
    Container,
    /// AWS runs everything but your data, identities and policies (S3, Lambda).
    Abstracted,
}

impl Responsibility {
    pub fn key(self) -> &'static str {
        match self {
            Responsibility::Infrastructure => "infrastructure",
            Responsibility::Container => "container",
            Responsibility::Abstracted => "abstracted",
        }
    }
}

/// A catalog file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    #[serde(default = "schema_one")]
    schema: u32,
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    kinds: Vec<KindDef>,
}

fn schema_one() -> u32 {
    1
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KindDef {
    id: String,
    name: String,
    element: ElementType,
    #[serde(default)]
    responsibility: Option<Responsibility>,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    keywords: Vec<String>,
    /// Defaults to STRIDE-per-element for `element`.
    #[serde(default)]
    categories: Option<Vec<Category>>,
    /// Why `categories` differ from STRIDE-per-element (a store with its
    /// own identity or resource policy is also spoofed and escalated).
    #[serde(default)]
    widened: String,
    #[serde(default)]
    prompts: BTreeMap<Category, Vec<String>>,
    /// Prompts for the business persona (cost, customers, impact), by
    /// category: the walk asks them after the category's other prompts.
    #[serde(default)]
    business: BTreeMap<Category, Vec<String>>,
    #[serde(default)]
    threats: Vec<CandidateThreat>,
    /// Threats homed in another kind (`aws.iam/leaked-access-keys`) that
    /// the walk also offers for this kind: one text, one reference, rather
    /// than a copy that drifts.
    #[serde(default)]
    also: Vec<String>,
}

/// A threat the catalog suggests for a kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandidateThreat {
    pub id: String,
    pub category: Category,
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Threat-statement hints: who, with what access, and the consequence.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub prerequisites: String,
    /// Optional: what the source does (the statement's "can ..." part),
    /// as Threat Composer's grammar has it; a threat pack fills it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub action: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub impact: String,
    /// Optional: the security goals the threat harms ("confidentiality"),
    /// as Threat Composer's grammar has them; a threat pack fills them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goals: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mitigations: Vec<CandidateMitigation>,
    /// `aws.lambda/open-invoke`, set when the catalog is loaded.
    #[serde(skip)]
    pub reference: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandidateMitigation {
    pub id: String,
    /// The real control: a product feature or setting.
    pub control: String,
    /// What to do with it.
    pub text: String,
    /// `aws.lambda/open-invoke/url-iam-auth`, set when the catalog is loaded.
    #[serde(skip)]
    pub reference: String,
}

/// A component kind, ready to use.
#[derive(Debug, Clone)]
pub struct Kind {
    /// `aws.lambda`.
    pub id: String,
    pub catalog: String,
    pub name: String,
    pub element: ElementType,
    pub responsibility: Option<Responsibility>,
    pub summary: String,
    pub keywords: Vec<String>,
    pub categories: Vec<Category>,
    /// Why the categories differ from STRIDE-per-element, if they do.
    pub widened: String,
    /// Every prompt, business ones last in each category.
    pub prompts: BTreeMap<Category, Vec<String>>,
    /// The prompts of `prompts` that speak to the business persona.
    pub business: BTreeMap<Category, Vec<String>>,
    /// The kind's own threats.
    pub threats: Vec<CandidateThreat>,
    /// References to threats homed in other kinds, as written.
    pub also: Vec<String>,
    /// Those threats, resolved (their `reference` names their home).
    pub borrowed: Vec<CandidateThreat>,
    /// Where it was defined, for `stridekit catalogs`.
    pub source: PathBuf,
}

impl Kind {
    /// Whether a component may have this kind (flows and boundaries are
    /// described by kinds too, but are not components).
    pub fn is_component_kind(&self) -> bool {
        !matches!(
            self.element,
            ElementType::TrustBoundary | ElementType::DataFlow
        )
    }

    pub fn applies(&self, category: Category) -> bool {
        self.categories.contains(&category)
    }

    pub fn prompts_for(&self, category: Category) -> &[String] {
        self.prompts.get(&category).map_or(&[], Vec::as_slice)
    }

    /// The kind's own candidate threats for `category`, then those it
    /// borrows from other kinds.
    pub fn threats_for(&self, category: Category) -> impl Iterator<Item = &CandidateThreat> {
        self.threats
            .iter()
            .chain(&self.borrowed)
            .filter(move |t| t.category == category)
    }

    /// Whether `threat` is homed in another kind and borrowed here.
    pub fn is_borrowed(&self, threat: &CandidateThreat) -> bool {
        home_kind(&threat.reference) != self.id
    }

    /// Whether `prompt` is one of the kind's business prompts.
    pub fn is_business(&self, category: Category, prompt: &str) -> bool {
        self.business
            .get(&category)
            .is_some_and(|b| b.iter().any(|p| p == prompt))
    }

    /// `aws.lambda/open-invoke`.
    pub fn threat_ref<'t>(&self, threat: &'t CandidateThreat) -> &'t str {
        &threat.reference
    }

    /// `aws.lambda/open-invoke/url-iam-auth`.
    pub fn mitigation_ref<'m>(
        &self,
        _threat: &CandidateThreat,
        mitigation: &'m CandidateMitigation,
    ) -> &'m str {
        &mitigation.reference
    }

    /// Case-insensitive match on id, name and keywords, for pickers.
    pub fn matches(&self, query: &str) -> bool {
        let q = query.trim().to_lowercase();
        q.is_empty()
            || self.id.to_lowercase().contains(&q)
            || self.name.to_lowercase().contains(&q)
            || self.keywords.iter().any(|k| k.to_lowercase().contains(&q))
    }
}

/// Catalog-level facts, for listings.
#[derive(Debug, Clone)]
pub struct CatalogInfo {
    pub id: String,
    pub name: String,
    pub description: String,
    pub sources: Vec<PathBuf>,
}

/// Every loaded catalog, merged.
#[derive(Debug, Clone, Default)]
pub struct Catalogs {
    pub catalogs: Vec<CatalogInfo>,
    /// Problems that do not stop a user catalog from loading (a category
    /// with a single prompt, say), for `stridekit catalogs` to show.
    pub warnings: Vec<Diagnostic>,
    kinds: Vec<Kind>,
    by_id: HashMap<String, usize>,
}

impl Catalogs {
    /// Only the built-in catalogs.
    pub fn builtin() -> Result<Catalogs, LoadError> {
        let mut catalogs = Catalogs::default();
        for (name, text) in BUILTIN {
            let path = builtin_path(name);
            catalogs.add_text(&path, text, true)?;
        }
        Ok(catalogs)
    }

    /// Built-ins, then `*.toml` from each directory in order (missing
    /// directories are skipped). Problems in any file are all reported.
    pub fn load(dirs: &[PathBuf]) -> Result<Catalogs, LoadError> {
        let mut catalogs = Catalogs::builtin()?;
        let mut problems = Vec::new();
        for path in toml_files_in(dirs)? {
            let text = files::read_text(&path)?;
            // Running inside a checkout of stridekit itself finds the
            // built-in files in ./catalogs: nothing to override.
            if BUILTIN.iter().any(|(_, builtin)| *builtin == text) {
                continue;
            }
            match catalogs.add_text(&path, &text, false) {
                Ok(()) => {}
                Err(LoadError::Invalid(mut d)) => problems.append(&mut d),
                Err(e) => return Err(e),
            }
        }
        if problems.is_empty() {
            Ok(catalogs)
        } else {
            Err(LoadError::Invalid(problems))
        }
    }

    /// Parses, checks and merges one catalog file.
    pub fn add_text(&mut self, path: &Path, text: &str, builtin: bool) -> Result<(), LoadError> {
        let file: CatalogFile = files::parse_toml(path, text)?;
        let issues = check(&file, builtin);
        let src = SourceText { path, text };
        let diagnostics = src.place(&issues);
        if diagnostics.iter().any(|d| d.is_error()) {
            return Err(LoadError::Invalid(diagnostics));
        }
        self.warnings.extend(diagnostics);
        // Borrowed threats may live in this file or an earlier one, so
        // they are checked once the file is merged.
        let also: Vec<(usize, usize, String, String)> = file
            .kinds
            .iter()
            .enumerate()
            .flat_map(|(k, kind)| {
                let id = format!("{}.{}", file.id, kind.id);
                kind.also
                    .iter()
                    .enumerate()
                    .map(move |(j, r)| (k, j, id.clone(), r.clone()))
            })
            .collect();
        self.merge(file, path);
        let mut issues = Vec::new();
        for (k, j, kind_id, reference) in also {
            let at = FieldPath::item("kinds", k).key("also").index(j);
            let problem = match (self.threat(&reference), self.kind(&kind_id)) {
                (None, _) => Some(format!("`{reference}` names no catalog threat")),
                (Some((home, _)), _) if home.id == kind_id => {
                    Some(format!("`{reference}` is this kind's own threat"))
                }
                (Some((_, t)), Some(kind)) if !kind.applies(t.category) => Some(format!(
                    "`{reference}` is a {} threat, not one of the kind's categories",
                    t.category.key()
                )),
                _ => None,
            };
            if let Some(message) = problem {
                issues.push(if builtin {
                    Issue::error(at, message)
                } else {
                    Issue::warning(at, message)
                });
            }
        }
        let diagnostics = src.place(&issues);
        if diagnostics.iter().any(|d| d.is_error()) {
            return Err(LoadError::Invalid(diagnostics));
        }
        self.warnings.extend(diagnostics);
        self.resolve();
        Ok(())
    }

    /// Copies each borrowed threat from its home, again after every file:
    /// a later file may override the home kind.
    fn resolve(&mut self) {
        let borrowed: Vec<Vec<CandidateThreat>> = self
            .kinds
            .iter()
            .map(|kind| {
                kind.also
                    .iter()
                    .filter_map(|r| self.threat(r))
                    .filter(|(home, t)| home.id != kind.id && kind.applies(t.category))
                    .map(|(_, t)| t.clone())
                    .collect()
            })
            .collect();
        for (kind, b) in self.kinds.iter_mut().zip(borrowed) {
            kind.borrowed = b;
        }
    }

    fn merge(&mut self, file: CatalogFile, path: &Path) {
        match self.catalogs.iter_mut().find(|c| c.id == file.id) {
            Some(info) => {
                if let Some(name) = file.name {
                    info.name = name;
                }
                if !file.description.is_empty() {
                    info.description = file.description;
                }
                info.sources.push(path.to_path_buf());
            }
            None => self.catalogs.push(CatalogInfo {
                name: file.name.unwrap_or_else(|| file.id.clone()),
                id: file.id.clone(),
                description: file.description,
                sources: vec![path.to_path_buf()],
            }),
        }
        for mut def in file.kinds {
            let id = format!("{}.{}", file.id, def.id);
            for threat in &mut def.threats {
                threat.reference = format!("{id}/{}", threat.id);
                for m in &mut threat.mitigations {
                    m.reference = format!("{}/{}", threat.reference, m.id);
                }
            }
            let categories = def
                .categories
                .unwrap_or_else(|| def.element.default_categories().to_vec());
            let mut prompts = def.prompts;
            for (category, list) in &def.business {
                let all = prompts.entry(*category).or_default();
                for p in list {
                    if !all.contains(p) {
                        all.push(p.clone());
                    }
                }
            }
            let kind = Kind {
                id: id.clone(),
                catalog: file.id.clone(),
                name: def.name,
                element: def.element,
                responsibility: def.responsibility,
                summary: def.summary,
                keywords: def.keywords,
                categories,
                widened: def.widened,
                prompts,
                business: def.business,
                threats: def.threats,
                also: def.also,
                borrowed: Vec::new(),
                source: path.to_path_buf(),
            };
            match self.by_id.get(&id) {
                Some(&i) => self.kinds[i] = kind,
                None => {
                    self.by_id.insert(id, self.kinds.len());
                    self.kinds.push(kind);
                }
            }
        }
    }

    pub fn kind(&self, id: &str) -> Option<&Kind> {
        self.by_id.get(id).map(|&i| &self.kinds[i])
    }

    pub fn kinds(&self) -> &[Kind] {
        &self.kinds
    }

    /// Kinds a component can have (everything but trust boundaries and flows).
    pub fn component_kinds(&self) -> impl Iterator<Item = &Kind> {
        self.kinds.iter().filter(|k| k.is_component_kind())
    }

    /// Resolves `kind/threat` to the kind and the candidate threat.
    pub fn threat(&self, reference: &str) -> Option<(&Kind, &CandidateThreat)> {
        let (kind_id, threat_id) = reference.split_once('/')?;
        let kind = self.kind(kind_id)?;
        let threat = kind.threats.iter().find(|t| t.id == threat_id)?;
        Some((kind, threat))
    }

    /// Resolves `kind/threat/mitigation`.
    pub fn mitigation(&self, reference: &str) -> Option<(&Kind, &CandidateMitigation)> {
        let (threat_ref, mitigation_id) = reference.rsplit_once('/')?;
        let (kind, threat) = self.threat(threat_ref)?;
        let m = threat.mitigations.iter().find(|m| m.id == mitigation_id)?;
        Some((kind, m))
    }

    /// Every kind id, for "did you mean" messages.
    pub fn kind_ids(&self) -> impl Iterator<Item = &str> {
        self.kinds.iter().map(|k| k.id.as_str())
    }
}

/// The kind a threat reference (`aws.iam/leaked-access-keys`) names.
pub fn home_kind(reference: &str) -> &str {
    reference
        .split_once('/')
        .map_or(reference, |(kind, _)| kind)
}

/// How built-in files are named in messages.
pub fn builtin_path(name: &str) -> PathBuf {
    PathBuf::from("<built-in>/catalogs").join(name)
}

/// `*.toml` files of each directory, sorted by name within a directory.
pub fn toml_files_in(dirs: &[PathBuf]) -> Result<Vec<PathBuf>, LoadError> {
    let mut all = Vec::new();
    for dir in dirs {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(LoadError::io(dir, e)),
        };
        let mut found: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
            .collect();
        found.sort();
        all.extend(found);
    }
    Ok(all)
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Checks what serde cannot: ids, duplicates, categories, completeness.
/// Thin categories are errors in built-in catalogs and warnings elsewhere:
/// an organisation may add a single threat to a kind.
fn check(file: &CatalogFile, builtin: bool) -> Vec<Issue> {
    let mut issues = Vec::new();
    let thin = |path: FieldPath, msg: String| {
        if builtin {
            Issue::error(path, msg)
        } else {
            Issue::warning(path, msg)
        }
    };
    if file.schema != 1 {
        issues.push(Issue::error(
            FieldPath::from("schema"),
            format!(
                "unsupported schema {}; this stridekit reads schema 1",
                file.schema
            ),
        ));
    }
    if !is_slug(&file.id) {
        issues.push(Issue::error(
            FieldPath::from("id"),
            format!(
                "`{}` is not a catalog id (lowercase letters, digits and dashes)",
                file.id
            ),
        ));
    }
    let mut kind_ids = HashSet::new();
    for (k, kind) in file.kinds.iter().enumerate() {
        let at = || FieldPath::item("kinds", k);
        if !is_slug(&kind.id) {
            issues.push(Issue::error(
                at().key("id"),
                format!(
                    "`{}` is not a kind id (lowercase letters, digits and dashes)",
                    kind.id
                ),
            ));
        }
        if !kind_ids.insert(kind.id.as_str()) {
            issues.push(Issue::error(
                at().key("id"),
                format!("kind `{}` is defined twice in this file", kind.id),
            ));
        }
        if kind.name.trim().is_empty() {
            issues.push(Issue::error(at().key("name"), "name is empty"));
        }
        let categories: Vec<Category> = kind
            .categories
            .clone()
            .unwrap_or_else(|| kind.element.default_categories().to_vec());
        if kind.categories.as_ref().is_some_and(Vec::is_empty) {
            issues.push(Issue::error(
                at().key("categories"),
                "no categories: a kind the walk asks nothing about; leave `categories` out for the element's defaults",
            ));
        }
        let mut listed = std::collections::HashSet::new();
        for (j, category) in kind.categories.iter().flatten().enumerate() {
            if !listed.insert(*category) {
                issues.push(Issue::error(
                    at().key("categories").index(j),
                    format!("{} is listed twice", category.key()),
                ));
            }
        }
        // Each once in what follows, however often listed.
        let mut once = std::collections::HashSet::new();
        let categories: Vec<Category> =
            categories.into_iter().filter(|c| once.insert(*c)).collect();
        for category in kind.business.keys() {
            if !categories.contains(category) {
                issues.push(Issue::error(
                    at().key("business").key(category.key()),
                    format!(
                        "business prompts for {} but the kind's categories do not include it",
                        category.key()
                    ),
                ));
            }
        }
        for (j, reference) in kind.also.iter().enumerate() {
            let ok = reference
                .split_once('/')
                .is_some_and(|(k, t)| !k.is_empty() && is_slug(t));
            if !ok {
                issues.push(Issue::error(
                    at().key("also").index(j),
                    format!("`{reference}` is not a threat reference (kind/threat)"),
                ));
            }
        }
        for category in kind.prompts.keys() {
            if !categories.contains(category) {
                issues.push(Issue::error(
                    at().key("prompts").key(category.key()),
                    format!(
                        "prompts for {} but the kind's categories do not include it",
                        category.key()
                    ),
                ));
            }
        }
        // One message per kind and list, naming every thin category.
        let thin_prompts: Vec<String> = categories
            .iter()
            .filter_map(|c| {
                let n = kind.prompts.get(c).map_or(0, Vec::len)
                    + kind.business.get(c).map_or(0, Vec::len);
                (n < 2).then(|| format!("{} ({n})", c.key()))
            })
            .collect();
        if !thin_prompts.is_empty() {
            issues.push(thin(
                at().key("prompts"),
                format!(
                    "give at least 2 prompts per category; these have fewer: {}",
                    thin_prompts.join(", ")
                ),
            ));
        }
        let thin_threats: Vec<String> = categories
            .iter()
            .filter_map(|c| {
                let n = kind.threats.iter().filter(|t| t.category == *c).count();
                (n < 2).then(|| format!("{} ({n})", c.key()))
            })
            .collect();
        if !thin_threats.is_empty() {
            issues.push(thin(
                at().key("threats"),
                format!(
                    "give at least 2 candidate threats per category; these have fewer: {}",
                    thin_threats.join(", ")
                ),
            ));
        }
        let mut threat_ids = HashSet::new();
        for (t, threat) in kind.threats.iter().enumerate() {
            let at = || at().key("threats").index(t);
            if !is_slug(&threat.id) {
                issues.push(Issue::error(
                    at().key("id"),
                    format!(
                        "`{}` is not a threat id (lowercase letters, digits and dashes)",
                        threat.id
                    ),
                ));
            }
            if !threat_ids.insert(threat.id.as_str()) {
                issues.push(Issue::error(
                    at().key("id"),
                    format!("threat `{}` appears twice in kind `{}`", threat.id, kind.id),
                ));
            }
            if !categories.contains(&threat.category) {
                issues.push(Issue::error(
                    at().key("category"),
                    format!(
                        "{} is not one of the kind's categories",
                        threat.category.key()
                    ),
                ));
            }
            if threat.title.trim().is_empty() {
                issues.push(Issue::error(at().key("title"), "title is empty"));
            }
            if threat.mitigations.is_empty() {
                issues.push(thin(at(), "no mitigations; give at least 1".to_string()));
            }
            let mut mitigation_ids = HashSet::new();
            for (m, mitigation) in threat.mitigations.iter().enumerate() {
                let at = || at().key("mitigations").index(m);
                if !is_slug(&mitigation.id) {
                    issues.push(Issue::error(
                        at().key("id"),
                        format!(
                            "`{}` is not a mitigation id (lowercase letters, digits and dashes)",
                            mitigation.id
                        ),
                    ));
                }
                if !mitigation_ids.insert(mitigation.id.as_str()) {
                    issues.push(Issue::error(
                        at().key("id"),
                        format!(
                            "mitigation `{}` appears twice in threat `{}`",
                            mitigation.id, threat.id
                        ),
                    ));
                }
                if mitigation.control.trim().is_empty() {
                    issues.push(Issue::error(at().key("control"), "control is empty"));
                }
                if mitigation.text.trim().is_empty() {
                    issues.push(Issue::error(at().key("text"), "text is empty"));
                }
            }
        }
    }
    issues.sort_by_key(|i| i.severity != Severity::Error);
    issues
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogs_load_without_warnings() {
        for (name, text) in BUILTIN {
            let file: CatalogFile = files::parse_toml(&builtin_path(name), text).unwrap();
            let issues = check(&file, true);
            assert!(issues.is_empty(), "{name}: {issues:#?}");
        }
        let c = Catalogs::builtin().unwrap();
        assert!(c.kind(ACTOR_KIND).is_some());
        assert!(c.kind(FLOW_KIND).is_some());
        assert!(c.kind(BOUNDARY_KIND).is_some());
    }

    fn builtin_files() -> Vec<(&'static str, CatalogFile)> {
        BUILTIN
            .iter()
            .map(|(name, text)| (*name, files::parse_toml(&builtin_path(name), text).unwrap()))
            .collect()
    }

    /// Copies drift: a threat or mitigation written twice gets fixed in
    /// one place only. A kind that needs another kind's threat borrows it
    /// with `also`, an explicit reference.
    #[test]
    fn no_threat_or_mitigation_text_has_two_homes() {
        let mut titles: HashMap<String, String> = HashMap::new();
        let mut texts: HashMap<String, String> = HashMap::new();
        let mut problems = Vec::new();
        for (_, file) in builtin_files() {
            for kind in &file.kinds {
                for t in &kind.threats {
                    let here = format!("{}.{}/{}", file.id, kind.id, t.id);
                    let key = t.title.trim().to_lowercase();
                    if let Some(first) = titles.insert(key, here.clone()) {
                        problems.push(format!("title of {here} repeats {first}"));
                    }
                    for m in &t.mitigations {
                        let key = m.text.trim().to_lowercase();
                        let at = format!("{here}/{}", m.id);
                        if let Some(first) = texts.insert(key, at.clone()) {
                            problems.push(format!("mitigation text of {at} repeats {first}"));
                        }
                    }
                }
            }
        }
        assert!(
            problems.is_empty(),
            "give each one home and borrow it with `also`:\n{}",
            problems.join("\n")
        );
    }

    /// A checklist question ("Is ... enabled?") ends the conversation it
    /// should start.
    fn is_yes_no(prompt: &str) -> bool {
        const OPENERS: [&str; 22] = [
            "is", "are", "does", "do", "did", "can", "could", "has", "have", "will", "would",
            "should", "was", "were", "may", "might", "must", "shall", "isn't", "aren't", "doesn't",
            "don't",
        ];
        let first = prompt
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')
            .to_lowercase();
        OPENERS.contains(&first.as_str())
    }

    #[test]
    fn at_most_a_third_of_prompts_are_yes_no_questions() {
        let c = Catalogs::builtin().unwrap();
        let all: Vec<&String> = c
            .kinds()
            .iter()
            .flat_map(|k| k.prompts.values().flatten())
            .collect();
        let closed: Vec<&&String> = all.iter().filter(|p| is_yes_no(p)).collect();
        assert!(
            closed.len() * 3 <= all.len(),
            "{} of {} prompts are yes/no questions",
            closed.len(),
            all.len()
        );
        assert!(is_yes_no("Does the bucket deny plain HTTP?"));
        assert!(!is_yes_no("Who sits between clients and the bucket?"));
    }

    #[test]
    fn every_kind_asks_the_business_something() {
        let c = Catalogs::builtin().unwrap();
        let silent: Vec<&str> = c
            .kinds()
            .iter()
            .filter(|k| k.business.values().all(Vec::is_empty))
            .map(|k| k.id.as_str())
            .collect();
        assert!(silent.is_empty(), "no business prompt: {silent:?}");
    }

    /// A kind that walks more or fewer categories than its element type
    /// says why, for the room and the README.
    #[test]
    fn kinds_that_widen_stride_per_element_say_why() {
        let c = Catalogs::builtin().unwrap();
        let unexplained: Vec<&str> = c
            .kinds()
            .iter()
            .filter(|k| {
                let default = k.element.default_categories();
                let differs = k.categories.len() != default.len()
                    || k.categories.iter().any(|x| !default.contains(x));
                differs && k.widened.trim().is_empty()
            })
            .map(|k| k.id.as_str())
            .collect();
        assert!(unexplained.is_empty(), "no `widened`: {unexplained:?}");
    }

    #[test]
    fn borrowed_threats_keep_their_home_reference() {
        let c = Catalogs::builtin().unwrap();
        let mut borrowed = 0;
        for kind in c.kinds() {
            assert_eq!(kind.borrowed.len(), kind.also.len(), "{}", kind.id);
            for t in &kind.borrowed {
                borrowed += 1;
                assert!(kind.is_borrowed(t));
                let (home, own) = c.threat(&t.reference).unwrap();
                assert_ne!(home.id, kind.id);
                assert_eq!(own, t);
                assert!(kind.threats_for(t.category).any(|x| x == t));
            }
        }
        assert!(borrowed > 0);
    }

    #[test]
    fn a_borrowed_reference_must_name_a_threat() {
        let mut c = Catalogs::builtin().unwrap();
        let text = r#"
id = "acme"
[[kinds]]
id = "table"
name = "ACME table"
element = "data-store"
also = ["aws.iam/nope", "aws.iam/broad-trust-policy"]
"#;
        c.add_text(Path::new("acme.toml"), text, false).unwrap();
        let w: Vec<String> = c.warnings.iter().map(ToString::to_string).collect();
        assert!(
            w.iter()
                .any(|w| w.contains("`aws.iam/nope` names no catalog threat")),
            "{w:#?}"
        );
        // A spoofing threat, and a store walks T, R, I, D.
        assert!(
            w.iter()
                .any(|w| w.contains("not one of the kind's categories")),
            "{w:#?}"
        );
        assert!(c.kind("acme.table").unwrap().borrowed.is_empty());
        assert!(
            Catalogs::builtin()
                .unwrap()
                .add_text(Path::new("acme.toml"), text, true)
                .is_err()
        );
    }

    #[test]
    fn references_resolve() {
        let c = Catalogs::builtin().unwrap();
        let kind = c.kind("aws.lambda").unwrap();
        let threat = &kind.threats[0];
        let m = &threat.mitigations[0];
        let (k, t) = c.threat(kind.threat_ref(threat)).unwrap();
        assert_eq!(
            (k.id.as_str(), t.id.as_str()),
            ("aws.lambda", threat.id.as_str())
        );
        assert_eq!(c.mitigation(kind.mitigation_ref(threat, m)).unwrap().1, m);
        assert_eq!(threat.reference, format!("aws.lambda/{}", threat.id));
        assert!(c.threat("aws.lambda/nope").is_none());
        assert!(c.threat("nonsense").is_none());
    }

    #[test]
    fn user_catalog_overrides_a_kind_and_adds_one() {
        let mut c = Catalogs::builtin().unwrap();
        let before = c.kinds().len();
        let text = r#"
id = "aws"
[[kinds]]
id = "lambda"
name = "Lambda (ACME baseline)"
element = "process"
categories = ["spoofing"]
[kinds.prompts]
spoofing = ["Who can invoke it?"]
[[kinds.threats]]
id = "x"
category = "spoofing"
title = "Anyone can invoke"
[[kinds.threats.mitigations]]
id = "m"
control = "Resource policy"
text = "Restrict callers."

[[kinds]]
id = "payments"
name = "ACME payments API"
element = "process"
"#;
        c.add_text(Path::new("acme.toml"), text, false).unwrap();
        assert_eq!(c.kinds().len(), before + 1);
        // Thin categories load, with warnings naming the place.
        let w: Vec<String> = c.warnings.iter().map(ToString::to_string).collect();
        assert!(w.iter().any(|w| w == "acme.toml:8:1: warning: kinds[0].prompts: give at least 2 prompts per category; these have fewer: spoofing (1)"), "{w:#?}");
        assert_eq!(c.kind("aws.lambda").unwrap().name, "Lambda (ACME baseline)");
        assert_eq!(c.kind("aws.payments").unwrap().categories.len(), 6);
        assert_eq!(
            c.catalogs
                .iter()
                .find(|i| i.id == "aws")
                .unwrap()
                .sources
                .len(),
            2
        );
    }
}

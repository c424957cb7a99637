//! Colour themes: colours named by the role they play on screen.
//!
//! Built-in themes define every role. A user theme names only the roles it
//! changes and inherits the rest from `extends` (or from the built-in theme
//! of the same name). The colour syntax is our own (`"#RRGGBB"`, ANSI colour
//! names, `"default"`), independent of any terminal library.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::catalog::toml_files_in;
use super::diag::{FieldPath, Issue, SourceText};
use super::files::{self, LoadError};

pub const BUILTIN: [(&str, &str); 4] = [
    ("dark.toml", include_str!("../../themes/dark.toml")),
    ("light.toml", include_str!("../../themes/light.toml")),
    (
        "high-contrast.toml",
        include_str!("../../themes/high-contrast.toml"),
    ),
    (
        "colorblind.toml",
        include_str!("../../themes/colorblind.toml"),
    ),
];

pub const DEFAULT_THEME: &str = "dark";

/// Every role a theme colours. Built-in themes must define all of them.
pub const ROLES: &[&str] = &[
    "fg",
    "bg",
    "muted",
    "accent",
    "border",
    "border-focus",
    "title",
    "selected.fg",
    "selected.bg",
    "header.fg",
    "header.bg",
    "header.title",
    "hint.key",
    "hint.text",
    "success",
    "warning",
    "error",
    "timer.normal",
    "timer.warning",
    "timer.overtime",
    "timer.paused",
    "phase.done",
    "phase.current",
    "phase.todo",
    "stride.spoofing",
    "stride.tampering",
    "stride.repudiation",
    "stride.information-disclosure",
    "stride.denial-of-service",
    "stride.elevation-of-privilege",
    "risk.low",
    "risk.medium",
    "risk.high",
    "risk.critical",
    "coverage.todo",
    "coverage.visited",
    "coverage.threats",
    "coverage.not-applicable",
    "vote.dot",
];

/// The 16 ANSI colours, which follow the user's terminal palette.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    Black,
    Red,
    Green,
    Yellow,
    Blue,
    Magenta,
    Cyan,
    Gray,
    DarkGray,
    LightRed,
    LightGreen,
    LightYellow,
    LightBlue,
    LightMagenta,
    LightCyan,
    White,
}

const NAMES: [(&str, Named); 16] = [
    ("black", Named::Black),
    ("red", Named::Red),
    ("green", Named::Green),
    ("yellow", Named::Yellow),
    ("blue", Named::Blue),
    ("magenta", Named::Magenta),
    ("cyan", Named::Cyan),
    ("gray", Named::Gray),
    ("darkgray", Named::DarkGray),
    ("lightred", Named::LightRed),
    ("lightgreen", Named::LightGreen),
    ("lightyellow", Named::LightYellow),
    ("lightblue", Named::LightBlue),
    ("lightmagenta", Named::LightMagenta),
    ("lightcyan", Named::LightCyan),
    ("white", Named::White),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    /// The terminal's own foreground or background.
    Default,
    Named(Named),
    Rgb(u8, u8, u8),
}

impl Color {
    pub fn parse(text: &str) -> Result<Color, String> {
        let t = text.trim().to_ascii_lowercase();
        if t == "default" || t == "reset" {
            return Ok(Color::Default);
        }
        if let Some(hex) = t.strip_prefix('#')
            && hex.len() == 6
            && hex.bytes().all(|b| b.is_ascii_hexdigit())
        {
            let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0);
            return Ok(Color::Rgb(byte(0), byte(2), byte(4)));
        }
        let squashed: String = t
            .chars()
            .filter(|c| *c != '-' && *c != '_' && *c != ' ')
            .collect();
        let squashed = squashed.replace("grey", "gray");
        NAMES
            .iter()
            .find(|(name, _)| *name == squashed)
            .map(|(_, n)| Color::Named(*n))
            .ok_or_else(|| {
                format!(
                    "`{text}` is not a colour (use \"#RRGGBB\", an ANSI name such as \"lightblue\", or \"default\")"
                )
            })
    }
}

impl fmt::Display for Color {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Color::Default => f.write_str("default"),
            Color::Named(n) => {
                let name = NAMES.iter().find(|(_, x)| x == n).map_or("?", |(s, _)| s);
                f.write_str(name)
            }
            Color::Rgb(r, g, b) => write!(f, "#{r:02x}{g:02x}{b:02x}"),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    extends: Option<String>,
    #[serde(default)]
    colors: toml::Table,
}

/// A resolved theme: a colour for every role.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    pub description: String,
    colors: BTreeMap<String, Color>,
    pub source: PathBuf,
}

impl Theme {
    /// A theme with every colour left to the terminal, for when no theme
    /// can be found at all.
    pub fn plain() -> Theme {
        Theme {
            name: "plain".to_string(),
            description: "Terminal colours only".to_string(),
            colors: ROLES
                .iter()
                .map(|r| (r.to_string(), Color::Default))
                .collect(),
            source: PathBuf::from("<built-in>"),
        }
    }

    /// The colour of `role`; `Default` for a role no theme defines.
    pub fn color(&self, role: &str) -> Color {
        self.colors.get(role).copied().unwrap_or(Color::Default)
    }

    /// The same theme with every colour set to the terminal default, for
    /// `NO_COLOR`. Screens then rely on bold, reverse and underline.
    pub fn without_color(&self) -> Theme {
        Theme {
            colors: self
                .colors
                .keys()
                .map(|k| (k.clone(), Color::Default))
                .collect(),
            ..self.clone()
        }
    }

    pub fn roles(&self) -> impl Iterator<Item = (&str, Color)> {
        self.colors.iter().map(|(k, v)| (k.as_str(), *v))
    }
}

/// Every available theme, built-in first, in a stable order for cycling.
#[derive(Debug, Clone, Default)]
pub struct Themes {
    themes: Vec<Theme>,
}

impl Themes {
    pub fn builtin() -> Result<Themes, LoadError> {
        let mut themes = Themes::default();
        for (name, text) in BUILTIN {
            themes.add_text(&PathBuf::from("<built-in>/themes").join(name), text)?;
        }
        Ok(themes)
    }

    /// Built-ins, then `*.toml` from each directory in order.
    pub fn load(dirs: &[PathBuf]) -> Result<Themes, LoadError> {
        let mut themes = Themes::builtin()?;
        let mut problems = Vec::new();
        // A theme may extend one from a file that sorts after it: resolve
        // by name, in as many rounds as the chain of `extends` is long.
        let mut pending: Vec<(PathBuf, String, Option<String>, String)> = Vec::new();
        for path in toml_files_in(dirs)? {
            let text = files::read_text(&path)?;
            if BUILTIN.iter().any(|(_, builtin)| *builtin == text) {
                continue;
            }
            match files::parse_toml::<ThemeFile>(&path, &text) {
                Ok(file) => pending.push((path, text, file.extends, file.name)),
                Err(LoadError::Invalid(mut d)) => problems.append(&mut d),
                Err(e) => return Err(e),
            }
        }
        loop {
            let waiting_names: Vec<String> = pending.iter().map(|p| p.3.clone()).collect();
            let before = pending.len();
            let mut still = Vec::new();
            for (path, text, extends, name) in pending {
                let waits = extends.as_ref().is_some_and(|base| {
                    *base != name && themes.get(base).is_none() && waiting_names.contains(base)
                });
                if waits {
                    still.push((path, text, extends, name));
                    continue;
                }
                match themes.add_text(&path, &text) {
                    Ok(()) => {}
                    Err(LoadError::Invalid(mut d)) => problems.append(&mut d),
                    Err(e) => return Err(e),
                }
            }
            pending = still;
            if pending.is_empty() || pending.len() == before {
                break;
            }
        }
        // What is left extends in a circle: each is reported.
        for (path, text, extends, _) in pending {
            let src = SourceText {
                path: &path,
                text: &text,
            };
            problems.append(&mut src.place(&[Issue::error(
                FieldPath::from("extends"),
                format!(
                    "`{}` extends a theme that extends this one: a circle",
                    extends.unwrap_or_default()
                ),
            )]));
        }
        if problems.is_empty() {
            Ok(themes)
        } else {
            Err(LoadError::Invalid(problems))
        }
    }

    pub fn add_text(&mut self, path: &Path, text: &str) -> Result<(), LoadError> {
        let file: ThemeFile = files::parse_toml(path, text)?;
        let mut issues = Vec::new();
        let mut colors = BTreeMap::new();
        flatten_colors(&file.colors, "", &mut colors, &mut issues);
        let base_name = file.extends.clone().unwrap_or_else(|| {
            if self.get(&file.name).is_some() {
                file.name.clone()
            } else {
                DEFAULT_THEME.to_string()
            }
        });
        let base = self.get(&base_name).cloned();
        if base.is_none() && !self.themes.is_empty() {
            issues.push(Issue::error(
                FieldPath::from("extends"),
                format!("no theme named `{base_name}` to extend"),
            ));
        }
        if file.name.trim().is_empty() {
            issues.push(Issue::error(FieldPath::from("name"), "name is empty"));
        }
        let src = SourceText { path, text };
        if !issues.is_empty() {
            return Err(LoadError::Invalid(src.place(&issues)));
        }
        let mut resolved = base.map(|b| b.colors).unwrap_or_default();
        resolved.extend(colors);
        let theme = Theme {
            name: file.name,
            description: file.description,
            colors: resolved,
            source: path.to_path_buf(),
        };
        match self.themes.iter_mut().find(|t| t.name == theme.name) {
            Some(existing) => *existing = theme,
            None => self.themes.push(theme),
        }
        Ok(())
    }

    pub fn get(&self, name: &str) -> Option<&Theme> {
        self.themes.iter().find(|t| t.name == name)
    }

    pub fn all(&self) -> &[Theme] {
        &self.themes
    }

    /// The theme after `name`, wrapping, for the cycle key.
    pub fn next_after(&self, name: &str) -> Option<&Theme> {
        let i = self.themes.iter().position(|t| t.name == name)?;
        self.themes.get((i + 1) % self.themes.len())
    }
}

/// Whether the user asked for no colour (https://no-color.org: any
/// non-empty value).
pub fn no_color_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

fn flatten_colors(
    table: &toml::Table,
    prefix: &str,
    out: &mut BTreeMap<String, Color>,
    issues: &mut Vec<Issue>,
) {
    for (key, value) in table {
        let role = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        let path = role
            .split('.')
            .fold(FieldPath::from("colors"), |p, k| p.key(k));
        match value {
            toml::Value::Table(inner) => flatten_colors(inner, &role, out, issues),
            toml::Value::String(text) => {
                if !ROLES.contains(&role.as_str()) {
                    issues.push(Issue::error(path, format!("unknown colour role `{role}`")));
                    continue;
                }
                match Color::parse(text) {
                    Ok(c) => {
                        out.insert(role, c);
                    }
                    Err(msg) => issues.push(Issue::error(path, msg)),
                }
            }
            other => issues.push(Issue::error(
                path,
                format!("expected a colour string, found {}", other.type_str()),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_themes_define_every_role_and_nothing_else() {
        let themes = Themes::builtin().unwrap();
        assert_eq!(themes.all().len(), 4);
        for theme in themes.all() {
            let roles: Vec<&str> = theme.roles().map(|(r, _)| r).collect();
            let mut expected: Vec<&str> = ROLES.to_vec();
            expected.sort();
            assert_eq!(roles, expected, "theme {}", theme.name);
        }
    }

    #[test]
    fn user_theme_overrides_only_what_it_names() {
        let mut themes = Themes::builtin().unwrap();
        let dark = themes.get("dark").unwrap().clone();
        themes
            .add_text(
                Path::new("mine.toml"),
                "name = \"mine\"\n[colors]\naccent = \"#ff0000\"\ntimer.overtime = \"lightred\"\n",
            )
            .unwrap();
        let mine = themes.get("mine").unwrap();
        assert_eq!(mine.color("accent"), Color::Rgb(255, 0, 0));
        assert_eq!(mine.color("timer.overtime"), Color::Named(Named::LightRed));
        assert_eq!(mine.color("fg"), dark.color("fg"));
        assert_eq!(themes.next_after("mine").unwrap().name, "dark");
    }

    #[test]
    fn a_theme_may_extend_one_from_a_file_sorted_after_it() {
        // Issue 9, item 17: `a.toml` extends the theme in `b.toml`.
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write(
            "a.toml",
            "name = \"child\"\nextends = \"parent\"\n[colors]\nfg = \"#010203\"\n",
        );
        write(
            "b.toml",
            "name = \"parent\"\nextends = \"grand\"\n[colors]\naccent = \"#ff0000\"\n",
        );
        write(
            "c.toml",
            "name = \"grand\"\n[colors]\nwarning = \"#00ff00\"\n",
        );
        let themes = Themes::load(&[dir.path().to_path_buf()]).unwrap();
        let child = themes.get("child").unwrap();
        assert_eq!(child.color("fg"), Color::Rgb(1, 2, 3));
        assert_eq!(child.color("accent"), Color::Rgb(255, 0, 0));
        assert_eq!(child.color("warning"), Color::Rgb(0, 255, 0));
        // A circle is reported for each of its themes, not looped on.
        write("c.toml", "name = \"grand\"\nextends = \"child\"\n");
        let Err(LoadError::Invalid(problems)) = Themes::load(&[dir.path().to_path_buf()]) else {
            panic!("a circle of extends is an error");
        };
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(
            problems.iter().all(|p| p.to_string().contains("circle")),
            "{problems:?}"
        );
        // A missing base is still named.
        write("c.toml", "name = \"grand\"\nextends = \"nowhere\"\n");
        let Err(LoadError::Invalid(problems)) = Themes::load(&[dir.path().to_path_buf()]) else {
            panic!("an unknown base is an error");
        };
        assert!(
            problems.iter().any(|p| p.to_string().contains("nowhere")),
            "{problems:?}"
        );
    }

    #[test]
    fn colours_parse_and_print() {
        assert_eq!(Color::parse("#0A0b0C"), Ok(Color::Rgb(10, 11, 12)));
        assert_eq!(Color::parse("Grey"), Ok(Color::Named(Named::Gray)));
        assert_eq!(
            Color::parse("light-blue"),
            Ok(Color::Named(Named::LightBlue))
        );
        assert_eq!(Color::parse("dark-gray"), Ok(Color::Named(Named::DarkGray)));
        assert!(Color::parse("#12345").is_err());
        assert!(Color::parse("chartreuse").is_err());
        assert_eq!(Color::Rgb(1, 2, 255).to_string(), "#0102ff");
    }

    #[test]
    fn no_color_drops_every_colour() {
        let themes = Themes::builtin().unwrap();
        let plain = themes.get("dark").unwrap().without_color();
        assert!(plain.roles().all(|(_, c)| c == Color::Default));
    }
}

//! The threat-model document, in Markdown, organised by the four questions:
//! scope tables and a Mermaid data-flow diagram, the threats, the ranked
//! backlog with mitigations, then coverage and timings.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::{self, Write};

use super::{ExportContext, statement_sentence};
use crate::core::coverage::{Cell, crosses_boundary, matrix};
use crate::core::ids::Id;
use crate::core::index::SessionIndex;
use crate::core::model::{Mitigation, Phase, Session, VotingMode};
use crate::core::scoring::{budget, rank};
use crate::core::stride::Category;
use crate::core::text::{is_bidi_control, is_invisible, is_line_separator, plural};
use crate::core::validate::scope_gaps;

pub fn write(ctx: &ExportContext<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut doc = String::with_capacity(16 * 1024);
    render(ctx, &mut doc);
    out.write_all(doc.as_bytes())
}

fn render(ctx: &ExportContext<'_>, d: &mut String) {
    let s = ctx.session;
    let ix = SessionIndex::new(s);
    let _ = writeln!(d, "# Threat model: {}\n", inline(&s.title));
    let source = ctx
        .source_name
        .map(|n| format!(" from {}", code(n)))
        .unwrap_or_default();
    let _ = writeln!(
        d,
        "Written by stridekit{source}. Session created {}, last updated {}.\n",
        s.created.human(),
        s.updated.human()
    );
    if let Some(f) = s.facilitator {
        let _ = writeln!(d, "- Facilitator: {}", inline(&ix.describe(f)));
    }
    if !s.participants.is_empty() {
        let people: Vec<String> = s
            .participants
            .iter()
            .map(|p| match p.persona {
                Some(persona) => format!("{} ({})", inline(&p.name), persona.name()),
                None => inline(&p.name),
            })
            .collect();
        let _ = writeln!(d, "- Participants: {}", people.join(", "));
    }
    let _ = writeln!(d, "- Template: {}\n", s.template.key());

    scope(ctx, &ix, d);
    threats(s, &ix, d);
    backlog(s, &ix, d);
    review(ctx, &ix, d);
}

fn scope(ctx: &ExportContext<'_>, ix: &SessionIndex<'_>, d: &mut String) {
    let s = ctx.session;
    d.push_str("## 1. What are we working on?\n\n");
    let description = block(&s.description);
    if !description.is_empty() {
        let _ = writeln!(d, "{description}\n");
    }
    let gaps = scope_gaps(s);
    if !gaps.is_empty() {
        let _ = writeln!(
            d,
            "> **Scope is below the useful minimum:** {}.\n",
            gaps.join("; ")
        );
    }
    if !s.assets.is_empty() {
        table(
            d,
            "Assets",
            &["ID", "Asset", "Classification", "Description"],
            s.assets.iter().map(|a| {
                vec![
                    a.id.to_string(),
                    cell(&a.name),
                    a.classification.key().to_string(),
                    cell(&a.description),
                ]
            }),
        );
    }
    if !s.actors.is_empty() {
        table(
            d,
            "Actors",
            &["ID", "Actor", "Description"],
            s.actors
                .iter()
                .map(|a| vec![a.id.to_string(), cell(&a.name), cell(&a.description)]),
        );
    }
    if !s.entry_points.is_empty() {
        table(
            d,
            "Entry points",
            &["ID", "Entry point", "Component", "Description"],
            s.entry_points.iter().map(|e| {
                vec![
                    e.id.to_string(),
                    cell(&e.name),
                    e.component.map_or(String::new(), |c| cell(&ix.describe(c))),
                    cell(&e.description),
                ]
            }),
        );
    }
    if !s.boundaries.is_empty() {
        table(
            d,
            "Trust boundaries",
            &["ID", "Boundary", "Inside", "Description"],
            s.boundaries.iter().map(|b| {
                vec![
                    b.id.to_string(),
                    cell(&b.name),
                    b.parent.map_or(String::new(), |p| cell(&ix.describe(p))),
                    cell(&b.description),
                ]
            }),
        );
    }
    if !s.components.is_empty() {
        table(
            d,
            "Components",
            &["ID", "Component", "Kind", "Boundary", "Description"],
            s.components.iter().map(|c| {
                // A `|` inside a code span still ends a table cell.
                let kind = ctx.catalogs.kind(&c.kind).map_or(cell(&c.kind), |k| {
                    format!("{} ({})", cell(&k.name), code(&k.id).replace('|', "\\|"))
                });
                vec![
                    c.id.to_string(),
                    cell(&c.name),
                    kind,
                    c.boundary.map_or(String::new(), |b| cell(&ix.describe(b))),
                    cell(&c.description),
                ]
            }),
        );
    }
    if !s.flows.is_empty() {
        let boundary_of: HashMap<Id, Option<Id>> =
            s.components.iter().map(|c| (c.id, c.boundary)).collect();
        table(
            d,
            "Data flows",
            &[
                "ID",
                "From",
                "To",
                "Label",
                "Protocol",
                "Assets",
                "Crosses a boundary",
            ],
            s.flows.iter().map(|f| {
                let assets: Vec<String> = f.assets.iter().map(|a| ix.describe(*a)).collect();
                vec![
                    f.id.to_string(),
                    cell(&ix.describe(f.from)),
                    cell(&ix.describe(f.to)),
                    cell(&f.label),
                    cell(&f.protocol),
                    cell(&assets.join(", ")),
                    if crosses_boundary(f, &boundary_of) {
                        "yes"
                    } else {
                        "no"
                    }
                    .to_string(),
                ]
            }),
        );
        diagram(s, d);
    }
    if !s.assumptions.is_empty() {
        d.push_str("### Assumptions\n\n");
        for a in &s.assumptions {
            let _ = writeln!(d, "- **{}** {}", a.id, inline(&a.text));
        }
        d.push('\n');
    }
}

/// A Mermaid flowchart: one subgraph per trust boundary (nested as the
/// boundaries are), actors outside, one arrow per flow.
fn diagram(s: &Session, d: &mut String) {
    d.push_str("### Data-flow diagram\n\n```mermaid\nflowchart LR\n");
    let mut children: BTreeMap<Option<Id>, Vec<Id>> = BTreeMap::new();
    for b in &s.boundaries {
        // A parent that does not exist is treated as top level.
        let parent = b.parent.filter(|p| s.boundary(*p).is_some());
        children.entry(parent).or_default().push(b.id);
    }
    let mut members: BTreeMap<Option<Id>, Vec<String>> = BTreeMap::new();
    for c in &s.components {
        let boundary = c.boundary.filter(|b| s.boundary(*b).is_some());
        members.entry(boundary).or_default().push(format!(
            "{}[\"{}<br/><small>{}</small>\"]",
            c.id,
            mermaid(&c.name),
            mermaid(&c.kind)
        ));
    }
    for a in &s.actors {
        members
            .entry(None)
            .or_default()
            .push(format!("{}([\"{}\"])", a.id, mermaid(&a.name)));
    }
    let mut visiting = Vec::new();
    subgraph(s, None, &children, &members, 1, &mut visiting, d);
    for f in &s.flows {
        let mut label = mermaid(&f.label);
        if !f.protocol.is_empty() {
            let _ = write!(label, " ({})", mermaid(&f.protocol));
        }
        let _ = writeln!(d, "  {} -->|\"{} {label}\"| {}", f.from, f.id, f.to);
    }
    d.push_str("```\n\n");
}

fn subgraph(
    s: &Session,
    boundary: Option<Id>,
    children: &BTreeMap<Option<Id>, Vec<Id>>,
    members: &BTreeMap<Option<Id>, Vec<String>>,
    depth: usize,
    visiting: &mut Vec<Id>,
    d: &mut String,
) {
    let indent = "  ".repeat(depth);
    for node in members.get(&boundary).into_iter().flatten() {
        let _ = writeln!(d, "{indent}{node}");
    }
    for &child in children.get(&boundary).into_iter().flatten() {
        // Cycles are rejected on load; this guards sessions built in memory.
        if visiting.contains(&child) {
            continue;
        }
        let name = s.boundary(child).map_or("", |b| b.name.as_str());
        let _ = writeln!(d, "{indent}subgraph {child}[\"{}\"]", mermaid(name));
        visiting.push(child);
        subgraph(s, Some(child), children, members, depth + 1, visiting, d);
        visiting.pop();
        let _ = writeln!(d, "{indent}end");
    }
}

fn threats(s: &Session, ix: &SessionIndex<'_>, d: &mut String) {
    d.push_str("## 2. What can go wrong?\n\n");
    if s.threats.is_empty() {
        d.push_str("No threats recorded.\n\n");
        return;
    }
    let mut by_category: Vec<String> = Vec::new();
    for c in Category::ALL {
        let n = s.threats.iter().filter(|t| t.category == c).count();
        if n > 0 {
            by_category.push(format!("{} {}", n, c.name().to_lowercase()));
        }
    }
    let _ = writeln!(
        d,
        "{} found: {}.\n",
        plural(s.threats.len(), "threat", "threats"),
        by_category.join(", ")
    );
    table(
        d,
        "",
        &["ID", "Threat", "STRIDE", "Target", "Raised by"],
        s.threats.iter().map(|t| {
            vec![
                t.id.to_string(),
                cell(&t.title),
                t.category.name().to_string(),
                t.target.map_or(String::new(), |x| cell(&ix.describe(x))),
                t.author.map_or(String::new(), |a| cell(&ix.describe(a))),
            ]
        }),
    );
}

fn backlog(s: &Session, ix: &SessionIndex<'_>, d: &mut String) {
    d.push_str("## 3. What are we going to do about it?\n\n");
    let ranking = rank(s);
    if ranking.is_empty() {
        d.push_str("Nothing to plan yet.\n\n");
        unlinked_mitigations(s, d);
        return;
    }
    // A rating session was never voted on: its backlog speaks of ratings
    // only, with no dots column to sit at zero.
    let rating = s.voting.mode == VotingMode::Rating;
    if rating {
        let rated = s.threats.iter().filter(|t| t.risk().is_some()).count();
        let _ = writeln!(
            d,
            "Ranked by likelihood x impact, then age. Rating mode: {rated} of {} rated.\n",
            plural(s.threats.len(), "threat", "threats")
        );
    } else {
        let voters = s.voting.ballots.len();
        let _ = writeln!(
            d,
            "Ranked by dots, then likelihood x impact, then age. Voting: {} mode, {} per person, at most {} per threat{}.\n",
            s.voting.mode.key(),
            plural(budget(s), "dot", "dots"),
            s.voting.cap_per_threat,
            if voters > 0 {
                format!(", {}", plural(voters, "ballot", "ballots"))
            } else {
                String::new()
            }
        );
    }
    let mut header = vec![
        "Rank",
        "ID",
        "Threat",
        "Dots",
        "L x I",
        "Status",
        "Mitigations",
    ];
    if rating {
        header.retain(|h| *h != "Dots");
    }
    table(
        d,
        "",
        &header,
        ranking.iter().filter_map(|r| {
            let t = ix.threat(r.threat)?;
            let rank = if r.tied {
                format!("{}=", r.rank)
            } else {
                r.rank.to_string()
            };
            let risk = match (t.likelihood, t.impact, r.band) {
                (Some(l), Some(i), Some(b)) => format!("{l} x {i} = {} ({})", l * i, b.key()),
                _ => String::new(),
            };
            let ms: Vec<String> = ix
                .mitigations_of(t.id)
                .iter()
                .map(|m| m.id.to_string())
                .collect();
            let mut row = vec![rank, t.id.to_string(), cell(&t.title)];
            if !rating {
                row.push(r.dots.to_string());
            }
            row.extend([risk, t.status.key().to_string(), ms.join(", ")]);
            Some(row)
        }),
    );
    if ranking.iter().any(|r| r.tied) {
        let on = if rating { "risk" } else { "dots and risk" };
        let _ = writeln!(
            d,
            "`=` marks a tie on {on}: only age ordered those threats.\n"
        );
    }
    for r in &ranking {
        let Some(t) = ix.threat(r.threat) else {
            continue;
        };
        let tie = if r.tied { "=" } else { "" };
        let _ = writeln!(d, "### {}{tie}. {} — {}\n", r.rank, t.id, inline(&t.title));
        let _ = writeln!(
            d,
            "- STRIDE: {} (violates {})",
            t.category.name(),
            t.category.property()
        );
        if let Some(target) = t.target {
            let _ = writeln!(d, "- Target: {}", inline(&ix.describe(target)));
        }
        if let Some(statement) = statement_sentence(ix, t) {
            let _ = writeln!(d, "- Statement: {}", inline(&statement));
        }
        match t.status_reason.trim() {
            "" => {
                let _ = writeln!(d, "- Status: {}", t.status.key());
            }
            reason => {
                let _ = writeln!(d, "- Status: {} ({})", t.status.key(), inline(reason));
            }
        }
        if let Some(reference) = &t.catalog {
            let _ = writeln!(d, "- Catalog: {}", code(reference));
        }
        if !t.notes.trim().is_empty() {
            let _ = writeln!(d, "- Notes: {}", inline(&t.notes));
        }
        let ms = ix.mitigations_of(t.id);
        if ms.is_empty() {
            d.push_str("- Mitigations: none yet\n");
        } else {
            d.push_str("- Mitigations:\n");
            for m in ms {
                let _ = writeln!(d, "  - {}", mitigation_item(m));
            }
        }
        d.push('\n');
    }
    unlinked_mitigations(s, d);
}

/// `**M1** text _(status, owner X)_`.
fn mitigation_item(m: &Mitigation) -> String {
    let owner = if m.owner.is_empty() {
        String::new()
    } else {
        format!(", owner {}", inline(&m.owner))
    };
    format!(
        "**{}** {} _({}{owner})_",
        m.id,
        inline(&m.text),
        m.status.key()
    )
}

/// Mitigations that address no threat (an import can bring them): listed,
/// so the report holds everything the session does.
fn unlinked_mitigations(s: &Session, d: &mut String) {
    let loose: Vec<&Mitigation> = crate::core::plan::unlinked(s).collect();
    if loose.is_empty() {
        return;
    }
    d.push_str("### Mitigations on no threat\n\n");
    for m in loose {
        let _ = writeln!(d, "- {}", mitigation_item(m));
    }
    d.push('\n');
}

fn review(ctx: &ExportContext<'_>, ix: &SessionIndex<'_>, d: &mut String) {
    let s = ctx.session;
    d.push_str("## 4. Did we do a good job?\n\n");
    let m = matrix(s, ctx.catalogs);
    let (done, total) = m.progress();
    if !m.rows.is_empty() {
        let _ = writeln!(
            d,
            "### Coverage\n\n{done} of {total} element-category pairs walked ({}%).\n",
            (done * 100).checked_div(total).unwrap_or(100)
        );
        let mut header = vec!["Element"];
        header.extend(["S", "T", "R", "I", "D", "E"]);
        table(
            d,
            "",
            &header,
            m.rows.iter().map(|(element, cells)| {
                let mut row = vec![cell(&format!("{} ({})", element.name, element.id))];
                row.extend(cells.iter().map(|c| match c {
                    Cell::Inapplicable => String::new(),
                    Cell::Todo => "todo".to_string(),
                    Cell::Visited => "visited".to_string(),
                    Cell::Threats(n) => plural(*n, "threat", "threats"),
                    Cell::NotApplicable => "n/a".to_string(),
                }));
                row
            }),
        );
        let reasons: Vec<String> = s
            .coverage
            .iter()
            .filter(|c| !c.reason.trim().is_empty())
            .map(|c| {
                format!(
                    "- {} / {}: {}",
                    inline(&ix.describe(c.element)),
                    c.category.name(),
                    inline(&c.reason)
                )
            })
            .collect();
        if !reasons.is_empty() {
            let _ = writeln!(d, "Not applicable, and why:\n\n{}\n", reasons.join("\n"));
        }
    }
    if !s.agenda.is_empty() {
        // Timers count up to the last save, not to the moment of export: a
        // session left with a running timer was not in use after that.
        let now = s.updated;
        d.push_str("### Time\n\n");
        let mut planned_total = 0;
        let mut actual_total = 0;
        let rows: Vec<Vec<String>> = Phase::ALL
            .iter()
            .filter_map(|p| s.agenda_item(*p))
            .map(|item| {
                let planned = u64::from(item.minutes) * 60;
                let actual = item.elapsed_at(now);
                planned_total = u64::saturating_add(planned_total, planned);
                actual_total = u64::saturating_add(actual_total, actual);
                vec![
                    item.phase.name().to_string(),
                    clock(planned),
                    if item.added_minutes > 0 {
                        format!("+{} min", item.added_minutes)
                    } else {
                        String::new()
                    },
                    clock(actual),
                    difference(actual, planned),
                ]
            })
            .collect();
        table(
            d,
            "",
            &["Phase", "Planned", "Extended", "Actual", "Difference"],
            rows.into_iter().chain(std::iter::once(vec![
                "**Total**".to_string(),
                clock(planned_total),
                String::new(),
                clock(actual_total),
                difference(actual_total, planned_total),
            ])),
        );
    }
    let open: Vec<String> = s
        .threats
        .iter()
        .filter(|t| ix.mitigations_of(t.id).is_empty())
        .filter(|t| {
            !matches!(
                t.status,
                crate::core::model::ThreatStatus::Accepted
                    | crate::core::model::ThreatStatus::Transferred
                    | crate::core::model::ThreatStatus::NotApplicable
            )
        })
        .map(|t| t.id.to_string())
        .collect();
    if !open.is_empty() {
        let _ = writeln!(
            d,
            "Threats with no mitigation and not accepted or transferred: {}.\n",
            open.join(", ")
        );
    }
}

fn clock(seconds: u64) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

fn difference(actual: u64, planned: u64) -> String {
    if actual >= planned {
        format!("+{}", clock(actual - planned))
    } else {
        format!("-{}", clock(planned - actual))
    }
}

/// A Markdown table; `title` becomes a heading when not empty.
fn table<I>(d: &mut String, title: &str, header: &[&str], rows: I)
where
    I: Iterator<Item = Vec<String>>,
{
    if !title.is_empty() {
        let _ = writeln!(d, "### {title}\n");
    }
    let _ = writeln!(d, "| {} |", header.join(" | "));
    let _ = writeln!(d, "|{}|", vec!["---"; header.len()].join("|"));
    for row in rows {
        let _ = writeln!(d, "| {} |", row.join(" | "));
    }
    d.push('\n');
}

/// Session text for a table cell: [`inline`], whose `|` is escaped too.
fn cell(text: &str) -> String {
    inline(text)
}

/// Session text as plain lines joined by `\n` and trimmed: every kind of
/// line break (CR, LF, CRLF, VT, FF, NEL, U+2028, U+2029) becomes `\n`,
/// tabs become spaces, and control, bidi and invisible characters go. An
/// escape sequence would act on the terminal of whoever prints the report;
/// the others reorder text or hide a difference between two names.
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\n' | '\u{0B}' | '\u{0C}' | '\u{85}' => out.push('\n'),
            c if is_line_separator(c) => out.push('\n'),
            '\t' => out.push(' '),
            c if c.is_control() || is_bidi_control(c) || is_invisible(c) => {}
            c => out.push(c),
        }
    }
    out.trim().to_string()
}

/// Appends `line` so that Markdown shows it as the text it is: `<`, `>`
/// and `&` as entities (no HTML, no entity smuggled in), and a backslash
/// before every character that could start a link or image (`[`, `]`), a
/// code span or fence (`` ` ``, `~`), emphasis (`*`, `_`), a heading
/// (`#`), math (`$`), a table cell (`|`) or an escape of ours (`\`).
///
/// GitHub also makes links of bare URLs, `www.` names and e-mail
/// addresses (and mentions of `@name`): the `:` of `://`, the `.` after
/// `www` and every `@` are escaped too, which leaves them as text.
fn escape_into(out: &mut String, line: &str) {
    let chars: Vec<char> = line.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '~' | '[' | ']' | '#' | '$' | '|' | '@' => {
                out.push('\\');
                out.push(c);
            }
            ':' if chars.get(i + 1..i + 3) == Some(&['/', '/']) => out.push_str("\\:"),
            '.' if after_www(&chars, i) => out.push_str("\\."),
            c => out.push(c),
        }
    }
}

/// Whether `chars[at]` follows a `www` that starts a word.
fn after_www(chars: &[char], at: usize) -> bool {
    let Some(start) = at.checked_sub(3) else {
        return false;
    };
    chars[start..at]
        .iter()
        .all(|c| c.eq_ignore_ascii_case(&'w'))
        && (start == 0 || !chars[start - 1].is_alphanumeric())
}

/// Session text in running Markdown (a list item, a heading, a table
/// cell): one source line, line breaks as `<br>`, nothing in it read as
/// Markdown or HTML.
pub fn inline(text: &str) -> String {
    let text = clean(text);
    let mut out = String::with_capacity(text.len() + 16);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push_str("<br>");
        }
        escape_into(&mut out, line);
    }
    out
}

/// Session text as paragraphs of their own (the description): blank lines
/// part paragraphs, other line breaks stay breaks, and no line can start a
/// list, heading, quote, table, fence or indented code block.
fn block(text: &str) -> String {
    let text = clean(text);
    let mut out = String::with_capacity(text.len() + 16);
    let mut paragraph_open = false;
    for line in text.split('\n').map(str::trim) {
        if line.is_empty() {
            paragraph_open = false;
            continue;
        }
        if paragraph_open {
            out.push_str("<br>\n");
        } else if !out.is_empty() {
            out.push_str("\n\n");
        }
        paragraph_open = true;
        let start = out.len();
        escape_into(&mut out, line);
        escape_line_start(&mut out, start);
    }
    out
}

/// Escapes what would make the line starting at `start` of `out` a list
/// item, a thematic break or a setext underline (`-`, `+`, `=`, `1.`,
/// `1)`); everything else that could open a block is escaped already.
fn escape_line_start(out: &mut String, start: usize) {
    let line = &out[start..];
    if line.starts_with(['-', '+', '=']) {
        out.insert(start, '\\');
        return;
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && line[digits..].starts_with(['.', ')']) {
        out.insert(start + digits, '\\');
    }
}

/// Session text as a code span: one line, its own backticks turned into
/// `'` so it cannot end the span early.
fn code(text: &str) -> String {
    let text: String = clean(text)
        .chars()
        .map(|c| match c {
            '\n' => ' ',
            '`' => '\'',
            c => c,
        })
        .collect();
    format!("`{text}`")
}

/// Text inside a quoted Mermaid label, one line: quotes, angle brackets
/// and `&` as Mermaid entities (no HTML), `#` so no entity of ours can be
/// forged, `` ` `` (a Markdown string), `|` (the end of an edge label) and
/// `%` (a `%%{init}%%` directive can switch Mermaid's security off).
fn mermaid(text: &str) -> String {
    let text = clean(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            '|' => out.push_str("#124;"),
            '%' => out.push_str("#37;"),
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_tables_or_inject_html() {
        assert_eq!(cell("a|b\n<script>&"), "a\\|b<br>&lt;script&gt;&amp;");
        assert_eq!(
            mermaid("say \"hi\" #1 <b>"),
            "say #quot;hi#quot; #35;1 #lt;b#gt;"
        );
    }

    #[test]
    fn session_text_is_text_in_every_markdown_context() {
        // Issue 9, item 8.
        assert_eq!(
            clean("\u{202e}a\u{200b}b\u{2028}c\r\nd\re\u{1b}[2J\u{9b}\tf"),
            "ab\nc\nd\ne[2J f"
        );
        assert_eq!(
            inline("[a](http://x) ![i](http://y) `c` *e* _e_ ~~s~~ $m$ #h \\"),
            "\\[a\\](http\\://x) !\\[i\\](http\\://y) \\`c\\` \\*e\\* \\_e\\_ \\~\\~s\\~\\~ \\$m\\$ \\#h \\\\"
        );
        // Nothing GitHub would make a link or a mention of.
        assert_eq!(
            inline("www.x.example, awww.y, me@x.example @kim ftp://z"),
            "www\\.x.example, awww.y, me\\@x.example \\@kim ftp\\://z"
        );
        // A backslash of the text cannot escape the table's pipe.
        assert_eq!(cell("a\\|b"), "a\\\\\\|b");
        assert_eq!(
            block("```\nrest\n\n# h\n- l\n+ l\n12. o\n3) o\n    code\n> q\n---\n==="),
            "\\`\\`\\`<br>\nrest\n\n\\# h<br>\n\\- l<br>\n\\+ l<br>\n12\\. o<br>\n3\\) o<br>\ncode<br>\n&gt; q<br>\n\\---<br>\n\\==="
        );
        assert_eq!(block(" \u{200b} \n\n "), "");
        assert_eq!(code("a`b\n\n\u{1b}[2Jc"), "`a'b  [2Jc`");
        assert_eq!(
            mermaid("%%{init}%% `x` a|b & c\nd"),
            "#37;#37;{init}#37;#37; #96;x#96; a#124;b #amp; c d"
        );
    }

    #[test]
    fn clocks_and_differences() {
        assert_eq!(clock(3725), "62:05");
        assert_eq!(difference(60, 90), "-0:30");
        assert_eq!(difference(90, 90), "+0:00");
    }
}

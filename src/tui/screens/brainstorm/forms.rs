//! The forms Brainstorm opens: the threat editor with its live sentence,
//! and where a threat moves to.

use super::*;

/// The preview of a threat form's statement, as a sentence.
pub(super) fn preview(form: &Form) -> String {
    let keys = form.keys("assets");
    let labels = form.labels("assets");
    let statement = Statement {
        source: form.text("source"),
        prerequisites: form.text("prerequisites"),
        action: form.text("action"),
        impact: form.text("impact"),
        assets: keys.iter().filter_map(|k| k.parse().ok()).collect(),
        goals: Vec::new(),
    };
    let title = form.text("title");
    let title = if title.is_empty() {
        "(the title)"
    } else {
        title.as_str()
    };
    walk::sentence(&statement, title, |id| {
        let key = id.to_string();
        keys.iter()
            .position(|k| *k == key)
            .and_then(|i| labels.get(i))
            .map(String::as_str)
    })
}

/// The threat editor: title first (Enter there saves), then who raised
/// it, notes, and the optional statement with its preview.
pub(super) fn threat_form(
    session: &Session,
    threat: Option<&Threat>,
    author: Option<Id>,
    element: Id,
    category: Category,
) -> Form {
    let people: Vec<PickItem> = session
        .participants
        .iter()
        .map(|p| {
            PickItem::new(
                p.id.to_string(),
                p.name.clone(),
                p.persona.map(Persona::name).unwrap_or_default(),
            )
        })
        .collect();
    let assets: Vec<PickItem> = session
        .assets
        .iter()
        .map(|a| PickItem::new(a.id.to_string(), a.name.clone(), a.classification.key()))
        .collect();
    let st = threat.map(|t| &t.statement);
    let text = |f: fn(&Statement) -> &str| st.map_or("", f);
    let title = match threat {
        Some(t) => format!(
            "Edit {} on {}",
            t.id,
            describe_cell(session, element, category)
        ),
        None => format!(
            "New threat on {}",
            describe_cell(session, element, category)
        ),
    };
    Form::new(
        title,
        vec![
            Field::line("title", "Title", threat.map_or("", |t| &t.title)).required(),
            Field::pick(
                "author",
                "Raised by",
                people,
                author.map(|a| a.to_string()),
                true,
            ),
            Field::text("notes", "Notes", threat.map_or("", |t| &t.notes)),
            Field::line("source", "Threat source: who (a …)", text(|s| &s.source)),
            Field::line(
                "prerequisites",
                "Prerequisites: with what access",
                text(|s| &s.prerequisites),
            ),
            Field::line(
                "action",
                "Action: can … (the title if empty)",
                text(|s| &s.action),
            ),
            Field::line("impact", "Impact: which leads to …", text(|s| &s.impact)),
            Field::pick_many(
                "assets",
                "Impacted assets",
                assets,
                st.map_or(Vec::new(), |s| s.assets.iter().map(Id::to_string).collect()),
            ),
            Field::note("preview", "The threat, in one sentence", preview),
        ],
    )
    .enter_saves()
}

/// Where a threat goes: an element of the walk and a category.
pub(super) fn move_form(
    walk: &Walk,
    catalogs: &Catalogs,
    id: Id,
    element: Id,
    category: Category,
) -> Form {
    let elements: Vec<PickItem> = walk
        .entries
        .iter()
        .map(|e| {
            let kind = e
                .kinds
                .first()
                .map(|k| catalogs.kind(k).map_or(k.clone(), |k| k.name.clone()))
                .unwrap_or_default();
            PickItem::new(e.id.to_string(), format!("{} ({})", e.name, e.id), kind)
        })
        .collect();
    let categories: Vec<Choice> = Category::ALL
        .iter()
        .map(|c| Choice::new(c.key(), c.name()))
        .collect();
    Form::new(
        format!("Move {id}"),
        vec![
            Field::pick(
                "element",
                "To element",
                elements,
                Some(element.to_string()),
                false,
            )
            .required(),
            Field::cycle("category", "Category", categories, category.key()),
        ],
    )
}

/// Why a category does not apply to an element: one line, Enter saves.
pub(super) fn not_applicable_form(session: &Session, element: Id, category: Category) -> Form {
    let name = describe_cell(session, element, category);
    let current = session
        .coverage
        .iter()
        .find(|m| m.element == element && m.category == category)
        .map(|m| m.reason.clone())
        .unwrap_or_default();
    Form::new(
        format!("Not applicable: {name}"),
        vec![Field::line("reason", "Why does it not apply here?", &current).required()],
    )
    .enter_saves()
}

/// Why a catalog candidate is not a threat here: an optional line.
pub(super) fn dismiss_form(catalogs: &Catalogs, reference: &str) -> Form {
    let title = walk::candidate(catalogs, reference)
        .map(|c| c.title.clone())
        .unwrap_or_else(|| reference.to_string());
    Form::new(
        format!("Dismiss: {}", one_line(&title)),
        vec![Field::line(
            "reason",
            "Why is it not a threat here? (optional)",
            "",
        )],
    )
    .enter_saves()
}

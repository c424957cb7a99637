//! Tables whose columns fit their content: names get room before
//! secondary columns, and a cell too long for its column is cut with `…`
//! (ratatui would cut it silently, mid-word).

use ratatui::layout::Constraint;
use ratatui::style::Style;
use ratatui::text::Text;
use ratatui::widgets::{Cell, Row, Table};

use crate::core::text::{fit, fit_start, width};

/// How a column takes room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grow {
    /// Always exactly this wide.
    Fixed(u16),
    /// Room is handed out by priority: 0 (names) before 1 (the rest).
    Content { priority: u8, min: u16 },
}

/// A column of a fitted table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub header: &'static str,
    grow: Grow,
    /// Cut long text at the start, keeping the end (paths).
    keep_end: bool,
}

impl Column {
    /// Always `width` columns (ids, counts, short codes).
    pub const fn fixed(header: &'static str, width: u16) -> Column {
        Column {
            header,
            grow: Grow::Fixed(width),
            keep_end: false,
        }
    }

    /// The column people read first: it gets room before any other.
    pub const fn name(header: &'static str) -> Column {
        Column {
            header,
            grow: Grow::Content {
                priority: 0,
                min: 8,
            },
            keep_end: false,
        }
    }

    /// Secondary information: what is left once names fit.
    pub const fn extra(header: &'static str) -> Column {
        Column {
            header,
            grow: Grow::Content {
                priority: 1,
                min: 4,
            },
            keep_end: false,
        }
    }

    /// Cut at the start when too long (a path's end tells files apart).
    pub const fn keep_end(mut self) -> Column {
        self.keep_end = true;
        self
    }

    /// Never narrower than `min` while there is room for it.
    pub const fn min(mut self, min: u16) -> Column {
        if let Grow::Content { priority, .. } = self.grow {
            self.grow = Grow::Content { priority, min };
        }
        self
    }
}

/// One cell: its text (one line, already neutralised) and style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub text: String,
    pub style: Style,
}

impl Field {
    pub fn new(text: impl Into<String>) -> Field {
        Field {
            text: text.into(),
            style: Style::new(),
        }
    }

    pub fn styled(text: impl Into<String>, style: Style) -> Field {
        Field {
            text: text.into(),
            style,
        }
    }
}

impl From<String> for Field {
    fn from(text: String) -> Field {
        Field::new(text)
    }
}

impl From<&str> for Field {
    fn from(text: &str) -> Field {
        Field::new(text)
    }
}

/// The space between columns, as ratatui's table puts it.
const SPACING: u16 = 1;

/// What a name column gets before other columns grow: most names fit.
const NAME_ROOM: u16 = 24;

/// Column widths for `rows` in `available` columns (the table's inside,
/// less any selection marker).
pub fn widths(columns: &[Column], rows: &[Vec<Field>], available: u16) -> Vec<u16> {
    let gaps = SPACING.saturating_mul(u16::try_from(columns.len().saturating_sub(1)).unwrap_or(0));
    let mut left = available.saturating_sub(gaps);
    // What each column would like: its widest cell or header.
    let natural: Vec<u16> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let widest = rows
                .iter()
                .filter_map(|r| r.get(i))
                .map(|f| width(&f.text))
                .chain([width(c.header)])
                .max()
                .unwrap_or(0);
            u16::try_from(widest).unwrap_or(u16::MAX)
        })
        .collect();
    let mut out = vec![0u16; columns.len()];
    // Fixed columns first, then every column's minimum, in order.
    for (i, c) in columns.iter().enumerate() {
        if let Grow::Fixed(w) = c.grow {
            out[i] = w.min(left);
            left -= out[i];
        }
    }
    for (i, c) in columns.iter().enumerate() {
        if let Grow::Content { min, .. } = c.grow {
            out[i] = min.min(natural[i]).min(left);
            left -= out[i];
        }
    }
    // Then room by priority, evenly within one (the narrowest grows first):
    // names up to a width that holds most names, then the other columns,
    // then names again, so a long name cannot starve everything else.
    for (level, cap) in [(0u8, NAME_ROOM), (1, u16::MAX), (0, u16::MAX)] {
        loop {
            if left == 0 {
                break;
            }
            let hungry = columns
                .iter()
                .enumerate()
                .filter(|(i, c)| {
                    matches!(c.grow, Grow::Content { priority, .. } if priority == level)
                        && out[*i] < natural[*i].min(cap)
                })
                .min_by_key(|(i, _)| out[*i])
                .map(|(i, _)| i);
            let Some(i) = hungry else { break };
            out[i] += 1;
            left -= 1;
        }
    }
    // What is still free goes to the last growing column, so the table
    // spans its box.
    if let Some(i) = columns
        .iter()
        .rposition(|c| matches!(c.grow, Grow::Content { .. }))
    {
        out[i] = out[i].saturating_add(left);
    }
    out
}

/// A table of `rows` fitted into `available` columns: every cell cut to
/// its column with `…`. The header row, in `header_style`, is left out
/// when no column has a heading.
pub fn fitted<'a>(
    columns: &[Column],
    rows: Vec<Vec<Field>>,
    available: u16,
    header_style: Style,
) -> Table<'a> {
    let widths = widths(columns, &rows, available);
    with_widths(columns, rows, &widths, header_style)
}

/// [`fitted`] with widths already worked out (from the rows in view, say,
/// while the table holds more).
pub fn with_widths<'a>(
    columns: &[Column],
    rows: Vec<Vec<Field>>,
    widths: &[u16],
    header_style: Style,
) -> Table<'a> {
    let cut = |text: &str, i: usize| -> String {
        let max = usize::from(widths.get(i).copied().unwrap_or(0));
        if columns.get(i).is_some_and(|c| c.keep_end) {
            fit_start(text, max).into_owned()
        } else {
            fit(text, max).into_owned()
        }
    };
    let header = columns.iter().any(|c| !c.header.is_empty()).then(|| {
        Row::new(
            columns
                .iter()
                .enumerate()
                .map(|(i, c)| Cell::from(cut(c.header, i))),
        )
        .style(header_style)
    });
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|row| {
            Row::new(
                row.into_iter()
                    .enumerate()
                    .map(|(i, f)| Cell::from(Text::from(cut(&f.text, i))).style(f.style)),
            )
        })
        .collect();
    let table =
        Table::new(rows, widths.iter().map(|w| Constraint::Length(*w))).column_spacing(SPACING);
    match header {
        Some(header) => table.header(header),
        None => table,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(cells: &[&[&str]]) -> Vec<Vec<Field>> {
        cells
            .iter()
            .map(|r| r.iter().map(|c| Field::from(*c)).collect())
            .collect()
    }

    #[test]
    fn a_long_name_leaves_room_for_the_rest() {
        let columns = [Column::name("Name"), Column::extra("Kind")];
        let long = "x".repeat(60);
        let data = rows(&[&[long.as_str(), "Amazon API Gateway"]]);
        // The name stops at 24 while the kind grows, then takes the rest.
        assert_eq!(widths(&columns, &data, 40), [24, 15]);
        assert_eq!(widths(&columns, &data, 70), [51, 18]);
    }

    #[test]
    fn names_get_room_before_secondary_columns() {
        let columns = [
            Column::fixed("ID", 3),
            Column::name("Component"),
            Column::extra("Kind"),
        ];
        let data = rows(&[&["C1", "Payslip functions", "AWS Lambda (functions)"]]);
        // 3 + 17 + the rest, with a column of spacing between each.
        assert_eq!(widths(&columns, &data, 40), [3, 17, 18]);
        // Short of room, the name keeps its width and the kind is cut.
        assert_eq!(widths(&columns, &data, 28), [3, 17, 6]);
        // Shorter still: the kind keeps its minimum, the name gives way.
        assert_eq!(widths(&columns, &data, 20), [3, 11, 4]);
        // Nothing overflows, however narrow.
        for available in 0..40 {
            let w = widths(&columns, &data, available);
            let total: u16 = w.iter().sum::<u16>() + 2;
            assert!(total <= available.max(2), "{available}: {w:?}");
        }
    }

    #[test]
    fn spare_room_goes_to_the_last_growing_column() {
        let columns = [
            Column::name("Title"),
            Column::extra("File"),
            Column::fixed("N", 2),
        ];
        let data = rows(&[&["A", "a.toml", "1"]]);
        assert_eq!(widths(&columns, &data, 30), [5, 21, 2]);
    }
}

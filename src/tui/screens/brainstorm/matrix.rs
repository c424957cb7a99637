//! The coverage matrix: every element x STRIDE category, with a state
//! per cell, and a jump from any cell to it in the walk.

use super::*;

impl BrainstormScreen {
    pub(super) fn matrix_update(&mut self, action: Action, cx: &mut Ctx) {
        let walk = self.walk(cx.session(), cx.catalogs, cx.changes());
        let rows = walk.entries.len();
        let (mut row, mut col) = self.cell;
        let next = walk.next_todo(row, col);
        let at = walk.entries.get(row).map(|e| e.id);
        drop(walk);
        match action {
            a if list::is_movement(&a) => list::move_cursor(&mut row, rows, &a, cx.page),
            Action::Left => col = col.saturating_sub(1),
            Action::Right => col = (col + 1).min(Category::ALL.len() - 1),
            Action::NextCell => match next {
                Some(cell) => (row, col) = cell,
                None => cx.success("Every cell is covered"),
            },
            Action::Open => {
                if let Some(id) = at {
                    self.focus(id, Category::ALL[col.min(Category::ALL.len() - 1)]);
                    self.mode = Mode::Walk;
                    self.pane = Pane::Candidates;
                }
            }
            Action::Cancel => self.mode = Mode::Walk,
            _ => {}
        }
        self.cell = (row, col);
    }
}

impl BrainstormScreen {
    pub(super) fn draw_matrix(&self, frame: &mut Frame, area: Rect, view: &View) {
        let s = view.styles;
        let walk = self.walk(view.session, view.catalogs, view.changes);
        let (done, total) = walk.progress();
        let percent = (done * 100).checked_div(total).unwrap_or(100);
        let block = boxed(
            s,
            format!(
                " Coverage: {done} of {} covered ({percent}%) ",
                plural(total, "cell", "cells")
            ),
            true,
        );
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [legend_area, table_area] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
        let legend = [
            (Cell::Todo, "to do"),
            (Cell::Visited, "looked at"),
            (Cell::Threats(2), "threats"),
            (Cell::NotApplicable, "not applicable"),
            (Cell::Inapplicable, "rarely applies"),
        ];
        let mut spans = Vec::new();
        for (cell, what) in legend {
            spans.push(Span::styled(
                format!(" {} ", symbol(cell)),
                cell_style(s, cell),
            ));
            spans.push(Span::styled(format!("{what}  "), s.muted));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), legend_area);
        let (row, col) = self.cell;
        let height = usize::from(table_area.height.saturating_sub(1));
        let window = list::window(walk.entries.len(), row, height);
        let rows: Vec<Vec<Cell2>> = walk.entries[window.clone()]
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let mut cells = vec![Cell2::new(format!("{} {}", e.id, one_line(&e.name)))];
                for (c, cell) in e.cells.iter().enumerate() {
                    let mut style = cell_style(s, *cell);
                    if window.start + i == row && c == col {
                        style = style.add_modifier(Modifier::REVERSED | Modifier::BOLD);
                    }
                    cells.push(Cell2::styled(format!(" {} ", symbol(*cell)), style));
                }
                cells
            })
            .collect();
        let mut columns = vec![Column::name("Element")];
        const LETTERS: [&str; 6] = [" S", " T", " R", " I", " D", " E"];
        for letter in LETTERS {
            columns.push(Column::fixed(letter, 4));
        }
        let table = table::fitted(&columns, rows, table_area.width.saturating_sub(2), s.muted)
            .row_highlight_style(s.base.add_modifier(Modifier::BOLD))
            .highlight_symbol(MARKER)
            .style(s.base);
        frame.render_stateful_widget(
            table,
            table_area,
            &mut TableState::default().with_selected(Some(row.saturating_sub(window.start))),
        );
    }
}

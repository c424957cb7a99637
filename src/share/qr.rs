//! The join URL as a QR code, as rows of dark and light modules with a
//! quiet zone, for the terminal to draw two modules per cell.

use qrcode::{Color, EcLevel, QrCode};

/// Light modules around the code. The standard asks for four; two scan
/// well from a screen and keep the code on an 80x24 terminal.
const QUIET: usize = 2;

/// The code's modules, row by row (`true` is dark), quiet zone included.
/// `None` when the text is too long for a QR code.
pub fn modules(text: &str) -> Option<Vec<Vec<bool>>> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::L).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let side = width + 2 * QUIET;
    let mut rows = vec![vec![false; side]; side];
    for (i, color) in colors.iter().enumerate() {
        let (y, x) = (i / width, i % width);
        if let Some(cell) = rows.get_mut(y + QUIET).and_then(|r| r.get_mut(x + QUIET)) {
            *cell = *color == Color::Dark;
        }
    }
    Some(rows)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_url_makes_a_square_with_a_light_border() {
        let rows = super::modules("http://127.0.0.1:8787/#code=ABCDEF").unwrap();
        let side = rows.len();
        assert!(rows.iter().all(|r| r.len() == side));
        assert!(rows[0].iter().all(|dark| !dark));
        // The finder pattern's corner.
        assert!(rows[super::QUIET][super::QUIET]);
    }
}

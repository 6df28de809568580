//! Cells of CSV files that people open in spreadsheets.

use std::borrow::Cow;

/// Makes a cell inert in a spreadsheet: one that starts with `=`, `+`, `-`, `@`, a tab or a carriage return would be
/// read as a formula (CSV injection, e.g. `=HYPERLINK(...)` in an e-mail typed at the login form), so it gets a
/// leading single quote, which spreadsheets show as text and do not run.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_quoted() {
        for cell in ["=HYPERLINK(\"http://evil.example\")", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"] {
            assert_eq!(neutralise(cell), format!("'{cell}"), "{cell:?}");
        }
    }

    #[test]
    fn other_cells_are_untouched() {
        for cell in ["", "qa@helix.example", "Dana Kim", "{\"address\":\"127.0.0.1\"}", "1=1", " =1", "'=1"] {
            assert_eq!(neutralise(cell), cell, "{cell:?}");
            assert!(matches!(neutralise(cell), Cow::Borrowed(_)));
        }
    }
}

//! Entering several numbers (an analytical method's replicate results) a field each: a tablet's decimal keypad has
//! no space or semicolon to separate them in one field.

use crate::decimal::Decimal;

/// The numbers in `entries`, empty fields skipped; the first that is not a number is refused, quoted.
pub fn numbers(entries: &[String]) -> Result<Vec<Decimal>, String> {
    entries
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .map(|t| Decimal::parse(t).map_err(|e| format!("“{t}”: {e}")))
        .collect()
}

/// Whether `c` separates two numbers typed or pasted together.
fn separates(c: char) -> bool {
    c.is_whitespace() || c == ';'
}

/// `entries` after field `at` was set to `text` (an `at` past the end changes no field), and the field to move the
/// focus to, if another. Numbers typed or pasted together, separated by spaces, tabs, semicolons or line breaks as
/// copied from a spreadsheet, fill a field each; a separator typed after a number moves on to the next field, so
/// "98.6 98.8" typed as one fills two. One empty field always stays at the end for the next value.
pub fn entered(mut entries: Vec<String>, at: usize, text: &str) -> (Vec<String>, Option<usize>) {
    let mut focus = None;
    if at < entries.len() {
        let pieces: Vec<String> = text.split(separates).filter(|t| !t.is_empty()).map(str::to_owned).collect();
        let count = pieces.len();
        if !text.contains(separates) {
            entries[at] = text.to_owned();
        } else if count == 0 {
            entries[at] = String::new();
        } else {
            entries.splice(at..=at, pieces);
            let next = if text.ends_with(separates) { at + count } else { at + count - 1 };
            focus = Some(next).filter(|n| *n != at);
        }
    }
    if entries.last().is_none_or(|last| !last.trim().is_empty()) {
        entries.push(String::new());
    }
    (entries, focus)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| (*v).to_owned()).collect()
    }

    #[test]
    fn typing_in_the_last_field_opens_the_next() {
        let (start, _) = entered(Vec::new(), usize::MAX, "");
        assert_eq!(start, [""], "an empty form has one field");
        let (one, focus) = entered(start, 0, "99.8");
        assert_eq!((one.clone(), focus), (strings(&["99.8", ""]), None), "typing stays in its field");
        let (two, _) = entered(one, 1, "100.2");
        assert_eq!(two, ["99.8", "100.2", ""]);
        assert_eq!(entered(two.clone(), 0, "99.9").0, ["99.9", "100.2", ""], "a middle field changes in place");
        assert_eq!(entered(two, 1, "").0, ["99.8", "", ""], "a cleared field stays, so no focus jumps");
    }

    #[test]
    fn a_separator_typed_after_a_number_moves_to_the_next_field() {
        assert_eq!(entered(strings(&["98.6"]), 0, "98.6 "), (strings(&["98.6", ""]), Some(1)));
        assert_eq!(entered(strings(&["98.6", "1", ""]), 0, "98.6;"), (strings(&["98.6", "1", ""]), Some(1)));
        assert_eq!(entered(strings(&[""]), 0, " "), (strings(&[""]), None), "a space alone is nothing");
    }

    #[test]
    fn a_pasted_list_fills_a_field_each() {
        let (pasted, focus) = entered(strings(&["99.8", ""]), 1, "100.2\t100.0; 99.7\n");
        assert_eq!(pasted, ["99.8", "100.2", "100.0", "99.7", ""]);
        assert_eq!(focus, Some(4), "then on to the empty field");
        let (middle, focus) = entered(strings(&["1", "2", ""]), 0, "5 6");
        assert_eq!(
            (middle, focus),
            (strings(&["5", "6", "2", ""]), Some(1)),
            "into the middle, the last one pasted in focus"
        );
    }

    #[test]
    fn empty_fields_are_skipped_and_a_bad_value_is_named() {
        let values = numbers(&strings(&["99.8", "", " 100.2 ", ""])).expect("numbers");
        assert_eq!(values.iter().map(|v| v.to_string()).collect::<Vec<_>>(), ["99.8", "100.2"]);
        let refused = numbers(&strings(&["99.8", "abc"])).expect_err("not a number");
        assert!(refused.starts_with("“abc”: "), "{refused}");
        assert_eq!(numbers(&strings(&["", ""])), Ok(Vec::new()));
    }
}

//! Sending-unit parameters as CSV, for spreadsheets: import with every problem located, export that imports again.
//!
//! The columns, in this order: unit_operation, parameter, setpoint, nor_low, nor_high, par_low, par_high, unit,
//! criticality (CPP or non-CPP), quality_attributes (separated by semicolons). Equipment scale has no column and is
//! not exported. Cells are trimmed on import; a UTF-8 byte-order mark and rows with only empty cells are ignored.
//!
//! Formula injection: a spreadsheet runs a cell that starts with = + - @ tab or CR as a formula, so export puts an
//! apostrophe before such a text cell (when it is more than that one character) and before a text cell that already
//! starts with an apostrophe followed by one of them; import removes exactly one such apostrophe, so every name comes
//! back as it was. Number cells are never prefixed: they are written as plain decimals ("-0.5"), which a spreadsheet
//! reads as a number, not a formula, and which import reads back exactly.

use crate::decimal::Decimal;
use crate::known_units::KnownUnit;
use crate::parameter::{Criticality, SuParameter, parameter_key};
use crate::range::Range;
use crate::units::Unit;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The header, in order.
pub const COLUMNS: [&str; 10] = [
    "unit_operation",
    "parameter",
    "setpoint",
    "nor_low",
    "nor_high",
    "par_low",
    "par_high",
    "unit",
    "criticality",
    "quality_attributes",
];
/// Most parameter rows one file may hold.
pub const MAX_ROWS: usize = 20_000;
/// Problems after which import stops reading, ending the list with a note; a longer list helps no one.
pub const MAX_PROBLEMS: usize = 500;

/// Characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Something wrong with an imported file, located for the person fixing it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CsvProblem {
    /// The line the row starts on, counting from 1 for the header.
    pub line: u64,
    /// The column at fault, by header name; `None` for the header or a whole row.
    #[serde(default)]
    pub column: Option<String>,
    /// What is wrong and what to write instead.
    pub message: String,
}

/// The problems of one import, capped at [`MAX_PROBLEMS`].
#[derive(Default)]
struct Problems(Vec<CsvProblem>);

impl Problems {
    fn add(&mut self, line: u64, column: Option<&str>, message: impl Into<String>) {
        self.0.push(CsvProblem { line, column: column.map(str::to_owned), message: message.into() });
    }

    fn full(&self) -> bool {
        self.0.len() >= MAX_PROBLEMS
    }
}

/// Reads parameters from CSV text; on any problem returns all of them (up to [`MAX_PROBLEMS`]) instead.
pub fn parse(text: &str) -> Result<Vec<SuParameter>, Vec<CsvProblem>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut problems = Problems::default();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = reader.records();
    match records.next() {
        Some(Ok(header)) if header_matches(&header) => {}
        Some(Ok(_)) | None => {
            let message =
                format!("The first line must be the header {}, with the columns in this order.", COLUMNS.join(","));
            problems.add(1, None, message);
            return Err(problems.0);
        }
        Some(Err(error)) => {
            problems.add(1, None, format!("The file cannot be read as CSV: {error}."));
            return Err(problems.0);
        }
    }
    let mut rows = Vec::new();
    let mut first_line_of: BTreeMap<(String, String), u64> = BTreeMap::new();
    for record in records {
        if problems.full() {
            let message = format!("Stopped after {MAX_PROBLEMS} problems; correct these and import again.");
            let line = problems.0.last().map_or(1, |p| p.line);
            problems.add(line, None, message);
            break;
        }
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(1, csv::Position::line);
                problems.add(line, None, format!("The file cannot be read as CSV from here on: {error}."));
                break;
            }
        };
        let line = record.position().map_or(1, csv::Position::line);
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        if rows.len() >= MAX_ROWS {
            let message =
                format!("The file has more than {MAX_ROWS} parameter rows; import at most {MAX_ROWS} at a time.");
            problems.add(line, None, message);
            break;
        }
        if record.len() != COLUMNS.len() {
            let message = format!(
                "This row has {} cells; every row needs {}, one per header column.",
                record.len(),
                COLUMNS.len()
            );
            problems.add(line, None, message);
            continue;
        }
        let cells: Vec<String> = record.iter().map(|cell| unescape(cell.trim()).to_owned()).collect();
        let parameter = read_row(&cells, line, &mut problems);
        let key = parameter_key(&parameter.unit_operation, &parameter.parameter);
        if !key.0.is_empty() && !key.1.is_empty() {
            if let Some(first) = first_line_of.get(&key) {
                let message =
                    format!("“{}” in “{}” is already on line {first}.", parameter.parameter, parameter.unit_operation);
                problems.add(line, Some("parameter"), message);
            } else {
                first_line_of.insert(key, line);
            }
        }
        rows.push(parameter);
    }
    if problems.0.is_empty() { Ok(rows) } else { Err(problems.0) }
}

fn header_matches(header: &csv::StringRecord) -> bool {
    header.len() == COLUMNS.len()
        && header.iter().zip(COLUMNS).all(|(cell, column)| cell.trim().eq_ignore_ascii_case(column))
}

/// One row's cells as a parameter, its problems added; unreadable cells are left empty in the parameter returned,
/// which is still checked for duplicates so that one pass finds everything.
fn read_row(cells: &[String], line: u64, problems: &mut Problems) -> SuParameter {
    let cell = |column: &str| COLUMNS.iter().position(|c| *c == column).and_then(|i| cells.get(i)).map_or("", |c| c);
    let before = problems.0.len();
    let mut number = |column: &str| -> Option<Decimal> {
        let text = cell(column);
        if text.is_empty() {
            return None;
        }
        Decimal::parse(text).map_err(|error| problems.add(line, Some(column), format!("“{text}”: {error}"))).ok()
    };
    let setpoint = number("setpoint");
    let nor = Range::new(number("nor_low"), number("nor_high"));
    let par = Range::new(number("par_low"), number("par_high"));
    let numbers_read = problems.0.len() == before;
    let unit = Unit::parse(cell("unit")).map_err(|error| problems.add(line, Some("unit"), error.to_string())).ok();
    let criticality = read_criticality(cell("criticality"));
    if criticality.is_none() {
        let message = format!("“{}”: enter CPP or non-CPP.", cell("criticality"));
        problems.add(line, Some("criticality"), message);
    }
    let quality_attributes: Vec<String> =
        cell("quality_attributes").split(';').map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned).collect();
    let parameter = SuParameter {
        unit_operation: cell("unit_operation").to_owned(),
        parameter: cell("parameter").to_owned(),
        setpoint,
        nor,
        par,
        unit: unit.clone().unwrap_or_else(|| Unit::of(KnownUnit::Dimensionless)),
        criticality: criticality.unwrap_or(Criticality::NonCpp),
        quality_attributes,
        scale: None,
    };
    for problem in parameter.problems() {
        let column = column_of(problem.field.as_deref().unwrap_or(""));
        // Range rules need every number of the row and its unit; with one unreadable they would only mislead.
        let about_values = matches!(column, "setpoint" | "nor_low" | "nor_high" | "par_low" | "par_high");
        if !about_values || (numbers_read && unit.is_some()) {
            problems.add(line, Some(column), problem.message);
        }
    }
    parameter
}

/// The column a validation field comes from: "nor.low" → "nor_low", "quality_attributes[2]" → "quality_attributes".
fn column_of(field: &str) -> &str {
    let field = field.split('[').next().unwrap_or(field);
    COLUMNS.iter().copied().find(|column| column.replace('_', ".") == field || *column == field).unwrap_or(field)
}

fn read_criticality(text: &str) -> Option<Criticality> {
    let folded: String = text.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    match folded.as_str() {
        "cpp" => Some(Criticality::Cpp),
        "noncpp" => Some(Criticality::NonCpp),
        _ => None,
    }
}

/// Removes the apostrophe export put before a cell, and only that one.
fn unescape(cell: &str) -> &str {
    let mut chars = cell.chars();
    match (chars.next(), chars.next()) {
        (Some('\''), Some(next)) if next == '\'' || FORMULA_STARTS.contains(&next) => &cell[1..],
        _ => cell,
    }
}

/// Writes parameters as CSV with CRLF line ends (RFC 4180), header first; equipment scales are left out.
pub fn export(rows: &[SuParameter]) -> String {
    let mut out = COLUMNS.join(",");
    out.push_str("\r\n");
    for row in rows {
        let number = |value: Option<Decimal>| value.map(|v| v.to_string()).unwrap_or_default();
        let criticality = match row.criticality {
            Criticality::Cpp => "CPP",
            Criticality::NonCpp => "non-CPP",
        };
        let cells = [
            text_cell(&row.unit_operation),
            text_cell(&row.parameter),
            number(row.setpoint),
            number(row.nor.low),
            number(row.nor.high),
            number(row.par.low),
            number(row.par.high),
            text_cell(row.unit.as_str()),
            criticality.to_owned(),
            text_cell(&row.quality_attributes.join(";")),
        ];
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// A text cell, neutralised against formula injection and quoted when it must be.
fn text_cell(text: &str) -> String {
    let mut chars = text.chars();
    let neutralise = match (chars.next(), chars.next()) {
        (Some(first), Some(_)) if FORMULA_STARTS.contains(&first) => true,
        (Some('\''), Some(next)) => next == '\'' || FORMULA_STARTS.contains(&next),
        _ => false,
    };
    let text = if neutralise { format!("'{text}") } else { text.to_owned() };
    if text.contains([',', '"', '\r', '\n']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

#[cfg(test)]
mod tests;

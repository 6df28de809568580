//! Record numbers such as "DEV-2026-00007": per owning organisation and year, one more than the highest so far.

use baton_domain::ids::OrgId;
use sqlx::AnyConnection;

/// A kind of record numbered per owner and year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Numbered {
    /// Deviations, "DEV-…".
    Deviation,
    /// CAPAs, "CAPA-…".
    Capa,
    /// Change controls, "CC-…".
    ChangeControl,
}

impl Numbered {
    fn table(self) -> &'static str {
        match self {
            Numbered::Deviation => "deviations",
            Numbered::Capa => "capas",
            Numbered::ChangeControl => "change_controls",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Numbered::Deviation => baton_domain::deviation::NUMBER_PREFIX,
            Numbered::Capa => baton_domain::capa::NUMBER_PREFIX,
            Numbered::ChangeControl => baton_domain::change_control::NUMBER_PREFIX,
        }
    }
}

/// The year and sequence of a number such as "DEV-2026-00007".
pub fn parse(number: &str) -> Option<(i32, u64)> {
    let mut parts = number.rsplitn(3, '-');
    let sequence = parts.next()?.parse().ok()?;
    let year = parts.next()?.parse().ok()?;
    Some((year, sequence))
}

/// The number `sequence` of `kind` in `year`, e.g. "DEV-2026-00008".
pub fn format(kind: Numbered, year: i32, sequence: u64) -> String {
    format!("{}-{year}-{sequence:05}", kind.prefix())
}

/// The next number of `kind` for `owner` in `year`. Call it inside a unit of work: the unit holds the audit chain's
/// lock, so no other writer takes the same number before this one commits (and the table's unique key would refuse
/// it if one did).
pub async fn next(conn: &mut AnyConnection, kind: Numbered, owner: OrgId, year: i32) -> anyhow::Result<String> {
    let stem = format!("{}-{year}-", kind.prefix());
    // Longest first: past 99999 the numbers grow a digit, and "…-100000" sorts before "…-99999" as text.
    let sql = format!(
        "SELECT number FROM {} WHERE owner_org_id = $1 AND number LIKE $2 ORDER BY LENGTH(number) DESC, number DESC \
         LIMIT 1",
        kind.table()
    );
    let last: Option<String> =
        sqlx::query_scalar(&sql).bind(owner.to_string()).bind(format!("{stem}%")).fetch_optional(conn).await?;
    let highest = match last {
        Some(number) => number
            .strip_prefix(&stem)
            .and_then(|n| n.parse::<u64>().ok())
            .ok_or_else(|| anyhow::anyhow!("{} holds the number {number:?}", kind.table()))?,
        None => 0,
    };
    Ok(format(kind, year, highest + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_zero_padded_to_five_digits() {
        assert_eq!(format(Numbered::Deviation, 2026, 7), "DEV-2026-00007");
        assert_eq!(format(Numbered::Capa, 2027, 123_456), "CAPA-2027-123456");
        assert_eq!(format(Numbered::ChangeControl, 2026, 4), "CC-2026-00004");
    }

    #[test]
    fn numbers_parse_back_to_year_and_sequence() {
        assert_eq!(parse("DEV-2026-00007"), Some((2026, 7)));
        assert_eq!(parse(&format(Numbered::Capa, 2027, 123_456)), Some((2027, 123_456)));
        assert_eq!(parse("DEV-2026"), None);
        assert_eq!(parse("DEV-x-1"), None);
    }
}

//! The side-by-side parameter table of a transfer: the sending unit's parameters (the sponsor's data) and the
//! receiving unit's proposals (the CMO's), paired by name, each pair with the gaps between them. Each side is
//! shown only to those the access rule lets read it; gaps are computed only where both sides are shown.

use crate::access::Action;
use crate::ids::{ParameterId, TransferId};
use crate::org::OrgRef;
use crate::parameter::{Criticality, RuProposal, SuParameter, pair};
use crate::parameter_csv::CsvProblem;
use crate::parameter_gap::{Comparison, GapKind, compare};
use crate::stored_enum::stored_enum;
use serde::{Deserialize, Serialize};

stored_enum!(
    /// Which unit a parameter row belongs to, and so whose data it is.
    Side {
        /// The sending unit's parameter: the sponsor's data.
        Su = "su", "Sending unit";
        /// The receiving unit's proposal: the CMO's data.
        Ru = "ru", "Receiving unit";
    }
);

/// One side's parameters of a transfer, as a record: written `{transfer}.{side}`, e.g. `…0001.su`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ParameterSetId {
    /// The transfer.
    pub transfer: TransferId,
    /// Which side.
    pub side: Side,
}

impl std::fmt::Display for ParameterSetId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.transfer, self.side.as_str())
    }
}

impl std::str::FromStr for ParameterSetId {
    type Err = crate::org::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unknown = || crate::org::UnknownValue(s.to_owned());
        let (transfer, side) = s.split_once('.').ok_or_else(unknown)?;
        Ok(ParameterSetId { transfer: transfer.parse().map_err(|_| unknown())?, side: side.parse()? })
    }
}

/// An SU parameter as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredSu {
    /// Its id; its row's deep link is `/transfers/{transfer}/parameters/{id}`.
    pub id: ParameterId,
    /// Bumped by every change.
    pub row_version: i64,
    /// Its values.
    pub parameter: SuParameter,
}

/// An RU proposal as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredRu {
    /// Its id; its row's deep link is `/transfers/{transfer}/parameters/{id}`.
    pub id: ParameterId,
    /// Bumped by every change.
    pub row_version: i64,
    /// Its values.
    pub proposal: RuProposal,
}

/// One row of the table: an SU parameter, the RU proposal of the same name, and what comparing them found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ParameterPair {
    /// The SU side, if the SU defines it (and the caller may see it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub su: Option<StoredSu>,
    /// The RU side, if the RU proposes it (and the caller may see it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ru: Option<StoredRu>,
    /// The gaps and scale ratio; `None` unless the caller may see both sides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<Comparison>,
}

impl ParameterPair {
    /// The id its deep link uses: the SU parameter's, or the RU proposal's for a row the SU lacks.
    pub fn link_id(&self) -> Option<ParameterId> {
        self.su.as_ref().map(|s| s.id).or(self.ru.as_ref().map(|r| r.id))
    }

    /// The unit operation it belongs to.
    pub fn unit_operation(&self) -> &str {
        self.su
            .as_ref()
            .map(|s| s.parameter.unit_operation.as_str())
            .or(self.ru.as_ref().map(|r| r.proposal.unit_operation.as_str()))
            .unwrap_or("")
    }

    /// The parameter's name.
    pub fn name(&self) -> &str {
        self.su
            .as_ref()
            .map(|s| s.parameter.parameter.as_str())
            .or(self.ru.as_ref().map(|r| r.proposal.parameter.as_str()))
            .unwrap_or("")
    }

    /// Whether the SU marks it critical.
    pub fn is_cpp(&self) -> bool {
        self.su.as_ref().is_some_and(|s| s.parameter.criticality == Criticality::Cpp)
    }

    /// Whether comparing found a gap.
    pub fn has_gap(&self) -> bool {
        self.comparison.as_ref().is_some_and(|c| !c.gaps.is_empty())
    }
}

/// One side of the table as the caller sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SideAccess {
    /// Whose data it is.
    pub owner: OrgRef,
    /// Why the caller cannot see it, if it cannot (the access rule's words).
    pub hidden: Option<String>,
    /// What the caller may do with it.
    pub actions: Vec<Action>,
}

/// A transfer's parameter table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ParameterTable {
    /// The transfer.
    pub transfer_id: TransferId,
    /// The sending unit's side.
    pub su: SideAccess,
    /// The receiving unit's side.
    pub ru: SideAccess,
    /// The rows, in the SU's order, then the proposals the SU does not define.
    pub pairs: Vec<ParameterPair>,
}

/// Pairs the visible rows and compares them where both sides are visible.
pub fn build_pairs(su: Vec<StoredSu>, ru: Vec<StoredRu>, compare_sides: bool) -> Vec<ParameterPair> {
    let su_values: Vec<SuParameter> = su.iter().map(|s| s.parameter.clone()).collect();
    let ru_values: Vec<RuProposal> = ru.iter().map(|r| r.proposal.clone()).collect();
    let position = |list: &[RuProposal], p: &RuProposal| list.iter().position(|q| std::ptr::eq(q, p));
    pair(&su_values, &ru_values)
        .into_iter()
        .map(|(s, r)| {
            let su_row = s.and_then(|s| su_values.iter().position(|q| std::ptr::eq(q, s))).map(|i| su[i].clone());
            let ru_row = r.and_then(|r| position(&ru_values, r)).map(|i| ru[i].clone());
            let comparison = compare_sides.then(|| compare(s, r));
            ParameterPair { su: su_row, ru: ru_row, comparison }
        })
        .collect()
}

/// Rows with a gap, by kind: every one of them is a row the "gaps only" filter shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GapCounts {
    /// Rows whose two sides differ in their values.
    pub differ: usize,
    /// Rows filled in on one side only.
    pub one_sided: usize,
}

impl GapCounts {
    /// Rows with any gap.
    pub fn total(self) -> usize {
        self.differ + self.one_sided
    }
}

/// Counts the rows with a gap, telling a real difference in values from a side not yet filled in.
pub fn count_gaps(pairs: &[ParameterPair]) -> GapCounts {
    let mut counts = GapCounts::default();
    for gaps in pairs.iter().filter(|p| p.has_gap()).filter_map(|p| p.comparison.as_ref().map(|c| &c.gaps)) {
        if gaps.iter().all(|g| matches!(g.kind, GapKind::MissingOnRu | GapKind::MissingOnSu)) {
            counts.one_sided += 1;
        } else {
            counts.differ += 1;
        }
    }
    counts
}

/// A change to an SU parameter, on the version shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SuChange {
    /// The values as they should be.
    pub parameter: SuParameter,
    /// The version the change was made on.
    pub row_version: i64,
}

/// A change to an RU proposal, on the version shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuChange {
    /// The values as they should be.
    pub proposal: RuProposal,
    /// The version the change was made on.
    pub row_version: i64,
}

/// A CSV file of SU parameters to import, replacing the transfer's SU parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ParameterImport {
    /// The file's text (UTF-8), header first.
    pub csv: String,
}

/// What an import did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportOutcome {
    /// How many parameters the transfer now has on the SU side.
    pub rows: usize,
    /// SHA-256 of the file, as recorded in the audit trail.
    pub file_hash: String,
}

/// Why an import was refused: every problem found, by line and column. Nothing was imported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportRefusal {
    /// A sentence for people.
    pub message: String,
    /// Every problem.
    pub problems: Vec<CsvProblem>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decimal::Decimal;
    use crate::range::Range;
    use crate::units::Unit;
    use uuid::Uuid;

    fn su(name: &str, par: (&str, &str)) -> StoredSu {
        let d = |s: &str| s.parse::<Decimal>().ok();
        StoredSu {
            id: ParameterId(Uuid::from_u128(name.len() as u128)),
            row_version: 1,
            parameter: SuParameter {
                unit_operation: "Bioreactor".into(),
                parameter: name.into(),
                setpoint: None,
                nor: Range::default(),
                par: Range::new(d(par.0), d(par.1)),
                unit: Unit::parse("°C").expect("unit"),
                criticality: Criticality::Cpp,
                quality_attributes: Vec::new(),
                scale: None,
            },
        }
    }

    fn ru(name: &str, setpoint: &str, unit: &str) -> StoredRu {
        StoredRu {
            id: ParameterId(Uuid::from_u128(100 + name.len() as u128)),
            row_version: 1,
            proposal: RuProposal {
                unit_operation: "bioreactor".into(),
                parameter: name.to_uppercase(),
                setpoint: setpoint.parse().ok(),
                nor: Range::default(),
                par: Range::default(),
                unit: Unit::parse(unit).expect("unit"),
                scale: None,
            },
        }
    }

    #[test]
    fn rows_pair_by_name_and_gaps_show_only_when_both_sides_are_visible() {
        let pairs =
            build_pairs(vec![su("Temperature", ("35.0", "38.0"))], vec![ru("Temperature", "312.15", "K")], true);
        assert_eq!(pairs.len(), 1);
        assert!(pairs[0].su.is_some() && pairs[0].ru.is_some());
        assert!(pairs[0].has_gap(), "39.0 °C is outside 35.0–38.0 °C: {:?}", pairs[0].comparison);
        assert_eq!(count_gaps(&pairs), GapCounts { differ: 1, one_sided: 0 });
        let hidden = build_pairs(vec![su("Temperature", ("35.0", "38.0"))], Vec::new(), false);
        assert!(hidden[0].comparison.is_none());
        assert_eq!(hidden[0].link_id(), Some(ParameterId(Uuid::from_u128(11))));
    }

    #[test]
    fn set_ids_round_trip_through_text() {
        let id = ParameterSetId { transfer: TransferId(Uuid::from_u128(7)), side: Side::Ru };
        assert_eq!(id.to_string().parse::<ParameterSetId>(), Ok(id));
        assert!("not-a-uuid.su".parse::<ParameterSetId>().is_err());
        assert!(format!("{}.xx", TransferId(Uuid::nil())).parse::<ParameterSetId>().is_err());
    }

    #[test]
    fn a_proposal_the_su_lacks_is_its_own_row_after_the_su_rows() {
        let pairs = build_pairs(vec![su("pH", ("6.8", "7.2"))], vec![ru("Agitation", "120", "rpm")], true);
        assert_eq!(pairs.len(), 2);
        assert!(pairs[1].su.is_none());
        assert_eq!(pairs[1].name(), "AGITATION");
        let counts = count_gaps(&pairs);
        assert_eq!(counts, GapCounts { differ: 0, one_sided: 2 }, "a side not filled in yet is not a difference");
        assert_eq!(counts.total(), pairs.iter().filter(|p| p.has_gap()).count(), "the filter shows every counted row");
    }
}

//! Demo process parameters: for each demo transfer, about 200 sending-unit parameters across its unit operations,
//! and — where the transfer is far enough along — the receiving unit's proposals, some in other units (K, mL, kPa,
//! h), a few outside the proven acceptable range, a few not yet proposed. Deterministic, so demo links are stable.

use super::person;
use crate::db::Db;
use crate::kernel::{ParameterSet, UnitOfWork};
use crate::store;
use crate::store::parameters::Values;
use baton_domain::access::Action;
use baton_domain::audit::AuditAction;
use baton_domain::decimal::Decimal;
use baton_domain::ids::{ParameterId, TransferId};
use baton_domain::parameter::{Criticality, RuProposal, SuParameter};
use baton_domain::parameter_table::{ParameterSetId, Side};
use baton_domain::range::Range;
use baton_domain::units::Unit;
use uuid::Uuid;

/// A kind of parameter: name, unit, setpoint, NOR half-width, PAR half-width, critical or not, attributes.
struct Kind(&'static str, &'static str, i64, i64, i64, bool, &'static str);

/// Values are in tenths, so every figure keeps one decimal place as written ("37.0").
const KINDS: [Kind; 10] = [
    Kind("Temperature", "°C", 370, 5, 20, true, "Glycan profile"),
    Kind("pH", "pH", 70, 1, 3, true, "Charge variants"),
    Kind("Dissolved oxygen", "%", 400, 50, 150, false, ""),
    Kind("Agitation", "rpm", 1200, 100, 300, false, ""),
    Kind("Pressure", "bar", 15, 2, 5, false, ""),
    Kind("Hold time", "min", 600, 60, 240, true, "Aggregates"),
    Kind("Load", "g", 4000, 200, 800, true, "Host cell protein"),
    Kind("Flow rate", "L/min", 120, 10, 30, false, ""),
    Kind("Conductivity", "mS/cm", 150, 10, 30, true, "Purity"),
    Kind("Volume", "L", 20000, 500, 1500, false, ""),
];

const BIOLOGICS: [&str; 10] = [
    "Seed expansion",
    "Production bioreactor",
    "Harvest clarification",
    "Protein A capture",
    "Low-pH viral inactivation",
    "Anion exchange",
    "Cation exchange",
    "Viral filtration",
    "Ultrafiltration/diafiltration",
    "Formulation and fill",
];

const TABLETS: [&str; 10] = [
    "Dispensing",
    "Dry mixing",
    "Wet granulation",
    "Fluid-bed drying",
    "Milling",
    "Final blending",
    "Compression",
    "Film coating",
    "Inspection",
    "Packaging",
];

fn tenths(value: i64) -> Decimal {
    Decimal::parse(&format!("{}.{}", value / 10, (value % 10).abs())).unwrap_or_default()
}

fn hundredths(value: i64) -> Decimal {
    Decimal::parse(&format!("{}.{:02}", value / 100, (value % 100).abs())).unwrap_or_default()
}

fn range(centre: i64, half: i64) -> Range {
    Range::new(Some(tenths(centre - half)), Some(tenths(centre + half)))
}

fn unit(text: &str) -> Unit {
    Unit::parse(text).unwrap_or_else(|_| Unit::of(baton_domain::known_units::KnownUnit::Percent))
}

/// The `n`th SU parameter (from 0) of a transfer whose unit operations are `operations`.
pub fn su_parameter(operations: &[&str], n: usize) -> SuParameter {
    let kind = &KINDS[n % KINDS.len()];
    let round = n / (KINDS.len() * operations.len());
    let operation = operations[(n / KINDS.len()) % operations.len()];
    let name = if round == 0 { kind.0.to_owned() } else { format!("{} (step {})", kind.0, round + 1) };
    SuParameter {
        unit_operation: operation.to_owned(),
        parameter: name,
        setpoint: Some(tenths(kind.2)),
        nor: range(kind.2, kind.3),
        par: range(kind.2, kind.4),
        unit: unit(kind.1),
        criticality: if kind.5 { Criticality::Cpp } else { Criticality::NonCpp },
        quality_attributes: if kind.6.is_empty() { Vec::new() } else { vec![kind.6.to_owned()] },
        scale: None,
    }
}

/// The RU's proposal for SU parameter `n`, or `None` where it has not proposed one yet (every 23rd). Every 7th is
/// in another unit of the same dimension; every 31st reaches outside the SU's proven acceptable range.
pub fn ru_proposal(su: &SuParameter, n: usize) -> Option<RuProposal> {
    if n % 23 == 22 {
        return None;
    }
    let kind = KINDS.iter().find(|k| su.parameter.starts_with(k.0)).unwrap_or(&KINDS[0]);
    let (centre, nor_half) = if n % 31 == 30 { (kind.2 + kind.4, kind.3) } else { (kind.2, kind.3) };
    let (setpoint, nor, written_unit) = match (n % 7 == 6, kind.1) {
        (true, "°C") => {
            // Tenths of a degree Celsius to hundredths of a kelvin: 37.0 °C is 310.15 K.
            let kelvin = |t: i64| hundredths(t * 10 + 27315);
            (Some(kelvin(centre)), Range::new(Some(kelvin(centre - nor_half)), Some(kelvin(centre + nor_half))), "K")
        }
        (true, "L") => {
            let ml = |v: i64| Decimal::from(v * 100);
            (Some(ml(centre)), Range::new(Some(ml(centre - nor_half)), Some(ml(centre + nor_half))), "mL")
        }
        (true, "min") => {
            let seconds = |v: i64| Decimal::from(v * 6);
            (Some(seconds(centre)), Range::new(Some(seconds(centre - nor_half)), Some(seconds(centre + nor_half))), "s")
        }
        _ => (Some(tenths(centre)), range(centre, nor_half), kind.1),
    };
    Some(RuProposal {
        unit_operation: su.unit_operation.clone(),
        parameter: su.parameter.clone(),
        setpoint,
        nor,
        par: Range::default(),
        unit: unit(written_unit),
        scale: None,
    })
}

fn parameter_id(prefix: u128, transfer_index: u128, n: usize) -> ParameterId {
    ParameterId(Uuid::from_u128((prefix << 96) | (0x0000_4000_8000_u128 << 48) | (transfer_index << 24) | n as u128))
}

/// The fixed id of demo transfer `index`'s SU parameter `n` (from 0).
pub fn su_id(index: u128, n: usize) -> ParameterId {
    parameter_id(0x0000_000a, index, n)
}

/// The fixed id of demo transfer `index`'s RU proposal for SU parameter `n` (from 0).
pub fn ru_id(index: u128, n: usize) -> ParameterId {
    parameter_id(0x0000_000b, index, n)
}

/// Writes `count` SU parameters (as the sponsor's lead) and the RU's proposals for the first `proposed` of them (as
/// the CMO's lead), each side in one unit of work with one audit entry. Does nothing for a side that has rows.
pub async fn seed_parameters(
    db: &Db,
    transfer: TransferId,
    index: u128,
    cmo_index: usize,
    tablets: bool,
    count: usize,
    proposed: usize,
) -> anyhow::Result<()> {
    let operations: &[&str] = if tablets { &TABLETS } else { &BIOLOGICS };
    let su: Vec<SuParameter> = (0..count).map(|n| su_parameter(operations, n)).collect();
    let rows: Vec<(ParameterId, Values)> =
        su.iter().enumerate().map(|(n, p)| (su_id(index, n), Values::from(p))).collect();
    write_side(db, person(db, 0, 1).await?, transfer, Side::Su, rows).await?;
    let proposals: Vec<(ParameterId, Values)> = su
        .iter()
        .take(proposed)
        .enumerate()
        .filter_map(|(n, p)| ru_proposal(p, n).map(|r| (ru_id(index, n), Values::from(&r))))
        .collect();
    if !proposals.is_empty() {
        write_side(db, person(db, cmo_index, 1).await?, transfer, Side::Ru, proposals).await?;
    }
    Ok(())
}

async fn write_side(
    db: &Db,
    author: baton_domain::org::UserProfile,
    transfer: TransferId,
    side: Side,
    rows: Vec<(ParameterId, Values)>,
) -> anyhow::Result<()> {
    let mut work = UnitOfWork::begin(&db.pool, &author).await?;
    let set = work.authorize::<ParameterSet>(ParameterSetId { transfer, side }, Action::Contribute).await?;
    if !set.record().su.is_empty() || !set.record().ru.is_empty() {
        return Ok(());
    }
    let now = work.now();
    store::parameters::insert(work.conn(), transfer, side, &rows, now).await?;
    let new = serde_json::json!({"rows": rows.len(), "source": "demo data"});
    work.audit(set.entry(AuditAction::Create, None, Some(new), None)).await?;
    work.commit().await?;
    Ok(())
}

//! A partnership's KPI scorecard as the API sends it: the monthly facts (so the browser computes any period, site or
//! product with the same code as the server), the server's own scorecard for the chosen period, and the choices.

use crate::batch::ProductRef;
use crate::ids::{PartnershipId, ProductId, SiteId};
use crate::kpi::{Filter, Grain, KpiKind, Month, MonthlyFacts, Period, ScorecardLine, Threshold, scorecard, series};
use crate::kpi_targets::AgreedTargets;
use crate::org::{OrgRef, SiteRef};
use serde::{Deserialize, Serialize};

/// Longest range a scorecard covers, in months: fifteen years of history.
pub const MAX_MONTHS: u32 = 180;

/// What the scorecard shows: a range of months, by month or quarter, for one site or product or all.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ScorecardQuery {
    /// First month, "YYYY-MM"; default two years before `to`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Last month, "YYYY-MM"; default the current month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Month or quarter; default quarter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grain: Option<Grain>,
    /// One site only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<SiteId>,
    /// One product only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<ProductId>,
}

/// A partnership's scorecard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScorecardView {
    /// The partnership.
    pub partnership: PartnershipId,
    /// Its sponsor.
    pub sponsor: OrgRef,
    /// Its CMO.
    pub cmo: OrgRef,
    /// First month shown.
    pub from: Month,
    /// Last month shown.
    pub to: Month,
    /// By month or quarter.
    pub grain: Grain,
    /// The filter applied to `lines` (the facts are sent unfiltered, for the browser to filter).
    pub filter: Filter,
    /// The facts of every month in range, by site and product.
    pub monthly: Vec<MonthlyFacts>,
    /// The latest period in range.
    pub current: Period,
    /// Every KPI for the latest period, judged against the partnership's thresholds.
    pub lines: Vec<ScorecardLine>,
    /// The thresholds in use: the partnership's agreed targets in force, else the shared defaults.
    pub thresholds: Vec<(KpiKind, Threshold)>,
    /// Who agreed the targets in force, and when; null while the defaults apply.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub agreed: Option<AgreedTargets>,
    /// Sites with data, for the filter.
    pub sites: Vec<SiteRef>,
    /// Products with data, for the filter.
    pub products: Vec<ProductRef>,
    /// What the caller may do with the partnership (from the access rule): `draft_agreement` to propose targets.
    #[serde(default)]
    pub actions: Vec<crate::access::Action>,
}

/// The scorecard lines of the latest period of `monthly`, as both server and browser compute them.
pub fn current_lines(
    monthly: &[MonthlyFacts],
    filter: Filter,
    grain: Grain,
    from: Month,
    to: Month,
    thresholds: &[(KpiKind, Threshold)],
) -> Option<(Period, Vec<ScorecardLine>)> {
    let (period, facts) = series(monthly, filter, grain, from, to).pop()?;
    Some((period, scorecard(&facts, thresholds)))
}

/// Months from `from` to `to` inclusive (0 when reversed).
pub fn months_between(from: Month, to: Month) -> u32 {
    let span = (to.year() - from.year()) * 12 + i32::try_from(to.month()).unwrap_or(0)
        - i32::try_from(from.month()).unwrap_or(0)
        + 1;
    u32::try_from(span).unwrap_or(0)
}

/// The numbers of a scorecard as CSV, one row per period and KPI: what the chart shows, for a spreadsheet, each judged
/// by `thresholds` as the scorecard judges it (target, amber limit and status).
pub fn csv(
    monthly: &[MonthlyFacts],
    filter: Filter,
    grain: Grain,
    from: Month,
    to: Month,
    thresholds: &[(KpiKind, Threshold)],
) -> String {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let header = ["period", "kpi", "value", "shown", "basis", "target", "amber", "status"];
    let mut rows = vec![header.map(str::to_owned)];
    for (period, facts) in series(monthly, filter, grain, from, to) {
        for line in scorecard(&facts, thresholds) {
            rows.push([
                period.to_string(),
                line.kind.as_str().to_owned(),
                line.value.map(|v| format!("{v:.6}")).unwrap_or_default(),
                line.display,
                line.basis,
                line.threshold.target.to_string(),
                line.threshold.amber.to_string(),
                line.rag.as_str().to_owned(),
            ]);
        }
    }
    for row in rows {
        // Writing to memory cannot fail.
        let _ = writer.write_record(&row);
    }
    writer.into_inner().map(|bytes| String::from_utf8_lossy(&bytes).into_owned()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::KpiFacts;
    use uuid::Uuid;

    fn month(text: &str) -> Month {
        text.parse().expect("month")
    }

    #[test]
    fn csv_has_a_row_per_period_and_kpi_and_says_no_data() {
        let facts =
            KpiFacts { dispositioned: 4, rejected: 1, dispositioned_without_deviation: 3, ..KpiFacts::default() };
        let monthly = vec![MonthlyFacts {
            month: month("2026-02"),
            site: SiteId(Uuid::from_u128(1)),
            product: ProductId(Uuid::from_u128(2)),
            facts,
        }];
        let (from, to) = (month("2026-01"), month("2026-06"));
        let text = csv(&monthly, Filter::default(), Grain::Quarter, from, to, &crate::kpi::default_thresholds());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1 + 2 * KpiKind::ALL.len(), "{text}");
        assert!(
            lines.contains(
                &"2026-Q1,lot_acceptance,0.750000,75.0 %,3 of 4 dispositioned batches released,0.98,0.95,red"
            ),
            "{text}"
        );
        assert!(lines.iter().any(|l| l.starts_with("2026-Q2,right_first_time,,no data")), "{text}");
        assert!(lines.iter().any(|l| l.starts_with("2026-Q2,right_first_time,") && l.ends_with(",no_data")), "{text}");
        // Agreed targets judge the same numbers differently: 75 % is amber against a target of 80 %, amber at 70 %.
        let agreed = [(KpiKind::LotAcceptance, Threshold { target: 0.8, amber: 0.7 })];
        let text = csv(&monthly, Filter::default(), Grain::Quarter, from, to, &agreed);
        assert!(
            text.lines().any(|l| l.starts_with("2026-Q1,lot_acceptance,") && l.ends_with(",0.8,0.7,amber")),
            "{text}"
        );
    }

    #[test]
    fn months_between_counts_both_ends() {
        assert_eq!(months_between(month("2026-01"), month("2026-01")), 1);
        assert_eq!(months_between(month("2024-11"), month("2026-02")), 16);
        assert_eq!(months_between(month("2026-02"), month("2026-01")), 0);
    }
}

//! Evaluating an analytical method transfer: each attribute's criteria applied to both sites' results.
//!
//! Rounding, following the pharmacopoeial convention for limits: a computed value is rounded (halves away from zero)
//! to as many places as its limit is written with, and that rounded value is compared with the limit — an RSD limit
//! of "2.0" % compares the RSD to one place, "2" % to none. Spec limits are applied to each result the same way.
//! Site summaries are shown with the mean and SD to one place more than the most precise result of that site and the
//! RSD to [`RSD_PLACES`] places.

use crate::decimal::Decimal;
use crate::method_transfer::{AttributeCriteria, Criterion, Site};
use crate::range::Range;
use crate::statistics;
use crate::stored_enum::stored_enum;
use crate::units::{Unit, quantity};
use serde::{Deserialize, Serialize};

/// Places of a site's RSD in its summary.
pub const RSD_PLACES: u32 = 2;

stored_enum!(
    /// What one criterion found.
    Outcome {
        /// Met.
        Pass = "pass", "Pass";
        /// Not met.
        Fail = "fail", "Fail";
        /// Fewer results than the criterion needs: 1 per site for means and spec, 2 for an RSD.
        NotEnoughResults = "not_enough_results", "Not enough results";
        /// The value is undefined, e.g. a relative difference from a mean of zero.
        NotComputable = "not_computable", "Not computable";
    }
);

stored_enum!(
    /// What all criteria of an attribute found together.
    Verdict {
        /// Every criterion passed.
        Pass = "pass", "Pass";
        /// At least one criterion failed.
        Fail = "fail", "Fail";
        /// None failed, but at least one could not be decided, or there were no criteria.
        Inconclusive = "inconclusive", "Inconclusive";
    }
);

/// One site's results in brief.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteSummary {
    /// Which site.
    pub site: Site,
    /// How many results.
    pub count: u32,
    /// Their mean, to one place more than the most precise result.
    pub mean: Option<Decimal>,
    /// Their sample standard deviation (n − 1), to one place more than the most precise result.
    pub sd: Option<Decimal>,
    /// 100 × SD ÷ |mean|, in percent, to [`RSD_PLACES`] places.
    pub rsd_percent: Option<Decimal>,
}

/// What one criterion found, for one site where the criterion is per site.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CriterionResult {
    /// The criterion.
    pub criterion: Criterion,
    /// The site, for RSD and spec criteria; `None` for the comparisons of means.
    #[serde(default)]
    pub site: Option<Site>,
    /// What it found.
    pub outcome: Outcome,
    /// The value compared with the limit, rounded to the limit's places; `None` for spec criteria or when undecided.
    #[serde(default)]
    pub value: Option<Decimal>,
    /// A sentence naming the values.
    pub message: String,
}

/// The evaluation of one attribute.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Evaluation {
    /// The attribute.
    pub attribute: String,
    /// The SU results in brief.
    pub su: SiteSummary,
    /// The RU results in brief.
    pub ru: SiteSummary,
    /// One entry per criterion, or two for per-site criteria (SU first).
    pub results: Vec<CriterionResult>,
    /// All together.
    pub verdict: Verdict,
}

/// Evaluates an attribute's criteria on both sites' results.
pub fn evaluate(criteria: &AttributeCriteria, su: &[Decimal], ru: &[Decimal]) -> Evaluation {
    let sites = [(Site::Su, su), (Site::Ru, ru)];
    let mut results = Vec::new();
    for criterion in &criteria.criteria {
        match *criterion {
            Criterion::AbsoluteMeanDifference { max } => {
                results.push(mean_difference(criterion, max, su, ru, &criteria.unit, false));
            }
            Criterion::RelativeMeanDifference { max_percent } => {
                results.push(mean_difference(criterion, max_percent, su, ru, &criteria.unit, true));
            }
            Criterion::Rsd { max_percent } => {
                results.extend(sites.map(|(site, values)| rsd(criterion, max_percent, site, values)));
            }
            Criterion::WithinSpec { spec } => {
                results.extend(sites.map(|(site, values)| within_spec(criterion, &spec, site, values, &criteria.unit)));
            }
        }
    }
    let outcomes = || results.iter().map(|result| result.outcome);
    let verdict = if outcomes().any(|o| o == Outcome::Fail) {
        Verdict::Fail
    } else if results.is_empty() || outcomes().any(|o| o != Outcome::Pass) {
        Verdict::Inconclusive
    } else {
        Verdict::Pass
    };
    Evaluation {
        attribute: criteria.attribute.clone(),
        su: summary(Site::Su, su),
        ru: summary(Site::Ru, ru),
        results,
        verdict,
    }
}

/// A site's count, mean, SD and RSD, rounded for display as the module documentation says.
pub fn summary(site: Site, values: &[Decimal]) -> SiteSummary {
    let places = values.iter().map(|v| v.places()).max().unwrap_or(0) + 1;
    SiteSummary {
        site,
        count: u32::try_from(values.len()).unwrap_or(u32::MAX),
        mean: statistics::mean(values).map(|m| m.with_places(places)),
        sd: statistics::sample_sd(values).map(|sd| sd.with_places(places)),
        rsd_percent: statistics::rsd_percent(values).map(|rsd| rsd.with_places(RSD_PLACES)),
    }
}

/// Pass when `value`, rounded to the places of `limit`, is at most `limit`; returns the outcome and rounded value.
fn against(value: Decimal, limit: Decimal) -> (Outcome, Decimal) {
    let rounded = value.with_places(limit.places());
    (if rounded <= limit { Outcome::Pass } else { Outcome::Fail }, rounded)
}

fn undecided(criterion: &Criterion, site: Option<Site>, outcome: Outcome, message: String) -> CriterionResult {
    CriterionResult { criterion: *criterion, site, outcome, value: None, message }
}

fn mean_difference(
    criterion: &Criterion,
    limit: Decimal,
    su: &[Decimal],
    ru: &[Decimal],
    unit: &Unit,
    relative: bool,
) -> CriterionResult {
    let what = if relative { "relative mean difference" } else { "mean difference" };
    let (Some(su_mean), Some(ru_mean)) = (statistics::mean(su), statistics::mean(ru)) else {
        let missing = match (su.is_empty(), ru.is_empty()) {
            (true, true) => "Neither site has results",
            (true, false) => "The SU has no results",
            _ => "The RU has no results",
        };
        let message = format!("{missing}; the {what} needs at least 1 result per site.");
        return undecided(criterion, None, Outcome::NotEnoughResults, message);
    };
    if relative && su_mean.is_zero() {
        let message = "The SU mean is 0, so a difference relative to it is undefined.".to_owned();
        return undecided(criterion, None, Outcome::NotComputable, message);
    }
    let difference = ru_mean.raw().checked_sub(su_mean.raw()).map(|d| d.abs());
    let difference = if relative {
        difference.and_then(|d| d.checked_mul(rust_decimal::Decimal::ONE_HUNDRED)?.checked_div(su_mean.raw().abs()))
    } else {
        difference
    };
    let Some(difference) = difference.and_then(Decimal::fit) else {
        return undecided(criterion, None, Outcome::NotComputable, "The results are too large to compare.".to_owned());
    };
    let (outcome, value) = against(difference, limit);
    let shown = |v: Decimal| if relative { format!("{v} %") } else { quantity(v, unit) };
    let (su_shown, ru_shown) = (summary(Site::Su, su).mean, summary(Site::Ru, ru).mean);
    let means = match (su_shown, ru_shown) {
        (Some(s), Some(r)) => format!(" (SU {}, RU {})", quantity(s, unit), quantity(r, unit)),
        _ => String::new(),
    };
    let verdict = if outcome == Outcome::Pass { "within" } else { "more than" };
    let message = format!("The means differ by {}{means}, {verdict} {}.", shown(value), shown(limit));
    CriterionResult { criterion: *criterion, site: None, outcome, value: Some(value), message }
}

fn rsd(criterion: &Criterion, limit: Decimal, site: Site, values: &[Decimal]) -> CriterionResult {
    if values.len() < 2 {
        let count = if values.len() == 1 { "1 result" } else { "no results" };
        let message = format!("The {} has {count}; an RSD needs at least 2.", site.label());
        return undecided(criterion, Some(site), Outcome::NotEnoughResults, message);
    }
    let Some(rsd) = statistics::rsd_percent(values) else {
        let message = if statistics::mean(values).is_some_and(Decimal::is_zero) {
            format!("The {} mean is 0, so its RSD is undefined.", site.label())
        } else {
            format!("The {} RSD is too large to compute.", site.label())
        };
        return undecided(criterion, Some(site), Outcome::NotComputable, message);
    };
    let (outcome, value) = against(rsd, limit);
    let verdict = if outcome == Outcome::Pass { "within" } else { "more than" };
    let message = format!("The {} RSD is {value} %, {verdict} {limit} %.", site.label());
    CriterionResult { criterion: *criterion, site: Some(site), outcome, value: Some(value), message }
}

fn within_spec(criterion: &Criterion, spec: &Range, site: Site, values: &[Decimal], unit: &Unit) -> CriterionResult {
    if values.is_empty() {
        let message = format!("The {} has no results to hold against the specification.", site.label());
        return undecided(criterion, Some(site), Outcome::NotEnoughResults, message);
    }
    let inside = |value: &Decimal| {
        spec.low.is_none_or(|low| value.round_dp(low.places()) >= low)
            && spec.high.is_none_or(|high| value.round_dp(high.places()) <= high)
    };
    let outside: Vec<String> = values.iter().filter(|v| !inside(v)).map(Decimal::to_string).collect();
    let spec_shown = spec.describe(unit);
    let (outcome, message) = if outside.is_empty() {
        (Outcome::Pass, format!("All {} {} results lie within {spec_shown}.", values.len(), site.label()))
    } else {
        let message = format!(
            "{} of {} {} results lie outside {spec_shown}: {}.",
            outside.len(),
            values.len(),
            site.label(),
            outside.join(", ")
        );
        (Outcome::Fail, message)
    };
    CriterionResult { criterion: *criterion, site: Some(site), outcome, value: None, message }
}

#[cfg(test)]
mod tests;

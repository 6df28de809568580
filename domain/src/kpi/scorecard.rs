//! Targets, red–amber–green status and the scorecard: each KPI with its value, status and what it is made of.

use super::{Direction, KpiFacts, KpiKind, KpiUnit, basis, format_value, value};
use crate::error::ApiError;
use crate::stored_enum::stored_enum;
use serde::{Deserialize, Serialize};

stored_enum!(
    /// How a KPI's value stands against its target.
    Rag {
        /// At or better than the target.
        Green = "green", "Green";
        /// Short of the target, but at or better than the amber limit.
        Amber = "amber", "Amber";
        /// Worse than the amber limit.
        Red = "red", "Red";
        /// Nothing to count in the period.
        NoData = "no_data", "No data";
    }
);

/// A KPI's target and the amber limit below it (above it for a KPI where lower is better), in the KPI's own
/// numbers: fractions for percentages.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Threshold {
    /// At or better than this is green.
    pub target: f64,
    /// At or better than this, but short of the target, is amber; worse is red.
    pub amber: f64,
}

impl Threshold {
    /// The status of `value` for a KPI of `kind`.
    pub fn rag(self, kind: KpiKind, value: Option<f64>) -> Rag {
        let Some(value) = value.filter(|value| value.is_finite()) else {
            return Rag::NoData;
        };
        let reaches = |limit: f64| match kind.direction() {
            Direction::HigherIsBetter => value >= limit,
            Direction::LowerIsBetter => value <= limit,
        };
        if reaches(self.target) {
            Rag::Green
        } else if reaches(self.amber) {
            Rag::Amber
        } else {
            Rag::Red
        }
    }

    /// Every rule the threshold breaks for a KPI of `kind`, each naming its field.
    pub fn problems(self, kind: KpiKind) -> Vec<ApiError> {
        let mut problems = Vec::new();
        for (field, what, limit) in [("target", "target", self.target), ("amber", "amber limit", self.amber)] {
            let message = if !limit.is_finite() {
                Some(format!("Give the {what} as a number."))
            } else if kind.unit() == KpiUnit::Percent && !(0.0..=1.0).contains(&limit) {
                Some(format!("Give the {what} as a fraction from 0 to 1 (0.95 is 95 %)."))
            } else if limit < 0.0 {
                Some(format!("The {what} cannot be negative."))
            } else {
                None
            };
            problems.extend(message.map(|message| ApiError::invalid(field, message)));
        }
        // Comparing the two limits only makes sense once each is valid on its own.
        if problems.is_empty() {
            let label = kind.label();
            match kind.direction() {
                Direction::HigherIsBetter if self.amber > self.target => problems.push(ApiError::invalid(
                    "amber",
                    format!("{label}: higher is better, so set the amber limit at or below the target."),
                )),
                Direction::LowerIsBetter if self.amber < self.target => problems.push(ApiError::invalid(
                    "amber",
                    format!("{label}: lower is better, so set the amber limit at or above the target."),
                )),
                _ => {}
            }
        }
        problems
    }

    /// The first rule the threshold breaks for a KPI of `kind`, if any.
    pub fn validate(self, kind: KpiKind) -> Result<(), ApiError> {
        self.problems(kind).into_iter().next().map_or(Ok(()), Err)
    }
}

impl KpiKind {
    /// The threshold used until a partnership sets its own.
    pub fn default_threshold(self) -> Threshold {
        let (target, amber) = match self {
            KpiKind::RightFirstTime => (0.95, 0.90),
            KpiKind::LotAcceptance => (0.98, 0.95),
            KpiKind::DeviationsPerBatch => (0.10, 0.25),
            KpiKind::MedianDaysToClose => (30.0, 45.0),
            KpiKind::DeviationsClosedInTime => (0.90, 0.80),
            KpiKind::CapaOnTime => (0.90, 0.80),
            KpiKind::OnTimeInFull => (0.95, 0.90),
            KpiKind::MeanYield => (0.97, 0.94),
            KpiKind::ScheduleAdherence => (0.85, 0.70),
        };
        Threshold { target, amber }
    }
}

/// The default threshold of every KPI, in the order of [`KpiKind::ALL`].
pub fn default_thresholds() -> Vec<(KpiKind, Threshold)> {
    KpiKind::ALL.iter().map(|&kind| (kind, kind.default_threshold())).collect()
}

/// One KPI of a scorecard, with everything needed to show and explain it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScorecardLine {
    /// Which KPI.
    pub kind: KpiKind,
    /// Its value (a fraction for percentages); null when there is no data.
    pub value: Option<f64>,
    /// The value as shown, e.g. "92.3 %" or "no data".
    pub display: String,
    /// Its status against the threshold.
    pub rag: Rag,
    /// The threshold it was judged by.
    pub threshold: Threshold,
    /// What the value is made of, e.g. "37 of 40 dispositioned batches without a deviation".
    pub basis: String,
}

/// Every KPI of `facts`, in the order of [`KpiKind::ALL`], judged by `thresholds`; a later entry for a kind overrides
/// an earlier one (so overrides can follow the defaults), and a kind without an entry is judged by its default.
pub fn scorecard(facts: &KpiFacts, thresholds: &[(KpiKind, Threshold)]) -> Vec<ScorecardLine> {
    KpiKind::ALL
        .iter()
        .map(|&kind| {
            let threshold = thresholds
                .iter()
                .rev()
                .find(|(of, _)| *of == kind)
                .map_or_else(|| kind.default_threshold(), |&(_, threshold)| threshold);
            let value = value(kind, facts);
            ScorecardLine {
                kind,
                value,
                display: format_value(kind, value),
                rag: threshold.rag(kind, value),
                threshold,
                basis: basis(kind, facts),
            }
        })
        .collect()
}

//! Helix's three products as the history makes them: how long a batch takes, what it yields, what it is tested
//! for and in what it is delivered.

use super::random::Dice;
use crate::seed::{CORVASTATIN_PRODUCT, VELARIMAB_DP_PRODUCT, VELARIMAB_DS_PRODUCT};
use baton_domain::batch::ResultValue;
use baton_domain::decimal::Decimal;
use baton_domain::ids::ProductId;

/// A product of Helix's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Product {
    /// Monoclonal antibody, 2,000 L fed-batch.
    VelarimabDs,
    /// Liquid in vial, aseptic fill.
    VelarimabDp,
    /// Film-coated tablets.
    Corvastatin,
}

/// A specification a test result is judged against.
#[derive(Clone, Copy, Debug)]
pub enum Spec {
    /// Between two limits.
    Range {
        /// Lower limit.
        low: f64,
        /// Upper limit.
        high: f64,
    },
    /// At most a limit; results usually near `typical`.
    AtMost {
        /// Upper limit.
        high: f64,
        /// Where results usually fall.
        typical: f64,
    },
    /// At least a limit; results usually near `typical`, never above `cap`.
    AtLeast {
        /// Lower limit.
        low: f64,
        /// Where results usually fall.
        typical: f64,
        /// Physically highest value (100 % for a purity).
        cap: f64,
    },
    /// Passes or fails against a written criterion.
    Pass(&'static str),
}

/// A release test.
#[derive(Clone, Copy, Debug)]
pub struct Test {
    /// Its name.
    pub name: &'static str,
    /// Its specification.
    pub spec: Spec,
    /// Places the value is reported to.
    pub places: usize,
    /// The unit.
    pub unit: &'static str,
}

const fn range(name: &'static str, low: f64, high: f64, places: usize, unit: &'static str) -> Test {
    Test { name, spec: Spec::Range { low, high }, places, unit }
}

const fn at_most(name: &'static str, high: f64, typical: f64, places: usize, unit: &'static str) -> Test {
    Test { name, spec: Spec::AtMost { high, typical }, places, unit }
}

const fn at_least(name: &'static str, low: f64, typical: f64, cap: f64, places: usize, unit: &'static str) -> Test {
    Test { name, spec: Spec::AtLeast { low, typical, cap }, places, unit }
}

const fn pass(name: &'static str, criterion: &'static str) -> Test {
    Test { name, spec: Spec::Pass(criterion), places: 0, unit: "" }
}

/// The first three tests of each product are always run; the rest are chosen per batch.
const DRUG_SUBSTANCE_TESTS: [Test; 7] = [
    range("Protein concentration", 47.5, 52.5, 1, "mg/mL"),
    at_least("Purity (SE-HPLC monomer)", 97.0, 99.3, 100.0, 1, "%"),
    pass("Identity (peptide map)", "Conforms to reference standard"),
    at_most("Host cell protein", 100.0, 25.0, 0, "ng/mg"),
    at_most("Bacterial endotoxins", 0.50, 0.08, 2, "EU/mg"),
    range("Charge variants (main peak)", 60.0, 75.0, 1, "%"),
    at_most("Bioburden", 10.0, 1.0, 0, "CFU/10 mL"),
];

const DRUG_PRODUCT_TESTS: [Test; 7] = [
    range("Protein content", 95.0, 105.0, 1, "mg/mL"),
    pass("Sterility", "No growth after 14 days"),
    pass("Visible particles", "Essentially free of visible particles"),
    range("pH", 5.5, 6.5, 1, "pH"),
    at_most("Bacterial endotoxins", 5.0, 0.6, 1, "EU/mL"),
    at_least("Extractable volume", 1.00, 1.08, 1.20, 2, "mL"),
    at_most("Subvisible particles ≥ 10 µm", 6000.0, 450.0, 0, "per container"),
];

const TABLET_TESTS: [Test; 7] = [
    range("Assay", 95.0, 105.0, 1, "%"),
    at_least("Dissolution (30 min)", 80.0, 94.0, 100.0, 0, "%"),
    pass("Identity (IR)", "Spectrum conforms to reference"),
    at_most("Content uniformity (acceptance value)", 15.0, 4.5, 1, "AV"),
    at_most("Water content (KF)", 3.0, 1.6, 1, "%"),
    at_most("Total related substances", 1.00, 0.30, 2, "%"),
    range("Hardness", 80.0, 140.0, 0, "N"),
];

impl Product {
    /// Its id in the demo.
    pub fn id(self) -> ProductId {
        match self {
            Product::VelarimabDs => VELARIMAB_DS_PRODUCT,
            Product::VelarimabDp => VELARIMAB_DP_PRODUCT,
            Product::Corvastatin => CORVASTATIN_PRODUCT,
        }
    }

    /// Its short code in batch numbers.
    pub fn code(self) -> &'static str {
        match self {
            Product::VelarimabDs => "VDS",
            Product::VelarimabDp => "VDP",
            Product::Corvastatin => "CVS",
        }
    }

    /// Whether it is a biologic (which decides the kinds of deviation it has).
    pub fn biologic(self) -> bool {
        self != Product::Corvastatin
    }

    /// Shortest and longest nominal batch, in days: a fed-batch culture takes weeks, a fill or a tablet campaign
    /// days.
    pub fn batch_days(self) -> (i64, i64) {
        match self {
            Product::VelarimabDs => (14, 21),
            Product::VelarimabDp => (2, 4),
            Product::Corvastatin => (2, 5),
        }
    }

    /// Theoretical yield per batch, the places it is written with, and its unit.
    pub fn theoretical_yield(self) -> (f64, usize, &'static str) {
        match self {
            Product::VelarimabDs => (6.0, 2, "kg"),
            Product::VelarimabDp => (10_500.0, 0, "vials"),
            Product::Corvastatin => (240.0, 1, "kg"),
        }
    }

    /// Smallest and largest order, the step orders come in, the places and the unit of deliveries.
    pub fn order(self) -> (f64, f64, f64, usize, &'static str) {
        match self {
            Product::VelarimabDs => (2.0, 9.0, 0.5, 1, "kg"),
            Product::VelarimabDp => (2_000.0, 20_000.0, 500.0, 0, "vials"),
            Product::Corvastatin => (5_000.0, 60_000.0, 1_000.0, 0, "packs"),
        }
    }

    /// Its release tests, the always-run ones first.
    pub fn tests(self) -> &'static [Test] {
        match self {
            Product::VelarimabDs => &DRUG_SUBSTANCE_TESTS,
            Product::VelarimabDp => &DRUG_PRODUCT_TESTS,
            Product::Corvastatin => &TABLET_TESTS,
        }
    }
}

/// `value` written with `places` places.
pub fn decimal(value: f64, places: usize) -> Decimal {
    Decimal::parse(&format!("{:.*}", places, value.max(0.0))).unwrap_or(Decimal::ZERO)
}

fn limit(value: f64, places: usize) -> Option<Decimal> {
    Some(decimal(value, places))
}

/// A result of `test`, out of specification if `out_of_spec` is asked for. Whether it is out is then computed by
/// `ResultValue::out_of_spec`, like any recorded result; the value is drawn so that the two agree.
pub fn result(dice: &mut Dice, test: &Test, out_of_spec: bool) -> ResultValue {
    let places = test.places;
    let numeric = |value: f64, lower: Option<f64>, upper: Option<f64>| ResultValue::Numeric {
        value: decimal(value, places),
        lower: lower.and_then(|l| limit(l, places)),
        upper: upper.and_then(|u| limit(u, places)),
        unit: test.unit.to_owned(),
    };
    let step = 10f64.powi(-i32::try_from(places).unwrap_or(0));
    match test.spec {
        Spec::Pass(criterion) => ResultValue::PassFail { passed: !out_of_spec, criterion: criterion.to_owned() },
        Spec::Range { low, high } => {
            let value = if out_of_spec {
                let beyond = (high - low) * dice.uniform(0.03, 0.2) + step;
                if dice.chance(0.5) { low - beyond } else { high + beyond }
            } else {
                dice.normal((low + high) / 2.0, (high - low) / 8.0).clamp(low, high)
            };
            numeric(value, Some(low), Some(high))
        }
        Spec::AtMost { high, typical } => {
            let value = if out_of_spec {
                high * dice.uniform(1.05, 1.6) + step
            } else {
                dice.normal(typical, typical * 0.35).clamp(0.0, high)
            };
            numeric(value, None, Some(high))
        }
        Spec::AtLeast { low, typical, cap } => {
            let value = if out_of_spec {
                low - (typical - low) * dice.uniform(0.1, 0.8) - step
            } else {
                dice.normal(typical, (typical - low) / 3.0).clamp(low, cap)
            };
            numeric(value, Some(low), None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_are_out_of_specification_exactly_when_asked() {
        let mut dice = Dice::new(3);
        for product in [Product::VelarimabDs, Product::VelarimabDp, Product::Corvastatin] {
            for test in product.tests() {
                for _ in 0..500 {
                    assert!(!result(&mut dice, test, false).out_of_spec(), "{}", test.name);
                    assert!(result(&mut dice, test, true).out_of_spec(), "{}", test.name);
                }
            }
        }
    }
}

//! Analytical methods under transfer as records: the method and its criteria (the sponsor's data), each site's
//! results (each site's own data), and the evaluation the shared crate computes from them.

use crate::access::Action;
use crate::decimal::Decimal;
use crate::error::ApiError;
use crate::ids::{MethodId, TransferId};
use crate::method_evaluation::{Evaluation, Verdict, evaluate};
use crate::method_transfer::{AnalyticalMethod, Site, validate_results};
use serde::{Deserialize, Serialize};

/// One site's results for one attribute.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttributeResults {
    /// The attribute, as the method names it.
    pub attribute: String,
    /// The results, exact as reported.
    pub values: Vec<Decimal>,
}

/// One site's results for a method, as sent and as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteResults {
    /// Per attribute.
    pub results: Vec<AttributeResults>,
    /// The version the change was made on (0 before the site's first results).
    pub row_version: i64,
}

impl SiteResults {
    /// Checks the results against the method: known attributes, each once, numbers within bounds.
    pub fn validate(&self, method: &AnalyticalMethod) -> Result<(), ApiError> {
        for (i, result) in self.results.iter().enumerate() {
            if !method.attributes.iter().any(|a| a.attribute == result.attribute) {
                return Err(ApiError::invalid(
                    format!("results[{i}].attribute"),
                    format!("The method does not report “{}”.", result.attribute),
                ));
            }
            if self.results[..i].iter().any(|r| r.attribute == result.attribute) {
                return Err(ApiError::invalid(format!("results[{i}].attribute"), "Each attribute once."));
            }
            validate_results(&format!("results[{i}].values"), &result.values)?;
        }
        Ok(())
    }

    /// The values reported for `attribute`.
    pub fn values_of(&self, attribute: &str) -> &[Decimal] {
        self.results.iter().find(|r| r.attribute == attribute).map_or(&[], |r| r.values.as_slice())
    }
}

/// One side of a method as the caller sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteView {
    /// The site's results, if the caller may read them.
    pub results: Option<SiteResults>,
    /// Why not, if not.
    pub hidden: Option<String>,
    /// What the caller may do with them.
    pub actions: Vec<Action>,
}

/// A method with its criteria, both sites' results as the caller may see them, and their evaluation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MethodView {
    /// Its id; its deep link is `/transfers/{transfer}/methods/{id}`.
    pub id: MethodId,
    /// Its transfer.
    pub transfer_id: TransferId,
    /// The method and its acceptance criteria.
    pub method: AnalyticalMethod,
    /// The sending unit's results.
    pub su: SiteView,
    /// The receiving unit's results.
    pub ru: SiteView,
    /// Per attribute, when the caller may see both sites' results.
    pub evaluations: Option<Vec<Evaluation>>,
    /// All attributes together, when evaluated.
    pub verdict: Option<Verdict>,
}

/// A transfer's methods.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MethodList {
    /// The methods, in the order they were added.
    pub methods: Vec<MethodView>,
    /// What the caller may do (`contribute`: add a method).
    pub actions: Vec<Action>,
}

/// Evaluates every attribute of `method` on both sites' results.
pub fn evaluate_method(method: &AnalyticalMethod, su: &SiteResults, ru: &SiteResults) -> Vec<Evaluation> {
    method.attributes.iter().map(|a| evaluate(a, su.values_of(&a.attribute), ru.values_of(&a.attribute))).collect()
}

/// The method's verdict: fail if any attribute fails, pass if all pass, otherwise inconclusive.
pub fn overall(evaluations: &[Evaluation]) -> Verdict {
    if evaluations.iter().any(|e| e.verdict == Verdict::Fail) {
        Verdict::Fail
    } else if !evaluations.is_empty() && evaluations.iter().all(|e| e.verdict == Verdict::Pass) {
        Verdict::Pass
    } else {
        Verdict::Inconclusive
    }
}

/// The attributes that fail now but did not fail before: each opens an investigation.
pub fn newly_failing(before: &[Evaluation], after: &[Evaluation]) -> Vec<String> {
    after
        .iter()
        .filter(|e| e.verdict == Verdict::Fail)
        .filter(|e| !before.iter().any(|b| b.attribute == e.attribute && b.verdict == Verdict::Fail))
        .map(|e| e.attribute.clone())
        .collect()
}

/// One site's results of a method, as a record: written `{method}.{site}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MethodResultsId {
    /// The method.
    pub method: MethodId,
    /// Which site.
    pub site: Site,
}

impl std::fmt::Display for MethodResultsId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.method, self.site.as_str())
    }
}

impl std::str::FromStr for MethodResultsId {
    type Err = crate::org::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unknown = || crate::org::UnknownValue(s.to_owned());
        let (method, site) = s.split_once('.').ok_or_else(unknown)?;
        Ok(MethodResultsId { method: method.parse().map_err(|_| unknown())?, site: site.parse()? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::method_transfer::{AttributeCriteria, Criterion};
    use crate::units::Unit;

    fn d(text: &str) -> Decimal {
        Decimal::parse(text).expect(text)
    }

    fn method() -> AnalyticalMethod {
        AnalyticalMethod {
            name: "SEC-HPLC".into(),
            attributes: vec![AttributeCriteria {
                attribute: "Monomer".into(),
                unit: Unit::parse("%").expect("unit"),
                criteria: vec![Criterion::AbsoluteMeanDifference { max: d("1.0") }],
            }],
        }
    }

    fn results(values: &[&str]) -> SiteResults {
        SiteResults {
            results: vec![AttributeResults {
                attribute: "Monomer".into(),
                values: values.iter().map(|v| d(v)).collect(),
            }],
            row_version: 1,
        }
    }

    #[test]
    fn a_method_passes_fails_and_opens_an_investigation_once() {
        let su = results(&["99.1", "99.3", "99.2"]);
        let close = evaluate_method(&method(), &su, &results(&["98.9", "99.0", "99.1"]));
        assert_eq!(overall(&close), Verdict::Pass);
        let far = evaluate_method(&method(), &su, &results(&["97.5", "97.9", "97.7"]));
        assert_eq!(overall(&far), Verdict::Fail);
        assert_eq!(newly_failing(&close, &far), vec!["Monomer".to_owned()]);
        assert!(newly_failing(&far, &far).is_empty(), "an attribute failing already opens nothing new");
        let none = evaluate_method(&method(), &su, &SiteResults { results: Vec::new(), row_version: 0 });
        assert_eq!(overall(&none), Verdict::Inconclusive);
    }

    #[test]
    fn results_name_the_methods_attributes_once() {
        let unknown = SiteResults {
            results: vec![AttributeResults { attribute: "Aggregates".into(), values: vec![d("1.0")] }],
            row_version: 0,
        };
        assert_eq!(unknown.validate(&method()).map_err(|e| e.field), Err(Some("results[0].attribute".into())));
        let mut twice = results(&["99.0"]);
        twice.results.push(twice.results[0].clone());
        assert_eq!(twice.validate(&method()).map_err(|e| e.field), Err(Some("results[1].attribute".into())));
        assert_eq!(results(&["99.0"]).validate(&method()), Ok(()));
    }
}

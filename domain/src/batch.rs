//! Batches made at a CMO's site: their dates, yields and results against specification, and their disposition.
//! Out-of-specification is computed from the limits, never typed; a batch's status follows from its dates and
//! disposition, never stored on its own.

use crate::decimal::Decimal;
use crate::error::ApiError;
use crate::ids::{BatchId, BatchResultId, DeviationId, ProductId, SiteId, TransferId};
use crate::org::{OrgRef, SiteRef};
use crate::signature::Signature;
use crate::stored_enum::stored_enum;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Longest batch number accepted.
pub const MAX_NUMBER_LEN: usize = 40;
/// Longest test name accepted.
pub const MAX_TEST_LEN: usize = 120;

stored_enum!(
    /// Why the batch was made.
    BatchType {
        /// To learn the process at scale; not for sale.
        Engineering = "engineering", "Engineering";
        /// Process performance qualification.
        Ppq = "ppq", "PPQ";
        /// For the market.
        Commercial = "commercial", "Commercial";
    }
);

stored_enum!(
    /// The quality unit's decision on a batch.
    Disposition {
        /// Fit for use.
        Released = "released", "Released";
        /// Not fit for use.
        Rejected = "rejected", "Rejected";
    }
);

stored_enum!(
    /// Where a batch stands, from its dates and disposition.
    BatchStatus {
        /// Not started.
        Planned = "planned", "Planned";
        /// Started, not finished.
        InProgress = "in_progress", "In progress";
        /// Finished, awaiting disposition.
        Completed = "completed", "Awaiting disposition";
        /// Released by QA.
        Released = "released", "Released";
        /// Rejected by QA.
        Rejected = "rejected", "Rejected";
    }
);

impl BatchStatus {
    /// Whether the batch's record may still change: until it is dispositioned.
    pub fn is_open(self) -> bool {
        !matches!(self, BatchStatus::Released | BatchStatus::Rejected)
    }
}

/// A batch's status from its actual dates and disposition.
pub fn status(
    actual_start: Option<NaiveDate>,
    actual_end: Option<NaiveDate>,
    disposition: Option<Disposition>,
) -> BatchStatus {
    match (disposition, actual_start, actual_end) {
        (Some(Disposition::Released), _, _) => BatchStatus::Released,
        (Some(Disposition::Rejected), _, _) => BatchStatus::Rejected,
        (None, _, Some(_)) => BatchStatus::Completed,
        (None, Some(_), None) => BatchStatus::InProgress,
        (None, None, None) => BatchStatus::Planned,
    }
}

/// What the plant records about a batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchInput {
    /// The plant's batch number, e.g. "VLM-24-0173".
    pub number: String,
    /// Engineering, PPQ or commercial.
    pub batch_type: BatchType,
    /// The CMO site making it.
    pub site: SiteId,
    /// The sponsor's product.
    pub product: ProductId,
    /// The transfer it belongs to, if any.
    #[serde(default)]
    pub transfer: Option<TransferId>,
    /// Planned start.
    pub planned_start: NaiveDate,
    /// Planned end.
    pub planned_end: NaiveDate,
    /// Actual start.
    #[serde(default)]
    pub actual_start: Option<NaiveDate>,
    /// Actual end.
    #[serde(default)]
    pub actual_end: Option<NaiveDate>,
    /// Theoretical yield, in `yield_unit`.
    #[serde(default)]
    pub theoretical_yield: Option<Decimal>,
    /// Actual yield, in `yield_unit`.
    #[serde(default)]
    pub actual_yield: Option<Decimal>,
    /// The unit of both yields, e.g. "kg".
    #[serde(default)]
    pub yield_unit: String,
}

impl BatchInput {
    /// Checks the values: a number, dates in order, an actual end only after an actual start, yields that make
    /// sense together.
    pub fn validate(&self) -> Result<(), ApiError> {
        let number = self.number.trim();
        if number.is_empty() {
            return Err(ApiError::invalid("number", "Enter the batch number."));
        }
        if number.chars().count() > MAX_NUMBER_LEN {
            return Err(ApiError::invalid("number", format!("Keep batch numbers under {MAX_NUMBER_LEN} characters.")));
        }
        if self.planned_end < self.planned_start {
            return Err(ApiError::invalid("planned_end", "The planned end is before the planned start."));
        }
        match (self.actual_start, self.actual_end) {
            (None, Some(_)) => return Err(ApiError::invalid("actual_start", "Enter when the batch started.")),
            (Some(start), Some(end)) if end < start => {
                return Err(ApiError::invalid("actual_end", "The actual end is before the actual start."));
            }
            _ => {}
        }
        if let Some(theoretical) = self.theoretical_yield
            && (theoretical.is_negative() || theoretical.is_zero())
        {
            return Err(ApiError::invalid("theoretical_yield", "The theoretical yield must be above zero."));
        }
        if let Some(actual) = self.actual_yield {
            if actual.is_negative() {
                return Err(ApiError::invalid("actual_yield", "The actual yield cannot be negative."));
            }
            if self.theoretical_yield.is_none() {
                return Err(ApiError::invalid("theoretical_yield", "Enter the theoretical yield to compare with."));
            }
        }
        let has_yield = self.theoretical_yield.is_some() || self.actual_yield.is_some();
        if has_yield && self.yield_unit.trim().is_empty() {
            return Err(ApiError::invalid("yield_unit", "Enter the yield's unit, e.g. kg."));
        }
        Ok(())
    }

    /// Actual over theoretical yield, when both are known.
    pub fn yield_ratio(&self) -> Option<f64> {
        yield_ratio(self.theoretical_yield, self.actual_yield)
    }
}

/// Actual over theoretical yield, when both are known and the theoretical is above zero.
pub fn yield_ratio(theoretical: Option<Decimal>, actual: Option<Decimal>) -> Option<f64> {
    let theoretical: f64 = theoretical?.to_string().parse().ok()?;
    let actual: f64 = actual?.to_string().parse().ok()?;
    (theoretical > 0.0).then(|| actual / theoretical)
}

/// A result and the specification it is judged against.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ResultValue {
    /// A measured value with limits (inclusive; either may be open).
    Numeric {
        /// The measured value, exactly as reported.
        value: Decimal,
        /// Lower specification limit.
        #[serde(default)]
        lower: Option<Decimal>,
        /// Upper specification limit.
        #[serde(default)]
        upper: Option<Decimal>,
        /// The unit of value and limits, e.g. "%".
        unit: String,
    },
    /// A test that passes or fails against a written criterion.
    PassFail {
        /// Whether it passed.
        passed: bool,
        /// The criterion, e.g. "Conforms to reference spectrum".
        criterion: String,
    },
}

impl ResultValue {
    /// Whether the result lies outside its specification.
    pub fn out_of_spec(&self) -> bool {
        match self {
            ResultValue::Numeric { value, lower, upper, .. } => {
                lower.is_some_and(|l| *value < l) || upper.is_some_and(|u| *value > u)
            }
            ResultValue::PassFail { passed, .. } => !passed,
        }
    }

    /// The specification in words, e.g. "95.0 – 105.0 %", "≤ 0.5 %", "Conforms".
    pub fn specification(&self) -> String {
        match self {
            ResultValue::Numeric { lower: Some(l), upper: Some(u), unit, .. } => format!("{l} – {u} {unit}"),
            ResultValue::Numeric { lower: Some(l), upper: None, unit, .. } => format!("≥ {l} {unit}"),
            ResultValue::Numeric { lower: None, upper: Some(u), unit, .. } => format!("≤ {u} {unit}"),
            ResultValue::Numeric { lower: None, upper: None, .. } => "Report only".into(),
            ResultValue::PassFail { criterion, .. } => criterion.clone(),
        }
    }

    /// The result in words, e.g. "98.7 %", "Pass".
    pub fn reading(&self) -> String {
        match self {
            ResultValue::Numeric { value, unit, .. } => format!("{value} {unit}").trim_end().to_owned(),
            ResultValue::PassFail { passed: true, .. } => "Pass".into(),
            ResultValue::PassFail { passed: false, .. } => "Fail".into(),
        }
    }
}

/// A result as entered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResultInput {
    /// The test, e.g. "Assay".
    pub test: String,
    /// Its value and specification.
    pub value: ResultValue,
}

impl ResultInput {
    /// Checks the test name and the limits.
    pub fn validate(&self) -> Result<(), ApiError> {
        let test = self.test.trim();
        if test.is_empty() {
            return Err(ApiError::invalid("test", "Name the test, e.g. Assay."));
        }
        if test.chars().count() > MAX_TEST_LEN {
            return Err(ApiError::invalid("test", format!("Keep test names under {MAX_TEST_LEN} characters.")));
        }
        match &self.value {
            ResultValue::Numeric { lower: Some(l), upper: Some(u), .. } if l > u => {
                Err(ApiError::invalid("value.upper", "The upper limit is below the lower limit."))
            }
            ResultValue::PassFail { criterion, .. } if criterion.trim().is_empty() => {
                Err(ApiError::invalid("value.criterion", "State the acceptance criterion."))
            }
            _ => Ok(()),
        }
    }
}

/// A correction of a recorded result (a transcription error, a wrong limit) on the batch's version shown: results
/// are regulated, so it needs a reason, and the value it replaces stays on the audit trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResultCorrection {
    /// Which result.
    pub result_id: BatchResultId,
    /// The corrected result.
    pub result: ResultInput,
    /// Why it is corrected.
    pub reason: String,
    /// The batch's version the user was shown.
    pub row_version: i64,
}

impl ResultCorrection {
    /// Checks the corrected result and that a reason is given.
    pub fn validate(&self) -> Result<(), ApiError> {
        self.result.validate().map_err(|e| ApiError { field: e.field.map(|f| format!("result.{f}")), ..e })?;
        if self.reason.trim().is_empty() {
            return Err(ApiError::invalid("reason", "Say why the result is corrected; the value it replaces is kept."));
        }
        Ok(())
    }
}

/// A recorded result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchResult {
    /// Its id.
    pub id: BatchResultId,
    /// The test.
    pub test: String,
    /// Value and specification.
    pub value: ResultValue,
    /// Computed from the limits.
    pub out_of_spec: bool,
    /// When it was recorded or last corrected.
    pub recorded_at: DateTime<Utc>,
}

/// A short reference to a deviation, as a batch lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviationRef {
    /// Its id.
    pub id: DeviationId,
    /// Its number, e.g. "DEV-2026-00007".
    pub number: String,
    /// What happened.
    pub title: String,
    /// Minor, major or critical.
    pub classification: crate::deviation::Classification,
    /// Where it stands.
    pub status: crate::deviation::DeviationStatus,
}

/// A short reference to a product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductRef {
    /// Its id.
    pub id: ProductId,
    /// Its name.
    pub name: String,
}

/// A short reference to a transfer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransferRef {
    /// Its id.
    pub id: TransferId,
    /// Its code, e.g. "TT-2026-001".
    pub code: String,
}

/// The disposition of a batch, with QA's signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DispositionRecord {
    /// Released or rejected.
    pub disposition: Disposition,
    /// Why (required for a rejection).
    pub reason: String,
    /// QA's signature.
    pub signature: Signature,
}

/// A batch as its page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchView {
    /// Its id.
    pub id: BatchId,
    /// What the plant recorded.
    pub input: BatchInput,
    /// Where it stands.
    pub status: BatchStatus,
    /// The site.
    pub site: SiteRef,
    /// The product.
    pub product: ProductRef,
    /// The transfer, if any.
    pub transfer: Option<TransferRef>,
    /// Whether the caller may open the transfer: the app links it only then (the code is shown either way).
    pub transfer_readable: bool,
    /// The brand owner.
    pub sponsor: OrgRef,
    /// The CMO, whose record this is.
    pub cmo: OrgRef,
    /// Actual over theoretical yield.
    pub yield_ratio: Option<f64>,
    /// Results, in the order recorded.
    pub results: Vec<BatchResult>,
    /// Deviations raised against it.
    pub deviations: Vec<DeviationRef>,
    /// The disposition, once signed.
    pub disposition: Option<DispositionRecord>,
    /// The party whose QA dispositions batches under the partnership's quality agreement.
    pub disposing_party: OrgRef,
    /// Hash of what a disposition signs: the batch, its results and its deviations.
    pub content_hash: String,
    /// Version, for optimistic concurrency.
    pub row_version: i64,
    /// What the caller may do with it.
    pub actions: Vec<crate::access::Action>,
}

/// A batch in a list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchSummary {
    /// Its id.
    pub id: BatchId,
    /// Its number.
    pub number: String,
    /// Its type.
    pub batch_type: BatchType,
    /// Where it stands.
    pub status: BatchStatus,
    /// Site name.
    pub site: String,
    /// Product name.
    pub product: String,
    /// The CMO.
    pub cmo: OrgRef,
    /// Planned start.
    pub planned_start: NaiveDate,
    /// Actual end.
    pub actual_end: Option<NaiveDate>,
    /// Results out of specification.
    pub out_of_spec: u32,
    /// Deviations raised against it.
    pub deviations: u32,
}

/// Which batches a list shows: all the caller may see, or those behind a KPI point — one partnership's batches
/// dispositioned (or finished) in a period, at a site, of a product.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct BatchQuery {
    /// Only batches made by this CMO.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmo: Option<crate::ids::OrgId>,
    /// Only batches dispositioned (or, with `finished`, finished) in this period: "2026-07" or "2026-Q3".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// Count by the actual end rather than the disposition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished: Option<bool>,
    /// Only this site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<SiteId>,
    /// Only this product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<ProductId>,
}

/// The batches the caller may see, newest first, and whether they may record one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchList {
    /// The batches.
    pub items: Vec<BatchSummary>,
    /// True when more matched than were returned.
    pub truncated: bool,
    /// Whether the caller may record batches (a CMO's operator, lead, QA or admin).
    pub may_record: bool,
}

/// What the batch form offers: the caller's sites, its partners' products, and the transfers they share.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchSetup {
    /// The caller's sites.
    pub sites: Vec<SiteRef>,
    /// Products of sponsors the caller's organisation works for.
    pub products: Vec<ProductRef>,
    /// Transfers the caller's organisation receives, with their product.
    pub transfers: Vec<TransferChoice>,
}

/// A transfer a batch may belong to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransferChoice {
    /// The transfer.
    pub transfer: TransferRef,
    /// Its product.
    pub product: ProductId,
    /// Its receiving site.
    pub site: SiteId,
}

/// A change to a batch's recorded values, on the version shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchChange {
    /// The new values.
    pub batch: BatchInput,
    /// The version the user was shown.
    pub row_version: i64,
    /// Why, once the batch has results (they are regulated records).
    #[serde(default)]
    pub reason: Option<String>,
}

/// QA's disposition of a batch, signed with the password, bound to the content the signer was shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DispositionRequest {
    /// Released or rejected.
    pub disposition: Disposition,
    /// Why; required for a rejection.
    #[serde(default)]
    pub reason: String,
    /// The signer's password.
    pub password: String,
    /// The batch's content hash as shown.
    pub content_hash: String,
}

impl DispositionRequest {
    /// A rejection needs a reason.
    pub fn validate(&self) -> Result<(), ApiError> {
        if self.disposition == Disposition::Rejected && self.reason.trim().is_empty() {
            return Err(ApiError::invalid("reason", "Say why the batch is rejected."));
        }
        Ok(())
    }
}

/// Why a batch cannot be given `disposition` now, if it cannot. A batch is released only with every deviation
/// closed and no result out of specification; it may be rejected as soon as it has finished.
pub fn disposition_refusal(
    status: BatchStatus,
    disposition: Disposition,
    open_deviations: &[&str],
    out_of_spec_tests: &[&str],
) -> Option<String> {
    match status {
        BatchStatus::Planned | BatchStatus::InProgress => {
            return Some("The batch has not finished; record its actual end before dispositioning it.".into());
        }
        BatchStatus::Released | BatchStatus::Rejected => {
            return Some(format!("The batch is already {}.", status.label().to_lowercase()));
        }
        BatchStatus::Completed => {}
    }
    if disposition == Disposition::Rejected {
        return None;
    }
    if !out_of_spec_tests.is_empty() {
        return Some(format!(
            "Results are out of specification ({}); a batch with out-of-specification results cannot be released.",
            out_of_spec_tests.join(", ")
        ));
    }
    (!open_deviations.is_empty()).then(|| {
        format!(
            "Close the open deviations first: {}. A batch is released only once they are closed.",
            open_deviations.join(", ")
        )
    })
}

#[cfg(test)]
mod tests;

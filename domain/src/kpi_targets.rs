//! A partnership's agreed KPI targets, an annex of its quality agreement: for each KPI the target (at or better is
//! green) and the amber limit (worse is red), in versions that QA of both parties sign. A version can be edited until
//! its first signature; once both parties' QA have signed it, it is in force and supersedes the one before. Until a
//! version is in force the scorecard judges by the shared defaults ([`crate::kpi::default_thresholds`]).

use crate::access::Action;
use crate::error::ApiError;
use crate::ids::{KpiTargetsId, OrgId, PartnershipId};
use crate::kpi::{KpiKind, KpiUnit, Threshold};
use crate::org::OrgRef;
use crate::quality::{QualityAgreementState, approved_by};
use crate::signature::{Meaning, Signature};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Longest reason accepted.
pub const MAX_REASON_LEN: usize = 1000;
/// Largest limit accepted for a KPI counted in days: a year.
pub const MAX_DAYS: f64 = 365.0;
/// Largest limit accepted for a KPI counted per batch.
pub const MAX_PER_BATCH: f64 = 100.0;

/// One KPI's agreed limits, in the KPI's own numbers (fractions for percentages).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KpiTarget {
    /// Which KPI.
    pub kpi: KpiKind,
    /// At or better than this is green.
    pub target: f64,
    /// At or better than this, but short of the target, is amber; worse is red.
    pub amber: f64,
}

impl KpiTarget {
    /// The limits as the scorecard applies them.
    pub fn threshold(&self) -> Threshold {
        Threshold { target: self.target, amber: self.amber }
    }

    /// The shared default of every KPI, in the order of [`KpiKind::ALL`]: what a first version starts from.
    pub fn defaults() -> Vec<KpiTarget> {
        KpiKind::ALL
            .iter()
            .map(|&kpi| {
                let Threshold { target, amber } = kpi.default_threshold();
                KpiTarget { kpi, target, amber }
            })
            .collect()
    }
}

/// A proposed version of a partnership's KPI targets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KpiTargetDraft {
    /// Every KPI once, with its limits.
    pub targets: Vec<KpiTarget>,
    /// Why the targets change.
    pub reason: String,
}

impl KpiTargetDraft {
    /// Every rule the draft breaks, each naming its field (`targets[2].amber`): every KPI exactly once, each limit a
    /// number its unit allows, the amber limit on the worse side of the target, and a reason.
    pub fn problems(&self) -> Vec<ApiError> {
        let mut problems = Vec::new();
        let mut seen = Vec::new();
        for (i, row) in self.targets.iter().enumerate() {
            let label = row.kpi.label();
            if seen.contains(&row.kpi) {
                problems.push(ApiError::invalid(format!("targets[{i}].kpi"), format!("{label} is listed twice.")));
                continue;
            }
            seen.push(row.kpi);
            let mut own = row.threshold().problems(row.kpi);
            if own.is_empty() {
                own.extend(out_of_range(row));
            }
            for problem in own {
                let field = problem.field.unwrap_or_default();
                let message = if problem.message.starts_with(label) {
                    problem.message
                } else {
                    format!("{label}: {}", problem.message)
                };
                problems.push(ApiError::invalid(format!("targets[{i}].{field}"), message));
            }
        }
        let missing: Vec<&str> = KpiKind::ALL.iter().filter(|k| !seen.contains(k)).map(|k| k.label()).collect();
        if !missing.is_empty() {
            problems.push(ApiError::invalid(
                "targets",
                format!("Give limits for every KPI; missing: {}.", missing.join(", ")),
            ));
        }
        let reason = self.reason.trim();
        if reason.is_empty() {
            problems.push(ApiError::invalid("reason", "Say why the targets change."));
        } else if reason.chars().count() > MAX_REASON_LEN {
            problems.push(ApiError::invalid("reason", format!("Keep the reason under {MAX_REASON_LEN} characters.")));
        }
        problems
    }

    /// The first rule the draft breaks, if any.
    pub fn validate(&self) -> Result<(), ApiError> {
        self.problems().into_iter().next().map_or(Ok(()), Err)
    }

    /// The draft as stored and signed: the KPIs in the order of [`KpiKind::ALL`], the reason trimmed, so that the same
    /// targets always hash alike.
    pub fn normalised(&self) -> KpiTargetDraft {
        let targets =
            KpiKind::ALL.iter().filter_map(|kind| self.targets.iter().find(|t| t.kpi == *kind).copied()).collect();
        KpiTargetDraft { targets, reason: self.reason.trim().to_owned() }
    }
}

/// Limits beyond any sensible target for KPIs that are not percentages (those are bounded to 0–1 already).
fn out_of_range(row: &KpiTarget) -> Option<ApiError> {
    let (max, unit) = match row.kpi.unit() {
        KpiUnit::Percent => return None,
        KpiUnit::Days => (MAX_DAYS, "days"),
        KpiUnit::PerBatch => (MAX_PER_BATCH, "per batch"),
    };
    [("target", "target", row.target), ("amber", "amber limit", row.amber)]
        .into_iter()
        .find(|(_, _, value)| *value > max)
        .map(|(field, what, _)| ApiError::invalid(field, format!("Set the {what} at most {max} {unit}.")))
}

/// What a limit is typed in beside its field: percentages as percent, days as days.
pub fn entry_unit(kind: KpiKind) -> &'static str {
    match kind.unit() {
        KpiUnit::Percent => "%",
        KpiUnit::Days => "days",
        KpiUnit::PerBatch => "per batch",
    }
}

/// A limit as it is typed (95 for 0.95 when the KPI is a percentage), without trailing zeros.
pub fn entry_text(kind: KpiKind, value: f64) -> String {
    let shown = if kind.unit() == KpiUnit::Percent { value * 100.0 } else { value };
    let text = format!("{shown:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A typed limit in the KPI's own numbers (0.955 for "95.5" when the KPI is a percentage): a decimal comma is read
/// as a point, and the percentage is shifted by its exponent rather than divided, so "95.37" gives exactly the
/// number 0.9537 does. `Err` says what to type.
pub fn parse_entry(kind: KpiKind, text: &str) -> Result<f64, String> {
    let text = text.trim().replace(',', ".");
    let plain = !text.is_empty() && text.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-');
    let value = match kind.unit() {
        KpiUnit::Percent if plain => format!("{text}e-2").parse::<f64>().ok(),
        _ if plain => text.parse::<f64>().ok(),
        _ => None,
    };
    match value.filter(|v| v.is_finite()) {
        None => Err(format!("Enter a number ({}).", entry_unit(kind))),
        Some(v) if kind.unit() == KpiUnit::Percent && !(0.0..=1.0).contains(&v) => {
            Err("Enter a percentage from 0 to 100.".into())
        }
        Some(v) => Ok(v),
    }
}

/// An edit of a draft version, made on the version as the editor was shown it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KpiTargetChange {
    /// Every KPI once, with its limits.
    pub targets: Vec<KpiTarget>,
    /// Why the targets change.
    pub reason: String,
    /// The content hash of the version as the editor was shown it; if it changed since, the edit is refused (409).
    pub content_hash: String,
}

impl KpiTargetChange {
    /// The new content.
    pub fn draft(&self) -> KpiTargetDraft {
        KpiTargetDraft { targets: self.targets.clone(), reason: self.reason.clone() }
    }
}

/// One version of a partnership's KPI targets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KpiTargetVersion {
    /// Its id.
    pub id: KpiTargetsId,
    /// 1, 2, 3, …
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub version: i64,
    /// Every KPI's limits, in the order of [`KpiKind::ALL`].
    pub targets: Vec<KpiTarget>,
    /// Why the targets changed.
    pub reason: String,
    /// SHA-256 of the targets and reason, which signatures are bound to.
    pub content_hash: String,
    /// Where it stands.
    pub state: QualityAgreementState,
    /// QA approvals.
    pub signatures: Vec<Signature>,
    /// Who proposed it.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When it was last edited (its proposal, or the last edit of the draft).
    pub updated_at: DateTime<Utc>,
    /// What the caller may do with this version (the access rule and the version's state together).
    #[serde(default)]
    pub actions: Vec<Action>,
}

impl KpiTargetVersion {
    /// The limits as the scorecard applies them.
    pub fn thresholds(&self) -> Vec<(KpiKind, Threshold)> {
        self.targets.iter().map(|t| (t.kpi, t.threshold())).collect()
    }

    /// Whether the version's state lets `org` take `action` on it; `Err` says why not. Editing (drafting) is for a
    /// version nobody has signed yet; signing for a version not yet in force that `org`'s QA has not approved.
    pub fn workflow_allows(&self, action: Action, org: OrgId) -> Result<(), String> {
        let state = self.state.label().to_lowercase();
        match action {
            Action::DraftAgreement if self.state != QualityAgreementState::Draft => Err(format!(
                "Version {} is {state}: it was signed and can no longer be edited. Propose a new version instead.",
                self.version
            )),
            Action::SignAgreement
                if matches!(self.state, QualityAgreementState::Effective | QualityAgreementState::Superseded) =>
            {
                Err(format!("Version {} is {state}.", self.version))
            }
            Action::SignAgreement if approved_by(&self.signatures, org) => {
                Err("QA of your organisation has already approved this version.".into())
            }
            _ => Ok(()),
        }
    }
}

/// Who agreed the targets in force, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgreedTargets {
    /// The version in force.
    pub version_id: KpiTargetsId,
    /// Its number.
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub version: i64,
    /// When the second party's QA signed it.
    pub agreed_at: DateTime<Utc>,
    /// The sponsor's QA who approved it.
    pub sponsor_signer: String,
    /// The CMO's QA who approved it.
    pub cmo_signer: String,
}

/// A partnership's KPI targets, every version, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KpiTargets {
    /// The partnership.
    pub partnership_id: PartnershipId,
    /// The sponsor.
    pub sponsor: OrgRef,
    /// The CMO.
    pub cmo: OrgRef,
    /// Versions, newest first.
    pub versions: Vec<KpiTargetVersion>,
    /// The version in force, who signed it and when; null while the defaults apply.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub agreed: Option<AgreedTargets>,
    /// The limits in use: the version in force, or the defaults.
    pub in_use: Vec<KpiTarget>,
    /// What the caller may do (from the access rule): `draft_agreement` to propose a version — not offered while a
    /// draft is open, which is edited instead.
    #[serde(default)]
    pub actions: Vec<Action>,
}

impl KpiTargets {
    /// The version in force, if any.
    pub fn effective(&self) -> Option<&KpiTargetVersion> {
        self.versions.iter().find(|v| v.state == QualityAgreementState::Effective)
    }

    /// The open draft (nobody has signed it yet), if any.
    pub fn open_draft(&self) -> Option<&KpiTargetVersion> {
        self.versions.iter().find(|v| v.state == QualityAgreementState::Draft)
    }

    /// The thresholds the scorecard uses: the version in force, else the defaults.
    pub fn thresholds(&self) -> Vec<(KpiKind, Threshold)> {
        self.effective().map_or_else(crate::kpi::default_thresholds, KpiTargetVersion::thresholds)
    }

    /// Fills in what follows from the versions' states: who agreed the version in force, and the limits in use.
    pub fn with_summary(mut self) -> KpiTargets {
        self.agreed = self.effective().and_then(|v| agreed(v, self.sponsor.id, self.cmo.id));
        self.in_use = self.effective().map_or_else(KpiTarget::defaults, |v| v.targets.clone());
        self
    }
}

/// The approvals of both parties' QA on `version`, as who signed and when the second did.
pub fn agreed(version: &KpiTargetVersion, sponsor: OrgId, cmo: OrgId) -> Option<AgreedTargets> {
    let approval = |org: OrgId| {
        version.signatures.iter().find(|s| s.valid && s.meaning == Meaning::Approved && s.organisation_id == org)
    };
    let (by_sponsor, by_cmo) = (approval(sponsor)?, approval(cmo)?);
    Some(AgreedTargets {
        version_id: version.id,
        version: version.version,
        agreed_at: by_sponsor.signed_at.max(by_cmo.signed_at),
        sponsor_signer: by_sponsor.signer_name.clone(),
        cmo_signer: by_cmo.signer_name.clone(),
    })
}

#[cfg(test)]
mod tests;

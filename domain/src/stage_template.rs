//! Stage templates: the stages (and each stage's default deliverables) a new transfer starts with. Every
//! organisation keeps its own; until it writes one it uses [`standard`], after WHO TRS 961 Annex 7 and the ISPE good
//! practice guide on technology transfer.

use crate::error::ApiError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Most stages a template may have.
pub const MAX_STAGES: usize = 20;
/// Most default deliverables per stage.
pub const MAX_DELIVERABLES: usize = 30;
/// Longest stage, deliverable or template name.
pub const MAX_NAME: usize = 120;

/// One stage of a template.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateStage {
    /// Its name, e.g. "Analytical method transfer".
    pub name: String,
    /// The deliverables each new transfer's stage starts with (their titles).
    pub deliverables: Vec<String>,
}

/// An organisation's stage template, as stored and shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageTemplate {
    /// Its name, e.g. "Biologics drug substance".
    pub name: String,
    /// Its stages in order.
    pub stages: Vec<TemplateStage>,
    /// Bumped by every change; a change must name the version it was made on.
    pub row_version: i64,
    /// Last change (`None`: the standard template, never changed).
    pub updated_at: Option<DateTime<Utc>>,
    /// What the caller may do with it (from the access rule).
    #[serde(default)]
    pub actions: Vec<crate::access::Action>,
}

/// A change to the organisation's template: the whole template as it should be.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateChange {
    /// Its name.
    pub name: String,
    /// Its stages in order.
    pub stages: Vec<TemplateStage>,
    /// The version the change was made on.
    pub row_version: i64,
}

fn name_problem(name: &str, what: &str) -> Option<String> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        Some(format!("Give the {what} a name."))
    } else if trimmed.chars().count() > MAX_NAME {
        Some(format!("A {what} name has at most {MAX_NAME} characters."))
    } else {
        None
    }
}

impl TemplateChange {
    /// Checks the template; the error names the field (`stages[2].deliverables[0]`).
    pub fn validate(&self) -> Result<(), ApiError> {
        if let Some(problem) = name_problem(&self.name, "template") {
            return Err(ApiError::invalid("name", problem));
        }
        if self.stages.is_empty() || self.stages.len() > MAX_STAGES {
            return Err(ApiError::invalid("stages", format!("A template has 1 to {MAX_STAGES} stages.")));
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, stage) in self.stages.iter().enumerate() {
            if let Some(problem) = name_problem(&stage.name, "stage") {
                return Err(ApiError::invalid(format!("stages[{i}].name"), problem));
            }
            if !seen.insert(stage.name.trim().to_lowercase()) {
                return Err(ApiError::invalid(
                    format!("stages[{i}].name"),
                    format!("Two stages are called “{}”; stage names must differ.", stage.name.trim()),
                ));
            }
            if stage.deliverables.len() > MAX_DELIVERABLES {
                return Err(ApiError::invalid(
                    format!("stages[{i}].deliverables"),
                    format!("A stage has at most {MAX_DELIVERABLES} default deliverables."),
                ));
            }
            for (j, title) in stage.deliverables.iter().enumerate() {
                if let Some(problem) = name_problem(title, "deliverable") {
                    return Err(ApiError::invalid(format!("stages[{i}].deliverables[{j}]"), problem));
                }
            }
        }
        Ok(())
    }

    /// The template with surrounding spaces removed from every name.
    pub fn trimmed(&self) -> (String, Vec<TemplateStage>) {
        let stages = self
            .stages
            .iter()
            .map(|s| TemplateStage {
                name: s.name.trim().to_owned(),
                deliverables: s.deliverables.iter().map(|d| d.trim().to_owned()).collect(),
            })
            .collect();
        (self.name.trim().to_owned(), stages)
    }
}

fn stage(name: &str, deliverables: &[&str]) -> TemplateStage {
    TemplateStage { name: name.to_owned(), deliverables: deliverables.iter().map(|d| (*d).to_owned()).collect() }
}

/// The standard stages after WHO TRS 961 Annex 7 and the ISPE guide, with their usual deliverables.
pub fn standard() -> StageTemplate {
    StageTemplate {
        name: "Standard technology transfer (WHO TRS 961 Annex 7)".to_owned(),
        stages: vec![
            stage("Initiation & feasibility", &["Gap analysis of the receiving unit", "Feasibility assessment"]),
            stage("Planning", &["Transfer protocol", "Risk assessment", "Transfer team and responsibilities"]),
            stage(
                "Knowledge transfer",
                &["Process description", "Specifications and analytical procedures", "Master batch record"],
            ),
            stage("Analytical method transfer", &["Method transfer protocol", "Method transfer report"]),
            stage("Engineering batches", &["Engineering batch plan", "Engineering batch report"]),
            stage("PPQ batches", &["PPQ protocol", "PPQ report"]),
            stage("Regulatory filing", &["Regulatory impact assessment", "Variation or supplement filed"]),
            stage("Close-out", &["Transfer report", "Lessons learned"]),
        ],
        row_version: 0,
        updated_at: None,
        actions: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(stages: Vec<TemplateStage>) -> TemplateChange {
        TemplateChange { name: "Solid oral dose".into(), stages, row_version: 0 }
    }

    #[test]
    fn the_standard_template_has_the_eight_stages_and_is_valid() {
        let t = standard();
        assert_eq!(t.stages.len(), 8);
        assert_eq!(t.stages[3].name, "Analytical method transfer");
        assert_eq!(change(t.stages).validate(), Ok(()));
    }

    #[test]
    fn names_are_required_unique_and_bounded_and_the_field_is_named() {
        let empty = change(vec![stage("Planning", &[]), stage(" ", &[])]).validate();
        assert_eq!(empty.map_err(|e| e.field), Err(Some("stages[1].name".into())));
        let twice = change(vec![stage("Planning", &[]), stage("planning ", &[])]).validate();
        assert!(twice.as_ref().is_err_and(|e| e.message.contains("Two stages")), "{twice:?}");
        let long = "x".repeat(MAX_NAME + 1);
        let deliverable = change(vec![stage("Planning", &["ok", &long])]).validate();
        assert_eq!(deliverable.map_err(|e| e.field), Err(Some("stages[0].deliverables[1]".into())));
        assert!(change(Vec::new()).validate().is_err());
        let unnamed = TemplateChange { name: "".into(), ..change(vec![stage("A", &[])]) };
        assert_eq!(unnamed.validate().map_err(|e| e.field), Err(Some("name".into())));
    }

    #[test]
    fn trimming_keeps_order() {
        let (name, stages) = TemplateChange { name: " T ".into(), ..change(vec![stage(" B ", &[" d "])]) }.trimmed();
        assert_eq!(name, "T");
        assert_eq!(stages, vec![stage("B", &["d"])]);
    }
}

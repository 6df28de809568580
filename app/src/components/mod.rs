//! Pieces shared by several pages.

pub mod conflict_dialog;
pub mod copy_link;
pub mod deliverable_table;
pub mod error_panel;
pub mod history;
pub mod icons;
pub mod latest_changes;
pub mod load_failure;
pub mod loading;
pub mod parameter_grid;
pub mod shell;
pub mod sign_dialog;
pub mod stage;
pub mod terms_editor;
// Not mounted yet: the partnership KPI scorecard will be its first user (drop the `allow` then).
#[allow(dead_code)]
pub mod trend_chart;

//! Pieces shared by several pages.

pub mod bell;
pub mod comment_composer;
pub mod comments;
pub mod conflict_dialog;
pub mod copy_link;
pub mod date_range;
pub mod deliverable_table;
pub mod documents_panel;
pub mod error_panel;
pub mod history;
pub mod icons;
pub mod latest_changes;
pub mod load_failure;
pub mod loading;
pub mod parameter_grid;
pub mod partner_cards;
pub mod saved_note;
pub mod search_box;
pub mod shell;
pub mod sign_dialog;
pub mod stage;
pub mod table_wrap;
pub mod terms_editor;
pub mod transfer_link;
pub mod trend_chart;

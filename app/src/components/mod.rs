//! Pieces shared by several pages.

pub mod error_panel;
pub mod history;
pub mod icons;
pub mod loading;
pub mod shell;
pub mod sign_dialog;
pub mod stage;
pub mod terms_editor;

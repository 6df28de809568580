//! One module per page.

pub mod agreement;
pub mod agreement_new;
pub mod agreements;
pub mod audit;
pub mod batch;
pub mod batch_forms;
pub mod batch_new;
pub mod batches;
pub mod deliverable;
pub mod login;
pub mod method_forms;
pub mod methods;
pub mod no_access;
pub mod not_found;
pub mod parameter_forms;
pub mod parameters;
pub mod partner;
pub mod risk_form;
pub mod risks;
pub mod stage;
pub mod stage_forms;
pub mod stage_template;
pub mod transfer;
pub mod transfer_new;
pub mod transfers;

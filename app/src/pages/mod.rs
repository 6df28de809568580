//! One module per page.

pub mod agreement;
pub mod agreement_new;
pub mod agreements;
pub mod audit;
pub mod login;
pub mod no_access;
pub mod not_found;
pub mod partner;
pub mod transfer;
pub mod transfers;

//! One module per page.

pub mod login;
pub mod no_access;
pub mod not_found;
pub mod transfer;
pub mod transfers;

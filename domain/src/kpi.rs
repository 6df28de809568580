//! Placeholder until the KPI module lands from its branch.

use crate::stored_enum::stored_enum;

stored_enum!(
    /// A partnership KPI.
    KpiKind {
        /// Right first time.
        RightFirstTime = "right_first_time", "Right first time";
        /// Lot acceptance rate.
        LotAcceptance = "lot_acceptance", "Lot acceptance rate";
    }
);

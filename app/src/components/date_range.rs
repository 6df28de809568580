//! A span of days, `2026-11-03 → 2026-12-03`, that a narrow column may break between its two dates but never
//! inside one (a date split over two lines, "2026-" then "12-03", misreads).

use crate::format;
use chrono::NaiveDate;
use leptos::prelude::*;

/// From one day to another; a side not set reads "—".
#[component]
pub fn DateRange(from: Option<NaiveDate>, to: Option<NaiveDate>) -> impl IntoView {
    let day = |d: Option<NaiveDate>| d.map(format::date).unwrap_or_else(|| "—".into());
    view! { <span class="nowrap">{day(from)}</span>" → "<span class="nowrap">{day(to)}</span> }
}

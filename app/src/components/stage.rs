//! A transfer's stages: a chip for tables, and a timeline of planned against actual dates for its page. Status is
//! shown in words and marks, never by colour alone.

use crate::components::date_range::DateRange;
use baton_domain::ids::TransferId;
use baton_domain::stage::{GateState, StageProgress, StageView};
use chrono::NaiveDate;
use leptos::prelude::*;

/// Today in the viewer's calendar.
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// The current stage's name as a blue chip, or "Closed" in green once every gate has passed.
#[component]
pub fn StageChip(stage: StageProgress) -> impl IntoView {
    let done = stage.closed;
    let label = if done { "Closed".to_owned() } else { stage.name.clone() };
    view! {
        <span class="chip" class:chip-progress=!done class:chip-done=done>
            <span class="chip-dot" aria-hidden="true"></span>
            {label}
        </span>
    }
}

/// Where a stage stands, in a word with its chip class.
pub fn stage_state(stage: &StageView, current: bool, today: NaiveDate) -> (&'static str, &'static str) {
    match stage.gate.state {
        GateState::Passed => ("✓ Passed", "chip-done"),
        GateState::Open if current && stage.is_overdue(today) => ("⚠ Overdue", "chip-bad"),
        GateState::Open if current => ("● Current", "chip-progress"),
        GateState::Open if stage.is_overdue(today) => ("⚠ Overdue", "chip-bad"),
        GateState::Open => ("○ Not started", "chip-grey"),
    }
}

/// Every stage with its planned and actual dates drawn on one time axis; each row opens its stage.
#[component]
pub fn StageTimeline(stages: Vec<StageView>, transfer: TransferId) -> impl IntoView {
    let today = today();
    let dates = stages.iter().flat_map(|s| [s.planned_start, s.planned_end, s.actual_start, s.actual_end]).flatten();
    let (first, last) = dates.chain([today]).fold((today, today), |(lo, hi), d| (lo.min(d), hi.max(d)));
    let span = (last - first).num_days().max(1) as f64;
    let at = move |d: NaiveDate| (d - first).num_days() as f64 * 100.0 / span;
    let bar = move |from: Option<NaiveDate>, to: Option<NaiveDate>, class: &'static str| {
        from.map(|from| {
            let to = to.unwrap_or(today).max(from);
            // Set through the CSSOM (style:), which the content security policy allows; style attributes it blocks.
            let (left, width) = (format!("{:.2}%", at(from)), format!("{:.2}%", (at(to) - at(from)).max(0.8)));
            view! { <span class=format!("bar {class}") style:left=left style:width=width></span> }
        })
    };
    let current = stages.iter().position(|s| s.gate.state == GateState::Open);
    let today_at = format!("{:.2}%", at(today));
    view! {
        <ol class="timeline" aria-label="Stages, planned against actual">
            {stages.into_iter().enumerate().map(|(i, stage)| {
                let (word, class) = stage_state(&stage, current == Some(i), today);
                let href = format!("/transfers/{transfer}/stages/{}", stage.number);
                let actual_end = if stage.gate.state == GateState::Passed { stage.actual_end } else { None };
                let actual_bar = bar(stage.actual_start, actual_end.or(stage.actual_start.map(|_| today)), "bar-actual");
                view! {
                    <li class="timeline-row" class:timeline-current=current == Some(i)>
                        <a class="timeline-name" href=href>
                            <span class="step-number">{format!("Stage {}", stage.number)}</span>
                            <span class="step-label">{stage.name.clone()}</span>
                        </a>
                        <span class=format!("chip {class}")>{word}</span>
                        <span class="timeline-dates small numeric-text">
                            <span>"Planned " <DateRange from=stage.planned_start to=stage.planned_end/></span>
                            <span class="muted">"Actual " <DateRange from=stage.actual_start to=stage.actual_end/></span>
                        </span>
                        <span class="timeline-track" aria-hidden="true">
                            {bar(stage.planned_start, stage.planned_end, "bar-planned")}
                            {actual_bar}
                            <span class="today-line" style:left=today_at.clone()></span>
                        </span>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

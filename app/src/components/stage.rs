//! A transfer's stage: a chip for tables and a stepper for its page. Status is shown in words and icons,
//! never by colour alone.

use baton_domain::transfer::Stage;
use leptos::prelude::*;

/// "Stage 4 of 8 · Analytical method transfer", as a blue in-progress chip.
#[component]
pub fn StageChip(stage: Stage) -> impl IntoView {
    let done = stage == Stage::CloseOut;
    view! {
        <span class="chip" class:chip-progress=!done class:chip-done=done>
            <span class="chip-dot" aria-hidden="true"></span>
            {stage.label()}
        </span>
    }
}

/// All eight stages, marking those passed, the current one and those ahead.
#[component]
pub fn StageStepper(current: Stage) -> impl IntoView {
    view! {
        <ol class="stepper" aria-label="Transfer stages">
            {Stage::ALL
                .into_iter()
                .map(|stage| {
                    let (state, mark, words) = if stage < current {
                        ("passed", "✓", "completed")
                    } else if stage == current {
                        ("current", "●", "current stage")
                    } else {
                        ("ahead", "○", "not started")
                    };
                    view! {
                        <li class=format!("step step-{state}") aria-current=(stage == current).then_some("step")>
                            <span class="step-mark" aria-hidden="true">{mark}</span>
                            <span class="step-number">{stage.number()}</span>
                            <span class="step-label">{stage.label()}</span>
                            <span class="visually-hidden">{format!(" ({words})")}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

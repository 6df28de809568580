//! The stage page's forms: re-planning a stage's dates (on the version shown, with the conflict dialog), and
//! adding a deliverable.

use crate::api::{self, Failure};
use crate::components::conflict_dialog::{ConflictDialog, FieldClash, clashes};
use crate::components::saved_note::use_saved_note;
use crate::format;
use baton_domain::deliverable::{DeliverableInput, DeliverableStatus};
use baton_domain::endpoints::{AddDeliverable as AddDeliverableCall, ChangeStage, GetStagePlan};
use baton_domain::error::ErrorCode;
use baton_domain::ids::{OrgId, StageId};
use baton_domain::stage::{StageDates, StageView};
use baton_domain::transfer::TransferDetail;
use chrono::NaiveDate;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// A date input's value as a date (empty: none).
pub fn parse_day(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok()
}

/// A date as a date input's value.
pub fn day_value(day: Option<NaiveDate>) -> String {
    day.map(format::date).unwrap_or_default()
}

fn shown(day: Option<NaiveDate>) -> String {
    day.map(format::date).unwrap_or_else(|| "—".into())
}

/// Planned start and end and actual start of a stage; saved on the version shown.
#[component]
pub fn StageDatesForm(stage: StageView, on_saved: Callback<()>) -> impl IntoView {
    let planned_start = RwSignal::new(day_value(stage.planned_start));
    let planned_end = RwSignal::new(day_value(stage.planned_end));
    let actual_start = RwSignal::new(day_value(stage.actual_start));
    let row_version = RwSignal::new(stage.row_version);
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let note = use_saved_note();
    let clash = RwSignal::new(None::<(String, Vec<FieldClash>)>);
    let (stage_id, transfer) = (stage.id, stage.transfer_id);
    // The dates the user's edits started from; after a conflict, the other person's, with the user's own changes
    // (the fields that differ from these) applied on top when re-applied.
    type Dates = [Option<NaiveDate>; 3];
    let base = StoredValue::new([stage.planned_start, stage.planned_end, stage.actual_start]);
    let after_conflict = RwSignal::new(None::<(Dates, Dates)>);
    let show = move |d: Dates| {
        planned_start.set(day_value(d[0]));
        planned_end.set(day_value(d[1]));
        actual_start.set(day_value(d[2]));
    };
    let save = move || {
        let dates = StageDates {
            planned_start: parse_day(&planned_start.get_untracked()),
            planned_end: parse_day(&planned_end.get_untracked()),
            actual_start: parse_day(&actual_start.get_untracked()),
            row_version: row_version.get_untracked(),
        };
        pending.set(true);
        spawn_local(async move {
            match api::call::<ChangeStage>([&stage_id.to_string()], &dates).await {
                Ok(_) => {
                    note.show("Dates saved.");
                    on_saved.run(())
                }
                Err(f) if f.code() == Some(ErrorCode::Conflict) => {
                    match api::call::<GetStagePlan>([&transfer.to_string()], &()).await {
                        Ok(plan) => {
                            if let Some(now) = plan.stages.into_iter().find(|s| s.id == stage_id) {
                                row_version.set(now.row_version);
                                let theirs = [now.planned_start, now.planned_end, now.actual_start];
                                let mine = [dates.planned_start, dates.planned_end, dates.actual_start];
                                let from = base.get_value();
                                let merged: Dates =
                                    std::array::from_fn(|i| if mine[i] != from[i] { mine[i] } else { theirs[i] });
                                base.set_value(theirs);
                                after_conflict.set(Some((theirs, merged)));
                                let fields = clashes([
                                    ("Planned start", shown(theirs[0]), shown(merged[0])),
                                    ("Planned end", shown(theirs[1]), shown(merged[1])),
                                    ("Actual start", shown(theirs[2]), shown(merged[2])),
                                ]);
                                clash.set(Some((f.message(), fields)));
                            }
                        }
                        Err(e) => error.set(Some(e.message())),
                    }
                }
                Err(f) => error.set(Some(f.message())),
            }
            pending.set(false);
        });
    };
    let save_again = save;
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        save();
    };
    view! {
        <form class="panel" on:submit=submit data-testid="stage-dates">
            <h2>"Dates"</h2>
            <div class="field-row">
                <div class="field"><label for="planned-start">"Planned start"</label>
                    <input id="planned-start" type="date" prop:value=move || planned_start.get()
                        on:input=move |ev| planned_start.set(event_target_value(&ev))/></div>
                <div class="field"><label for="planned-end">"Planned end"</label>
                    <input id="planned-end" type="date" prop:value=move || planned_end.get()
                        on:input=move |ev| planned_end.set(event_target_value(&ev))/></div>
            </div>
            <div class="field-row">
                <div class="field"><label for="actual-start">"Actual start"</label>
                    <input id="actual-start" type="date" prop:value=move || actual_start.get()
                        on:input=move |ev| actual_start.set(event_target_value(&ev))/></div>
                <div class="field"><label>"Actual end"</label>
                    <p class="muted">"Set when the gate passes."</p></div>
            </div>
            <p class="field-error">{move || error.get()}</p>
            <button type="submit" class="button primary" disabled=move || pending.get()>"Save dates"</button>
            <ConflictDialog clash=clash
                on_reapply=Callback::new(move |()| {
                    if let Some((_, merged)) = after_conflict.get_untracked() {
                        show(merged);
                        save_again();
                    }
                })
                on_discard=Callback::new(move |()| {
                    if let Some((theirs, _)) = after_conflict.get_untracked() {
                        show(theirs);
                    }
                })/>
        </form>
    }
}

/// Adds a deliverable to a stage: what, who owns it, when it is due.
#[component]
pub fn AddDeliverable(transfer: TransferDetail, stage: StageId, on_added: Callback<()>) -> impl IntoView {
    let title = RwSignal::new(String::new());
    let owner = RwSignal::new(transfer.sponsor.id.to_string());
    let due = RwSignal::new(String::new());
    let error = RwSignal::new(None::<(String, String)>);
    let pending = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Ok(owner_org) = owner.get_untracked().parse::<OrgId>() else { return };
        let input = DeliverableInput {
            title: title.get_untracked(),
            description: String::new(),
            owner_org,
            owner_person: None,
            due_on: parse_day(&due.get_untracked()),
            status: DeliverableStatus::Open,
        };
        if let Err(e) = input.validate() {
            error.set(Some((e.field.unwrap_or_default(), e.message)));
            return;
        }
        pending.set(true);
        spawn_local(async move {
            match api::call::<AddDeliverableCall>([&stage.to_string()], &input).await {
                Ok(_) => {
                    title.set(String::new());
                    error.set(None);
                    on_added.run(());
                }
                Err(Failure::Api(e)) => error.set(Some((e.field.unwrap_or_default(), e.message))),
                Err(f) => error.set(Some((String::new(), f.message()))),
            }
            pending.set(false);
        });
    };
    let parties = [transfer.sponsor.clone(), transfer.cmo.clone()];
    view! {
        <form class="add-deliverable" on:submit=submit data-testid="add-deliverable">
            <h3>"Add a deliverable"</h3>
            <div class="field-row">
                <div class="field"><label for="new-title">"Deliverable"</label>
                    <input id="new-title" type="text" prop:value=move || title.get()
                        aria-invalid=move || error.get().is_some_and(|(f, _)| f == "title").to_string()
                        on:input=move |ev| title.set(event_target_value(&ev))/></div>
                <div class="field"><label for="new-owner">"Owner"</label>
                    <select id="new-owner" on:change=move |ev| owner.set(event_target_value(&ev))>
                        {parties.into_iter().map(|o| view! { <option value=o.id.to_string()>{o.name}</option> }).collect_view()}
                    </select></div>
            </div>
            <div class="field-row">
                <div class="field"><label for="new-due">"Due"</label>
                    <input id="new-due" type="date" prop:value=move || due.get() on:input=move |ev| due.set(event_target_value(&ev))/></div>
                <div class="field"><label class="visually-hidden" for="add-button">"Add"</label>
                    <button id="add-button" type="submit" class="button" disabled=move || pending.get()>"Add deliverable"</button></div>
            </div>
            <p class="field-error">{move || error.get().map(|(_, m)| m)}</p>
        </form>
    }
}

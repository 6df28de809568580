//! Adding or changing a failure mode. The RPN and band are shown as the ratings are chosen, computed by the same
//! shared code the server uses; a change is saved on the version shown.

use crate::api::{self, Failure};
use crate::pages::risks::level_chip;
use baton_domain::endpoints::{AddRisk, ChangeRisk};
use baton_domain::ids::TransferId;
use baton_domain::risk::{FailureMode, Rating, Ratings};
use baton_domain::risk_register::{RiskChange, RiskInput, StoredRisk};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

fn rating_select(id: &'static str, label: &'static str, value: RwSignal<u8>) -> impl IntoView {
    view! {
        <div class="field"><label for=id>{label}</label>
            <select id=id on:change=move |ev| value.set(event_target_value(&ev).parse().unwrap_or(0))>
                <option value="0" selected=move || value.get() == 0>"—"</option>
                {(1..=10u8).map(|n| view! { <option value=n.to_string() selected=move || value.get() == n>{n}</option> }).collect_view()}
            </select>
        </div>
    }
}

fn ratings(s: u8, o: u8, d: u8) -> Option<Ratings> {
    Some(Ratings { severity: Rating::new(s)?, occurrence: Rating::new(o)?, detection: Rating::new(d)? })
}

/// The form, for a new failure mode (`existing` empty) or a stored one; `on_done` says whether it saved.
#[component]
pub fn RiskForm(transfer: TransferId, existing: Option<StoredRisk>, on_done: Callback<bool>) -> impl IntoView {
    let m = existing.as_ref().map(|r| r.failure_mode.clone());
    let text = |f: fn(&FailureMode) -> String| RwSignal::new(m.as_ref().map(f).unwrap_or_default());
    let step = text(|m| m.step.clone());
    let mode = text(|m| m.failure_mode.clone());
    let effect = text(|m| m.effect.clone());
    let mitigation = text(|m| m.mitigation.clone());
    let number = |f: fn(&FailureMode) -> u8| RwSignal::new(m.as_ref().map(f).unwrap_or(0));
    let (s, o, d) = (
        number(|m| m.ratings.severity.get()),
        number(|m| m.ratings.occurrence.get()),
        number(|m| m.ratings.detection.get()),
    );
    let (rs, ro, rd) = (
        number(|m| m.residual.map_or(0, |r| r.severity.get())),
        number(|m| m.residual.map_or(0, |r| r.occurrence.get())),
        number(|m| m.residual.map_or(0, |r| r.detection.get())),
    );
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let deliverable = existing.as_ref().and_then(|r| r.mitigation_deliverable);
    let stored = existing.as_ref().map(|r| (r.id, r.row_version));
    let preview = move || {
        ratings(s.get(), o.get(), d.get()).map(|r| view! { <strong>{r.rpn()}</strong> " " {level_chip(r.level())} })
    };
    let residual_preview = move || {
        ratings(rs.get(), ro.get(), rd.get()).map(|r| view! { <strong>{r.rpn()}</strong> " " {level_chip(r.level())} })
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(initial) = ratings(s.get_untracked(), o.get_untracked(), d.get_untracked()) else {
            error.set(Some("Rate severity, occurrence and detection from 1 to 10.".into()));
            return;
        };
        let failure_mode = FailureMode {
            step: step.get_untracked(),
            failure_mode: mode.get_untracked(),
            effect: effect.get_untracked(),
            cause: m.as_ref().map(|m| m.cause.clone()).unwrap_or_default(),
            controls: m.as_ref().map(|m| m.controls.clone()).unwrap_or_default(),
            ratings: initial,
            mitigation: mitigation.get_untracked(),
            residual: ratings(rs.get_untracked(), ro.get_untracked(), rd.get_untracked()),
        };
        if let Err(e) = failure_mode.validate() {
            error.set(Some(e.message));
            return;
        }
        let input = RiskInput { failure_mode, mitigation_deliverable: deliverable };
        pending.set(true);
        spawn_local(async move {
            let outcome = match stored {
                Some((id, row_version)) => {
                    api::call::<ChangeRisk>([&id.to_string()], &RiskChange { risk: input, row_version })
                        .await
                        .map(|_| ())
                }
                None => api::call::<AddRisk>([&transfer.to_string()], &input).await.map(|_| ()),
            };
            match outcome {
                Ok(()) => on_done.run(true),
                Err(Failure::Api(e)) => error.set(Some(e.message)),
                Err(f) => error.set(Some(f.message())),
            }
            pending.set(false);
        });
    };
    let field = |id: &'static str, label: &'static str, value: RwSignal<String>| {
        view! {
            <div class="field"><label for=id>{label}</label>
                <input id=id type="text" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/></div>
        }
    };
    view! {
        <form class="panel form" on:submit=submit data-testid="risk-form">
            <h2>{if stored.is_some() { "Change failure mode" } else { "Add a failure mode" }}</h2>
            {field("risk-step", "Process step", step)}
            {field("risk-mode", "Failure mode", mode)}
            {field("risk-effect", "Effect", effect)}
            <div class="rating-row">
                {rating_select("risk-s", "Severity", s)}
                {rating_select("risk-o", "Occurrence", o)}
                {rating_select("risk-d", "Detection", d)}
                <p class="rpn-preview" data-testid="rpn-preview">"RPN " {preview}</p>
            </div>
            {field("risk-mitigation", "Mitigation", mitigation)}
            <div class="rating-row">
                {rating_select("risk-rs", "Residual severity", rs)}
                {rating_select("risk-ro", "Residual occurrence", ro)}
                {rating_select("risk-rd", "Residual detection", rd)}
                <p class="rpn-preview">"Residual RPN " {residual_preview}</p>
            </div>
            <p class="field-error" data-testid="risk-error">{move || error.get()}</p>
            <div class="dialog-actions">
                <button type="button" class="button" on:click=move |_| on_done.run(false)>"Cancel"</button>
                <button type="submit" class="button primary" disabled=move || pending.get()>"Save"</button>
            </div>
        </form>
    }
}

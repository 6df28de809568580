//! Entering a result: numeric against its limits, or pass/fail; out of specification is judged as it is typed, by
//! the same shared rule the server applies. The same form corrects a recorded result, with a reason.

use crate::api::{self, Failure};
use baton_domain::batch::{BatchResult, ResultCorrection, ResultInput, ResultValue};
use baton_domain::decimal::Decimal;
use baton_domain::endpoints::{AddBatchResult, CorrectBatchResult};
use baton_domain::ids::BatchId;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

fn decimal(text: &str) -> Option<Decimal> {
    let text = text.trim();
    (!text.is_empty()).then(|| Decimal::parse(&text.replace(',', ".")).ok()).flatten()
}

/// A recorded result being corrected, on the batch's version shown.
#[derive(Clone, Debug)]
pub struct Correcting {
    /// The result as recorded.
    pub result: BatchResult,
    /// The batch's version.
    pub row_version: i64,
}

/// The result form, for a new result or, with `correcting`, a correction; `on_done` says whether it saved.
#[component]
pub fn ResultForm(
    batch: BatchId,
    on_done: Callback<bool>,
    #[prop(optional)] correcting: Option<Correcting>,
) -> impl IntoView {
    let text = |value: Option<String>| RwSignal::new(value.unwrap_or_default());
    let recorded = correcting.as_ref().map(|c| c.result.clone());
    let (numeric_value, pass_fail) = match recorded.as_ref().map(|r| &r.value) {
        Some(ResultValue::Numeric { value, lower, upper, unit }) => {
            (Some((value.to_string(), lower.map(|l| l.to_string()), upper.map(|u| u.to_string()), unit.clone())), None)
        }
        Some(ResultValue::PassFail { passed, criterion }) => (None, Some((*passed, criterion.clone()))),
        None => (None, None),
    };
    let test = text(recorded.as_ref().map(|r| r.test.clone()));
    let numeric = RwSignal::new(pass_fail.is_none());
    let value = text(numeric_value.as_ref().map(|n| n.0.clone()));
    let lower = text(numeric_value.as_ref().and_then(|n| n.1.clone()));
    let upper = text(numeric_value.as_ref().and_then(|n| n.2.clone()));
    let unit = text(Some(numeric_value.as_ref().map_or_else(|| "%".to_owned(), |n| n.3.clone())));
    let passed = RwSignal::new(pass_fail.as_ref().is_none_or(|p| p.0));
    let criterion = text(pass_fail.map(|p| p.1));
    let reason = RwSignal::new(String::new());
    let correction = StoredValue::new(correcting.map(|c| (c.result.id, c.row_version)));
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let built = move || -> Result<ResultInput, String> {
        let value = if numeric.get() {
            let reading = value.get();
            let Some(v) = decimal(&reading) else {
                return Err(if reading.trim().is_empty() {
                    "Enter the value.".into()
                } else {
                    "That is not a number.".into()
                });
            };
            let limit = |text: String, what: &str| match text.trim() {
                "" => Ok(None),
                t => decimal(t).map(Some).ok_or(format!("The {what} limit is not a number.")),
            };
            ResultValue::Numeric {
                value: v,
                lower: limit(lower.get(), "lower")?,
                upper: limit(upper.get(), "upper")?,
                unit: unit.get(),
            }
        } else {
            ResultValue::PassFail { passed: passed.get(), criterion: criterion.get() }
        };
        let input = ResultInput { test: test.get(), value };
        input.validate().map_err(|e| e.message)?;
        Ok(input)
    };
    let judgement = move || match built() {
        Ok(input) if input.value.out_of_spec() => {
            view! { <p class="chip chip-bad judgement" data-testid="oos-preview">"Out of specification"</p> }.into_any()
        }
        Ok(_) => view! { <p class="chip chip-done judgement" data-testid="oos-preview">"Within specification"</p> }
            .into_any(),
        Err(_) => ().into_any(),
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let input = match built() {
            Ok(input) => input,
            Err(message) => {
                error.set(Some(message));
                return;
            }
        };
        pending.set(true);
        let path = batch.to_string();
        let correction = correction.get_value().map(|(result_id, row_version)| ResultCorrection {
            result_id,
            result: input.clone(),
            reason: reason.get_untracked(),
            row_version,
        });
        spawn_local(async move {
            let saved = match correction {
                Some(correction) => api::call::<CorrectBatchResult>([&path], &correction).await.map(|_| ()),
                None => api::call::<AddBatchResult>([&path], &input).await.map(|_| ()),
            };
            match saved {
                Ok(()) => on_done.run(true),
                Err(Failure::Api(e)) => error.set(Some(e.message)),
                Err(f) => error.set(Some(f.message())),
            }
            pending.set(false);
        });
    };
    let number = move |id: &'static str, label: &'static str, signal: RwSignal<String>| {
        view! {
            <div class="field"><label for=id>{label}</label>
                <div class="with-unit">
                    <input id=id type="text" inputmode="decimal" autocomplete="off" prop:value=move || signal.get()
                        on:input=move |ev| signal.set(event_target_value(&ev))/>
                    <span class="unit">{move || unit.get()}</span>
                </div></div>
        }
    };
    view! {
        <form class="form entry-form" on:submit=submit data-testid="result-form" novalidate>
            <div class="form-grid">
                <div class="field"><label for="result-test">"Test"</label>
                    <input id="result-test" type="text" prop:value=move || test.get() on:input=move |ev| test.set(event_target_value(&ev))/></div>
                <div class="field"><label for="result-kind">"Kind"</label>
                    <select id="result-kind" on:change=move |ev| numeric.set(event_target_value(&ev) == "numeric")>
                        <option value="numeric" selected=move || numeric.get()>"Measured value"</option>
                        <option value="pass_fail" selected=move || !numeric.get()>"Pass / fail"</option>
                    </select></div>
            </div>
            {move || if numeric.get() {
                view! {
                    <div class="form-grid">
                        {number("result-value", "Value", value)}
                        {number("result-lower", "Lower limit", lower)}
                        {number("result-upper", "Upper limit", upper)}
                        <div class="field"><label for="result-unit">"Unit"</label>
                            <input id="result-unit" type="text" prop:value=move || unit.get() on:input=move |ev| unit.set(event_target_value(&ev))/></div>
                    </div>
                }.into_any()
            } else {
                view! {
                    <div class="form-grid">
                        <div class="field"><label for="result-criterion">"Acceptance criterion"</label>
                            <input id="result-criterion" type="text" prop:value=move || criterion.get() on:input=move |ev| criterion.set(event_target_value(&ev))/></div>
                        <div class="field"><label for="result-passed">"Outcome"</label>
                            <select id="result-passed" on:change=move |ev| passed.set(event_target_value(&ev) == "pass")>
                                <option value="pass" selected=move || passed.get()>"Pass"</option>
                                <option value="fail" selected=move || !passed.get()>"Fail"</option>
                            </select></div>
                    </div>
                }.into_any()
            }}
            {judgement}
            {correction.get_value().is_some().then(|| view! {
                <div class="field"><label for="result-reason">"Reason for the correction"</label>
                    <input id="result-reason" type="text" prop:value=move || reason.get()
                        on:input=move |ev| reason.set(event_target_value(&ev))/>
                    <p class="muted small">"The value it replaces stays in the batch's history."</p></div>
            })}
            <p class="field-error" data-testid="result-error">{move || error.get()}</p>
            <div class="dialog-actions">
                <button type="button" class="button" on:click=move |_| on_done.run(false)>"Cancel"</button>
                <button type="submit" class="button primary" disabled=move || pending.get()>{if correction.get_value().is_some() { "Save correction" } else { "Save result" }}</button>
            </div>
        </form>
    }
}

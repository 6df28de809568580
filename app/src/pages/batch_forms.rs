//! Entering a result: numeric against its limits, or pass/fail; out of specification is judged as it is typed, by
//! the same shared rule the server applies.

use crate::api::{self, Failure};
use baton_domain::batch::{ResultInput, ResultValue};
use baton_domain::decimal::Decimal;
use baton_domain::endpoints::AddBatchResult;
use baton_domain::ids::BatchId;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

fn decimal(text: &str) -> Option<Decimal> {
    let text = text.trim();
    (!text.is_empty()).then(|| Decimal::parse(&text.replace(',', ".")).ok()).flatten()
}

/// The result form; `on_done` says whether it saved.
#[component]
pub fn ResultForm(batch: BatchId, on_done: Callback<bool>) -> impl IntoView {
    let test = RwSignal::new(String::new());
    let numeric = RwSignal::new(true);
    let value = RwSignal::new(String::new());
    let lower = RwSignal::new(String::new());
    let upper = RwSignal::new(String::new());
    let unit = RwSignal::new("%".to_owned());
    let passed = RwSignal::new(true);
    let criterion = RwSignal::new(String::new());
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
        spawn_local(async move {
            match api::call::<AddBatchResult>([&batch.to_string()], &input).await {
                Ok(_) => on_done.run(true),
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
                        <option value="numeric">"Measured value"</option>
                        <option value="pass_fail">"Pass / fail"</option>
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
                                <option value="pass">"Pass"</option><option value="fail">"Fail"</option>
                            </select></div>
                    </div>
                }.into_any()
            }}
            {judgement}
            <p class="field-error" data-testid="result-error">{move || error.get()}</p>
            <div class="dialog-actions">
                <button type="button" class="button" on:click=move |_| on_done.run(false)>"Cancel"</button>
                <button type="submit" class="button primary" disabled=move || pending.get()>"Save result"</button>
            </div>
        </form>
    }
}

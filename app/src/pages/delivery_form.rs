//! The delivery form, for a new delivery and for recording one as delivered: large fields, the numeric keyboard for
//! quantities, the unit beside them, each problem beside its field; once delivered, a correction asks for a reason.

use crate::api::Failure;
use baton_domain::batch::ProductRef;
use baton_domain::decimal::Decimal;
use baton_domain::delivery::DeliveryInput;
use chrono::NaiveDate;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use std::future::Future;

/// A problem with a field: its name (empty for the whole form) and what is wrong.
pub type Problem = (String, String);

fn bad(field: &str, message: &str) -> Problem {
    (field.to_owned(), message.to_owned())
}

fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// A quantity as typed (a comma accepted for the decimal point, as tablets in much of Europe offer it).
fn quantity(text: &str, field: &str) -> Result<Option<Decimal>, Problem> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    Decimal::parse(&text.replace(',', ".")).map(Some).map_err(|e| bad(field, &e.to_string()))
}

/// The problem a failed request reports, by field.
pub fn problem_of(failure: Failure) -> Problem {
    match failure {
        Failure::Api(e) => (e.field.unwrap_or_default(), e.message),
        other => (String::new(), other.message()),
    }
}

/// The form. `initial` fills it (and fixes the product) when a delivery is changed; `ask_reason` adds the reason
/// field; `save` sends what was entered (with the reason) and answers the problem, if any.
#[component]
pub fn DeliveryForm<F, Fut>(
    products: Vec<ProductRef>,
    initial: Option<DeliveryInput>,
    ask_reason: bool,
    submit_label: &'static str,
    save: F,
) -> impl IntoView
where
    F: Fn(DeliveryInput, Option<String>) -> Fut + Copy + 'static,
    Fut: Future<Output = Option<Problem>> + 'static,
{
    let today = crate::components::stage::today().to_string();
    let fixed_product = initial.as_ref().map(|i| i.product);
    let text = |value: String| RwSignal::new(value);
    let first_product = products.first().map(|p| p.id.to_string()).unwrap_or_default();
    let product = text(fixed_product.map(|p| p.to_string()).unwrap_or(first_product));
    let reference = text(initial.as_ref().map(|i| i.reference.clone()).unwrap_or_default());
    let promised_on = text(initial.as_ref().map_or(today.clone(), |i| i.promised_on.to_string()));
    let promised = text(initial.as_ref().map(|i| i.promised_quantity.to_string()).unwrap_or_default());
    let unit = text(initial.as_ref().map_or_else(|| "kg".to_owned(), |i| i.unit.clone()));
    let delivered_on = text(initial.as_ref().and_then(|i| i.delivered_on).map(|d| d.to_string()).unwrap_or_default());
    let delivered =
        text(initial.as_ref().and_then(|i| i.delivered_quantity).map(|q| q.to_string()).unwrap_or_default());
    let reason = text(String::new());
    let error = RwSignal::new(None::<Problem>);
    let pending = RwSignal::new(false);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let built = (|| {
            let input = DeliveryInput {
                product: product.get_untracked().parse().map_err(|_| bad("product", "Choose the product."))?,
                reference: reference.get_untracked(),
                promised_on: date(&promised_on.get_untracked())
                    .ok_or_else(|| bad("promised_on", "Enter the promised date."))?,
                promised_quantity: quantity(&promised.get_untracked(), "promised_quantity")?
                    .ok_or_else(|| bad("promised_quantity", "Enter the promised quantity."))?,
                unit: unit.get_untracked(),
                delivered_on: date(&delivered_on.get_untracked()),
                delivered_quantity: quantity(&delivered.get_untracked(), "delivered_quantity")?,
            };
            input.validate().map_err(|e| (e.field.unwrap_or_default(), e.message))?;
            Ok::<_, Problem>(input)
        })();
        match built {
            Err(problem) => error.set(Some(problem)),
            Ok(input) => {
                error.set(None);
                pending.set(true);
                let why = Some(reason.get_untracked()).filter(|r| !r.trim().is_empty());
                leptos::task::spawn_local(async move {
                    error.set(save(input, why).await);
                    pending.set(false);
                });
            }
        }
    };
    let problem = move |field: &'static str| move || error.get().filter(|(f, _)| f == field).map(|(_, m)| m);
    let invalid = move |field: &'static str| move || error.get().is_some_and(|(f, _)| f == field).then_some("true");
    let date_field = move |id: &'static str, field: &'static str, label: &'static str, value: RwSignal<String>| {
        view! {
            <div class="field"><label for=id>{label}</label>
                <input id=id type="date" prop:value=move || value.get() aria-invalid=invalid(field)
                    on:input=move |ev| value.set(event_target_value(&ev))/>
                <p class="field-error">{problem(field)}</p></div>
        }
    };
    let amount = move |id: &'static str, field: &'static str, label: &'static str, value: RwSignal<String>| {
        view! {
            <div class="field"><label for=id>{label}</label>
                <div class="with-unit">
                    <input id=id type="text" inputmode="decimal" autocomplete="off" prop:value=move || value.get()
                        aria-invalid=invalid(field) on:input=move |ev| value.set(event_target_value(&ev))/>
                    <span class="unit">{move || unit.get()}</span>
                </div>
                <p class="field-error">{problem(field)}</p></div>
        }
    };
    view! {
        <form class="panel form entry-form" on:submit=on_submit data-testid="delivery-form" novalidate>
            <div class="form-grid">
                <div class="field"><label for="delivery-reference">"Order reference"</label>
                    <input id="delivery-reference" type="text" autocomplete="off" prop:value=move || reference.get()
                        aria-invalid=invalid("reference") on:input=move |ev| reference.set(event_target_value(&ev))/>
                    <p class="field-error">{problem("reference")}</p></div>
                <div class="field"><label for="delivery-product">"Product"</label>
                    <select id="delivery-product" disabled=fixed_product.is_some()
                        on:change=move |ev| product.set(event_target_value(&ev))>
                        {products.into_iter().map(|p| {
                            let selected = Some(p.id) == fixed_product;
                            view! { <option value=p.id.to_string() selected=selected>{p.name}</option> }
                        }).collect_view()}
                    </select><p class="field-error">{problem("product")}</p></div>
                {date_field("delivery-promised-on", "promised_on", "Promised date", promised_on)}
                {amount("delivery-promised", "promised_quantity", "Promised quantity", promised)}
                <div class="field"><label for="delivery-unit">"Unit"</label>
                    <input id="delivery-unit" type="text" prop:value=move || unit.get() aria-invalid=invalid("unit")
                        on:input=move |ev| unit.set(event_target_value(&ev))/>
                    <p class="field-error">{problem("unit")}</p></div>
            </div>
            <fieldset class="form-grid choices">
                <legend>"Delivered (leave empty until it arrives)"</legend>
                {date_field("delivery-delivered-on", "delivered_on", "Delivered on", delivered_on)}
                {amount("delivery-delivered", "delivered_quantity", "Quantity delivered", delivered)}
            </fieldset>
            {ask_reason.then(|| view! {
                <div class="field"><label for="delivery-reason">"Reason for the change"</label>
                    <input id="delivery-reason" type="text" prop:value=move || reason.get() aria-invalid=invalid("reason")
                        on:input=move |ev| reason.set(event_target_value(&ev))/>
                    <p class="field-error">{problem("reason")}</p></div>
            })}
            <p class="field-error" data-testid="delivery-error">{move || error.get().filter(|(f, _)| f.is_empty()).map(|(_, m)| m)}</p>
            <div class="dialog-actions">
                <a class="button" href="/deliveries">"Cancel"</a>
                <button type="submit" class="button primary" disabled=move || pending.get()>{submit_label}</button>
            </div>
        </form>
    }
}

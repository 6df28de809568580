//! `/batches/new`: recording a batch at the plant, on a tablet as often as not: large fields, the numeric keyboard
//! for numbers, units beside them, and every problem named beside its field.

use crate::api::{self, Failure};
use crate::auth::RequireAuth;
use crate::components::load_failure::load_failure;
use crate::components::loading::Loading;
use crate::components::shell::Shell;
use baton_domain::batch::{BatchInput, BatchSetup, BatchType};
use baton_domain::decimal::Decimal;
use baton_domain::endpoints::{GetBatchSetup, RecordBatch};
use chrono::NaiveDate;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

/// `/batches/new`
#[component]
pub fn NewBatchPage() -> impl IntoView {
    let loaded = LocalResource::new(|| api::call::<GetBatchSetup>([], &()));
    let reload = Callback::new(move |()| loaded.refetch());
    view! {
        <RequireAuth>
            <Shell>
                <Suspense fallback=|| view! { <Loading label="Loading…"/> }>
                    {move || loaded.get().map(|result| match result {
                        Ok(setup) => view! { <BatchForm setup=setup/> }.into_any(),
                        Err(failure) => load_failure(failure, "", reload),
                    })}
                </Suspense>
            </Shell>
        </RequireAuth>
    }
}

fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// A problem with a field: its name and what is wrong.
type Problem = (String, String);

fn bad(field: &str, message: &str) -> Problem {
    (field.to_owned(), message.to_owned())
}

/// A decimal as typed (a comma accepted for the decimal point, as tablets in much of Europe offer it).
fn decimal(text: &str, field: &str) -> Result<Option<Decimal>, Problem> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    Decimal::parse(&text.replace(',', ".")).map(Some).map_err(|e| bad(field, &e.to_string()))
}

#[component]
fn BatchForm(setup: BatchSetup) -> impl IntoView {
    let today = crate::components::stage::today().to_string();
    let text = |initial: String| RwSignal::new(initial);
    let number = text(String::new());
    let batch_type = RwSignal::new(BatchType::Commercial);
    let site = text(setup.sites.first().map(|s| s.id.to_string()).unwrap_or_default());
    let product = text(setup.products.first().map(|p| p.id.to_string()).unwrap_or_default());
    let transfer = text(String::new());
    let planned_start = text(today.clone());
    let planned_end = text(today.clone());
    let actual_start = text(String::new());
    let actual_end = text(String::new());
    let theoretical = text(String::new());
    let actual = text(String::new());
    let unit = text("kg".into());
    let error = RwSignal::new(None::<(String, String)>);
    let pending = RwSignal::new(false);
    let navigate = use_navigate();
    let transfers = StoredValue::new(setup.transfers.clone());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let built = (|| {
            let yields = (
                decimal(&theoretical.get_untracked(), "theoretical_yield")?,
                decimal(&actual.get_untracked(), "actual_yield")?,
            );
            let input = BatchInput {
                number: number.get_untracked(),
                batch_type: batch_type.get_untracked(),
                site: site.get_untracked().parse().map_err(|_| bad("site", "Choose the site."))?,
                product: product.get_untracked().parse().map_err(|_| bad("product", "Choose the product."))?,
                transfer: transfer.get_untracked().parse().ok(),
                planned_start: date(&planned_start.get_untracked())
                    .ok_or_else(|| bad("planned_start", "Enter the planned start."))?,
                planned_end: date(&planned_end.get_untracked())
                    .ok_or_else(|| bad("planned_end", "Enter the planned end."))?,
                actual_start: date(&actual_start.get_untracked()),
                actual_end: date(&actual_end.get_untracked()),
                theoretical_yield: yields.0,
                actual_yield: yields.1,
                yield_unit: unit.get_untracked(),
            };
            input.validate().map_err(|e| (e.field.unwrap_or_default(), e.message))?;
            Ok::<_, Problem>(input)
        })();
        let input = match built {
            Ok(input) => input,
            Err(problem) => {
                error.set(Some(problem));
                return;
            }
        };
        error.set(None);
        pending.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::call::<RecordBatch>([], &input).await {
                Ok(batch) => navigate(&format!("/batches/{}", batch.id), Default::default()),
                Err(Failure::Api(e)) => error.set(Some((e.field.unwrap_or_default(), e.message))),
                Err(f) => error.set(Some((String::new(), f.message()))),
            }
            pending.set(false);
        });
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
    let quantity = move |id: &'static str, field: &'static str, label: &'static str, value: RwSignal<String>| {
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
        <form class="panel form entry-form" on:submit=submit data-testid="batch-form" novalidate>
            <h1>"Record a batch"</h1>
            <div class="field"><label for="batch-number">"Batch number"</label>
                <input id="batch-number" type="text" autocomplete="off" prop:value=move || number.get()
                    aria-invalid=invalid("number") on:input=move |ev| number.set(event_target_value(&ev))/>
                <p class="field-error">{problem("number")}</p></div>
            <div class="form-grid">
                <div class="field"><label for="batch-type">"Type"</label>
                    <select id="batch-type" on:change=move |ev| {
                        if let Ok(t) = event_target_value(&ev).parse::<BatchType>() { batch_type.set(t) }
                    }>
                        {BatchType::ALL.iter().map(|t| view! {
                            <option value=t.as_str() selected=*t == BatchType::Commercial>{t.label()}</option>
                        }).collect_view()}
                    </select></div>
                <div class="field"><label for="batch-site">"Site"</label>
                    <select id="batch-site" on:change=move |ev| site.set(event_target_value(&ev))>
                        {setup.sites.iter().map(|s| view! { <option value=s.id.to_string()>{s.name.clone()}</option> }).collect_view()}
                    </select><p class="field-error">{problem("site")}</p></div>
                <div class="field"><label for="batch-product">"Product"</label>
                    <select id="batch-product" on:change=move |ev| { product.set(event_target_value(&ev)); transfer.set(String::new()); }>
                        {setup.products.iter().map(|p| view! { <option value=p.id.to_string()>{p.name.clone()}</option> }).collect_view()}
                    </select><p class="field-error">{problem("product")}</p></div>
                <div class="field"><label for="batch-transfer">"Transfer (optional)"</label>
                    <select id="batch-transfer" on:change=move |ev| transfer.set(event_target_value(&ev))>
                        <option value="" selected=move || transfer.get().is_empty()>"None"</option>
                        {move || transfers.get_value().into_iter().filter(|t| t.product.to_string() == product.get()).map(|t| {
                            view! { <option value=t.transfer.id.to_string()>{t.transfer.code}</option> }
                        }).collect_view()}
                    </select><p class="field-error">{problem("transfer")}</p></div>
                {date_field("batch-planned-start", "planned_start", "Planned start", planned_start)}
                {date_field("batch-planned-end", "planned_end", "Planned end", planned_end)}
                {date_field("batch-actual-start", "actual_start", "Actual start", actual_start)}
                {date_field("batch-actual-end", "actual_end", "Actual end", actual_end)}
                {quantity("batch-theoretical", "theoretical_yield", "Theoretical yield", theoretical)}
                {quantity("batch-actual-yield", "actual_yield", "Actual yield", actual)}
                <div class="field"><label for="batch-unit">"Yield unit"</label>
                    <input id="batch-unit" type="text" prop:value=move || unit.get() aria-invalid=invalid("yield_unit")
                        on:input=move |ev| unit.set(event_target_value(&ev))/>
                    <p class="field-error">{problem("yield_unit")}</p></div>
            </div>
            <p class="field-error" data-testid="batch-error">{move || error.get().filter(|(f, _)| f.is_empty()).map(|(_, m)| m)}</p>
            <div class="dialog-actions">
                <a class="button" href="/batches">"Cancel"</a>
                <button type="submit" class="button primary" disabled=move || pending.get()>"Record batch"</button>
            </div>
        </form>
    }
}

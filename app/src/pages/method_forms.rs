//! The method page's forms: one site's results (numbers as written, separated by spaces or semicolons), saved on
//! the version shown; and a new method with one attribute and its acceptance criteria.

use crate::api::{self, Failure};
use crate::components::saved_note::use_saved_note;
use baton_domain::decimal::Decimal;
use baton_domain::endpoints::{AddMethod, SaveRuResults, SaveSuResults};
use baton_domain::ids::TransferId;
use baton_domain::method_record::{AttributeResults, MethodView, SiteResults};
use baton_domain::method_transfer::{AnalyticalMethod, AttributeCriteria, Criterion, Site};
use baton_domain::units::Unit;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The numbers in a field: separated by spaces, semicolons or line breaks (commas are decimal separators to some,
/// so they are refused by the number rules rather than guessed at).
fn numbers(text: &str) -> Result<Vec<Decimal>, String> {
    text.split(|c: char| c.is_whitespace() || c == ';')
        .filter(|t| !t.is_empty())
        .map(|t| Decimal::parse(t).map_err(|e| format!("“{t}”: {e}")))
        .collect()
}

/// One site's results for every attribute of the method; editable by those the server lets contribute them.
#[component]
pub fn ResultsForm(method: MethodView, site: Site, editable: bool, on_saved: Callback<()>) -> impl IntoView {
    let side = match site {
        Site::Su => method.su.clone(),
        Site::Ru => method.ru.clone(),
    };
    let stored = side.results.clone().unwrap_or(SiteResults { results: Vec::new(), row_version: 0 });
    let fields: Vec<(String, RwSignal<String>)> = method
        .method
        .attributes
        .iter()
        .map(|a| {
            let text = stored.values_of(&a.attribute).iter().map(|v| v.to_string()).collect::<Vec<_>>().join(" ");
            (a.attribute.clone(), RwSignal::new(text))
        })
        .collect();
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let note = use_saved_note();
    let (id, version) = (method.id.to_string(), stored.row_version);
    let inputs = fields.clone();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let mut results = Vec::new();
        for (attribute, text) in &inputs {
            match numbers(&text.get_untracked()) {
                Ok(values) => results.push(AttributeResults { attribute: attribute.clone(), values }),
                Err(why) => {
                    error.set(Some(format!("{attribute}: {why}")));
                    return;
                }
            }
        }
        let request = SiteResults { results, row_version: version };
        let id = id.clone();
        pending.set(true);
        spawn_local(async move {
            let outcome = match site {
                Site::Su => api::call::<SaveSuResults>([&id], &request).await,
                Site::Ru => api::call::<SaveRuResults>([&id], &request).await,
            };
            match outcome {
                Ok(_) => {
                    note.show(format!("{} results saved.", site.label()));
                    on_saved.run(())
                }
                Err(Failure::Api(e)) => error.set(Some(e.message)),
                Err(f) => error.set(Some(f.message())),
            }
            pending.set(false);
        });
    };
    let title = format!("{} results", site.label());
    let prefix = format!("{}-{}", site.as_str(), method.id);
    view! {
        <form class="results-form" on:submit=submit data-testid=format!("results-{}", site.as_str())>
            <h3>{title}</h3>
            {side.hidden.is_some().then(|| view! { <p class="muted small">"Not shown to your organisation."</p> })}
            <fieldset disabled=!editable class="plain">
                {fields.into_iter().map(|(attribute, value)| {
                    let field_id = format!("{prefix}-{}", attribute.to_lowercase().replace(' ', "-"));
                    view! {
                        <div class="field"><label for=field_id.clone()>{attribute.clone()}</label>
                            <input id=field_id type="text" inputmode="decimal" placeholder="e.g. 99.8 100.2 100.0"
                                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/></div>
                    }
                }).collect_view()}
            </fieldset>
            <p class="field-error">{move || error.get()}</p>
            {editable.then(|| view! { <button type="submit" class="button" disabled=move || pending.get()>"Save results"</button> })}
        </form>
    }
}

/// A new method with one attribute: the mean difference allowed between sites and the RSD allowed at each.
#[component]
pub fn NewMethodForm(transfer: TransferId, on_done: Callback<bool>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let attribute = RwSignal::new(String::new());
    let unit = RwSignal::new("%".to_owned());
    let difference = RwSignal::new(String::new());
    let rsd = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let built = (|| {
            let unit = Unit::parse(&unit.get_untracked()).map_err(|e| e.to_string())?;
            let mut criteria = Vec::new();
            if !difference.get_untracked().trim().is_empty() {
                let max = Decimal::parse(&difference.get_untracked()).map_err(|e| format!("Mean difference: {e}"))?;
                criteria.push(Criterion::AbsoluteMeanDifference { max });
            }
            if !rsd.get_untracked().trim().is_empty() {
                let max_percent = Decimal::parse(&rsd.get_untracked()).map_err(|e| format!("RSD: {e}"))?;
                criteria.push(Criterion::Rsd { max_percent });
            }
            let method = AnalyticalMethod {
                name: name.get_untracked(),
                attributes: vec![AttributeCriteria { attribute: attribute.get_untracked(), unit, criteria }],
            };
            method.validate().map_err(|e| e.message)?;
            Ok::<_, String>(method)
        })();
        let method = match built {
            Ok(m) => m,
            Err(why) => {
                error.set(Some(why));
                return;
            }
        };
        spawn_local(async move {
            match api::call::<AddMethod>([&transfer.to_string()], &method).await {
                Ok(_) => on_done.run(true),
                Err(f) => error.set(Some(f.message())),
            }
        });
    };
    let field = |id: &'static str, label: &'static str, value: RwSignal<String>, mode: &'static str| {
        view! {
            <div class="field"><label for=id>{label}</label>
                <input id=id type="text" inputmode=mode prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/></div>
        }
    };
    view! {
        <form class="panel form" on:submit=submit data-testid="new-method">
            <h2>"Add an analytical method"</h2>
            {field("m-name", "Method", name, "text")}
            <div class="field-row">
                {field("m-attribute", "Attribute", attribute, "text")}
                {field("m-unit", "Unit", unit, "text")}
            </div>
            <div class="field-row">
                {field("m-difference", "Largest mean difference between sites", difference, "decimal")}
                {field("m-rsd", "Largest RSD at each site (%)", rsd, "decimal")}
            </div>
            <p class="field-error">{move || error.get()}</p>
            <div class="dialog-actions">
                <button type="button" class="button" on:click=move |_| on_done.run(false)>"Cancel"</button>
                <button type="submit" class="button primary">"Add method"</button>
            </div>
        </form>
    }
}

//! The method page's forms: one site's results (a field per value, numbers as written), saved on the version
//! shown; and a new method with one attribute and its acceptance criteria.

use crate::api::{self, Failure};
use crate::components::saved_note::use_saved_note;
use baton_domain::decimal::Decimal;
use baton_domain::endpoints::{AddMethod, SaveRuResults, SaveSuResults};
use baton_domain::ids::TransferId;
use baton_domain::method_record::{AttributeResults, MethodView, SiteResults};
use baton_domain::method_transfer::{AnalyticalMethod, AttributeCriteria, Criterion, Site};
use baton_domain::units::Unit;
use baton_domain::value_entry;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// One site's results for every attribute of the method; editable by those the server lets contribute them.
#[component]
pub fn ResultsForm(method: MethodView, site: Site, editable: bool, on_saved: Callback<()>) -> impl IntoView {
    let side = match site {
        Site::Su => method.su.clone(),
        Site::Ru => method.ru.clone(),
    };
    let stored = side.results.clone().unwrap_or(SiteResults { results: Vec::new(), row_version: 0 });
    let fields: Vec<(String, RwSignal<Vec<String>>)> = method
        .method
        .attributes
        .iter()
        .map(|a| {
            let values: Vec<String> = stored.values_of(&a.attribute).iter().map(|v| v.to_string()).collect();
            (a.attribute.clone(), RwSignal::new(value_entry::entered(values, usize::MAX, "").0))
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
        for (attribute, entries) in &inputs {
            match entries.with_untracked(|e| value_entry::numbers(e)) {
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
                {fields.into_iter().map(|(attribute, entries)| {
                    let field_id = format!("{prefix}-{}", attribute.to_lowercase().replace(' ', "-"));
                    view! { <ValueFields attribute=attribute field_id=field_id entries=entries/> }
                }).collect_view()}
            </fieldset>
            <p class="field-error">{move || error.get()}</p>
            {editable.then(|| view! { <button type="submit" class="button" disabled=move || pending.get()>"Save results"</button> })}
        </form>
    }
}

/// One attribute's values, a field each, with an empty one at the end for the next.
#[component]
fn ValueFields(attribute: String, field_id: String, entries: RwSignal<Vec<String>>) -> impl IntoView {
    let group = field_id.clone();
    let legend = attribute.clone();
    let field = move |i: usize| {
        let base = field_id.clone();
        view! {
            <input id=format!("{base}-{i}") class="value-field" type="text" inputmode="decimal" autocomplete="off" placeholder="Add value"
                aria-label=format!("{attribute}, value {}", i + 1)
                prop:value=move || entries.with(|e| e.get(i).cloned().unwrap_or_default())
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    let mut next = None;
                    entries.update(|e| {
                        let (changed, focus) = value_entry::entered(std::mem::take(e), i, &text);
                        (*e, next) = (changed, focus);
                    });
                    if let Some(next) = next {
                        focus_field(format!("{base}-{next}"));
                    }
                }/>
        }
    };
    view! {
        <fieldset class="plain value-fields" data-testid=group>
            <legend>{legend}</legend>
            <div class="value-field-row">
                // Keyed by position, so a new empty field at the end leaves the one being typed in (and its focus)
                // alone.
                <For each=move || 0..entries.with(Vec::len) key=|i| *i children=field/>
            </div>
        </fieldset>
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

/// Moves the focus to field `id` once the page shows it (a field just added is drawn after this event).
fn focus_field(id: String) {
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        let field = document().get_element_by_id(&id).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(field) = field {
            // Fails only for an element that cannot take focus, which these fields always can.
            let _ = field.focus();
        }
    });
}

//! `/deviations/new`: the quick report, made for a tablet at the line: what, where, when, how serious, and
//! optionally a photo from the camera. Raised from a batch (`?batch=…`), it takes the batch's site, product and
//! transfer; raised from an out-of-specification result (`&test=…`), its title says which.
//!
//! The photo goes up the one document path once the deviation is saved: a quality-events document of the reporter's
//! organisation on the deviation. A photo that fails does not lose the report: the deviation stays saved, the
//! error shows beside the photo field, and the button retries the photo alone.

use crate::api::{self, Failure};
use crate::auth::RequireAuth;
use crate::components::documents_panel::{Place, start};
use crate::components::load_failure::load_failure;
use crate::components::loading::Loading;
use crate::components::shell::Shell;
use baton_domain::agreement::DataClass;
use baton_domain::batch::{BatchSetup, BatchView};
use baton_domain::deviation::{Classification, DeviationInput};
use baton_domain::document::photo_refusal;
use baton_domain::endpoints::{GetBatch, GetBatchSetup, RaiseDeviation};
use baton_domain::ids::{DeviationId, DocumentId, TransferId};
use chrono::{DateTime, NaiveDateTime, Utc};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use wasm_bindgen::JsCast;

/// Where the report comes from.
#[derive(Clone)]
enum Origin {
    /// A batch, and the out-of-specification test if that is why.
    Batch(Box<BatchView>, Option<String>),
    /// Nothing: the reporter chooses site and product.
    Standalone(BatchSetup),
}

/// `/deviations/new`
#[component]
pub fn NewDeviationPage() -> impl IntoView {
    let query = use_query_map();
    let loaded = LocalResource::new(move || {
        let (batch, test) = (query.read().get("batch"), query.read().get("test"));
        async move {
            Ok::<_, Failure>(match batch {
                Some(id) => Origin::Batch(Box::new(api::call::<GetBatch>([&id], &()).await?), test),
                None => Origin::Standalone(api::call::<GetBatchSetup>([], &()).await?),
            })
        }
    });
    let reload = Callback::new(move |()| loaded.refetch());
    view! {
        <RequireAuth>
            <Shell>
                <Suspense fallback=|| view! { <Loading label="Loading…"/> }>
                    {move || loaded.get().map(|result| match result {
                        Ok(origin) => view! { <DeviationForm origin=origin/> }.into_any(),
                        Err(failure) => load_failure(failure, "There is no batch at this address.", reload),
                    })}
                </Suspense>
            </Shell>
        </RequireAuth>
    }
}

/// The title an out-of-specification result suggests.
fn oos_title(batch: &BatchView, test: &str) -> String {
    batch.results.iter().rev().find(|r| r.test == test && r.out_of_spec).map_or_else(
        || format!("{test} out of specification on batch {}", batch.input.number),
        |r| format!("{test} {} outside {} on batch {}", r.value.reading(), r.value.specification(), batch.input.number),
    )
}

/// Now as a `datetime-local` value, in UTC (the server's clock and the audit trail's).
fn now_local() -> String {
    Utc::now().format("%Y-%m-%dT%H:%M").to_string()
}

/// A deviation saved while its photo is still to go up: where the photo goes, and the document started for it.
#[derive(Clone, Copy, Debug)]
struct Saved {
    id: DeviationId,
    transfer: Option<TransferId>,
    document: Option<DocumentId>,
}

/// Uploads `file` as the photo of the deviation `saved` names, starting its document first unless an earlier try
/// did (so a retry adds no second document). `saved` keeps the started document for the next try.
async fn send_photo(saved: RwSignal<Option<Saved>>, number: &str, file: &web_sys::File) -> Result<(), String> {
    let Some(at) = saved.get_untracked() else { return Ok(()) };
    let document = match at.document {
        Some(document) => document,
        None => {
            let place = Place::Deviation(at.transfer, at.id);
            let started = start(place, format!("Photo of {number}"), DataClass::QualityEvents).await;
            let document = started.map_err(|f| f.message())?.id;
            saved.set(Some(Saved { document: Some(document), ..at }));
            document
        }
    };
    api::upload_version(&document.to_string(), file, |_| ()).await.map(|_| ()).map_err(|f| f.message())
}

#[component]
fn DeviationForm(origin: Origin) -> impl IntoView {
    let (title_text, site0, product0, batch, transfer) = match &origin {
        Origin::Batch(b, test) => (
            test.as_deref().map(|t| oos_title(b, t)).unwrap_or_default(),
            b.input.site.to_string(),
            b.input.product.to_string(),
            Some(b.id),
            b.input.transfer,
        ),
        Origin::Standalone(setup) => (
            String::new(),
            setup.sites.first().map(|s| s.id.to_string()).unwrap_or_default(),
            setup.products.first().map(|p| p.id.to_string()).unwrap_or_default(),
            None,
            None,
        ),
    };
    let from_oos = matches!(&origin, Origin::Batch(_, Some(_)));
    let cancel = batch.map_or_else(|| "/deviations".to_owned(), |b| format!("/batches/{b}"));
    let title = RwSignal::new(title_text);
    let description = RwSignal::new(String::new());
    let location = RwSignal::new(String::new());
    let occurred = RwSignal::new(now_local());
    let classification = RwSignal::new(if from_oos { Classification::Major } else { Classification::Minor });
    let site = RwSignal::new(site0);
    let product = RwSignal::new(product0);
    let error = RwSignal::new(None::<(String, String)>);
    let pending = RwSignal::new(false);
    let photo = RwSignal::new_local(None::<web_sys::File>);
    let photo_error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(None::<Saved>);
    let number = RwSignal::new(String::new());
    let navigate = StoredValue::new_local(use_navigate());
    let open = move |id: DeviationId| navigate.with_value(|go| go(&format!("/deviations/{id}"), Default::default()));
    // The photo, once the deviation is saved; on success the deviation's page, which shows it.
    let upload_photo = move |file: web_sys::File| {
        pending.set(true);
        photo_error.set(None);
        spawn_local(async move {
            match send_photo(saved, &number.get_untracked(), &file).await {
                Ok(()) => {
                    if let Some(at) = saved.get_untracked() {
                        open(at.id);
                    }
                }
                Err(message) => photo_error.set(Some(format!("The photo was not saved: {message}"))),
            }
            pending.set(false);
        });
    };
    let picked = move |ev: leptos::ev::Event| {
        let input = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        let file = input.as_ref().and_then(|i| i.files()).and_then(|f| f.get(0));
        match file.as_ref().and_then(|f| photo_refusal(&f.type_(), &f.name(), f.size() as u64)) {
            Some(refusal) => {
                photo_error.set(Some(refusal));
                photo.set(None);
                if let Some(input) = input {
                    input.set_value("");
                }
            }
            None => {
                photo_error.set(None);
                photo.set(file);
            }
        }
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if saved.get_untracked().is_some() {
            // The deviation is saved already: only its photo is tried again (or, without one, its page opens).
            match photo.get_untracked() {
                Some(file) => upload_photo(file),
                None => {
                    if let Some(at) = saved.get_untracked() {
                        open(at.id);
                    }
                }
            }
            return;
        }
        let occurred_at = NaiveDateTime::parse_from_str(&occurred.get_untracked(), "%Y-%m-%dT%H:%M")
            .map(|t| DateTime::<Utc>::from_naive_utc_and_offset(t, Utc));
        let (Ok(occurred_at), Ok(site_id), Ok(product_id)) =
            (occurred_at, site.get_untracked().parse(), product.get_untracked().parse())
        else {
            error.set(Some(("occurred_at".into(), "Enter when it happened, the site and the product.".into())));
            return;
        };
        let input = DeviationInput {
            title: title.get_untracked(),
            description: description.get_untracked(),
            location: location.get_untracked(),
            occurred_at,
            classification: classification.get_untracked(),
            site: site_id,
            product: product_id,
            batch,
            transfer,
        };
        if let Err(e) = input.validate(Utc::now()) {
            error.set(Some((e.field.unwrap_or_default(), e.message)));
            return;
        }
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            match api::call::<RaiseDeviation>([], &input).await {
                Ok(raised) => match photo.get_untracked() {
                    None => open(raised.id),
                    Some(file) => {
                        number.set(raised.number.clone());
                        saved.set(Some(Saved { id: raised.id, transfer, document: None }));
                        upload_photo(file);
                        return;
                    }
                },
                Err(Failure::Api(e)) => error.set(Some((e.field.unwrap_or_default(), e.message))),
                Err(f) => error.set(Some((String::new(), f.message()))),
            }
            pending.set(false);
        });
    };
    let problem = move |field: &'static str| move || error.get().filter(|(f, _)| f == field).map(|(_, m)| m);
    let context = match &origin {
        Origin::Batch(b, _) => view! {
            <p class="muted">{format!("On batch {} · {} · {}", b.input.number, b.product.name, b.site.name)}</p>
        }
        .into_any(),
        Origin::Standalone(setup) => view! {
            <div class="form-grid">
                <div class="field"><label for="dev-site">"Site"</label>
                    <select id="dev-site" on:change=move |ev| site.set(event_target_value(&ev))>
                        {setup.sites.iter().map(|s| view! { <option value=s.id.to_string()>{s.name.clone()}</option> }).collect_view()}
                    </select></div>
                <div class="field"><label for="dev-product">"Product"</label>
                    <select id="dev-product" on:change=move |ev| product.set(event_target_value(&ev))>
                        {setup.products.iter().map(|p| view! { <option value=p.id.to_string()>{p.name.clone()}</option> }).collect_view()}
                    </select><p class="field-error">{problem("product")}</p></div>
            </div>
        }
        .into_any(),
    };
    view! {
        <form class="panel form entry-form" on:submit=submit data-testid="deviation-form" novalidate>
            <h1>"Report a deviation"</h1>
            // Once saved, the report is the deviation's: changes are made on its page, not here.
            <fieldset class="fieldset-plain" prop:disabled=move || saved.get().is_some()>
            {context}
            <div class="field"><label for="dev-title">"What happened"</label>
                <input id="dev-title" type="text" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev))/>
                <p class="field-error">{problem("title")}</p></div>
            <div class="form-grid">
                <div class="field"><label for="dev-location">"Where (room, line, equipment)"</label>
                    <input id="dev-location" type="text" prop:value=move || location.get() on:input=move |ev| location.set(event_target_value(&ev))/></div>
                <div class="field"><label for="dev-when">"When (UTC)"</label>
                    <input id="dev-when" type="datetime-local" prop:value=move || occurred.get() on:input=move |ev| occurred.set(event_target_value(&ev))/>
                    <p class="field-error">{problem("occurred_at")}</p></div>
            </div>
            <fieldset class="field choice-row">
                <legend>"How serious"</legend>
                {Classification::ALL.iter().map(|c| {
                    let c = *c;
                    view! {
                        <label class="choice big-choice">
                            <input type="radio" name="dev-class" value=c.as_str() prop:checked=move || classification.get() == c
                                on:change=move |_| classification.set(c)/>
                            {c.label()} <span class="muted small">{format!(" · close within {} days", c.days_to_close())}</span>
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <div class="field"><label for="dev-description">"Details"</label>
                <textarea id="dev-description" rows="4" prop:value=move || description.get()
                    on:input=move |ev| description.set(event_target_value(&ev))></textarea></div>
            </fieldset>
            <div class="field"><span class="field-label">"Photo (optional)"</span>
                <label class="button photo-button">"Add a photo"
                    <input type="file" class="visually-hidden" accept="image/*" capture="environment"
                        data-testid="deviation-photo" on:change=picked/>
                </label>
                <span class="muted small" data-testid="photo-chosen">{move || photo.with(|p| p.as_ref().map(|f| format!(" {}", f.name())))}</span>
                <p class="field-error" role="alert" data-testid="photo-error">{move || photo_error.get()}</p></div>
            {move || saved.get().map(|at| view! {
                <p class="banner saved" role="status" data-testid="deviation-saved">
                    {format!("Deviation {} is saved. ", number.get())}
                    <a href=format!("/deviations/{}", at.id)>"Open it without the photo"</a>
                </p>
            })}
            <p class="field-error" data-testid="deviation-error">{move || error.get().filter(|(f, _)| !matches!(f.as_str(), "title" | "occurred_at" | "product")).map(|(_, m)| m)}</p>
            <div class="dialog-actions">
                <a class="button" href=cancel>"Cancel"</a>
                <button type="submit" class="button primary" disabled=move || pending.get()>
                    {move || match (saved.get().is_some(), pending.get()) {
                        (_, true) if photo.with(Option::is_some) => "Sending…",
                        (true, _) => "Retry the photo",
                        _ => "Report deviation",
                    }}
                </button>
            </div>
        </form>
    }
}

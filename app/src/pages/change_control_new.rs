//! `/change-controls/new`: raising a change control — the partner it affects, the product (and the transfer or site,
//! if one), what kind of change, what and why, and when it is proposed for.

use crate::api::{self, Failure};
use crate::auth::RequireAuth;
use crate::components::load_failure::load_failure;
use crate::components::loading::Loading;
use crate::components::shell::Shell;
use baton_domain::change_control::{ChangeControlInput, ChangeControlSetup, ChangeType, PartnershipOption};
use baton_domain::endpoints::{GetChangeControlSetup, RaiseChangeControl};
use chrono::{NaiveDate, Utc};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

/// `/change-controls/new`
#[component]
pub fn NewChangeControlPage() -> impl IntoView {
    let loaded = LocalResource::new(|| api::call::<GetChangeControlSetup>([], &()));
    let reload = Callback::new(move |()| loaded.refetch());
    view! {
        <RequireAuth>
            <Shell>
                <Suspense fallback=|| view! { <Loading label="Loading…"/> }>
                    {move || loaded.get().map(|result| match result {
                        Ok(setup) if setup.partnerships.is_empty() => view! {
                            <p class="panel empty-state">"Your organisation has no partnership yet: change controls are raised within one."</p>
                        }.into_any(),
                        Ok(setup) => view! { <ChangeForm setup=setup/> }.into_any(),
                        Err(failure) => load_failure(failure, "", reload),
                    })}
                </Suspense>
            </Shell>
        </RequireAuth>
    }
}

/// A form field's value as an optional id: empty is none.
fn optional<T: std::str::FromStr>(value: &str) -> Option<T> {
    value.parse().ok()
}

#[component]
fn ChangeForm(setup: ChangeControlSetup) -> impl IntoView {
    let partnerships = StoredValue::new(setup.partnerships);
    let first = partnerships.with_value(|p| p.first().map(|p| p.partner.id.to_string()).unwrap_or_default());
    let partner = RwSignal::new(first);
    let chosen = move || -> Option<PartnershipOption> {
        let id = partner.get();
        partnerships.with_value(|all| all.iter().find(|p| p.partner.id.to_string() == id).cloned())
    };
    let product =
        RwSignal::new(chosen().and_then(|p| p.products.first().map(|p| p.id.to_string())).unwrap_or_default());
    let transfer = RwSignal::new(String::new());
    let site = RwSignal::new(String::new());
    let change_type = RwSignal::new(ChangeType::Process);
    let title = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let justification = RwSignal::new(String::new());
    let proposed = RwSignal::new(String::new());
    let error = RwSignal::new(None::<(String, String)>);
    let pending = RwSignal::new(false);
    let navigate = use_navigate();
    let pick_partner = move |ev: leptos::ev::Event| {
        partner.set(event_target_value(&ev));
        product.set(chosen().and_then(|p| p.products.first().map(|p| p.id.to_string())).unwrap_or_default());
        transfer.set(String::new());
        site.set(String::new());
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (Some(partner_id), Some(product_id)) =
            (optional(&partner.get_untracked()), optional(&product.get_untracked()))
        else {
            error.set(Some(("product".into(), "Choose the partner and the product.".into())));
            return;
        };
        let Ok(proposed_on) = proposed.get_untracked().parse::<NaiveDate>() else {
            error.set(Some(("proposed_implementation".into(), "Choose the date the change is proposed for.".into())));
            return;
        };
        let input = ChangeControlInput {
            partner: partner_id,
            product: product_id,
            transfer: optional(&transfer.get_untracked()),
            site: optional(&site.get_untracked()),
            change_type: change_type.get_untracked(),
            title: title.get_untracked(),
            description: description.get_untracked(),
            justification: justification.get_untracked(),
            proposed_implementation: proposed_on,
        };
        if let Err(e) = input.validate(Utc::now().date_naive()) {
            error.set(Some((e.field.unwrap_or_default(), e.message)));
            return;
        }
        pending.set(true);
        error.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::call::<RaiseChangeControl>([], &input).await {
                Ok(raised) => navigate(&format!("/change-controls/{}", raised.id), Default::default()),
                Err(Failure::Api(e)) => error.set(Some((e.field.unwrap_or_default(), e.message))),
                Err(f) => error.set(Some((String::new(), f.message()))),
            }
            pending.set(false);
        });
    };
    let problem = move |field: &'static str| move || error.get().filter(|(f, _)| f == field).map(|(_, m)| m);
    const SHOWN: [&str; 8] =
        ["partner", "product", "transfer", "site", "title", "description", "justification", "proposed_implementation"];
    view! {
        <form class="panel form entry-form" on:submit=submit data-testid="change-form" novalidate>
            <h1>"Raise a change control"</h1>
            <p class="muted">"Your organisation owns it; both parties see it, assess its impact, and QA of the party the quality agreement names approves it."</p>
            <div class="form-grid">
                <div class="field"><label for="cc-partner">"Partner it affects"</label>
                    <select id="cc-partner" on:change=pick_partner>
                        {partnerships.get_value().into_iter().map(|p| view! { <option value=p.partner.id.to_string()>{p.partner.name}</option> }).collect_view()}
                    </select><p class="field-error">{problem("partner")}</p></div>
                <div class="field"><label for="cc-product">"Product"</label>
                    <select id="cc-product" on:change=move |ev| { product.set(event_target_value(&ev)); transfer.set(String::new()); }>
                        {move || chosen().map(|p| p.products.into_iter().map(|p| {
                            let id = p.id.to_string();
                            view! { <option value=id.clone() selected=move || product.get() == id>{p.name}</option> }
                        }).collect_view())}
                    </select><p class="field-error">{problem("product")}</p></div>
                <div class="field"><label for="cc-transfer">"Transfer (if any)"</label>
                    <select id="cc-transfer" on:change=move |ev| transfer.set(event_target_value(&ev))>
                        <option value="" selected=move || transfer.get().is_empty()>"None"</option>
                        {move || chosen().map(|p| p.transfers.into_iter().filter(|t| t.product.to_string() == product.get()).map(|t| {
                            let id = t.transfer.id.to_string();
                            view! { <option value=id.clone() selected=move || transfer.get() == id>{t.transfer.code}</option> }
                        }).collect_view())}
                    </select><p class="field-error">{problem("transfer")}</p></div>
                <div class="field"><label for="cc-site">"Site (if one)"</label>
                    <select id="cc-site" on:change=move |ev| site.set(event_target_value(&ev))>
                        <option value="" selected=move || site.get().is_empty()>"None"</option>
                        {move || chosen().map(|p| p.sites.into_iter().map(|s| {
                            let id = s.id.to_string();
                            view! { <option value=id.clone() selected=move || site.get() == id>{format!("{} · {}", s.name, s.organisation.name)}</option> }
                        }).collect_view())}
                    </select><p class="field-error">{problem("site")}</p></div>
                <div class="field"><label for="cc-type">"Type of change"</label>
                    <select id="cc-type" on:change=move |ev| { if let Ok(t) = event_target_value(&ev).parse() { change_type.set(t) } }>
                        {ChangeType::ALL.iter().map(|t| view! { <option value=t.as_str()>{t.label()}</option> }).collect_view()}
                    </select></div>
                <div class="field"><label for="cc-proposed">"Proposed implementation"</label>
                    <input id="cc-proposed" type="date" prop:value=move || proposed.get() on:input=move |ev| proposed.set(event_target_value(&ev))/>
                    <p class="field-error">{problem("proposed_implementation")}</p></div>
            </div>
            <div class="field"><label for="cc-title">"The change, in a line"</label>
                <input id="cc-title" type="text" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev))/>
                <p class="field-error">{problem("title")}</p></div>
            <div class="field"><label for="cc-description">"What changes, from what to what"</label>
                <textarea id="cc-description" rows="4" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))></textarea>
                <p class="field-error">{problem("description")}</p></div>
            <div class="field"><label for="cc-justification">"Why it is needed"</label>
                <textarea id="cc-justification" rows="3" prop:value=move || justification.get() on:input=move |ev| justification.set(event_target_value(&ev))></textarea>
                <p class="field-error">{problem("justification")}</p></div>
            <p class="field-error" data-testid="change-error">{move || error.get().filter(|(f, _)| !SHOWN.contains(&f.as_str())).map(|(_, m)| m)}</p>
            <div class="dialog-actions">
                <a class="button" href="/change-controls">"Cancel"</a>
                <button type="submit" class="button primary" disabled=move || pending.get()>"Raise change control"</button>
            </div>
        </form>
    }
}

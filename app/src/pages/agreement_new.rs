//! `/agreements/new`: the grantor drafts an agreement for one partner's transfers.

use crate::api;
use crate::auth::RequireAuth;
use crate::components::loading::Loading;
use crate::components::shell::Shell;
use baton_domain::agreement::{AgreementTerms, Coverage, DataClass, Permission, Scope};
use baton_domain::endpoints::{CreateAgreement, ListPartners, ListTransfers};
use baton_domain::ids::{OrgId, TransferId};
use chrono::{Datelike, NaiveDate, Utc};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use std::collections::BTreeSet;

/// `/agreements/new`
#[component]
pub fn NewAgreementPage() -> impl IntoView {
    view! {
        <RequireAuth>
            <Shell>
                <NewAgreementForm/>
            </Shell>
        </RequireAuth>
    }
}

fn parse_date(text: &str) -> Option<chrono::DateTime<Utc>> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc())
}

#[component]
fn NewAgreementForm() -> impl IntoView {
    let navigate = use_navigate();
    let data = LocalResource::new(|| async {
        (api::call::<ListPartners>([], &()).await, api::call::<ListTransfers>([], &()).await)
    });
    let today = Utc::now().date_naive();
    let next_year = today.with_year(today.year() + 1).unwrap_or(today);

    let partner = RwSignal::new(None::<OrgId>);
    let title = RwSignal::new(String::new());
    let transfers = RwSignal::new(BTreeSet::<TransferId>::new());
    let classes = RwSignal::new(BTreeSet::<DataClass>::new());
    let permission = RwSignal::new(Permission::View);
    let valid_from = RwSignal::new(today.format("%Y-%m-%d").to_string());
    let valid_until = RwSignal::new(next_year.format("%Y-%m-%d").to_string());
    let error = RwSignal::new(None::<(String, String)>);
    let pending = RwSignal::new(false);
    let error_for = move |field: &'static str| {
        move || {
            error
                .get()
                .filter(|(f, _)| f.starts_with(field))
                .map(|(_, m)| view! { <p class="field-error" role="alert">{m}</p> })
        }
    };

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(grantee) = partner.get_untracked() else {
            error.set(Some(("grantee".into(), "Choose the partner who receives access.".into())));
            return;
        };
        let (Some(from), Some(until)) =
            (parse_date(&valid_from.get_untracked()), parse_date(&valid_until.get_untracked()))
        else {
            error.set(Some(("valid_until".into(), "Give both dates as YYYY-MM-DD.".into())));
            return;
        };
        let chosen: Vec<TransferId> = transfers.get_untracked().into_iter().collect();
        let terms = AgreementTerms {
            title: title.get_untracked(),
            grantee,
            scope: Scope {
                products: Coverage::All,
                transfers: Coverage::Only(chosen),
                data_classes: classes.get_untracked().into_iter().collect(),
            },
            permission: permission.get_untracked(),
            valid_from: from,
            valid_until: until,
        };
        if let Err(e) = terms.validate() {
            error.set(Some((e.field.unwrap_or_default(), e.message)));
            return;
        }
        let navigate = navigate.clone();
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            match api::call::<CreateAgreement>([], &terms).await {
                // Navigating unmounts this form: touch none of its signals afterwards.
                Ok(created) => navigate(&format!("/agreements/{}", created.id), Default::default()),
                Err(f) => {
                    pending.set(false);
                    let field = match &f {
                        api::Failure::Api(e) => e.field.clone().unwrap_or_default(),
                        api::Failure::Network(_) => String::new(),
                    };
                    error.set(Some((field, f.message())));
                }
            }
        });
    };

    view! {
        <header class="page-header"><div>
            <h1>"Draft a data-sharing agreement"</h1>
            <p class="muted">"Your organisation grants one partner access to agreed data of chosen transfers. It is in force once an admin of each side has signed."</p>
        </div></header>
        <Suspense fallback=|| view! { <Loading label="Loading partners and transfers…"/> }>
            {move || data.get().map(|(partners, all_transfers)| {
                let partners = partners.map(|p| p.items).unwrap_or_default();
                let all_transfers = all_transfers.map(|t| t.items).unwrap_or_default();
                view! {
                    <form class="panel form" on:submit=submit.clone() novalidate data-testid="agreement-form">
                        <div class="field">
                            <label for="partner">"Partner (grantee)"</label>
                            <select id="partner" on:change=move |ev| {
                                partner.set(event_target_value(&ev).parse().ok());
                                transfers.set(BTreeSet::new());
                            }>
                                <option value="">"Choose a partner…"</option>
                                {partners.into_iter().map(|p| view! { <option value=p.organisation.id.to_string()>{p.organisation.name}</option> }).collect_view()}
                            </select>
                            {error_for("grantee")}
                        </div>
                        <div class="field">
                            <label for="title">"Title"</label>
                            <input id="title" type="text" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev))/>
                            {error_for("title")}
                        </div>
                        <fieldset class="field choices">
                            <legend>"Transfers covered"</legend>
                            {move || {
                                let shown: Vec<_> = all_transfers.iter().filter(|t| Some(t.partner.id) == partner.get()).cloned().collect();
                                if shown.is_empty() {
                                    view! { <p class="muted">"Choose a partner to see your transfers with them."</p> }.into_any()
                                } else {
                                    shown.into_iter().map(|t| {
                                        let id = t.id;
                                        view! {
                                            <label class="choice">
                                                <input type="checkbox" value=id.to_string() prop:checked=move || transfers.get().contains(&id)
                                                    on:change=move |ev| { let on = event_target_checked(&ev); transfers.update(|s| { if on { s.insert(id); } else { s.remove(&id); } }) }/>
                                                <span><span class="mono">{t.code}</span> " · " {t.product}</span>
                                            </label>
                                        }
                                    }).collect_view().into_any()
                                }
                            }}
                            {error_for("scope.transfers")}
                        </fieldset>
                        <fieldset class="field choices">
                            <legend>"Data classes shared"</legend>
                            {DataClass::ALL.iter().copied().map(|c| view! {
                                <label class="choice">
                                    <input type="checkbox" value=c.as_str() prop:checked=move || classes.get().contains(&c)
                                        on:change=move |ev| { let on = event_target_checked(&ev); classes.update(|s| { if on { s.insert(c); } else { s.remove(&c); } }) }/>
                                    <span>{c.label()}</span>
                                </label>
                            }).collect_view()}
                            {error_for("scope.data_classes")}
                        </fieldset>
                        <div class="field">
                            <label for="permission">"Permission"</label>
                            <select id="permission" on:change=move |ev| {
                                if let Ok(p) = event_target_value(&ev).parse() { permission.set(p) }
                            }>
                                {Permission::ALL.iter().map(|p| view! { <option value=p.as_str()>{p.label()}</option> }).collect_view()}
                            </select>
                        </div>
                        <div class="field-row">
                            <div class="field">
                                <label for="valid-from">"Valid from (UTC)"</label>
                                <input id="valid-from" type="date" prop:value=move || valid_from.get() on:input=move |ev| valid_from.set(event_target_value(&ev))/>
                            </div>
                            <div class="field">
                                <label for="valid-until">"Valid until (UTC)"</label>
                                <input id="valid-until" type="date" prop:value=move || valid_until.get() on:input=move |ev| valid_until.set(event_target_value(&ev))/>
                                {error_for("valid_until")}
                            </div>
                        </div>
                        {move || error.get().filter(|(f, _)| f.is_empty()).map(|(_, m)| view! { <div class="banner error" role="alert">{m}</div> })}
                        <button type="submit" class="button primary" disabled=move || pending.get()>
                            {move || if pending.get() { "Saving…" } else { "Save draft" }}
                        </button>
                    </form>
                }
            })}
        </Suspense>
    }
}

//! Changing a draft agreement's terms: permission, validity and data classes, with the reason for the change.

use crate::api;
use baton_domain::agreement::{AgreementChange, AgreementTerms, AgreementView, DataClass, Permission};
use baton_domain::endpoints::ChangeAgreement;
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeSet;

fn day(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc())
}

/// An inline editor for a draft's terms; `on_saved` runs after the server accepted the change.
#[component]
pub fn TermsEditor(agreement: AgreementView, on_saved: Callback<()>) -> impl IntoView {
    let permission = RwSignal::new(agreement.permission);
    let classes: RwSignal<BTreeSet<DataClass>> = RwSignal::new(agreement.scope.data_classes.iter().copied().collect());
    let valid_from = RwSignal::new(agreement.valid_from.format("%Y-%m-%d").to_string());
    let valid_until = RwSignal::new(agreement.valid_until.format("%Y-%m-%d").to_string());
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let save = move |_| {
        let (Some(from), Some(until)) = (day(&valid_from.get_untracked()), day(&valid_until.get_untracked())) else {
            error.set(Some("Give both dates as YYYY-MM-DD.".into()));
            return;
        };
        let mut scope = agreement.scope.clone();
        scope.data_classes = classes.get_untracked().into_iter().collect();
        let terms = AgreementTerms {
            title: agreement.title.clone(),
            grantee: agreement.grantee.id,
            scope,
            permission: permission.get_untracked(),
            valid_from: from,
            valid_until: until,
        };
        if let Err(e) = terms.validate() {
            error.set(Some(e.message));
            return;
        }
        if reason.get_untracked().trim().is_empty() {
            error.set(Some("Say why the terms change: agreements are regulated records.".into()));
            return;
        }
        let change = AgreementChange { terms, row_version: agreement.row_version, reason: reason.get_untracked() };
        let id = agreement.id.to_string();
        pending.set(true);
        spawn_local(async move {
            match api::call::<ChangeAgreement>([&id], &change).await {
                Ok(_) => on_saved.run(()),
                Err(f) => {
                    error.set(Some(f.message()));
                    pending.set(false);
                }
            }
        });
    };
    view! {
        <section class="panel form" data-testid="terms-editor">
            <h2>"Change the terms"</h2>
            <p class="muted">"Signatures given to the current terms will no longer count; both parties approve again."</p>
            <div class="field">
                <label for="edit-permission">"Permission"</label>
                <select id="edit-permission" on:change=move |ev| if let Ok(p) = event_target_value(&ev).parse() { permission.set(p) }>
                    {Permission::ALL.iter().map(|p| { let p = *p; view! {
                        <option value=p.as_str() selected=move || permission.get() == p>{p.label()}</option>
                    } }).collect_view()}
                </select>
            </div>
            <fieldset class="field choices">
                <legend>"Data classes shared"</legend>
                {DataClass::ALL.iter().copied().map(|c| view! {
                    <label class="choice">
                        <input type="checkbox" prop:checked=move || classes.get().contains(&c)
                            on:change=move |ev| { let on = event_target_checked(&ev); classes.update(|s| { if on { s.insert(c); } else { s.remove(&c); } }) }/>
                        <span>{c.label()}</span>
                    </label>
                }).collect_view()}
            </fieldset>
            <div class="field-row">
                <div class="field">
                    <label for="edit-from">"Valid from (UTC)"</label>
                    <input id="edit-from" type="date" prop:value=move || valid_from.get() on:input=move |ev| valid_from.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="edit-until">"Valid until (UTC)"</label>
                    <input id="edit-until" type="date" prop:value=move || valid_until.get() on:input=move |ev| valid_until.set(event_target_value(&ev))/>
                </div>
            </div>
            <div class="field">
                <label for="edit-reason">"Reason for the change"</label>
                <input id="edit-reason" type="text" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
            </div>
            {move || error.get().map(|m| view! { <div class="banner error" role="alert">{m}</div> })}
            <button type="button" class="button primary" disabled=move || pending.get() on:click=save>"Save changes"</button>
        </section>
    }
}

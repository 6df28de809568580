//! `/transfers/new`: a sponsor's lead starts a transfer — product, CMO, sending and receiving sites, dates and
//! team — and it gets its stages and deliverables from the organisation's template.

use crate::api::{self, Failure};
use crate::auth::RequireAuth;
use crate::components::load_failure::load_failure;
use crate::components::loading::Loading;
use crate::components::shell::Shell;
use crate::pages::stage_forms::parse_day;
use baton_domain::endpoints::{CreateTransfer, GetTransferSetup};
use baton_domain::transfer::{PersonChoice, TeamMemberInput, TransferDraft, TransferSetup};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use std::collections::BTreeMap;

/// `/transfers/new`
#[component]
pub fn NewTransferPage() -> impl IntoView {
    let setup = LocalResource::new(|| api::call::<GetTransferSetup>([], &()));
    view! {
        <RequireAuth>
            <Shell>
                <Suspense fallback=|| view! { <Loading label="Loading your products and partners…"/> }>
                    {move || setup.get().map(|result| match result {
                        Ok(setup) => view! { <NewTransferForm setup=setup/> }.into_any(),
                        Err(f) => load_failure(f, "Starting a transfer is not available.", Callback::new(move |()| setup.refetch())),
                    })}
                </Suspense>
            </Shell>
        </RequireAuth>
    }
}

fn select_value(ev: &leptos::ev::Event) -> String {
    event_target_value(ev)
}

#[component]
fn NewTransferForm(setup: TransferSetup) -> impl IntoView {
    let first = |v: Option<String>| RwSignal::new(v.unwrap_or_default());
    let product = first(setup.products.first().map(|p| p.id.to_string()));
    let cmo = first(setup.partners.first().map(|p| p.organisation.id.to_string()));
    let sending = first(setup.sites.first().map(|s| s.id.to_string()));
    let receiving = first(setup.partners.first().and_then(|p| p.sites.first()).map(|s| s.id.to_string()));
    let started = RwSignal::new(String::new());
    let target = RwSignal::new(String::new());
    // Chosen team members: user id → responsibility.
    let team = RwSignal::new(BTreeMap::<String, String>::new());
    let error = RwSignal::new(None::<(String, String)>);
    let pending = RwSignal::new(false);
    let navigate = use_navigate();
    let partners = StoredValue::new(setup.partners.clone());
    let own_people = setup.people.clone();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let parsed = (
            product.get_untracked().parse(),
            cmo.get_untracked().parse(),
            sending.get_untracked().parse(),
            receiving.get_untracked().parse(),
        );
        let (Ok(product), Ok(cmo), Ok(sending_site), Ok(receiving_site)) = parsed else {
            error.set(Some((String::new(), "Choose a product, a CMO and both sites.".into())));
            return;
        };
        let (Some(started_on), Some(target_completion)) =
            (parse_day(&started.get_untracked()), parse_day(&target.get_untracked()))
        else {
            error.set(Some(("started_on".into(), "Enter the start and the target completion dates.".into())));
            return;
        };
        let team = team
            .get_untracked()
            .into_iter()
            .filter_map(|(user, responsibility)| Some(TeamMemberInput { user: user.parse().ok()?, responsibility }))
            .collect();
        let draft = TransferDraft { product, cmo, sending_site, receiving_site, started_on, target_completion, team };
        if let Err(e) = draft.validate() {
            error.set(Some((e.field.unwrap_or_default(), e.message)));
            return;
        }
        pending.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::call::<CreateTransfer>([], &draft).await {
                Ok(created) => navigate(&format!("/transfers/{}", created.id), Default::default()),
                Err(Failure::Api(e)) => error.set(Some((e.field.unwrap_or_default(), e.message))),
                Err(f) => error.set(Some((String::new(), f.message()))),
            }
            pending.set(false);
        });
    };
    let partner_people = move || -> Vec<PersonChoice> {
        partners.with_value(|ps| {
            ps.iter().find(|p| p.organisation.id.to_string() == cmo.get()).map(|p| p.people.clone()).unwrap_or_default()
        })
    };
    let invalid = move |field: &'static str| move || error.get().is_some_and(|(f, _)| f == field).to_string();
    let stages: Vec<String> = setup.template.stages.iter().map(|s| s.name.clone()).collect();
    let no_products = setup.products.is_empty() || setup.partners.is_empty();
    view! {
        <header class="page-header"><div>
            <p class="record-kind">"Technology transfer"</p>
            <h1>"Start a transfer"</h1>
            <p class="muted">"It gets the stages of your template, “" {setup.template.name.clone()} "”: "
                {stages.join(" · ")} "."</p>
        </div></header>
        {no_products.then(|| view! {
            <p class="panel muted">"Your organisation needs a product and a partner CMO before it can start a transfer."</p>
        })}
        <form class="panel form" on:submit=submit data-testid="new-transfer" novalidate>
            <div class="field-row">
                <div class="field"><label for="t-product">"Product"</label>
                    <select id="t-product" on:change=move |ev| product.set(select_value(&ev))>
                        {setup.products.iter().map(|p| view! { <option value=p.id.to_string()>{format!("{} — {}", p.name, p.form)}</option> }).collect_view()}
                    </select></div>
                <div class="field"><label for="t-cmo">"CMO (receiving unit)"</label>
                    <select id="t-cmo" aria-invalid=invalid("cmo") on:change=move |ev| {
                        cmo.set(select_value(&ev));
                        let site = partners.with_value(|ps| ps.iter().find(|p| p.organisation.id.to_string() == cmo.get_untracked())
                            .and_then(|p| p.sites.first()).map(|s| s.id.to_string()));
                        receiving.set(site.unwrap_or_default());
                    }>
                        {setup.partners.iter().map(|p| view! { <option value=p.organisation.id.to_string()>{p.organisation.name.clone()}</option> }).collect_view()}
                    </select></div>
            </div>
            <div class="field-row">
                <div class="field"><label for="t-sending">"Sending site"</label>
                    <select id="t-sending" aria-invalid=invalid("sending_site") on:change=move |ev| sending.set(select_value(&ev))>
                        {setup.sites.iter().map(|s| view! { <option value=s.id.to_string()>{format!("{} ({})", s.name, s.location)}</option> }).collect_view()}
                    </select></div>
                <div class="field"><label for="t-receiving">"Receiving site"</label>
                    <select id="t-receiving" aria-invalid=invalid("receiving_site") on:change=move |ev| receiving.set(select_value(&ev))>
                        {move || partners.with_value(|ps| ps.iter().find(|p| p.organisation.id.to_string() == cmo.get())
                            .map(|p| p.sites.iter().map(|s| view! { <option value=s.id.to_string()>{format!("{} ({})", s.name, s.location)}</option> }).collect_view()))}
                    </select></div>
            </div>
            <div class="field-row">
                <div class="field"><label for="t-start">"Start"</label>
                    <input id="t-start" type="date" aria-invalid=invalid("started_on") prop:value=move || started.get()
                        on:input=move |ev| started.set(event_target_value(&ev))/></div>
                <div class="field"><label for="t-target">"Target completion"</label>
                    <input id="t-target" type="date" aria-invalid=invalid("target_completion") prop:value=move || target.get()
                        on:input=move |ev| target.set(event_target_value(&ev))/></div>
            </div>
            <fieldset class="choices">
                <legend>"Team"</legend>
                <TeamChoices people=Signal::derive(move || own_people.clone()) team=team/>
                <TeamChoices people=Signal::derive(partner_people) team=team/>
            </fieldset>
            <p class="field-error" data-testid="new-transfer-error">{move || error.get().map(|(_, m)| m)}</p>
            <button type="submit" class="button primary" disabled=move || pending.get() || no_products>"Start transfer"</button>
        </form>
    }
}

/// A checkbox per person; a chosen person gets a responsibility field.
#[component]
fn TeamChoices(people: Signal<Vec<PersonChoice>>, team: RwSignal<BTreeMap<String, String>>) -> impl IntoView {
    move || {
        people
            .get()
            .into_iter()
            .map(|p| {
                let id = p.person.id.to_string();
                let (check_id, text_id) = (id.clone(), id.clone());
                let chosen = Signal::derive(move || team.with(|t| t.contains_key(&check_id)));
                let responsibility = move || team.with(|t| t.get(&text_id).cloned().unwrap_or_default());
                let (toggle_id, input_id) = (id.clone(), id.clone());
                view! {
                    <div class="team-choice">
                        <label class="choice">
                            <input type="checkbox" prop:checked=chosen on:change=move |_| team.update(|t| {
                                if t.remove(&toggle_id).is_none() { t.insert(toggle_id.clone(), String::new()); }
                            })/>
                            {format!("{} — {}", p.person.name, p.role.label())}
                        </label>
                        {move || chosen.get().then(|| {
                            let input_id = input_id.clone();
                            view! {
                                <input class="cell-input" type="text" placeholder="Responsibility on this transfer"
                                    aria-label=format!("Responsibility of {}", p.person.name)
                                    prop:value=responsibility.clone()
                                    on:input=move |ev| { let v = event_target_value(&ev); team.update(|t| { t.insert(input_id.clone(), v); }); }/>
                            }
                        })}
                    </div>
                }
            })
            .collect_view()
    }
}

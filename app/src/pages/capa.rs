//! `/capas/{id}`: one CAPA — what prompted it (deviations, a KPI reading), its actions, its effectiveness check, and
//! QA's signed closure once every action is done.

use crate::api::{self, Failure};
use crate::auth::RequireAuth;
use crate::components::comments::CommentsPanel;
use crate::components::copy_link::CopyLink;
use crate::components::history::HistoryPanel;
use crate::components::load_failure::load_failure;
use crate::components::loading::Loading;
use crate::components::shell::Shell;
use crate::components::sign_dialog::{SignDialog, SignInput};
use crate::format;
use crate::live::{LiveNote, on_change};
use crate::pages::capa_actions::ActionsEditor;
use baton_domain::access::Action;
use baton_domain::capa::{CapaChange, CapaClosure, CapaInput, CapaView};
use baton_domain::endpoints::{ChangeCapa, CloseCapa, GetCapa};
use baton_domain::record::RecordType;
use baton_domain::signature::Meaning;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

/// `/capas/{id}`
#[component]
pub fn CapaPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let loaded = LocalResource::new(move || {
        let id = id();
        async move { api::call::<GetCapa>([&id], &()).await }
    });
    let reload = Callback::new(move |()| loaded.refetch());
    // A change to this record by anyone, through any instance, shows here without a reload.
    let updated_by = on_change(
        move |e| {
            e.record_type == RecordType::Capa
                && params.with_untracked(|p| p.get("id")).is_some_and(|id| id == e.record_id)
        },
        move || loaded.refetch(),
    );
    view! {
        <RequireAuth>
            <Shell>
                <LiveNote updated_by=updated_by/>
                <Suspense fallback=|| view! { <Loading label="Loading the CAPA…"/> }>
                    {move || loaded.get().map(|result| match result {
                        Ok(capa) => view! { <CapaRecord capa=capa on_change=reload/> }.into_any(),
                        Err(failure) => load_failure(failure, "There is no CAPA at this address.", reload),
                    })}
                </Suspense>
            </Shell>
        </RequireAuth>
    }
}

#[component]
fn CapaRecord(capa: CapaView, on_change: Callback<()>) -> impl IntoView {
    let may_change = capa.actions.contains(&Action::Contribute);
    let may_close = capa.actions.contains(&Action::Sign(Meaning::Approved));
    let close_open = RwSignal::new(false);
    let actions = RwSignal::new(capa.input.actions.clone());
    let effectiveness = RwSignal::new(capa.input.effectiveness_check.clone());
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    let (id, row_version) = (capa.id, capa.row_version);
    let input = StoredValue::new(capa.input.clone());
    let save = move |_| {
        let change = CapaChange {
            capa: CapaInput {
                actions: actions.get_untracked(),
                effectiveness_check: effectiveness.get_untracked(),
                ..input.get_value()
            },
            row_version,
        };
        spawn_local(async move {
            match api::call::<ChangeCapa>([&id.to_string()], &change).await {
                Ok(_) => {
                    saved.set(true);
                    on_change.run(());
                }
                Err(Failure::Api(e)) => error.set(Some(e.message)),
                Err(f) => error.set(Some(f.message())),
            }
        });
    };
    let hash = capa.content_hash.clone();
    let on_close = Callback::new(move |(signed, done): (SignInput, Callback<Option<String>>)| {
        let request = CapaClosure { password: signed.password, content_hash: hash.clone() };
        spawn_local(async move {
            match api::call::<CloseCapa>([&id.to_string()], &request).await {
                Ok(_) => {
                    done.run(None);
                    on_change.run(());
                }
                Err(f) => done.run(Some(f.message())),
            }
        });
    });
    let statement = format!(
        "You sign as QA that {} is complete: every action done and its effectiveness checked, as recorded here.",
        capa.number
    );
    view! {
        <article class="record" data-testid="capa">
            <header class="record-header">
                <div class="record-title">
                    <p class="record-kind">{format!("CAPA · {} · {}", capa.owner.name, capa.product.name)}</p>
                    <h1>{capa.number.clone()} " "
                        {if capa.closure.is_some() { view! { <span class="chip chip-done">"Closed"</span> } } else { view! { <span class="chip chip-warn">"Open"</span> } }}</h1>
                    <p class="lead">{capa.input.title.clone()}</p>
                </div>
                <div class="record-actions">
                    {may_close.then(|| view! { <button class="button primary" on:click=move |_| close_open.set(true)>"Close CAPA"</button> })}
                    <CopyLink/>
                </div>
            </header>
            {capa.input.kpi.clone().map(|k| view! {
                <p class="banner" data-testid="capa-trigger">
                    {format!("Prompted by {} at {} in {} (target {}). ", k.kpi.label(), k.value, k.period, k.target)}
                    <A href=format!("/partnerships/{}/scorecard?kpi={}", k.partnership, k.kpi.as_str())>"Open the scorecard"</A>
                </p>
            })}
            <dl class="facts">
                <div><dt>"Due"</dt><dd>{format::date(capa.input.due_on)}
                    {capa.closed_on_time.map(|ok| if ok { " · closed on time" } else { " · closed late" })}</dd></div>
                <div><dt>"Opened"</dt><dd>{format::date_time(capa.opened_at)}</dd></div>
                <div><dt>"Answers"</dt><dd class="stacked">{if capa.deviations.is_empty() {
                    "—".into_any()
                } else {
                    capa.deviations.clone().into_iter().map(|d| view! { <A href=format!("/deviations/{}", d.id)>{format!("{} {}", d.number, d.title)}</A> }).collect_view().into_any()
                }}</dd></div>
            </dl>
            {(!capa.input.description.is_empty()).then(|| view! { <section class="panel"><p>{capa.input.description.clone()}</p></section> })}
            {capa.closure.clone().map(|s| view! {
                <section class="panel" data-testid="closure"><h2>"Closed"</h2>
                    <p>{format!("Signed by {} ({}) on {}", s.signer_name, s.organisation, format::date_time(s.signed_at))}</p></section>
            })}
            {if may_change {
                view! {
                    <section class="panel form">
                        <ActionsEditor actions=actions/>
                        <div class="field"><label for="capa-effectiveness">"Effectiveness check"</label>
                            <textarea id="capa-effectiveness" rows="2" prop:value=move || effectiveness.get()
                                on:input=move |ev| effectiveness.set(event_target_value(&ev))></textarea></div>
                        <p class="field-error">{move || error.get()}</p>
                        <div class="dialog-actions">
                            {move || saved.get().then(|| view! { <span class="muted">"Saved."</span> })}
                            <button class="button primary" on:click=save>"Save"</button>
                        </div>
                    </section>
                }.into_any()
            } else {
                view! {
                    <section class="panel"><h2>"Actions"</h2>
                        <ul class="plain-list">{capa.input.actions.clone().into_iter().map(|a| view! {
                            <li>{a.description} <span class="muted small">{format!(" · {} · due {}{}", a.owner, format::date(a.due_on), if a.done { " · done" } else { "" })}</span></li>
                        }).collect_view()}</ul>
                        <p class="muted">{format!("Effectiveness check: {}", if capa.input.effectiveness_check.is_empty() { "not recorded yet" } else { capa.input.effectiveness_check.as_str() })}</p>
                    </section>
                }.into_any()
            }}
            <CommentsPanel record_type=RecordType::Capa id=id.to_string()/>
            <HistoryPanel record_type=RecordType::Capa id=id.to_string()/>
            <SignDialog title="Close CAPA" statement=statement confirm="Sign: close" ask_reason=false open=close_open on_submit=on_close/>
        </article>
    }
}

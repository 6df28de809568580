//! `/deviations/{id}`: one deviation — what happened, its investigation and root cause, the CAPAs answering it, and
//! QA's signed closure.

use crate::api::{self, Failure};
use crate::auth::RequireAuth;
use crate::components::comments::CommentsPanel;
use crate::components::copy_link::CopyLink;
use crate::components::documents_panel::{DocumentsPanel, Place};
use crate::components::history::HistoryPanel;
use crate::components::load_failure::load_failure;
use crate::components::loading::Loading;
use crate::components::shell::Shell;
use crate::components::sign_dialog::{SignDialog, SignInput};
use crate::format;
use crate::live::{LiveNote, on_change};
use crate::pages::deviations::deviation_chip;
use baton_domain::access::Action;
use baton_domain::deviation::{Classification, DeviationClosure, DeviationInvestigation, DeviationView, RootCause};
use baton_domain::endpoints::{CloseDeviation, GetDeviation, InvestigateDeviation};
use baton_domain::record::RecordType;
use baton_domain::signature::Meaning;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

/// `/deviations/{id}`
#[component]
pub fn DeviationPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let loaded = LocalResource::new(move || {
        let id = id();
        async move { api::call::<GetDeviation>([&id], &()).await }
    });
    let reload = Callback::new(move |()| loaded.refetch());
    // A change to this record by anyone, through any instance, shows here without a reload.
    let updated_by = on_change(
        move |e| {
            e.record_type == RecordType::Deviation
                && params.with_untracked(|p| p.get("id")).is_some_and(|id| id == e.record_id)
        },
        move || loaded.refetch(),
    );
    view! {
        <RequireAuth>
            <Shell>
                <LiveNote updated_by=updated_by/>
                <Suspense fallback=|| view! { <Loading label="Loading the deviation…"/> }>
                    {move || loaded.get().map(|result| match result {
                        Ok(deviation) => view! { <DeviationRecord deviation=deviation on_change=reload/> }.into_any(),
                        Err(failure) => load_failure(failure, "There is no deviation at this address.", reload),
                    })}
                </Suspense>
            </Shell>
        </RequireAuth>
    }
}

#[component]
fn DeviationRecord(deviation: DeviationView, on_change: Callback<()>) -> impl IntoView {
    let may_change = deviation.actions.contains(&Action::Contribute);
    let may_close = deviation.actions.contains(&Action::Sign(Meaning::Approved));
    let close_open = RwSignal::new(false);
    let id = deviation.id;
    let hash = deviation.content_hash.clone();
    let on_close = Callback::new(move |(input, done): (SignInput, Callback<Option<String>>)| {
        let request = DeviationClosure { password: input.password, content_hash: hash.clone() };
        spawn_local(async move {
            match api::call::<CloseDeviation>([&id.to_string()], &request).await {
                Ok(_) => {
                    done.run(None);
                    on_change.run(());
                }
                Err(f) => done.run(Some(f.message())),
            }
        });
    });
    let statement = format!(
        "You sign as QA that deviation {} is closed: investigated, root cause “{}”, as recorded here.",
        deviation.number,
        deviation.root_cause.map(RootCause::label).unwrap_or("not named")
    );
    let capa_href = format!("/capas/new?deviation={id}");
    view! {
        <article class="record" data-testid="deviation">
            <header class="record-header">
                <div class="record-title">
                    <p class="record-kind">{format!("{} deviation · {}", deviation.input.classification.label(), deviation.owner.name)}</p>
                    <h1>{deviation.number.clone()} " " {deviation_chip(deviation.status)}</h1>
                    <p class="lead">{deviation.input.title.clone()}</p>
                </div>
                <div class="record-actions">
                    {may_close.then(|| view! { <button class="button primary" on:click=move |_| close_open.set(true)>"Close deviation"</button> })}
                    <CopyLink/>
                </div>
            </header>
            <dl class="facts">
                <div><dt>"Product · site"</dt><dd>{format!("{} · {}", deviation.product.name, deviation.site.name)}</dd></div>
                <div><dt>"Batch"</dt><dd>{match (deviation.input.batch, deviation.batch_number.clone()) {
                    (Some(b), Some(n)) => view! { <A href=format!("/batches/{b}")>{n}</A> }.into_any(),
                    _ => "—".into_any(),
                }}</dd></div>
                <div><dt>"Happened"</dt><dd>{format::date_time(deviation.input.occurred_at)} {(!deviation.input.location.is_empty()).then(|| format!(" · {}", deviation.input.location))}</dd></div>
                <div><dt>"Reported"</dt><dd>{format!("{} by {}", format::date_time(deviation.opened_at), deviation.raised_by)}</dd></div>
                <div><dt>"Due"</dt><dd data-testid="deviation-due">{format::date(deviation.due_on)}
                    {deviation.closed_in_time.map(|ok| if ok { " · closed in time" } else { " · closed late" })}</dd></div>
            </dl>
            {(!deviation.input.description.is_empty()).then(|| view! { <section class="panel"><h2>"Details"</h2><p>{deviation.input.description.clone()}</p></section> })}
            {deviation.closure.clone().map(|s| view! {
                <section class="panel" data-testid="closure"><h2>"Closed"</h2>
                    <p>{format!("Signed by {} ({}) on {}", s.signer_name, s.organisation, format::date_time(s.signed_at))}</p></section>
            })}
            <Investigation deviation=deviation.clone() may_change=may_change on_change=on_change/>
            <section class="panel">
                <header class="panel-head"><h2>"CAPAs"</h2>
                    {may_change.then(|| view! { <A href=capa_href attr:class="button">"Raise a CAPA"</A> })}</header>
                {if deviation.capas.is_empty() {
                    view! { <p class="empty-state">"No CAPA answers this deviation yet."</p> }.into_any()
                } else {
                    view! { <ul class="plain-list">{deviation.capas.clone().into_iter().map(|c| view! {
                        <li><A href=format!("/capas/{}", c.id)>{c.number}</A> " " {c.title}
                            <span class="muted small">{if c.closed { " · closed" } else { " · open" }}</span></li>
                    }).collect_view()}</ul> }.into_any()
                }}
            </section>
            <DocumentsPanel place=Place::Deviation(deviation.input.transfer, id)/>
            <CommentsPanel record_type=RecordType::Deviation id=id.to_string()/>
            <HistoryPanel record_type=RecordType::Deviation id=id.to_string()/>
            <SignDialog title="Close deviation" statement=statement confirm="Sign: close" ask_reason=false open=close_open on_submit=on_close/>
        </article>
    }
}

#[component]
fn Investigation(deviation: DeviationView, may_change: bool, on_change: Callback<()>) -> impl IntoView {
    let original = deviation.input.classification;
    let classification = RwSignal::new(original);
    let findings = RwSignal::new(deviation.investigation.clone());
    let impact = RwSignal::new(deviation.impact.clone());
    let root_cause = RwSignal::new(deviation.root_cause);
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    let (id, row_version) = (deviation.id, deviation.row_version);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let change = DeviationInvestigation {
            classification: classification.get_untracked(),
            investigation: findings.get_untracked(),
            impact: impact.get_untracked(),
            root_cause: root_cause.get_untracked(),
            row_version,
            reason: Some(reason.get_untracked()).filter(|r| !r.trim().is_empty()),
        };
        spawn_local(async move {
            match api::call::<InvestigateDeviation>([&id.to_string()], &change).await {
                Ok(_) => {
                    saved.set(true);
                    on_change.run(());
                }
                Err(Failure::Api(e)) => error.set(Some(e.message)),
                Err(f) => error.set(Some(f.message())),
            }
        });
    };
    if !may_change {
        return view! {
            <section class="panel" data-testid="investigation"><h2>"Investigation"</h2>
                <p>{if deviation.investigation.is_empty() { "Not recorded yet.".to_owned() } else { deviation.investigation.clone() }}</p>
                {(!deviation.impact.is_empty()).then(|| view! { <p class="muted">{format!("Impact: {}", deviation.impact)}</p> })}
                <p class="muted">{format!("Root cause: {}", deviation.root_cause.map(RootCause::label).unwrap_or("not named yet"))}</p>
            </section>
        }
        .into_any();
    }
    view! {
        <form class="panel form entry-form" on:submit=submit data-testid="investigation">
            <h2>"Investigation"</h2>
            <div class="form-grid">
                <div class="field"><label for="inv-class">"Classification"</label>
                    <select id="inv-class" on:change=move |ev| { if let Ok(c) = event_target_value(&ev).parse::<Classification>() { classification.set(c) } }>
                        {Classification::ALL.iter().map(|c| view! { <option value=c.as_str() selected=*c == original>{c.label()}</option> }).collect_view()}
                    </select></div>
                <div class="field"><label for="inv-root">"Root cause category"</label>
                    <select id="inv-root" on:change=move |ev| root_cause.set(event_target_value(&ev).parse().ok())>
                        <option value="" selected=deviation.root_cause.is_none()>"Not yet known"</option>
                        {RootCause::ALL.iter().map(|r| view! { <option value=r.as_str() selected=deviation.root_cause == Some(*r)>{r.label()}</option> }).collect_view()}
                    </select></div>
            </div>
            {move || (classification.get() != original).then(|| view! {
                <div class="field"><label for="inv-reason">"Why the classification changes"</label>
                    <input id="inv-reason" type="text" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/></div>
            })}
            <div class="field"><label for="inv-findings">"Findings"</label>
                <textarea id="inv-findings" rows="4" prop:value=move || findings.get() on:input=move |ev| findings.set(event_target_value(&ev))></textarea></div>
            <div class="field"><label for="inv-impact">"Impact on product and other batches"</label>
                <textarea id="inv-impact" rows="2" prop:value=move || impact.get() on:input=move |ev| impact.set(event_target_value(&ev))></textarea></div>
            <p class="field-error" data-testid="investigation-error">{move || error.get()}</p>
            <div class="dialog-actions">
                {move || saved.get().then(|| view! { <span class="muted">"Saved."</span> })}
                <button type="submit" class="button primary">"Save investigation"</button>
            </div>
        </form>
    }
    .into_any()
}

//! `/batches/{id}`: one batch — its record, results against specification (out of specification highlighted),
//! deviations raised against it, and QA's signed disposition.

use crate::api::{self, Failure};
use crate::auth::RequireAuth;
use crate::components::comments::CommentsPanel;
use crate::components::copy_link::CopyLink;
use crate::components::date_range::DateRange;
use crate::components::documents_panel::{DocumentsPanel, Place};
use crate::components::history::HistoryPanel;
use crate::components::load_failure::load_failure;
use crate::components::loading::Loading;
use crate::components::shell::Shell;
use crate::components::sign_dialog::{SignDialog, SignInput};
use crate::components::table_wrap::TableWrap;
use crate::components::transfer_link::TransferLink;
use crate::format;
use crate::live::{LiveNote, on_change};
use crate::pages::batch_forms::{Correcting, ResultForm};
use crate::pages::batches::status_chip;
use baton_domain::access::Action;
use baton_domain::batch::{BatchView, Disposition, DispositionRequest};
use baton_domain::endpoints::{DisposeBatch, GetBatch};
use baton_domain::record::RecordType;
use baton_domain::signature::Meaning;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

/// `/batches/{id}`
#[component]
pub fn BatchPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let loaded = LocalResource::new(move || {
        let id = id();
        async move { api::call::<GetBatch>([&id], &()).await }
    });
    let reload = Callback::new(move |()| loaded.refetch());
    // A change to this record by anyone, through any instance, shows here without a reload.
    let updated_by = on_change(
        move |e| {
            e.record_type == RecordType::Batch
                && params.with_untracked(|p| p.get("id")).is_some_and(|id| id == e.record_id)
        },
        move || loaded.refetch(),
    );
    view! {
        <RequireAuth>
            <Shell>
                <LiveNote updated_by=updated_by/>
                <Suspense fallback=|| view! { <Loading label="Loading the batch…"/> }>
                    {move || loaded.get().map(|result| match result {
                        Ok(batch) => view! { <BatchRecord batch=batch on_change=reload/> }.into_any(),
                        Err(failure) => load_failure(failure, "There is no batch at this address.", reload),
                    })}
                </Suspense>
            </Shell>
        </RequireAuth>
    }
}

fn yields(batch: &BatchView) -> String {
    let i = &batch.input;
    match (i.actual_yield, i.theoretical_yield, batch.yield_ratio) {
        (Some(a), Some(t), Some(r)) => format!("{a} of {t} {} ({:.1} %)", i.yield_unit, r * 100.0),
        (None, Some(t), _) => format!("{t} {} expected", i.yield_unit),
        _ => "—".into(),
    }
}

#[component]
fn BatchRecord(batch: BatchView, on_change: Callback<()>) -> impl IntoView {
    let adding = RwSignal::new(false);
    let correcting = RwSignal::new(None::<Correcting>);
    let row_version = batch.row_version;
    let release_open = RwSignal::new(false);
    let reject_open = RwSignal::new(false);
    let may = |action: Action| batch.actions.contains(&action);
    let may_add = may(Action::Contribute);
    let may_release = may(Action::Sign(Meaning::Released));
    let may_reject = may(Action::Sign(Meaning::Rejected));
    let oos: Vec<String> = batch.results.iter().filter(|r| r.out_of_spec).map(|r| r.test.clone()).collect();
    let id = batch.id;
    let hash = batch.content_hash.clone();
    let dispose = move |disposition: Disposition| {
        let hash = hash.clone();
        Callback::new(move |(input, done): (SignInput, Callback<Option<String>>)| {
            let request = DispositionRequest {
                disposition,
                reason: input.reason,
                password: input.password,
                content_hash: hash.clone(),
            };
            spawn_local(async move {
                match api::call::<DisposeBatch>([&id.to_string()], &request).await {
                    Ok(_) => {
                        done.run(None);
                        on_change.run(());
                    }
                    Err(Failure::Api(e)) => done.run(Some(e.message)),
                    Err(f) => done.run(Some(f.message())),
                }
            });
        })
    };
    let statement = |word: &str| {
        format!(
            "You sign that batch {} of {} is {word}, as recorded here with its {} result(s) and {} deviation(s). \
             Your signature is bound to exactly this content.",
            batch.input.number,
            batch.product.name,
            batch.results.len(),
            batch.deviations.len()
        )
    };
    let raise_href = |test: Option<&str>| {
        let mut href = format!("/deviations/new?batch={id}");
        if let Some(test) = test {
            href.push_str(&format!("&test={}", js_sys::encode_uri_component(test)));
        }
        href
    };
    let first_oos = oos.first().cloned();
    view! {
        <article class="record" data-testid="batch">
            <header class="record-header">
                <div class="record-title">
                    <p class="record-kind">{format!("{} batch · {}", batch.input.batch_type.label(), batch.cmo.name)}</p>
                    <h1>{batch.input.number.clone()} " " {status_chip(batch.status)}</h1>
                    <p class="muted">{batch.product.name.clone()} " · " {batch.site.name.clone()}
                        {batch.transfer.clone().map(|t| view! { " · " <TransferLink transfer=t readable=batch.transfer_readable/> })}</p>
                </div>
                <div class="record-actions">
                    {may_release.then(|| view! { <button class="button primary" on:click=move |_| release_open.set(true)>"Release"</button> })}
                    {may_reject.then(|| view! { <button class="button danger" on:click=move |_| reject_open.set(true)>"Reject"</button> })}
                    <CopyLink/>
                </div>
            </header>
            {(!oos.is_empty()).then(|| view! {
                <div class="banner error" role="alert" data-testid="oos-banner">
                    {format!("Out of specification: {}.", oos.join(", "))}
                    {may_add.then(|| view! { " " <A href=raise_href(first_oos.as_deref()) attr:class="button">"Raise a deviation"</A> })}
                </div>
            })}
            <dl class="facts">
                <div><dt>"Planned"</dt><dd><DateRange from=Some(batch.input.planned_start) to=Some(batch.input.planned_end)/></dd></div>
                <div><dt>"Actual"</dt><dd>{match (batch.input.actual_start, batch.input.actual_end) {
                    (Some(s), Some(e)) => view! { <DateRange from=Some(s) to=Some(e)/> }.into_any(),
                    (Some(s), None) => format!("Started {}", format::date(s)).into_any(),
                    _ => "Not started".into_any(),
                }}</dd></div>
                <div><dt>"Yield"</dt><dd>{yields(&batch)}</dd></div>
                <div><dt>"Dispositioned by"</dt><dd>{format!("{} QA (quality agreement)", batch.disposing_party.name)}</dd></div>
            </dl>
            {batch.disposition.clone().map(|d| view! {
                <section class="panel" data-testid="disposition">
                    <h2>{d.disposition.label()}</h2>
                    <p>{format!("Signed by {} ({}) on {}", d.signature.signer_name, d.signature.organisation, format::date_time(d.signature.signed_at))}</p>
                    {(!d.reason.is_empty()).then(|| view! { <p class="muted">{format!("Reason: {}", d.reason)}</p> })}
                </section>
            })}
            <section class="panel">
                <header class="panel-head">
                    <h2>"Results"</h2>
                    {may_add.then(|| view! { <button class="button" on:click=move |_| { correcting.set(None); adding.set(true) } data-testid="add-result">"Add result"</button> })}
                </header>
                {move || adding.get().then(|| view! {
                    <ResultForm batch=id on_done=Callback::new(move |saved: bool| { adding.set(false); if saved { on_change.run(()) } })/>
                })}
                {move || correcting.get().map(|c| view! {
                    <h3>{format!("Correct {}", c.result.test)}</h3>
                    <ResultForm batch=id correcting=c
                        on_done=Callback::new(move |saved: bool| { correcting.set(None); if saved { on_change.run(()) } })/>
                })}
                {if batch.results.is_empty() {
                    view! { <p class="empty-state">"No results recorded yet."</p> }.into_any()
                } else {
                    let results = batch.results.clone();
                    view! {
                        <TableWrap><table class="data-table" data-testid="results-table">
                            <thead><tr><th scope="col">"Test"</th><th scope="col">"Result"</th><th scope="col">"Specification"</th><th scope="col">"Judgement"</th>
                                {may_add.then(|| view! { <th scope="col"><span class="visually-hidden">"Correct"</span></th> })}</tr></thead>
                            <tbody>{results.into_iter().map(|r| {
                                let shown = Correcting { result: r.clone(), row_version };
                                view! {
                                <tr class:oos=r.out_of_spec>
                                    <td>{r.test}</td>
                                    <td class="mono">{r.value.reading()}</td>
                                    <td>{r.value.specification()}</td>
                                    <td>{if r.out_of_spec {
                                        view! { <span class="chip chip-bad">"Out of specification"</span> }.into_any()
                                    } else {
                                        view! { <span class="chip chip-done">"Within specification"</span> }.into_any()
                                    }}</td>
                                    {may_add.then(|| view! { <td><button class="button ghost" data-testid="correct-result"
                                        on:click=move |_| { adding.set(false); correcting.set(Some(shown.clone())) }>"Correct"</button></td> })}
                                </tr>
                            }}).collect_view()}</tbody>
                        </table></TableWrap>
                    }.into_any()
                }}
            </section>
            <section class="panel">
                <header class="panel-head">
                    <h2>"Deviations"</h2>
                    {may_add.then(|| view! { <A href=raise_href(None) attr:class="button">"Raise a deviation"</A> })}
                </header>
                {if batch.deviations.is_empty() {
                    view! { <p class="empty-state">"No deviation raised against this batch."</p> }.into_any()
                } else {
                    view! { <ul class="plain-list" data-testid="batch-deviations">{batch.deviations.clone().into_iter().map(|d| view! {
                        <li><A href=format!("/deviations/{}", d.id)>{d.number}</A> " " {d.title}
                            <span class="muted small">{format!(" · {} · {}", d.classification.label(), d.status.label())}</span></li>
                    }).collect_view()}</ul> }.into_any()
                }}
            </section>
            <DocumentsPanel place=Place::Batch(batch.input.transfer, id)/>
            <CommentsPanel record_type=RecordType::Batch id=id.to_string()/>
            <HistoryPanel record_type=RecordType::Batch id=id.to_string()/>
            <SignDialog title="Release batch" statement=statement("released") confirm="Sign: release" ask_reason=false
                open=release_open on_submit=dispose(Disposition::Released)/>
            <SignDialog title="Reject batch" statement=statement("rejected") confirm="Sign: reject" ask_reason=true
                open=reject_open on_submit=dispose(Disposition::Rejected)/>
        </article>
    }
}

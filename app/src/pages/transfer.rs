//! `/transfers/{id}`: one transfer's overview — its facts, team, stage timeline and open deliverables.

use crate::api;
use crate::auth::RequireAuth;
use crate::components::comments::CommentsPanel;
use crate::components::copy_link::CopyLink;
use crate::components::deliverable_table::DeliverableTable;
use crate::components::documents_panel::{DocumentsPanel, Place};
use crate::components::history::HistoryPanel;
use crate::components::latest_changes::LatestChanges;
use crate::components::load_failure::load_failure;
use crate::components::loading::Loading;
use crate::components::shell::Shell;
use crate::components::stage::{StageChip, StageTimeline, today};
use crate::format;
use crate::live::{LiveNote, on_change, plan_names};
use baton_domain::deliverable::Deliverable;
use baton_domain::endpoints::{GetRiskRegister, GetStagePlan, GetTransfer, GetTransferChanges};
use baton_domain::org::SiteRef;
use baton_domain::record::RecordType;
use baton_domain::stage::StageView;
use baton_domain::transfer::TransferDetail;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// `/transfers/{id}`
#[component]
pub fn TransferPage() -> impl IntoView {
    view! {
        <RequireAuth>
            <Shell>
                <TransferLoader/>
            </Shell>
        </RequireAuth>
    }
}

#[component]
fn TransferLoader() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let transfer = LocalResource::new(move || {
        let id = id();
        async move { api::call::<GetTransfer>([&id], &()).await }
    });
    view! {
        <Suspense fallback=|| view! { <Loading label="Loading the transfer…"/> }>
            {move || transfer.get().map(|result| match result {
                Ok(detail) => view! { <TransferView transfer=detail/> }.into_any(),
                Err(failure) => load_failure(
                    failure,
                    "There is no transfer at this address.",
                    Callback::new(move |()| transfer.refetch()),
                ),
            })}
        </Suspense>
    }
}

fn site(site: SiteRef) -> impl IntoView {
    view! {
        <span class="site-name">{site.name}</span>
        <span class="muted small">{site.location} " · " {site.organisation.name}</span>
    }
}

/// Performance mark set when a transfer's data is on the page; the deep-link benchmark reads it.
const SHOWN_MARK: &str = "baton:transfer-shown";

#[component]
fn TransferView(transfer: TransferDetail) -> impl IntoView {
    Effect::new(|_| {
        if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
            let _ = performance.mark(SHOWN_MARK);
        }
    });
    let id = transfer.id;
    let plan = LocalResource::new(move || async move { api::call::<GetStagePlan>([&id.to_string()], &()).await });
    let risks = LocalResource::new(move || async move { api::call::<GetRiskRegister>([&id.to_string()], &()).await });
    let team = transfer.team.clone();
    // A change to the transfer, one of its stages or deliverables, by anyone, shows here without a reload.
    let updated_by = on_change(
        move |e| {
            plan.with_untracked(|loaded| match loaded {
                Some(Ok(plan)) => plan_names(e, id.to_string(), &plan.stages),
                _ => false,
            })
        },
        move || plan.refetch(),
    );
    view! {
        <article class="record" data-testid="transfer">
            <LiveNote updated_by=updated_by/>
            <header class="record-header">
                <div class="record-title">
                    <p class="record-kind">"Technology transfer · " <span class="mono">{transfer.code.clone()}</span></p>
                    <h1>{transfer.product.clone()}</h1>
                    <p class="muted">{transfer.product_form.clone()}</p>
                </div>
                <div class="record-actions">
                    <StageChip stage=transfer.stage.clone()/>
                    <a class="button" href=format!("/transfers/{id}/parameters")>"Process parameters"</a>
                    <a class="button" href=format!("/transfers/{id}/risks")>"Risks"</a>
                    <a class="button" href=format!("/transfers/{id}/methods")>"Methods"</a>
                    <CopyLink/>
                </div>
            </header>
            <dl class="facts">
                <div><dt>"Current stage"</dt><dd data-testid="stage">{transfer.stage.describe()}</dd></div>
                <div><dt>"Sponsor"</dt><dd>{transfer.sponsor.name.clone()}</dd></div>
                <div><dt>"CMO"</dt><dd>{transfer.cmo.name.clone()}</dd></div>
                <div><dt>"Sending site"</dt><dd class="stacked">{site(transfer.sending_site.clone())}</dd></div>
                <div><dt>"Receiving site"</dt><dd class="stacked">{site(transfer.receiving_site.clone())}</dd></div>
                <div><dt>"Started"</dt><dd class="numeric-text">{format::date(transfer.started_on)}</dd></div>
                <div><dt>"Target completion"</dt><dd class="numeric-text">{format::date(transfer.target_completion)}</dd></div>
                <div><dt>"Last updated"</dt><dd class="numeric-text">{format::date_time(transfer.updated_at)}</dd></div>
            </dl>
            <Suspense fallback=|| view! { <Loading label="Loading the stages…"/> }>
                {move || plan.get().map(|result| match result {
                    Ok(plan) => view! { <PlanPanels stages=plan.stages transfer=transfer.clone()/> }.into_any(),
                    Err(failure) => view! { <p class="field-error">{failure.message()}</p> }.into_any(),
                })}
            </Suspense>
            <Suspense fallback=|| ()>
                {move || risks.get().and_then(Result::ok).map(|register| view! { <TopRisks risks=register.risks transfer=id/> })}
            </Suspense>
            <DocumentsPanel place=Place::Transfer(id)/>
            <section class="panel">
                <h2>"Team"</h2>
                {if team.is_empty() {
                    view! { <p class="muted">"Nobody is named on this transfer's team yet."</p> }.into_any()
                } else {
                    view! {
                        <ul class="team" data-testid="team">
                            {team.into_iter().map(|m| view! {
                                <li><strong>{m.person.name}</strong><span class="muted">{m.role.label()}</span>
                                    <span>"· " {m.responsibility}</span></li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
            <CommentsPanel record_type=RecordType::Transfer id=id.to_string()/>
            <HistoryPanel record_type=RecordType::Transfer id=id.to_string()/>
        </article>
    }
}

/// The stage timeline and the open deliverables across stages, soonest due first.
#[component]
fn PlanPanels(stages: Vec<StageView>, transfer: TransferDetail) -> impl IntoView {
    let mut open: Vec<Deliverable> =
        stages.iter().flat_map(|s| s.deliverables.iter().filter(|d| d.status.is_open()).cloned()).collect();
    open.sort_by_key(|d| (d.due_on.is_none(), d.due_on, d.stage_number));
    let today = today();
    let id = transfer.id;
    let changes =
        LocalResource::new(move || async move { api::call::<GetTransferChanges>([&id.to_string()], &()).await });
    let plan = stages.clone();
    view! {
        <section class="panel">
            <h2>"Stages"</h2>
            <StageTimeline stages=stages transfer=transfer.id/>
        </section>
        <section class="panel">
            <h2>"Open deliverables"</h2>
            {if open.is_empty() {
                view! { <p class="muted">"Every deliverable is done."</p> }.into_any()
            } else {
                view! { <DeliverableTable deliverables=open today=today show_stage=true/> }.into_any()
            }}
        </section>
        <Suspense fallback=|| ()>
            {move || changes.get().and_then(Result::ok).map(|entries| view! {
                <LatestChanges entries=entries transfer=id stages=plan.clone()/>
            })}
        </Suspense>
    }
}

/// The three highest risks, each linking to its row in the register.
#[component]
fn TopRisks(
    risks: Vec<baton_domain::risk_register::StoredRisk>,
    transfer: baton_domain::ids::TransferId,
) -> impl IntoView {
    let total = risks.len();
    view! {
        <section class="panel" data-testid="top-risks">
            <div class="panel-head">
                <h2>"Highest risks"</h2>
                <a class="button" href=format!("/transfers/{transfer}/risks")>{format!("All {total} risks")}</a>
            </div>
            {if risks.is_empty() {
                view! { <p class="muted">"No failure modes have been rated yet."</p> }.into_any()
            } else {
                view! {
                    <ol class="top-risks">
                        {risks.into_iter().take(3).map(|r| view! {
                            <li>
                                <a href=format!("/transfers/{transfer}/risks/{}", r.id)>{r.failure_mode.failure_mode.clone()}</a>
                                <span class="muted small">{r.failure_mode.step.clone()}</span>
                                <span class="numeric-text">"RPN " <strong>{r.rpn}</strong></span>
                                {crate::pages::risks::level_chip(r.level)}
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}

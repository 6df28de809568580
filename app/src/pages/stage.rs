//! `/transfers/{id}/stages/{number}`: one stage — its dates, deliverables and gate. QA of each party approves the
//! gate here with the password; buttons appear only for the actions the server says the user may take.

use crate::api::{self, Failure};
use crate::auth::RequireAuth;
use crate::components::comments::CommentsPanel;
use crate::components::copy_link::CopyLink;
use crate::components::date_range::DateRange;
use crate::components::deliverable_table::DeliverableTable;
use crate::components::history::HistoryPanel;
use crate::components::load_failure::load_failure;
use crate::components::loading::Loading;
use crate::components::shell::Shell;
use crate::components::sign_dialog::{SignDialog, SignInput};
use crate::components::stage::{stage_state, today};
use crate::format;
use crate::live::{LiveNote, on_change, plan_names};
use crate::pages::not_found::NotFound;
use crate::pages::stage_forms::{AddDeliverable, StageDatesForm};
use baton_domain::access::Action;
use baton_domain::endpoints::{ApproveGate, GetStagePlan, GetTransfer, ReopenGate};
use baton_domain::record::RecordType;
use baton_domain::signature::{Meaning, SignRequest};
use baton_domain::stage::{GateState, ReopenRequest, StageView};
use baton_domain::transfer::TransferDetail;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;

/// `/transfers/{id}/stages/{number}`
#[component]
pub fn StagePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let number = move || params.read().get("number").and_then(|n| n.parse::<i64>().ok());
    let loaded = LocalResource::new(move || {
        let id = id();
        async move {
            let transfer = api::call::<GetTransfer>([&id], &()).await?;
            let plan = api::call::<GetStagePlan>([&id], &()).await?;
            Ok::<_, Failure>((transfer, plan.stages))
        }
    });
    let reload = Callback::new(move |()| loaded.refetch());
    // A change to one of this transfer's stages or deliverables, by anyone, shows here without a reload.
    let updated_by = on_change(
        move |e| {
            loaded.with_untracked(|plan| match plan {
                Some(Ok((transfer, stages))) => plan_names(e, transfer.id.to_string(), stages),
                _ => false,
            })
        },
        move || loaded.refetch(),
    );
    view! {
        <RequireAuth>
            <Shell>
                <LiveNote updated_by=updated_by/>
                <Suspense fallback=|| view! { <Loading label="Loading the stage…"/> }>
                    {move || loaded.get().map(|result| match result {
                        Ok((transfer, stages)) => {
                            match number().and_then(|n| stages.iter().position(|s| s.number == n)) {
                                Some(index) => view! {
                                    <StageView transfer=transfer stages=stages index=index on_change=reload/>
                                }.into_any(),
                                None => view! { <NotFound what="This transfer has no stage with that number."/> }.into_any(),
                            }
                        }
                        Err(failure) => load_failure(failure, "There is no transfer at this address.", reload),
                    })}
                </Suspense>
            </Shell>
        </RequireAuth>
    }
}

#[component]
fn StageView(transfer: TransferDetail, stages: Vec<StageView>, index: usize, on_change: Callback<()>) -> impl IntoView {
    let stage = stages[index].clone();
    let current = stages.iter().position(|s| s.gate.state == GateState::Open) == Some(index);
    let today = today();
    let (word, class) = stage_state(&stage, current, today);
    let may = |action: Action| stage.actions.contains(&action);
    let base = format!("/transfers/{}/stages", transfer.id);
    let previous = index.checked_sub(1).and_then(|i| stages.get(i)).map(|s| (s.number, s.name.clone()));
    let next = stages.get(index + 1).map(|s| (s.number, s.name.clone()));
    let highlight = highlighted_deliverable();
    view! {
        <article class="record" data-testid="stage">
            <header class="record-header">
                <div class="record-title">
                    <p class="record-kind">
                        <a href=format!("/transfers/{}", transfer.id)>{format!("{} · {}", transfer.code, transfer.product)}</a>
                    </p>
                    <h1>{format!("Stage {} of {}: {}", stage.number, stages.len(), stage.name)}</h1>
                </div>
                <div class="record-actions">
                    <span class=format!("chip {class}") data-testid="stage-state">{word}</span>
                    <CopyLink/>
                </div>
            </header>
            <dl class="facts">
                <div><dt>"Planned"</dt><dd class="numeric-text"><DateRange from=stage.planned_start to=stage.planned_end/></dd></div>
                <div><dt>"Actual"</dt><dd class="numeric-text"><DateRange from=stage.actual_start to=stage.actual_end/></dd></div>
                <div><dt>"Gate"</dt><dd data-testid="gate-state">{stage.gate.state.label()}</dd></div>
            </dl>
            {may(Action::Plan).then(|| view! { <StageDatesForm stage=stage.clone() on_saved=on_change/> })}
            <GatePanel transfer=transfer.clone() stage=stage.clone() on_change=on_change/>
            <section class="panel">
                <div class="panel-head"><h2>"Deliverables"</h2></div>
                {if stage.deliverables.is_empty() {
                    view! { <p class="muted">"This stage has no deliverables."</p> }.into_any()
                } else {
                    view! { <DeliverableTable deliverables=stage.deliverables.clone() today=today show_stage=false highlight=highlight/> }.into_any()
                }}
                {may(Action::Plan).then(|| view! { <AddDeliverable transfer=transfer.clone() stage=stage.id on_added=on_change/> })}
            </section>
            <nav class="stage-nav" aria-label="Stages">
                {previous.map(|(n, name)| view! { <a class="button" href=format!("{base}/{n}")>{format!("← Stage {n}: {name}")}</a> })}
                {next.map(|(n, name)| view! { <a class="button" href=format!("{base}/{n}")>{format!("Stage {n}: {name} →")}</a> })}
            </nav>
            <CommentsPanel record_type=RecordType::Stage id=stage.id.to_string()/>
            <HistoryPanel record_type=RecordType::Stage id=stage.id.to_string()/>
        </article>
    }
}

/// The deliverable a deep link asked to show (`?deliverable={id}`).
fn highlighted_deliverable() -> Option<baton_domain::ids::DeliverableId> {
    let search = web_sys::window()?.location().search().ok()?;
    search.trim_start_matches('?').split('&').find_map(|pair| pair.strip_prefix("deliverable=")?.parse().ok())
}

/// The gate: why it cannot be approved yet, its approvals (those of earlier rounds struck through), and the QA
/// actions.
#[component]
fn GatePanel(transfer: TransferDetail, stage: StageView, on_change: Callback<()>) -> impl IntoView {
    let approve_open = RwSignal::new(false);
    let reopen_open = RwSignal::new(false);
    let may_approve = stage.actions.contains(&Action::Sign(Meaning::Approved));
    let may_reopen = stage.actions.contains(&Action::Sign(Meaning::Revoked));
    let passed = stage.gate.state == GateState::Passed;
    let hash = stage.gate.content_hash.clone();
    let id = stage.id.to_string();
    let statement = format!(
        "You approve gate {} ({}) of {} for {}: its deliverables, as listed on this page, are complete and the \
         transfer may go on to the next stage. Content hash {}…. This signature means: approved.",
        stage.number,
        stage.name,
        transfer.code,
        transfer.sponsor.name.clone() + " and " + &transfer.cmo.name,
        &hash[..12.min(hash.len())]
    );
    let reopen_statement = format!(
        "You re-open gate {} ({}). Both parties' approvals will no longer count; the gate passes again only when QA \
         of both parties approve it anew. This signature means: revoked.",
        stage.number, stage.name
    );
    let (approve_id, approve_hash) = (id.clone(), hash.clone());
    let on_approve = Callback::new(move |(input, done): (SignInput, Callback<Option<String>>)| {
        let (id, hash) = (approve_id.clone(), approve_hash.clone());
        spawn_local(async move {
            let request = SignRequest { password: input.password, meaning: Meaning::Approved, content_hash: hash };
            finish(api::call::<ApproveGate>([&id], &request).await, done, on_change);
        });
    });
    let on_reopen = Callback::new(move |(input, done): (SignInput, Callback<Option<String>>)| {
        let (id, hash) = (id.clone(), hash.clone());
        spawn_local(async move {
            let request = ReopenRequest { reason: input.reason, password: input.password, content_hash: hash };
            finish(api::call::<ReopenGate>([&id], &request).await, done, on_change);
        });
    });
    view! {
        <section class="panel gate-panel" class:passed=passed data-testid="gate">
            <div class="panel-head">
                <h2>{format!("Gate {}", stage.number)}</h2>
                <div class="record-actions">
                    {may_approve.then(|| view! {
                        <button class="button primary" on:click=move |_| approve_open.set(true)>"Approve gate"</button>
                    })}
                    {may_reopen.then(|| view! {
                        <button class="button danger" on:click=move |_| reopen_open.set(true)>"Re-open gate"</button>
                    })}
                </div>
            </div>
            <p class="muted">"The gate passes when QA of " {transfer.sponsor.name.clone()} " and of "
                {transfer.cmo.name.clone()} " have both approved it."</p>
            {stage.gate.blocked_by.clone().filter(|_| !passed).map(|why| view! { <p class="blocked" data-testid="gate-blocked">{why}</p> })}
            {if stage.gate.approvals.is_empty() {
                view! { <p class="muted">"No approvals yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="signatures" data-testid="approvals">
                        {stage.gate.approvals.iter().map(|s| view! {
                            <li class:invalid=!s.valid>
                                <strong>{format!("{} by {}", s.meaning.label(), s.signer_name)}</strong>
                                <span>{format!("{} · {}", s.organisation, format::date_time_and_utc(s.signed_at))}</span>
                                {(!s.valid).then(|| view! { <span class="chip chip-grey">"No longer valid: the gate was re-opened or changed"</span> })}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <SignDialog title="Approve gate" statement=statement confirm="Sign: approve" ask_reason=false open=approve_open on_submit=on_approve/>
            <SignDialog title="Re-open gate" statement=reopen_statement confirm="Sign: re-open" ask_reason=true open=reopen_open on_submit=on_reopen/>
        </section>
    }
}

fn finish(outcome: Result<StageView, Failure>, done: Callback<Option<String>>, on_change: Callback<()>) {
    match outcome {
        Ok(_) => {
            done.run(None);
            on_change.run(());
        }
        Err(f) => done.run(Some(f.message())),
    }
}

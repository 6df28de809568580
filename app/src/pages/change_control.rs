//! `/change-controls/{id}`: one change control — the change, where it stands in its lifecycle, both parties' impact
//! assessments, the signed decision, the implementation and the signed closure. Its buttons come from the actions the
//! server allows the caller.

use crate::api::{self, Failure};
use crate::auth::{RequireAuth, use_auth};
use crate::components::comments::CommentsPanel;
use crate::components::copy_link::CopyLink;
use crate::components::history::HistoryPanel;
use crate::components::load_failure::load_failure;
use crate::components::loading::Loading;
use crate::components::shell::Shell;
use crate::components::sign_dialog::{SignDialog, SignInput};
use crate::components::transfer_link::TransferLink;
use crate::format;
use crate::live::{LiveNote, on_change};
use crate::pages::change_control_forms::{AssessmentForm, ImplementationForm};
use crate::pages::change_controls::change_chip;
use baton_domain::access::Action;
use baton_domain::change_control::{
    Approver, ChangeControlClosure, ChangeControlStatus, ChangeControlView, ChangeDecision, ChangeDecisionRequest,
    ImpactAssessment, overall,
};
use baton_domain::endpoints::{CloseChangeControl, DecideChangeControl, GetChangeControl};
use baton_domain::org::OrgRef;
use baton_domain::record::RecordType;
use baton_domain::signature::{Meaning, Signature};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;

/// `/change-controls/{id}`
#[component]
pub fn ChangeControlPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let loaded = LocalResource::new(move || {
        let id = id();
        async move { api::call::<GetChangeControl>([&id], &()).await }
    });
    let reload = Callback::new(move |()| loaded.refetch());
    // A change to this record by anyone, through any instance, shows here without a reload.
    let updated_by = on_change(
        move |e| {
            e.record_type == RecordType::ChangeControl
                && params.with_untracked(|p| p.get("id")).is_some_and(|id| id == e.record_id)
        },
        move || loaded.refetch(),
    );
    view! {
        <RequireAuth>
            <Shell>
                <LiveNote updated_by=updated_by/>
                <Suspense fallback=|| view! { <Loading label="Loading the change control…"/> }>
                    {move || loaded.get().map(|result| match result {
                        Ok(change) => view! { <ChangeRecord change=change on_change=reload/> }.into_any(),
                        Err(failure) => load_failure(failure, "There is no change control at this address.", reload),
                    })}
                </Suspense>
            </Shell>
        </RequireAuth>
    }
}

/// The lifecycle as steps: those done (named for what happened), the one now due (named for what is awaited), and
/// those ahead — or, after a rejection, never taken.
fn lifecycle(change: &ChangeControlView) -> impl IntoView + use<> {
    use ChangeControlStatus::*;
    let decided = match &change.decision {
        Some(d) if d.decision == ChangeDecision::Rejected => "Rejected",
        _ => "Approved",
    };
    let done = match change.status {
        Raised => 1,
        Assessed => 2,
        Approved | Rejected => 3,
        Implemented => 4,
        Closed => 5,
    };
    let steps = [
        ("Raised", "Raised"),
        ("Impact assessed", "Impact assessment"),
        (decided, "Decision"),
        // Soft hyphens: five steps share a tablet's width, and these words are the longest.
        ("Imple\u{ad}mented", "Imple\u{ad}men\u{ad}tation"),
        ("Closed", "Closure"),
    ];
    view! {
        <ol class="stepper lifecycle" aria-label="Lifecycle" data-testid="lifecycle">
            {steps.into_iter().enumerate().map(|(i, (happened, awaited))| {
                let (class, mark, state, label) = if i < done {
                    ("step step-passed", "✓", "Done", happened)
                } else if change.status == Rejected {
                    ("step step-ahead", "–", "Not taken", awaited)
                } else if i == done {
                    ("step step-current", "●", "Now", awaited)
                } else {
                    ("step step-ahead", "○", "Ahead", awaited)
                };
                view! {
                    <li class=class aria-current=(state == "Now").then_some("step")>
                        <span class="step-mark" aria-hidden="true">{mark}</span>
                        <span class="step-number">{state}</span>
                        <span class="step-label">{label}</span>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

/// "Signed by Dana Kim (Helix Biologics) on 2026-11-24 14:05 CET (13:05 UTC)", struck through once stale.
fn signed(s: &Signature) -> impl IntoView + use<> {
    let text =
        format!("Signed by {} ({}) on {}", s.signer_name, s.organisation, format::date_time_and_utc(s.signed_at));
    view! {
        <p class:superseded=!s.valid>{text}
            {(!s.valid).then(|| view! { " " <span class="chip chip-grey">"No longer valid: the record changed"</span> })}</p>
    }
}

fn assessment_card(a: &ImpactAssessment) -> impl IntoView + use<> {
    view! {
        <dl class="facts">
            <div><dt>"Impact on product quality"</dt><dd>{a.product_quality.clone()}</dd></div>
            <div><dt>"Regulatory impact"</dt><dd>{a.regulatory.label()}</dd></div>
            <div><dt>"Validation"</dt><dd>{if a.validation_needed { a.validation.clone() } else { "Not needed".into() }}</dd></div>
            <div><dt>"Documents to revise"</dt><dd>{if a.affected_documents.is_empty() { "None".into() } else { a.affected_documents.join("; ") }}</dd></div>
            <div><dt>"Risk"</dt><dd>{a.risk.label()}</dd></div>
            <div><dt>"Assessed"</dt><dd>{format!("{} by {}", format::date_time(a.assessed_at), a.assessed_by)}</dd></div>
        </dl>
    }
}

/// One party's part of the impact assessment: what it recorded, its form when it is the caller's to give, or that
/// it is awaited.
fn party_assessment(
    change: &ChangeControlView,
    party: &OrgRef,
    mine: bool,
    on_change: Callback<()>,
) -> impl IntoView + use<> {
    let recorded = change.assessments.iter().find(|a| a.party.id == party.id);
    let may_assess = mine
        && change.actions.contains(&Action::Contribute)
        && matches!(change.status, ChangeControlStatus::Raised | ChangeControlStatus::Assessed);
    let heading = format!("Assessment by {}", party.name);
    let body = match (recorded, may_assess) {
        (_, true) => view! {
            {recorded.map(assessment_card)}
            <details open=recorded.is_none()>
                <summary class="button">{if recorded.is_some() { "Revise your assessment" } else { "Record your assessment" }}</summary>
                <AssessmentForm change=change.clone() party=party.id on_change=on_change/>
            </details>
        }
        .into_any(),
        (Some(a), false) => assessment_card(a).into_any(),
        (None, false) => view! { <p class="muted">{format!("Awaiting the assessment by {}.", party.name)}</p> }.into_any(),
    };
    view! {
        <section class="assessment" data-testid=format!("assessment-{}", party.kind.as_str())>
            <h3>{heading}</h3>
            {body}
        </section>
    }
}

#[component]
fn ChangeRecord(change: ChangeControlView, on_change: Callback<()>) -> impl IntoView {
    let me = use_auth().session().map(|s| s.user.organisation.id);
    let may = |action: Action| change.actions.contains(&action);
    let deciding = change.status == ChangeControlStatus::Assessed;
    let closing = change.status == ChangeControlStatus::Implemented;
    let may_approve = deciding && may(Action::Sign(Meaning::Approved));
    let may_reject = deciding && may(Action::Sign(Meaning::Rejected));
    let may_close = closing && may(Action::Sign(Meaning::Approved));
    let may_implement = change.status == ChangeControlStatus::Approved && may(Action::Contribute);
    let (approve_open, reject_open, close_open) = (RwSignal::new(false), RwSignal::new(false), RwSignal::new(false));
    let effectiveness = RwSignal::new(String::new());
    let id = change.id;
    let hash = change.content_hash.clone();
    let decide = move |decision: ChangeDecision| {
        let hash = hash.clone();
        Callback::new(move |(input, done): (SignInput, Callback<Option<String>>)| {
            let request = ChangeDecisionRequest {
                decision,
                reason: input.reason,
                password: input.password,
                content_hash: hash.clone(),
            };
            spawn_local(async move {
                match api::call::<DecideChangeControl>([&id.to_string()], &request).await {
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
    let close_hash = change.content_hash.clone();
    let on_close = Callback::new(move |(input, done): (SignInput, Callback<Option<String>>)| {
        let request = ChangeControlClosure {
            effectiveness: effectiveness.get_untracked(),
            password: input.password,
            content_hash: close_hash.clone(),
        };
        spawn_local(async move {
            match api::call::<CloseChangeControl>([&id.to_string()], &request).await {
                Ok(_) => {
                    done.run(None);
                    on_change.run(());
                }
                Err(f) => done.run(Some(f.message())),
            }
        });
    });
    let summary = format!("{} — {}", change.number, change.input.title);
    let approve_statement = format!(
        "You sign as QA that change {summary} is approved, on both parties' impact assessments as shown here. Your \
         signature is bound to exactly this content."
    );
    let reject_statement = format!("You sign as QA that change {summary} is rejected: it will not be made. Say why.");
    let close_statement = {
        let when = change.implementation.as_ref().map(|i| format::date(i.implemented_on)).unwrap_or_default();
        move || {
            format!(
                "You sign as QA that change {summary}, implemented on {when}, was evaluated: “{}”. The change \
                 control closes.",
                effectiveness.get().trim()
            )
        }
    };
    let owner = change.owner.clone();
    let other = change.other_party(owner.id).clone();
    let impact = overall(&change.assessments);
    let approver_problem = match &change.approver {
        Approver::Party { .. } => None,
        other => Some(other.describe()),
    };
    view! {
        <article class="record" data-testid="change-control">
            <header class="record-header">
                <div class="record-title">
                    <p class="record-kind">{format!("{} change · {}", change.input.change_type.label(), owner.name)}</p>
                    <h1>{change.number.clone()} " " {change_chip(change.status)}</h1>
                    <p class="lead">{change.input.title.clone()}</p>
                </div>
                <div class="record-actions">
                    {may_approve.then(|| view! { <button class="button primary" on:click=move |_| approve_open.set(true)>"Approve"</button> })}
                    {may_reject.then(|| view! { <button class="button danger" on:click=move |_| reject_open.set(true)>"Reject"</button> })}
                    <CopyLink/>
                </div>
            </header>
            {lifecycle(&change)}
            {(deciding && approver_problem.is_some()).then(|| view! {
                <div class="banner error" role="alert" data-testid="approver-problem">{approver_problem.clone()}</div>
            })}
            <dl class="facts">
                <div><dt>"Product"</dt><dd>{change.product.name.clone()}
                    {change.transfer.clone().map(|t| view! { " · " <TransferLink transfer=t readable=change.transfer_readable/> })}</dd></div>
                <div><dt>"Site"</dt><dd>{change.site.clone().map_or_else(|| "—".to_owned(), |s| format!("{} · {}", s.name, s.organisation.name))}</dd></div>
                <div><dt>"Raised"</dt><dd>{format!("{} by {}", format::date_time(change.raised_at), change.raised_by)}</dd></div>
                <div><dt>"Proposed for"</dt><dd>{format::date(change.input.proposed_implementation)}</dd></div>
                <div><dt>"Approved by"</dt><dd data-testid="approver">{change.approver.describe()}</dd></div>
                <div><dt>"Overall impact"</dt><dd>{impact.map_or_else(|| "Not assessed yet".to_owned(),
                    |(risk, regulatory)| format!("{} risk · regulatory: {}", risk.label(), regulatory.label().to_lowercase()))}</dd></div>
            </dl>
            <section class="panel">
                <h2>"The change"</h2>
                <p>{change.input.description.clone()}</p>
                <h3>"Why"</h3>
                <p>{change.input.justification.clone()}</p>
            </section>
            <section class="panel" data-testid="assessments">
                <h2>"Impact assessment"</h2>
                <p class="muted">"Both parties assess the change before it is decided."</p>
                {party_assessment(&change, &owner, me == Some(owner.id), on_change)}
                {party_assessment(&change, &other, me == Some(other.id), on_change)}
            </section>
            {change.decision.clone().map(|d| view! {
                <section class="panel" data-testid="decision">
                    <h2>{d.decision.label()}</h2>
                    {signed(&d.signature)}
                    {(!d.reason.is_empty()).then(|| view! { <p class="muted">{format!("Reason: {}", d.reason)}</p> })}
                </section>
            })}
            {(change.implementation.is_some() || may_implement).then(|| view! {
                <section class="panel" data-testid="implementation">
                    <h2>"Implementation"</h2>
                    {match change.implementation.clone() {
                        Some(i) => view! {
                            <p>{format!("Implemented on {}: {}", format::date(i.implemented_on), i.note)}</p>
                            <p class="muted small">{format!("Recorded by {} on {}", i.recorded_by, format::date_time(i.recorded_at))}</p>
                        }.into_any(),
                        None => view! { <ImplementationForm change=change.clone() on_change=on_change/> }.into_any(),
                    }}
                </section>
            })}
            {(change.closure.is_some() || may_close).then(|| view! {
                <section class="panel" data-testid="closure">
                    <h2>"Closure"</h2>
                    {match change.closure.clone() {
                        Some(c) => view! { <p>{format!("Evaluation: {}", c.effectiveness)}</p> {signed(&c.signature)} }.into_any(),
                        None => view! {
                            <div class="field"><label for="cc-effectiveness">"How the change was evaluated after implementation"</label>
                                <textarea id="cc-effectiveness" rows="3" prop:value=move || effectiveness.get()
                                    on:input=move |ev| effectiveness.set(event_target_value(&ev))></textarea></div>
                            <div class="dialog-actions">
                                <button class="button primary" disabled=move || effectiveness.get().trim().is_empty()
                                    on:click=move |_| close_open.set(true)>"Close change control"</button>
                            </div>
                        }.into_any(),
                    }}
                </section>
            })}
            <CommentsPanel record_type=RecordType::ChangeControl id=id.to_string()/>
            <HistoryPanel record_type=RecordType::ChangeControl id=id.to_string()/>
            <SignDialog title="Approve change" statement=approve_statement confirm="Sign: approve" ask_reason=false
                open=approve_open on_submit=decide(ChangeDecision::Approved)/>
            <SignDialog title="Reject change" statement=reject_statement confirm="Sign: reject" ask_reason=true
                open=reject_open on_submit=decide(ChangeDecision::Rejected)/>
            {move || close_open.get().then(|| view! {
                <SignDialog title="Close change control" statement=close_statement() confirm="Sign: close" ask_reason=false
                    open=close_open on_submit=on_close/>
            })}
        </article>
    }
}

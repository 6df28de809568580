//! `/partnerships/{id}/targets`: the partnership's agreed KPI targets — the limits in force (or the defaults), every
//! version with its state and QA signatures, proposing a new version, editing a draft, and signing one.

use crate::api;
use crate::auth::RequireAuth;
use crate::components::load_failure::load_failure;
use crate::components::loading::Loading;
use crate::components::shell::Shell;
use crate::components::sign_dialog::{SignDialog, SignInput};
use crate::components::table_wrap::TableWrap;
use crate::format;
use crate::pages::kpi_targets_editor::{Editing, TargetsEditor};
use baton_domain::access::Action;
use baton_domain::endpoints::{GetKpiTargets, SignKpiTargets};
use baton_domain::kpi::{Direction, KpiKind, format_value};
use baton_domain::kpi_targets::{AgreedTargets, KpiTarget, KpiTargetVersion, KpiTargets};
use baton_domain::quality::QualityAgreementState;
use baton_domain::signature::{Meaning, SignRequest};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

/// `/partnerships/{id}/targets`
#[component]
pub fn KpiTargetsPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let loaded = LocalResource::new(move || {
        let id = id();
        async move { api::call::<GetKpiTargets>([&id], &()).await }
    });
    let refresh = Callback::new(move |()| loaded.refetch());
    view! {
        <RequireAuth>
            <Shell>
                <Suspense fallback=|| view! { <Loading label="Loading the KPI targets…"/> }>
                    {move || loaded.get().map(|result| match result {
                        Ok(targets) => view! { <TargetsView targets=targets on_change=refresh/> }.into_any(),
                        Err(failure) => load_failure(failure, "There is no partnership at this address.", refresh),
                    })}
                </Suspense>
            </Shell>
        </RequireAuth>
    }
}

fn state_chip(state: QualityAgreementState) -> impl IntoView {
    let class = match state {
        QualityAgreementState::Effective => "chip chip-done",
        QualityAgreementState::AwaitingSignatures => "chip chip-warn",
        QualityAgreementState::Draft | QualityAgreementState::Superseded => "chip chip-grey",
    };
    let label = match state {
        QualityAgreementState::Effective => "In force",
        other => other.label(),
    };
    view! { <span class=class data-testid="targets-state"><span class="chip-dot" aria-hidden="true"></span>{label}</span> }
}

/// "Targets agreed 2026-11-24 (version 2), signed by Dana Kim (Helix Biologics) and Pieter Wouters (Norvia CDMO)."
pub fn agreed_sentence(agreed: &AgreedTargets, sponsor: &str, cmo: &str) -> String {
    format!(
        "Targets agreed {} (version {}), signed by {} ({sponsor}) and {} ({cmo}).",
        format::local_date(agreed.agreed_at),
        agreed.version,
        agreed.sponsor_signer,
        agreed.cmo_signer
    )
}

#[component]
fn TargetsView(targets: KpiTargets, on_change: Callback<()>) -> impl IntoView {
    let partnership = targets.partnership_id.to_string();
    let editing = RwSignal::new(None::<Editing>);
    // What this user may do comes from the server, with the record: the page keeps no copy of the rule.
    let may_propose = targets.actions.contains(&Action::DraftAgreement);
    let in_use = targets.in_use.clone();
    let in_force = match &targets.agreed {
        Some(agreed) => agreed_sentence(agreed, &targets.sponsor.name, &targets.cmo.name),
        None => "Default targets — not yet agreed. The scorecard judges by Baton's shared defaults until QA of \
                 both parties sign a version."
            .to_owned(),
    };
    let versions = targets.versions.clone();
    let list = versions
        .iter()
        .enumerate()
        .map(|(i, v)| {
            // What the version changes, against the one before it (or the defaults for the first).
            let before = versions.get(i + 1).map_or_else(KpiTarget::defaults, |older| older.targets.clone());
            view! { <VersionPanel version=v.clone() before=before editing=editing on_change=on_change/> }
        })
        .collect_view();
    let scorecard = format!("/partnerships/{partnership}/scorecard");
    view! {
        <article class="record" data-testid="kpi-targets">
            <header class="record-header">
                <div class="record-title">
                    <p class="record-kind">"KPI targets"</p>
                    <h1>{targets.sponsor.name.clone()} " · " {targets.cmo.name.clone()}</h1>
                    <p class="muted">"Each KPI's target (at or better is green) and amber limit (worse is red), an annex of the quality agreement. A version is in force once QA of both parties has signed it."</p>
                </div>
                <div class="record-actions">
                    <A href=scorecard attr:class="button">"KPI scorecard"</A>
                    {may_propose.then(|| view! {
                        <button class="button primary" on:click=move |_| editing.set(Some(Editing::New))>"Propose new version"</button>
                    })}
                </div>
            </header>
            <p class="banner targets-note" data-testid="targets-in-force">{in_force}</p>
            {move || editing.get().map(|mode| view! {
                <TargetsEditor partnership=partnership.clone() start=in_use.clone() mode=mode
                    on_done=Callback::new(move |saved: bool| { editing.set(None); if saved { on_change.run(()); } })/>
            })}
            {if versions.is_empty() {
                view! { <div class="panel empty-state"><h2>"No targets agreed yet"</h2>
                    <p>"QA (or an admin) of either party proposes the first version, starting from the defaults; QA of both parties sign it."</p></div> }.into_any()
            } else {
                list.into_any()
            }}
        </article>
    }
}

/// "≥ 95.0 %" or "≤ 21.0 days": at or better than `limit`.
fn at_or_better(kind: KpiKind, limit: f64) -> String {
    let sign = if kind.direction() == Direction::HigherIsBetter { "≥" } else { "≤" };
    format!("{sign} {}", format_value(kind, Some(limit)))
}

/// "< 90.0 %" or "> 30.0 days": worse than `limit`.
pub fn worse_than(kind: KpiKind, limit: f64) -> String {
    let sign = if kind.direction() == Direction::HigherIsBetter { "<" } else { ">" };
    format!("{sign} {}", format_value(kind, Some(limit)))
}

#[component]
fn VersionPanel(
    version: KpiTargetVersion,
    before: Vec<KpiTarget>,
    editing: RwSignal<Option<Editing>>,
    on_change: Callback<()>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let can_sign = version.actions.contains(&Action::SignAgreement);
    let can_edit = version.actions.contains(&Action::DraftAgreement);
    let id = version.id.to_string();
    let statement = format!(
        "You approve version {} of these KPI targets ({} KPIs, content hash {}…) on behalf of your organisation's QA. \
         Once QA of both parties has approved it, the scorecard judges by these targets.",
        version.version,
        version.targets.len(),
        version.content_hash.get(..12).unwrap_or_default()
    );
    let shown_hash = version.content_hash.clone();
    let on_sign = Callback::new(move |(input, done): (SignInput, Callback<Option<String>>)| {
        let (id, content_hash) = (id.clone(), shown_hash.clone());
        spawn_local(async move {
            let request = SignRequest { password: input.password, meaning: Meaning::Approved, content_hash };
            match api::call::<SignKpiTargets>([&id], &request).await {
                Ok(_) => {
                    done.run(None);
                    on_change.run(());
                }
                Err(f) => done.run(Some(f.message())),
            }
        });
    });
    let edit = {
        let version = version.clone();
        move |_| editing.set(Some(Editing::Draft(version.clone())))
    };
    let superseded = version.state == QualityAgreementState::Superseded;
    let rows = version
        .targets
        .iter()
        .map(|t| {
            let changed =
                before.iter().find(|b| b.kpi == t.kpi).is_none_or(|b| b.target != t.target || b.amber != t.amber);
            view! {
                <tr class:changed=changed>
                    <th scope="row">{t.kpi.label()}
                        <span class="muted small">" · " {t.kpi.direction().label().to_lowercase()}</span>
                        {changed.then(|| view! { <span class="chip chip-progress small">"Changed"</span> })}</th>
                    <td class="numeric">{at_or_better(t.kpi, t.target)}</td>
                    <td class="numeric">{at_or_better(t.kpi, t.amber)}</td>
                    <td class="numeric">{worse_than(t.kpi, t.amber)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="panel" class:superseded=superseded data-testid=format!("targets-version-{}", version.version)>
            <div class="panel-head">
                <h2>{format!("Version {}", version.version)} " " {state_chip(version.state)}</h2>
                <div class="record-actions">
                    {can_edit.then(|| view! { <button class="button" on:click=edit>"Edit draft"</button> })}
                    {can_sign.then(|| view! { <button class="button primary" on:click=move |_| open.set(true)>"Approve and sign"</button> })}
                </div>
            </div>
            <p class="muted small">
                {format!("Proposed by {}, {}", version.created_by, format::date_time(version.created_at))}
                {(version.updated_at != version.created_at).then(|| format!(" · edited {}", format::date_time(version.updated_at)))}
                {format!(" — “{}”", version.reason)}
            </p>
            <TableWrap>
                <table class="data-table targets-table">
                    <thead><tr>
                        <th scope="col">"KPI"</th>
                        <th scope="col" class="numeric"><span class="chip chip-done">"Green"</span></th>
                        <th scope="col" class="numeric"><span class="chip chip-warn">"Amber"</span></th>
                        <th scope="col" class="numeric"><span class="chip chip-bad">"Red"</span></th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </TableWrap>
            <p class="muted small">{if version.version == 1 {
                "“Changed” marks a KPI whose limits differ from the shared defaults."
            } else {
                "“Changed” marks a KPI whose limits differ from the version before."
            }}</p>
            <ul class="signatures">
                {version.signatures.iter().map(|s| view! {
                    <li><strong>{format!("{} by {}", s.meaning.label(), s.signer_name)}</strong>
                        <span>{format!("{} · {}", s.organisation, format::date_time_and_utc(s.signed_at))}</span></li>
                }).collect_view()}
            </ul>
            <SignDialog title="Approve KPI targets" statement=statement confirm="Sign: approve" ask_reason=false open=open on_submit=on_sign/>
        </section>
    }
}

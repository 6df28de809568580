//! `/partners/{partnership}`: the partnership's quality agreement — who is R, A, C or I for each activity —
//! its versions, QA approvals, and proposing a new version.

use crate::api;
use crate::auth::RequireAuth;
use crate::components::error_panel::ErrorPanel;
use crate::components::loading::Loading;
use crate::components::shell::Shell;
use crate::components::sign_dialog::{SignDialog, SignInput};
use crate::components::table_wrap::TableWrap;
use crate::format;
use crate::pages::no_access::NoAccess;
use crate::pages::not_found::NotFound;
use baton_domain::access::Action;
use baton_domain::endpoints::{GetQualityAgreement, ProposeQualityAgreement, SignQualityAgreement};
use baton_domain::error::ErrorCode;
use baton_domain::quality::{
    QualityAgreement, QualityAgreementDraft, QualityAgreementState, QualityAgreementVersion, Raci, RaciRow,
};
use baton_domain::signature::{Meaning, SignRequest};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

/// `/partners/{partnership}`
#[component]
pub fn PartnerPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let quality = LocalResource::new(move || {
        let id = id();
        async move { api::call::<GetQualityAgreement>([&id], &()).await }
    });
    let refresh = Callback::new(move |()| quality.refetch());
    view! {
        <RequireAuth>
            <Shell>
                <Suspense fallback=|| view! { <Loading label="Loading the quality agreement…"/> }>
                    {move || quality.get().map(|result| match result {
                        Ok(q) => view! { <QualityView quality=q partnership=id() on_change=refresh/> }.into_any(),
                        Err(f) => match f.code() {
                            Some(ErrorCode::NotFound | ErrorCode::InvalidInput) => view! { <NotFound what="There is no partnership at this address."/> }.into_any(),
                            Some(ErrorCode::NoAccess) => view! { <NoAccess reason=f.message()/> }.into_any(),
                            _ => view! { <ErrorPanel message=f.message() on_retry=refresh/> }.into_any(),
                        },
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
    view! { <span class=class data-testid="quality-state"><span class="chip-dot" aria-hidden="true"></span>{state.label()}</span> }
}

fn raci_cell(raci: Raci) -> impl IntoView {
    view! { <td class=format!("raci raci-{}", raci.as_str())><strong>{raci.as_str()}</strong> <span class="muted small">{raci.label()}</span></td> }
}

#[component]
fn QualityView(quality: QualityAgreement, partnership: String, on_change: Callback<()>) -> impl IntoView {
    let editing = RwSignal::new(false);
    let latest_rows = quality.versions.first().map(|v| v.rows.clone());
    // What this user may do comes from the server, with the record: the page keeps no copy of the rule.
    let may_propose = quality.actions.contains(&Action::DraftAgreement);

    let versions = quality
        .versions
        .iter()
        .map(|v| {
            let can_sign = v.actions.contains(&Action::SignAgreement);
            view! { <VersionView version=v.clone() can_sign=can_sign on_change=on_change/> }
        })
        .collect_view();

    view! {
        <article class="record" data-testid="quality-agreement">
            <header class="record-header">
                <div class="record-title">
                    <p class="record-kind">"Quality agreement"</p>
                    <h1>{quality.sponsor.name.clone()} " · " {quality.cmo.name.clone()}</h1>
                    <p class="muted">"Who is Responsible, Accountable, Consulted and Informed for each quality activity. A version is in force once QA of both parties has approved it."</p>
                </div>
                <div class="record-actions">
                    <A href=format!("/partnerships/{partnership}/targets") attr:class="button">"KPI targets"</A>
                    <A href=format!("/partnerships/{partnership}/scorecard") attr:class="button">"KPI scorecard"</A>
                    {may_propose.then(|| view! {
                        <button class="button" on:click=move |_| editing.update(|e| *e = !*e)>
                            {move || if editing.get() { "Close editor" } else { "Propose new version" }}
                        </button>
                    })}
                </div>
            </header>
            {move || editing.get().then(|| view! {
                <VersionEditor partnership=partnership.clone() start=latest_rows.clone()
                    on_saved=Callback::new(move |()| { editing.set(false); on_change.run(()); })/>
            })}
            {if quality.versions.is_empty() {
                view! { <div class="panel empty-state"><h2>"No quality agreement yet"</h2><p>"QA of either party proposes the first version of the RACI matrix; both QAs approve it."</p></div> }.into_any()
            } else {
                versions.into_any()
            }}
        </article>
    }
}

#[component]
fn VersionView(version: QualityAgreementVersion, can_sign: bool, on_change: Callback<()>) -> impl IntoView {
    let open = RwSignal::new(false);
    let id = version.id.to_string();
    let statement = format!(
        "You approve version {} of this quality agreement ({} activities, content hash {}…) on behalf of your organisation's QA.",
        version.version,
        version.rows.len(),
        &version.content_hash[..12]
    );
    let shown_hash = version.content_hash.clone();
    let on_sign = Callback::new(move |(input, done): (SignInput, Callback<Option<String>>)| {
        let (id, content_hash) = (id.clone(), shown_hash.clone());
        spawn_local(async move {
            let request = SignRequest { password: input.password, meaning: Meaning::Approved, content_hash };
            match api::call::<SignQualityAgreement>([&id], &request).await {
                Ok(_) => {
                    done.run(None);
                    on_change.run(());
                }
                Err(f) => done.run(Some(f.message())),
            }
        });
    });
    let superseded = version.state == QualityAgreementState::Superseded;
    view! {
        <section class="panel" class:superseded=superseded data-testid=format!("version-{}", version.version)>
            <div class="panel-head">
                <h2>{format!("Version {}", version.version)} " " {state_chip(version.state)}</h2>
                {can_sign.then(|| view! { <button class="button primary" on:click=move |_| open.set(true)>"Approve and sign"</button> })}
            </div>
            <p class="muted small">
                {format!("Proposed by {}, {}", version.created_by, format::date_time(version.created_at))}
                {version.reason.clone().map(|r| format!(" — “{r}”"))}
            </p>
            <TableWrap>
                <table class="data-table raci-table">
                    <thead><tr><th scope="col">"Activity"</th><th scope="col">"Sponsor"</th><th scope="col">"CMO"</th></tr></thead>
                    <tbody>
                        {version.rows.iter().map(|r| view! { <tr><td>{r.activity.clone()}</td>{raci_cell(r.sponsor)}{raci_cell(r.cmo)}</tr> }).collect_view()}
                    </tbody>
                </table>
            </TableWrap>
            <ul class="signatures">
                {version.signatures.iter().map(|s| view! {
                    <li><strong>{format!("{} by {}", s.meaning.label(), s.signer_name)}</strong>
                        <span>{format!("{} · {}", s.organisation, format::date_time_and_utc(s.signed_at))}</span></li>
                }).collect_view()}
            </ul>
            <SignDialog title="Approve quality agreement" statement=statement confirm="Sign: approve" ask_reason=false open=open on_submit=on_sign/>
        </section>
    }
}

#[component]
fn VersionEditor(partnership: String, start: Option<Vec<RaciRow>>, on_saved: Callback<()>) -> impl IntoView {
    let first_version = start.is_none();
    let initial = start.unwrap_or_else(|| {
        baton_domain::quality::DEFAULT_ACTIVITIES
            .iter()
            .map(|a| RaciRow { activity: (*a).to_owned(), sponsor: Raci::Accountable, cmo: Raci::Responsible })
            .collect()
    });
    let rows = RwSignal::new(initial);
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let raci_select = move |i: usize, sponsor: bool| {
        let current = move || rows.with(|r| r.get(i).map(|row| if sponsor { row.sponsor } else { row.cmo }));
        view! {
            <select aria-label=if sponsor { "Sponsor" } else { "CMO" } on:change=move |ev| {
                if let Ok(value) = event_target_value(&ev).parse::<Raci>() {
                    rows.update(|r| if let Some(row) = r.get_mut(i) { if sponsor { row.sponsor = value } else { row.cmo = value } });
                }
            }>
                {Raci::ALL.iter().map(|v| { let v = *v; view! { <option value=v.as_str() selected=move || current() == Some(v)>{format!("{} — {}", v.as_str(), v.label())}</option> } }).collect_view()}
            </select>
        }
    };
    let save = move |_| {
        let draft = QualityAgreementDraft { rows: rows.get_untracked(), reason: Some(reason.get_untracked()) };
        if let Err(e) = draft.validate() {
            error.set(Some(e.message));
            return;
        }
        if !first_version && reason.get_untracked().trim().is_empty() {
            error.set(Some("Say why the quality agreement changes.".into()));
            return;
        }
        let partnership = partnership.clone();
        pending.set(true);
        spawn_local(async move {
            match api::call::<ProposeQualityAgreement>([&partnership], &draft).await {
                Ok(_) => on_saved.run(()),
                Err(f) => {
                    error.set(Some(f.message()));
                    pending.set(false);
                }
            }
        });
    };
    view! {
        <section class="panel" data-testid="version-editor">
            <h2>"New version"</h2>
            <TableWrap>
                <table class="data-table raci-table">
                    <thead><tr><th scope="col">"Activity"</th><th scope="col">"Sponsor"</th><th scope="col">"CMO"</th><th scope="col"><span class="visually-hidden">"Remove"</span></th></tr></thead>
                    <tbody>
                        {move || (0..rows.with(Vec::len)).map(|i| view! {
                            <tr>
                                <td><input class="cell-input" type="text" aria-label="Activity"
                                    prop:value=move || rows.with(|r| r.get(i).map(|row| row.activity.clone()).unwrap_or_default())
                                    on:input=move |ev| { let v = event_target_value(&ev); rows.update(|r| if let Some(row) = r.get_mut(i) { row.activity = v }) }/></td>
                                <td>{raci_select(i, true)}</td>
                                <td>{raci_select(i, false)}</td>
                                <td><button type="button" class="button ghost-dark" aria-label="Remove activity"
                                    on:click=move |_| rows.update(|r| { if i < r.len() { r.remove(i); } })>"✕"</button></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </TableWrap>
            <button type="button" class="button" on:click=move |_| rows.update(|r| r.push(RaciRow { activity: String::new(), sponsor: Raci::Accountable, cmo: Raci::Responsible }))>
                "Add activity"
            </button>
            <div class="field">
                <label for="qa-reason">{if first_version { "Note (optional)" } else { "Reason for the change" }}</label>
                <input id="qa-reason" type="text" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
            </div>
            {move || error.get().map(|m| view! { <div class="banner error" role="alert">{m}</div> })}
            <button type="button" class="button primary" disabled=move || pending.get() on:click=save>"Propose version"</button>
        </section>
    }
}

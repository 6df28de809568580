//! `/agreements/{id}`: one agreement, its signatures, and the actions its viewer may take (approve, revoke).

use crate::api::{self, Failure};
use crate::auth::RequireAuth;
use crate::components::comments::CommentsPanel;
use crate::components::error_panel::ErrorPanel;
use crate::components::history::HistoryPanel;
use crate::components::loading::Loading;
use crate::components::shell::Shell;
use crate::components::sign_dialog::{SignDialog, SignInput};
use crate::components::terms_editor::TermsEditor;
use crate::format;
use crate::pages::agreements::state_chip;
use crate::pages::no_access::NoAccess;
use crate::pages::not_found::NotFound;
use baton_domain::access::Action;
use baton_domain::agreement::{AgreementState, AgreementView, AmendRequest, RevokeRequest};
use baton_domain::endpoints::{AmendAgreement, GetAgreement, RevokeAgreement, SignAgreement};
use baton_domain::error::ErrorCode;
use baton_domain::record::RecordType;
use baton_domain::signature::{Meaning, SignRequest};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;

/// `/agreements/{id}`
#[component]
pub fn AgreementPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let agreement = LocalResource::new(move || {
        let id = id();
        async move { api::call::<GetAgreement>([&id], &()).await }
    });
    view! {
        <RequireAuth>
            <Shell>
                <Suspense fallback=|| view! { <Loading label="Loading the agreement…"/> }>
                    {move || agreement.get().map(|result| match result {
                        Ok(a) => view! { <AgreementView agreement=a on_change=Callback::new(move |()| agreement.refetch())/> }.into_any(),
                        Err(f) => match f.code() {
                            Some(ErrorCode::NotFound | ErrorCode::InvalidInput) => view! { <NotFound what="There is no agreement at this address."/> }.into_any(),
                            Some(ErrorCode::NoAccess) => view! { <NoAccess reason=f.message()/> }.into_any(),
                            _ => view! { <ErrorPanel message=f.message() on_retry=Callback::new(move |()| agreement.refetch())/> }.into_any(),
                        },
                    })}
                </Suspense>
            </Shell>
        </RequireAuth>
    }
}

#[component]
fn AgreementView(agreement: AgreementView, on_change: Callback<()>) -> impl IntoView {
    // The server says what this user may do with this agreement now; the page only lays the buttons out.
    let may = |action: Action| agreement.actions.contains(&action);
    let drafting = matches!(agreement.state, AgreementState::Draft | AgreementState::AwaitingSignatures);
    let can_sign = may(Action::SignAgreement);
    let can_revoke = may(Action::RevokeAgreement);
    let can_edit = may(Action::DraftAgreement) && drafting;
    let can_amend =
        may(Action::DraftAgreement) && matches!(agreement.state, AgreementState::Active | AgreementState::Scheduled);
    let (content_hash, row_version) = (agreement.content_hash.clone(), agreement.row_version);
    let editing = RwSignal::new(false);
    let amend_open = RwSignal::new(false);
    let navigate = leptos_router::hooks::use_navigate();
    let sign_open = RwSignal::new(false);
    let revoke_open = RwSignal::new(false);
    let id = agreement.id.to_string();

    let sign_statement = format!(
        "You approve the data-sharing agreement “{}” (terms hash {}…), granting {} {} access to {}'s data as listed below.",
        agreement.title,
        &agreement.content_hash[..12],
        agreement.grantee.name,
        agreement.permission.label(),
        agreement.grantor.name
    );
    let revoke_statement = format!(
        "You revoke “{}”. {} loses access with its next request. This signature means: revoked.",
        agreement.title, agreement.grantee.name
    );
    let sign_id = id.clone();
    let on_sign = Callback::new(move |(input, done): (SignInput, Callback<Option<String>>)| {
        let (id, content_hash) = (sign_id.clone(), content_hash.clone());
        spawn_local(async move {
            let request = SignRequest {
                password: input.password,
                meaning: Meaning::Approved,
                content_hash: content_hash.clone(),
            };
            let outcome = api::call::<SignAgreement>([&id], &request).await;
            finish(outcome, done, on_change);
        });
    });
    let amend_id = id.clone();
    let on_amend = Callback::new(move |(input, done): (SignInput, Callback<Option<String>>)| {
        let (id, navigate) = (amend_id.clone(), navigate.clone());
        spawn_local(async move {
            match api::call::<AmendAgreement>([&id], &AmendRequest { row_version, reason: input.reason }).await {
                Ok(draft) => {
                    done.run(None);
                    navigate(&format!("/agreements/{}", draft.id), Default::default());
                }
                Err(f) => done.run(Some(f.message())),
            }
        });
    });
    let revoke_id = id.clone();
    let on_revoke = Callback::new(move |(input, done): (SignInput, Callback<Option<String>>)| {
        let id = revoke_id.clone();
        spawn_local(async move {
            let request = RevokeRequest { row_version, password: input.password, reason: input.reason };
            let outcome = api::call::<RevokeAgreement>([&id], &request).await;
            finish(outcome, done, on_change);
        });
    });

    view! {
        <article class="record" data-testid="agreement">
            <header class="record-header">
                <div class="record-title">
                    <p class="record-kind">"Data-sharing agreement"</p>
                    <h1>{agreement.title.clone()}</h1>
                    <p class="muted">{agreement.grantor.name.clone()} " grants " {agreement.grantee.name.clone()}</p>
                </div>
                <div class="record-actions">
                    {state_chip(agreement.state)}
                    {can_sign.then(|| view! { <button class="button primary" on:click=move |_| sign_open.set(true)>"Approve and sign"</button> })}
                    {can_edit.then(|| view! { <button class="button" on:click=move |_| editing.update(|e| *e = !*e)>"Edit terms"</button> })}
                    {can_amend.then(|| view! { <button class="button" on:click=move |_| amend_open.set(true)>"Amend"</button> })}
                    {can_revoke.then(|| view! { <button class="button danger" on:click=move |_| revoke_open.set(true)>"Revoke"</button> })}
                </div>
            </header>
            {let view_for_editor = agreement.clone(); move || editing.get().then(|| view! {
                <TermsEditor agreement=view_for_editor.clone() on_saved=Callback::new(move |()| { editing.set(false); on_change.run(()); })/>
            })}
            <dl class="facts">
                <div><dt>"Version"</dt><dd>
                    {agreement.version}
                    {agreement.supersedes.map(|s| view! { " · amends " <a href=format!("/agreements/{s}")>"the previous version"</a> })}
                </dd></div>
                <div><dt>"Permission"</dt><dd>{agreement.permission.label()}</dd></div>
                <div><dt>"Valid from"</dt><dd class="numeric-text">{format::date_time(agreement.valid_from)}</dd></div>
                <div><dt>"Valid until"</dt><dd class="numeric-text">{format::date_time(agreement.valid_until)}</dd></div>
                <div><dt>"Products"</dt><dd>{agreement.scope_text(&agreement.scope.products, "All products")}</dd></div>
                <div><dt>"Transfers"</dt><dd>{agreement.scope_text(&agreement.scope.transfers, "All transfers")}</dd></div>
                <div><dt>"Data classes"</dt><dd>{agreement.scope.data_classes.iter().map(|c| c.label()).collect::<Vec<_>>().join(", ")}</dd></div>
                {agreement.revocation_reason.clone().map(|r| view! { <div><dt>"Revoked because"</dt><dd>{r}</dd></div> })}
            </dl>
            <section class="panel">
                <h2>"Signatures"</h2>
                {if agreement.signatures.is_empty() {
                    view! { <p class="muted">"Not signed yet. An admin of each organisation approves it; it is in force once both have."</p> }.into_any()
                } else {
                    view! {
                        <ul class="signatures" data-testid="signatures">
                            {agreement.signatures.iter().map(|s| view! {
                                <li class:invalid=!s.valid>
                                    <strong>{format!("{} by {}", s.meaning.label(), s.signer_name)}</strong>
                                    <span>{format!("{} · {}", s.organisation, format::date_time_and_utc(s.signed_at))}</span>
                                    {(!s.valid).then(|| view! { <span class="chip chip-grey">"No longer valid: the terms changed"</span> })}
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
            <CommentsPanel record_type=RecordType::Agreement id=id.clone()/>
            <HistoryPanel record_type=RecordType::Agreement id=id/>
            <SignDialog title="Approve agreement" statement=sign_statement confirm="Sign: approve" ask_reason=false open=sign_open on_submit=on_sign/>
            <SignDialog title="Amend agreement" statement="A new draft version with the same terms is created. Change it, then both parties approve it; this version stays in force until then."
                confirm="Create amendment" ask_reason=true ask_password=false open=amend_open on_submit=on_amend/>
            <SignDialog title="Revoke agreement" statement=revoke_statement confirm="Sign: revoke" ask_reason=true open=revoke_open on_submit=on_revoke/>
        </article>
    }
}

fn finish(outcome: Result<AgreementView, Failure>, done: Callback<Option<String>>, on_change: Callback<()>) {
    match outcome {
        Ok(_) => {
            done.run(None);
            on_change.run(());
        }
        Err(f) => done.run(Some(f.message())),
    }
}

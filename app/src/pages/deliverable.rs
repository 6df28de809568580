//! `/deliverables/{id}`: one deliverable, editable by those the server lets change it, saved on the version shown
//! (a stale save opens the conflict dialog).

use crate::api::{self, Failure};
use crate::auth::RequireAuth;
use crate::components::comments::CommentsPanel;
use crate::components::conflict_dialog::{ConflictDialog, FieldClash, clashes};
use crate::components::copy_link::CopyLink;
use crate::components::history::HistoryPanel;
use crate::components::load_failure::load_failure;
use crate::components::loading::Loading;
use crate::components::shell::Shell;
use crate::live::{LiveNote, on_change};
use crate::pages::stage_forms::{day_value, parse_day};
use baton_domain::access::Action;
use baton_domain::deliverable::{Deliverable, DeliverableChange, DeliverableInput, DeliverableStatus};
use baton_domain::endpoints::{ChangeDeliverable, GetDeliverable, GetTransfer};
use baton_domain::error::ErrorCode;
use baton_domain::record::RecordType;
use baton_domain::transfer::TransferDetail;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;

/// `/deliverables/{id}`
#[component]
pub fn DeliverablePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let loaded = LocalResource::new(move || {
        let id = id();
        async move {
            let deliverable = api::call::<GetDeliverable>([&id], &()).await?;
            let transfer = api::call::<GetTransfer>([&deliverable.transfer_id.to_string()], &()).await?;
            Ok::<_, Failure>((deliverable, transfer))
        }
    });
    let reload = Callback::new(move |()| loaded.refetch());
    // This page is a form: a change by someone else is announced with the offer to show it, never loaded over what
    // the user may be typing.
    let updated_by = on_change(
        move |e| {
            e.record_type == RecordType::Deliverable
                && params.with_untracked(|p| p.get("id")).is_some_and(|id| id == e.record_id)
        },
        || (),
    );
    view! {
        <RequireAuth>
            <Shell>
                <LiveNote updated_by=updated_by reload=reload/>
                <Suspense fallback=|| view! { <Loading label="Loading the deliverable…"/> }>
                    {move || loaded.get().map(|result| match result {
                        Ok((deliverable, transfer)) => view! {
                            <DeliverableView deliverable=deliverable transfer=transfer/>
                        }.into_any(),
                        Err(failure) => load_failure(failure, "There is no deliverable at this address.", reload),
                    })}
                </Suspense>
            </Shell>
        </RequireAuth>
    }
}

fn person_name(transfer: &TransferDetail, id: Option<baton_domain::ids::UserId>) -> String {
    id.and_then(|id| transfer.team.iter().find(|m| m.person.id == id))
        .map(|m| m.person.name.clone())
        .unwrap_or_else(|| "—".into())
}

fn org_name(transfer: &TransferDetail, id: baton_domain::ids::OrgId) -> String {
    if id == transfer.cmo.id { transfer.cmo.name.clone() } else { transfer.sponsor.name.clone() }
}

/// `theirs`, with each field the user changed from `base` set to the user's value (`mine`).
fn merge(base: &DeliverableInput, theirs: &DeliverableInput, mine: &DeliverableInput) -> DeliverableInput {
    fn pick<T: PartialEq + Clone>(base: &T, theirs: &T, mine: &T) -> T {
        if mine != base { mine.clone() } else { theirs.clone() }
    }
    DeliverableInput {
        title: pick(&base.title, &theirs.title, &mine.title),
        description: pick(&base.description, &theirs.description, &mine.description),
        owner_org: pick(&base.owner_org, &theirs.owner_org, &mine.owner_org),
        owner_person: pick(&base.owner_person, &theirs.owner_person, &mine.owner_person),
        due_on: pick(&base.due_on, &theirs.due_on, &mine.due_on),
        status: pick(&base.status, &theirs.status, &mine.status),
    }
}

#[component]
fn DeliverableView(deliverable: Deliverable, transfer: TransferDetail) -> impl IntoView {
    let editable = deliverable.actions.contains(&Action::Contribute);
    let title = RwSignal::new(deliverable.title.clone());
    let description = RwSignal::new(deliverable.description.clone());
    let owner = RwSignal::new(deliverable.owner.id.to_string());
    let person = RwSignal::new(deliverable.owner_person.as_ref().map(|p| p.id.to_string()).unwrap_or_default());
    let due = RwSignal::new(day_value(deliverable.due_on));
    let status = RwSignal::new(deliverable.status.as_str().to_owned());
    let row_version = RwSignal::new(deliverable.row_version);
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let clash = RwSignal::new(None::<(String, Vec<FieldClash>)>);
    // After a conflict: the version now stored, and it with the user's own changes applied.
    let pending_merge = RwSignal::new(None::<(DeliverableInput, DeliverableInput)>);
    let id = deliverable.id.to_string();
    let stage_link =
        format!("/transfers/{}/stages/{}?deliverable={}", transfer.id, deliverable.stage_number, deliverable.id);
    let people = transfer.team.clone();
    let parties = [transfer.sponsor.clone(), transfer.cmo.clone()];
    let named = transfer.clone();
    let input = move || -> Option<DeliverableInput> {
        Some(DeliverableInput {
            title: title.get_untracked(),
            description: description.get_untracked(),
            owner_org: owner.get_untracked().parse().ok()?,
            owner_person: person.get_untracked().parse().ok(),
            due_on: parse_day(&due.get_untracked()),
            status: status.get_untracked().parse().ok()?,
        })
    };
    // The version the user's edits started from: a conflict keeps the other person's changes to every field the
    // user left alone, and re-applies only the user's own.
    let base = StoredValue::new(deliverable.input());
    let show = move |d: &DeliverableInput| {
        title.set(d.title.clone());
        description.set(d.description.clone());
        owner.set(d.owner_org.to_string());
        person.set(d.owner_person.map(|p| p.to_string()).unwrap_or_default());
        due.set(day_value(d.due_on));
        status.set(d.status.as_str().to_owned());
    };
    let save = move || {
        let Some(mine) = input() else { return };
        if let Err(e) = mine.validate() {
            error.set(Some(e.message));
            return;
        }
        let (id, named) = (id.clone(), named.clone());
        let change = DeliverableChange { deliverable: mine.clone(), row_version: row_version.get_untracked() };
        pending.set(true);
        saved.set(false);
        spawn_local(async move {
            match api::call::<ChangeDeliverable>([&id], &change).await {
                Ok(now) => {
                    row_version.set(now.row_version);
                    base.set_value(now.input());
                    error.set(None);
                    saved.set(true);
                }
                Err(f) if f.code() == Some(ErrorCode::Conflict) => {
                    match api::call::<GetDeliverable>([&id], &()).await {
                        Ok(now) => {
                            let theirs = now.input();
                            let merged = merge(&base.get_value(), &theirs, &mine);
                            let fields = clashes([
                                ("Title", theirs.title.clone(), merged.title.clone()),
                                ("Description", theirs.description.clone(), merged.description.clone()),
                                ("Owner", org_name(&named, theirs.owner_org), org_name(&named, merged.owner_org)),
                                (
                                    "Person responsible",
                                    person_name(&named, theirs.owner_person),
                                    person_name(&named, merged.owner_person),
                                ),
                                ("Due", day_value(theirs.due_on), day_value(merged.due_on)),
                                ("Status", theirs.status.label().to_owned(), merged.status.label().to_owned()),
                            ]);
                            row_version.set(now.row_version);
                            base.set_value(theirs.clone());
                            pending_merge.set(Some((theirs, merged)));
                            clash.set(Some((f.message(), fields)));
                        }
                        Err(e) => error.set(Some(e.message())),
                    }
                }
                Err(f) => error.set(Some(f.message())),
            }
            pending.set(false);
        });
    };
    let save_again = save.clone();
    let reapply = Callback::new(move |()| {
        if let Some((_, merged)) = pending_merge.get_untracked() {
            show(&merged);
            save_again();
        }
    });
    let keep_theirs = Callback::new(move |()| {
        if let Some((theirs, _)) = pending_merge.get_untracked() {
            show(&theirs);
        }
    });
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        save();
    };
    view! {
        <article class="record" data-testid="deliverable">
            <header class="record-header">
                <div class="record-title">
                    <p class="record-kind"><a href=format!("/transfers/{}", transfer.id)>{transfer.code.clone()}</a>
                        " · " <a href=stage_link>{format!("Stage {}", deliverable.stage_number)}</a> " · Deliverable"</p>
                    <h1>{deliverable.title.clone()}</h1>
                </div>
                <div class="record-actions"><CopyLink/></div>
            </header>
            <form class="panel form" on:submit=submit data-testid="deliverable-form">
                <fieldset disabled=!editable class="plain">
                    <div class="field"><label for="d-title">"Deliverable"</label>
                        <input id="d-title" type="text" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev))/></div>
                    <div class="field"><label for="d-description">"Description"</label>
                        <textarea id="d-description" prop:value=move || description.get()
                            on:input=move |ev| description.set(event_target_value(&ev))></textarea></div>
                    <div class="field-row">
                        <div class="field"><label for="d-owner">"Owner"</label>
                            <select id="d-owner" on:change=move |ev| { owner.set(event_target_value(&ev)); person.set(String::new()); }>
                                {parties.into_iter().map(|o| {
                                    let value = o.id.to_string();
                                    let selected = value == owner.get_untracked();
                                    view! { <option value=value selected=selected>{o.name}</option> }
                                }).collect_view()}
                            </select></div>
                        <div class="field"><label for="d-person">"Person responsible"</label>
                            <select id="d-person" on:change=move |ev| person.set(event_target_value(&ev))>
                                <option value="">"Nobody named"</option>
                                {move || people.iter().filter(|m| m.person.organisation.to_string() == owner.get()).map(|m| {
                                    let value = m.person.id.to_string();
                                    let selected = value == person.get_untracked();
                                    view! { <option value=value selected=selected>{m.person.name.clone()}</option> }
                                }).collect_view()}
                            </select></div>
                    </div>
                    <div class="field-row">
                        <div class="field"><label for="d-due">"Due"</label>
                            <input id="d-due" type="date" prop:value=move || due.get() on:input=move |ev| due.set(event_target_value(&ev))/></div>
                        <div class="field"><label for="d-status">"Status"</label>
                            <select id="d-status" on:change=move |ev| status.set(event_target_value(&ev))>
                                {DeliverableStatus::ALL.iter().map(|s| {
                                    let selected = s.as_str() == status.get_untracked();
                                    view! { <option value=s.as_str() selected=selected>{s.label()}</option> }
                                }).collect_view()}
                            </select></div>
                    </div>
                </fieldset>
                <p class="field-error" data-testid="deliverable-error">{move || error.get()}</p>
                {move || saved.get().then(|| view! { <p class="saved" role="status" data-testid="saved">"Saved."</p> })}
                {if editable {
                    view! { <button type="submit" class="button primary" disabled=move || pending.get()>"Save"</button> }.into_any()
                } else {
                    view! { <p class="muted">"You can read this deliverable; your role or your organisation's agreement does not let you change it, or its gate has passed."</p> }.into_any()
                }}
                <ConflictDialog clash=clash on_reapply=reapply on_discard=keep_theirs/>
            </form>
            <CommentsPanel record_type=RecordType::Deliverable id=deliverable.id.to_string()/>
            <HistoryPanel record_type=RecordType::Deliverable id=deliverable.id.to_string()/>
        </article>
    }
}

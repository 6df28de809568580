//! `/documents/{id}`: one document — its versions with their SHA-256, its signed steps (submit for review,
//! approve), viewing in the browser and downloading, and uploading a new version.

use crate::api;
use crate::auth::RequireAuth;
use crate::components::comments::CommentsPanel;
use crate::components::copy_link::CopyLink;
use crate::components::documents_panel::status_chip;
use crate::components::history::HistoryPanel;
use crate::components::load_failure::load_failure;
use crate::components::loading::Loading;
use crate::components::shell::Shell;
use crate::components::sign_dialog::{SignDialog, SignInput};
use crate::components::table_wrap::TableWrap;
use crate::format;
use crate::live::{LiveNote, on_change};
use crate::upload::{Progress, UploadProgress};
use baton_domain::access::Action;
use baton_domain::document::{
    DocumentSignature, DocumentVersion, DocumentView, VersionQuery, size_label, viewable_inline,
};
use baton_domain::endpoints::{ApproveDocument, DownloadDocument, GetDocument, SubmitDocument, ViewDocument};
use baton_domain::ids::DocumentId;
use baton_domain::record::RecordType;
use baton_domain::signature::Meaning;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use wasm_bindgen::JsCast;

/// `/documents/{id}`
#[component]
pub fn DocumentPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let loaded = LocalResource::new(move || {
        let id = id();
        async move { api::call::<GetDocument>([&id], &()).await }
    });
    let reload = Callback::new(move |()| loaded.refetch());
    // A signing dialog may be open over the page: a change by someone else (a new version, a signed step) is
    // announced with the offer to show it, never loaded over what the user is doing.
    let updated_by = on_change(
        move |e| {
            e.record_type == RecordType::Document
                && params.with_untracked(|p| p.get("id")).is_some_and(|id| id == e.record_id)
        },
        || (),
    );
    view! {
        <RequireAuth>
            <Shell>
                <LiveNote updated_by=updated_by reload=reload/>
                <Suspense fallback=|| view! { <Loading label="Loading the document…"/> }>
                    {move || loaded.get().map(|result| match result {
                        Ok(document) => view! { <DocumentRecord document=document on_change=reload/> }.into_any(),
                        Err(failure) => load_failure(failure, "There is no document at this address.", reload),
                    })}
                </Suspense>
            </Shell>
        </RequireAuth>
    }
}

/// Which signed step the dialog is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Submit,
    Approve,
}

/// What signing `step` on document `id`, as shown with content hash `hash`, sends; reloads the page once signed.
fn signer(
    id: DocumentId,
    hash: String,
    step: Step,
    on_change: Callback<()>,
) -> Callback<(SignInput, Callback<Option<String>>)> {
    Callback::new(move |(input, done): (SignInput, Callback<Option<String>>)| {
        let request = DocumentSignature { password: input.password, content_hash: hash.clone() };
        spawn_local(async move {
            let id = id.to_string();
            let outcome = match step {
                Step::Submit => api::call::<SubmitDocument>([&id], &request).await,
                Step::Approve => api::call::<ApproveDocument>([&id], &request).await,
            };
            match outcome {
                Ok(_) => {
                    done.run(None);
                    on_change.run(());
                }
                Err(f) => done.run(Some(f.message())),
            }
        });
    })
}

#[component]
fn DocumentRecord(document: DocumentView, on_change: Callback<()>) -> impl IntoView {
    let actions = document.actions.clone();
    let may_upload = actions.contains(&Action::Contribute);
    let may_submit = actions.contains(&Action::Sign(Meaning::Authored));
    let may_approve = actions.contains(&Action::Sign(Meaning::Approved));
    let may_download = actions.contains(&Action::Download);
    let id = document.id;
    let (submit_open, approve_open) = (RwSignal::new(false), RwSignal::new(false));
    let hash = document.content_hash.clone();
    let on_submit = signer(id, hash.clone(), Step::Submit, on_change);
    let on_approve = signer(id, hash, Step::Approve, on_change);
    let latest = document.latest().cloned();
    let what = latest.as_ref().map_or(String::new(), |v| {
        format!("“{}” version {} ({}, SHA-256 {}…)", document.input.title, v.number, v.file_name, &v.sha256[..12])
    });
    let submit_statement = format!("You sign as author that {what} is ready for review.");
    let approve_statement =
        format!("You sign as QA that {what} is approved and becomes effective, superseding any earlier version.");
    let (back, back_label) = back_link(&document.input);
    view! {
        <article class="record" data-testid="document">
            <header class="record-header">
                <div class="record-title">
                    <p class="record-kind">{format!("Document · {} · {}", document.input.data_class.label(), document.owner.name)}</p>
                    <h1>{document.input.title.clone()} " " {status_chip(document.status)}</h1>
                    <p class="muted"><A href=back>{back_label}</A></p>
                </div>
                <div class="record-actions">
                    {latest.clone().filter(|v| viewable_inline(&v.content_type)).and_then(|_| api::href::<ViewDocument>([&id.to_string()], &VersionQuery::default()).ok())
                        .map(|href| view! { <a class="button" href=href target="_blank" rel="noopener" data-testid="view-document">"View"</a> })}
                    {may_download.then(|| api::href::<DownloadDocument>([&id.to_string()], &VersionQuery::default()).ok()).flatten()
                        .map(|href| view! { <a class="button" href=href download data-testid="download-document">"Download"</a> })}
                    {may_submit.then(|| view! { <button class="button primary" on:click=move |_| submit_open.set(true)>"Submit for review"</button> })}
                    {may_approve.then(|| view! { <button class="button primary" on:click=move |_| approve_open.set(true)>"Approve"</button> })}
                    <CopyLink/>
                </div>
            </header>
            <dl class="facts">
                <div><dt>"Owner"</dt><dd>{document.owner.name.clone()}</dd></div>
                <div><dt>"Class"</dt><dd>{document.input.data_class.label()}</dd></div>
                <div><dt>"Started"</dt><dd class="numeric-text">{format::date_time(document.created_at)}</dd></div>
                <div><dt>"Latest version"</dt><dd class="numeric-text">{latest.as_ref().map_or("—".to_owned(), |v| format!("v{} · {}", v.number, size_label(v.size)))}</dd></div>
            </dl>
            {may_upload.then(|| view! { <NewVersion id=id.to_string() on_change=on_change/> })}
            <Versions document=document.clone()/>
            <section class="panel">
                <h2>"Signatures"</h2>
                {if document.signatures.is_empty() {
                    view! { <p class="muted">"Nobody has signed a step of this document yet."</p> }.into_any()
                } else {
                    view! { <ul class="signatures" data-testid="signatures">{document.signatures.iter().map(|s| view! {
                        <li><strong>{s.meaning.label()}</strong> {format!(" by {} ({}), {}", s.signer_name, s.organisation, format::date_time_and_utc(s.signed_at))}
                            {(!s.valid).then(|| view! { <span class="chip chip-grey">"Earlier version"</span> })}</li>
                    }).collect_view()}</ul> }.into_any()
                }}
            </section>
            <CommentsPanel record_type=RecordType::Document id=id.to_string()/>
            <HistoryPanel record_type=RecordType::Document id=id.to_string()/>
            <SignDialog title="Submit for review" statement=submit_statement confirm="Sign: submit" ask_reason=false open=submit_open on_submit=on_submit/>
            <SignDialog title="Approve document" statement=approve_statement confirm="Sign: approve" ask_reason=false open=approve_open on_submit=on_approve/>
        </article>
    }
}

#[component]
fn Versions(document: DocumentView) -> impl IntoView {
    let id = document.id.to_string();
    view! {
        <section class="panel">
            <h2>"Versions"</h2>
            {if document.versions.is_empty() {
                view! { <p class="muted" data-testid="no-versions">"No file has been uploaded yet. Upload one above to start the document's first version."</p> }.into_any()
            } else {
                view! {
                    <TableWrap><table class="data-table" data-testid="versions">
                        <thead><tr><th>"Version"</th><th>"File"</th><th>"Size"</th><th>"SHA-256"</th><th>"Uploaded"</th><th>"Status"</th></tr></thead>
                        <tbody>{document.versions.iter().map(|v| version_row(&id, v)).collect_view()}</tbody>
                    </table></TableWrap>
                }.into_any()
            }}
        </section>
    }
}

fn version_row(id: &str, v: &DocumentVersion) -> impl IntoView + use<> {
    let query = VersionQuery { version: Some(v.number) };
    let view_href = viewable_inline(&v.content_type).then(|| api::href::<ViewDocument>([id], &query).ok()).flatten();
    view! {
        <tr>
            <td class="numeric-text">{format!("v{}", v.number)}</td>
            <td>{match view_href {
                Some(href) => view! { <a href=href target="_blank" rel="noopener">{v.file_name.clone()}</a> }.into_any(),
                None => v.file_name.clone().into_any(),
            }}</td>
            <td class="numeric-text">{size_label(v.size)}</td>
            <td class="mono" title=v.sha256.clone()>{format!("{}…", &v.sha256[..16])}</td>
            <td class="numeric-text">{format!("{} · {}", format::date_time(v.uploaded_at), v.uploaded_by)}</td>
            <td>{status_chip(Some(v.status))}</td>
        </tr>
    }
}

#[component]
fn NewVersion(id: String, on_change: Callback<()>) -> impl IntoView {
    // The file on its way up (name and size) and how much has gone; or why the last one was refused.
    let sending = RwSignal::new(None::<(String, u64)>);
    let progress = RwSignal::new(Progress::default());
    let refusal = RwSignal::new(None::<String>);
    let picked = move |ev: leptos::ev::Event| {
        let input = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        let Some(file) = input.as_ref().and_then(web_sys::HtmlInputElement::files).and_then(|f| f.get(0)) else {
            return;
        };
        if let Some(input) = input {
            input.set_value("");
        }
        let id = id.clone();
        progress.set(Progress { sent: 0.0, total: file.size() });
        sending.set(Some((file.name(), file.size() as u64)));
        refusal.set(None);
        spawn_local(async move {
            let outcome = api::upload_version(&id, &file, move |p| progress.set(p)).await;
            sending.set(None);
            match outcome {
                Ok(_) => on_change.run(()),
                Err(f) => refusal.set(Some(f.message())),
            }
        });
    };
    view! {
        <section class="panel">
            <div class="panel-head">
                <h2>"Upload a new version"</h2>
                <label class="button">"Choose a file"
                    <input type="file" class="visually-hidden" accept="application/pdf,image/*,.docx,.xlsx" on:change=picked.clone() data-testid="version-file"/>
                </label>
            </div>
            <p class="muted small">"A new version starts in draft; the effective one stays in force until the new one is approved."</p>
            {move || sending.get().map(|(name, size)| view! { <UploadProgress name=name size=size progress=progress/> })}
            {move || refusal.get().map(|text| view! { <p class="field-error" role="alert" data-testid="version-error">{text}</p> })}
        </section>
    }
}

/// Where the document's page leads back to: the record it is attached to, else its transfer.
fn back_link(input: &baton_domain::document::DocumentInput) -> (String, &'static str) {
    match (input.transfer, input.method, input.batch, input.deviation) {
        (_, _, _, Some(deviation)) => (format!("/deviations/{deviation}"), "Back to the deviation"),
        (_, _, Some(batch), _) => (format!("/batches/{batch}"), "Back to the batch"),
        (Some(transfer), Some(method), _, _) => {
            (format!("/transfers/{transfer}/methods/{method}"), "Back to the method")
        }
        (Some(transfer), ..) => (format!("/transfers/{transfer}"), "Back to the transfer"),
        (None, ..) => ("/transfers".into(), "Back to the transfers"),
    }
}

//! The documents of a transfer, method, batch or deviation on its page: listed newest first, and, for those the
//! server lets start one, an upload zone that takes files from the picker, by drag and drop, or from a tablet's
//! camera.

use crate::api::{self, Failure};
use crate::components::loading::Loading;
use crate::components::table_wrap::TableWrap;
use crate::format;
use crate::live::on_change;
use crate::upload::{self, Progress, UploadProgress};
use baton_domain::access::Action;
use baton_domain::agreement::DataClass;
use baton_domain::document::{
    DocumentInput, DocumentList, DocumentStatus, DocumentView, VersionQuery, is_photo, size_label,
};
use baton_domain::endpoints::{
    CreateDocument, ListBatchDocuments, ListDeviationDocuments, ListDocuments, ListMethodDocuments, ViewDocument,
};
use baton_domain::ids::{BatchId, DeviationId, MethodId, TransferId};
use baton_domain::record::RecordType;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use wasm_bindgen::JsCast;

/// A document version's status as a chip (a word and a colour).
pub fn status_chip(status: Option<DocumentStatus>) -> impl IntoView {
    let (class, label) = match status {
        None => ("chip chip-grey", "No file yet"),
        Some(DocumentStatus::Draft) => ("chip chip-grey", "Draft"),
        Some(DocumentStatus::InReview) => ("chip chip-progress", "In review"),
        Some(DocumentStatus::Effective) => ("chip chip-done", "Effective"),
        Some(DocumentStatus::Superseded) => ("chip chip-grey", "Superseded"),
    };
    view! { <span class=class data-testid="document-status"><span class="chip-dot" aria-hidden="true"></span>{label}</span> }
}

/// Where a documents panel lists and starts documents: a transfer, or a record in one (or, for a batch or deviation,
/// outside any transfer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// A transfer: all its documents.
    Transfer(TransferId),
    /// A method of the transfer.
    Method(TransferId, MethodId),
    /// A batch, in its transfer if it has one.
    Batch(Option<TransferId>, BatchId),
    /// A deviation, in its transfer if it has one.
    Deviation(Option<TransferId>, DeviationId),
}

impl Place {
    /// The documents here that the caller may read.
    async fn list(self) -> Result<DocumentList, Failure> {
        match self {
            Place::Transfer(t) => api::call::<ListDocuments>([&t.to_string()], &()).await,
            Place::Method(_, m) => api::call::<ListMethodDocuments>([&m.to_string()], &()).await,
            Place::Batch(_, b) => api::call::<ListBatchDocuments>([&b.to_string()], &()).await,
            Place::Deviation(_, d) => api::call::<ListDeviationDocuments>([&d.to_string()], &()).await,
        }
    }

    /// A document titled `title` of class `data_class` here.
    pub fn input(self, title: String, data_class: DataClass) -> DocumentInput {
        let transfer = match self {
            Place::Transfer(t) | Place::Method(t, _) => Some(t),
            Place::Batch(t, _) | Place::Deviation(t, _) => t,
        };
        let mut input = DocumentInput::new(transfer, title, data_class);
        match self {
            Place::Transfer(_) => {}
            Place::Method(_, m) => input.method = Some(m),
            Place::Batch(_, b) => input.batch = Some(b),
            Place::Deviation(_, d) => input.deviation = Some(d),
        }
        input
    }

    /// The class a document here usually is, chosen first in the upload zone.
    fn usual_class(self) -> DataClass {
        match self {
            Place::Transfer(_) => DataClass::RegulatoryDocuments,
            Place::Method(..) => DataClass::AnalyticalMethods,
            Place::Batch(..) => DataClass::BatchRecords,
            Place::Deviation(..) => DataClass::QualityEvents,
        }
    }

    /// Where a shared file goes, in words: "in this transfer", "on this method".
    fn named(self) -> &'static str {
        match self {
            Place::Transfer(_) => "in this transfer",
            Place::Method(..) => "on this method",
            Place::Batch(..) => "on this batch",
            Place::Deviation(..) => "on this deviation",
        }
    }
}

/// The documents panel of `place`.
#[component]
pub fn DocumentsPanel(place: Place) -> impl IntoView {
    let loaded = LocalResource::new(move || place.list());
    let reload = Callback::new(move |()| loaded.refetch());
    // A document another person shares or moves on appears without a reload. The event names the document, not its
    // transfer, so any document's change fetches the list again: one small read, and the table shows the outcome.
    on_change(move |e| e.record_type == RecordType::Document, move || loaded.refetch());
    // Kept here, above the list that reloads after each upload, so the outcome and the chosen class stay shown.
    let zone = Zone {
        class: RwSignal::new(place.usual_class()),
        state: RwSignal::new(Upload::Idle),
        progress: RwSignal::new(Progress::default()),
    };
    view! {
        <section class="panel" data-testid="documents">
            <h2>"Documents"</h2>
            <Transition fallback=|| view! { <Loading label="Loading the documents…"/> }>
                {move || loaded.get().map(|result| match result {
                    Ok(list) => view! { <Documents list=list place=place zone=zone on_change=reload/> }.into_any(),
                    Err(failure) => view! { <p class="field-error">{failure.message()}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Documents(list: DocumentList, place: Place, zone: Zone, on_change: Callback<()>) -> impl IntoView {
    let may_add = list.actions.contains(&Action::Contribute);
    let empty = if may_add {
        format!(
            "No documents yet. Drop a protocol, report or photo here, or choose a file, to share it in {}.",
            place.named()
        )
    } else {
        "No documents you may see yet. Documents appear here as either party shares them under an agreement.".into()
    };
    view! {
        {may_add.then(|| view! { <UploadZone place=place zone=zone on_change=on_change/> })}
        {if list.items.is_empty() {
            view! { <p class="muted" data-testid="documents-empty">{empty}</p> }.into_any()
        } else {
            view! {
                <TableWrap><table class="data-table" data-testid="documents-table">
                    <thead><tr><th>"Title"</th><th>"Class"</th><th>"Owner"</th><th>"Version"</th><th>"Status"</th><th>"Uploaded"</th></tr></thead>
                    <tbody>{list.items.into_iter().map(row).collect_view()}</tbody>
                </table></TableWrap>
            }.into_any()
        }}
    }
}

/// A photo's thumbnail, opening the photo as the browser shows it: the one place a picture needs no click to read.
fn thumbnail(document: &DocumentView) -> Option<impl IntoView + use<>> {
    document.latest().filter(|v| is_photo(&v.content_type))?;
    let href = api::href::<ViewDocument>([&document.id.to_string()], &VersionQuery::default()).ok()?;
    let alt = document.input.title.clone();
    let src = href.clone();
    Some(view! {
        <a class="doc-thumb" href=href target="_blank" rel="noopener" data-testid="document-thumbnail">
            <img src=src alt=alt loading="lazy"/>
        </a>
    })
}

fn row(document: DocumentView) -> impl IntoView {
    let latest = document.latest().cloned();
    view! {
        <tr>
            <td>{thumbnail(&document)}<A href=format!("/documents/{}", document.id)>{document.input.title.clone()}</A></td>
            <td>{document.input.data_class.label()}</td>
            <td>{document.owner.name.clone()}</td>
            <td class="numeric-text">{latest.as_ref().map(|v| format!("v{} · {}", v.number, size_label(v.size)))}</td>
            <td>{status_chip(document.status)}</td>
            <td class="numeric-text">{latest.map(|v| format!("{} · {}", format::date_time(v.uploaded_at), v.uploaded_by))}</td>
        </tr>
    }
}

/// Where an upload stands.
#[derive(Clone, Debug, PartialEq)]
enum Upload {
    Idle,
    /// A file (its name and size) on its way up.
    Sending(String, u64),
    Failed(String),
    Done(String),
}

/// The upload zone's choices and outcome.
#[derive(Clone, Copy, Debug)]
struct Zone {
    class: RwSignal<DataClass>,
    state: RwSignal<Upload>,
    /// How much of the file being sent has gone up.
    progress: RwSignal<Progress>,
}

/// The files of a `FileList`.
fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// Starts a document titled `title` at `place`, for a file to be uploaded as its first version.
pub async fn start(place: Place, title: String, data_class: DataClass) -> Result<DocumentView, Failure> {
    api::call::<CreateDocument>([], &place.input(title, data_class)).await
}

/// Starts a document at `place` titled after `file` and uploads the file as its first version, reporting its
/// progress.
async fn share(
    place: Place,
    data_class: DataClass,
    file: &web_sys::File,
    progress: RwSignal<Progress>,
) -> Result<DocumentView, String> {
    let name = file.name();
    let title = name.rsplit_once('.').map_or(name.as_str(), |(stem, _)| stem).to_owned();
    let document = start(place, title, data_class).await.map_err(|f| f.message())?;
    api::upload_version(&document.id.to_string(), file, move |p| progress.set(p)).await.map_err(|f| {
        format!("{} The document was started without its file: open it to upload the file again.", f.message())
    })
}

#[component]
fn UploadZone(place: Place, zone: Zone, on_change: Callback<()>) -> impl IntoView {
    let Zone { class, state, progress } = zone;
    let over = RwSignal::new(false);
    let send = move |files: Vec<web_sys::File>| {
        if files.is_empty() || matches!(state.get_untracked(), Upload::Sending(..)) {
            return;
        }
        // Checked for every file before any is shared, so a drop of several shares all of them or none.
        if let Some((file, why)) = files.iter().find_map(|f| upload::too_large(f).map(|why| (f, why))) {
            state.set(Upload::Failed(format!("“{}” was not shared: {why}", file.name())));
            return;
        }
        spawn_local(async move {
            let data_class = class.get_untracked();
            let mut shared = Vec::new();
            for file in files {
                progress.set(Progress { sent: 0.0, total: file.size() });
                state.set(Upload::Sending(file.name(), file.size() as u64));
                if let Err(message) = share(place, data_class, &file, progress).await {
                    state.set(Upload::Failed(format!("“{}” was not shared: {message}", file.name())));
                    on_change.run(());
                    return;
                }
                shared.push(file.name());
            }
            state.set(Upload::Done(format!("Shared: {}.", shared.join(", "))));
            on_change.run(());
        });
    };
    let picked = move |ev: leptos::ev::Event| {
        let input = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        send(files_of(input.as_ref().and_then(web_sys::HtmlInputElement::files)));
        if let Some(input) = input {
            // The same file picked again is a new upload.
            input.set_value("");
        }
    };
    let dropped = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        over.set(false);
        send(files_of(ev.data_transfer().and_then(|d| d.files())));
    };
    view! {
        <div class=move || if over.get() { "drop-zone drop-over" } else { "drop-zone" } data-testid="drop-zone"
            on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); over.set(true); }
            on:dragleave=move |_| over.set(false)
            on:drop=dropped>
            <p><strong>"Drop files here"</strong> " or"</p>
            <div class="drop-actions">
                <label class="button">"Choose files"
                    <input type="file" class="visually-hidden" multiple data-testid="document-file"
                        accept="application/pdf,image/*,.docx,.xlsx" on:change=picked/>
                </label>
                <label class="button">"Take a photo"
                    <input type="file" class="visually-hidden" accept="image/*,application/pdf" capture="environment" on:change=picked/>
                </label>
                <label class="drop-class">"Share as "
                    <select on:change=move |ev| {
                        if let Some(c) = DataClass::ALL.iter().find(|c| c.as_str() == event_target_value(&ev)) { class.set(*c) }
                    }>
                        {DataClass::ALL.iter().map(|c| view! {
                            <option value=c.as_str() selected=*c == class.get_untracked()>{c.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
            </div>
            <p class="muted small">"PDF, images, Word or Excel files. The partner sees a document only through an agreement covering its class."</p>
            {move || match state.get() {
                Upload::Idle => ().into_any(),
                Upload::Sending(name, size) => view! { <UploadProgress name=name size=size progress=progress/> }.into_any(),
                Upload::Failed(text) => view! { <p class="field-error" role="alert" data-testid="upload-error">{text}</p> }.into_any(),
                Upload::Done(text) => view! { <p role="status" data-testid="upload-done">{text}</p> }.into_any(),
            }}
        </div>
    }
}

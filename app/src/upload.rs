//! Sending a file to the API as a request body while showing how much of it has gone up. `fetch` reports no upload
//! progress, so this uses XMLHttpRequest, whose `upload` object does. Every upload of a file goes through here: it
//! carries the session's anti-forgery token, the file's type and its percent-encoded name, and reads the answer as
//! the typed calls of [`crate::api`] do (a refusal is the server's JSON error, shown where the file was chosen).

use crate::api::{self, Failure};
use crate::auth;
use baton_domain::document::{self, size_label};
use baton_domain::error::{ApiError, ErrorBody, ErrorCode};
use baton_domain::live::TAB_HEADER;
use baton_domain::session::CSRF_HEADER;
use baton_domain::url_encoding;
use leptos::prelude::*;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// How much of an upload has been sent.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Progress {
    /// Bytes sent so far.
    pub sent: f64,
    /// Bytes to send.
    pub total: f64,
}

impl Progress {
    /// Whole percent sent, 0 to 100.
    pub fn percent(self) -> u32 {
        if self.total <= 0.0 { 0 } else { (self.sent / self.total * 100.0).clamp(0.0, 100.0).floor() as u32 }
    }
}

fn failed_to_start(e: &wasm_bindgen::JsValue) -> Failure {
    Failure::Network(format!("The upload could not be started: {e:?}"))
}

/// POSTs `file` as the body of a request to `url`, calling `on_progress` as its bytes go up, and reads the JSON
/// answer as `T` (or the server's error). The file's type is the browser's, else the one its name suggests.
pub async fn post_file<T: DeserializeOwned>(
    url: &str,
    file: &web_sys::File,
    on_progress: impl Fn(Progress) + 'static,
) -> Result<T, Failure> {
    if let Some(why) = too_large(file) {
        return Err(Failure::Api(ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("“{}” was not sent: {why}", file.name()),
        )));
    }
    let xhr = web_sys::XmlHttpRequest::new().map_err(|e| failed_to_start(&e))?;
    xhr.open("POST", url).map_err(|e| failed_to_start(&e))?;
    let name = file.name();
    let declared = file.type_();
    let content_type = if declared.is_empty() { document::type_for_name(&name).unwrap_or_default() } else { &declared };
    let headers = [
        ("Content-Type", content_type.to_owned()),
        ("X-File-Name", url_encoding::encode_component(&name)),
        (TAB_HEADER, api::tab()),
    ];
    for (header, value) in headers.iter().chain(auth::csrf_token().map(|t| (CSRF_HEADER, t)).iter()) {
        xhr.set_request_header(header, value).map_err(|e| failed_to_start(&e))?;
    }
    let size = file.size();
    let progressed = Closure::<dyn Fn(web_sys::ProgressEvent)>::new(move |event: web_sys::ProgressEvent| {
        let total = if event.length_computable() { event.total() } else { size };
        on_progress(Progress { sent: event.loaded(), total });
    });
    let upload = xhr.upload().map_err(|e| failed_to_start(&e))?;
    upload.set_onprogress(Some(progressed.as_ref().unchecked_ref()));
    // `loadend` follows every ending: the answer read, a network error, an abort or a timeout.
    let ended = js_sys::Promise::new(&mut |resolve, _reject| xhr.set_onloadend(Some(&resolve)));
    xhr.send_with_opt_blob(Some(file)).map_err(|e| failed_to_start(&e))?;
    let _ended = wasm_bindgen_futures::JsFuture::from(ended).await;
    upload.set_onprogress(None);
    xhr.set_onloadend(None);
    drop(progressed);
    answer(&xhr)
}

/// Why `file` is larger than the server accepts, if it is: said before any of it is sent, since the server can
/// refuse it only once that much has arrived.
pub fn too_large(file: &web_sys::File) -> Option<String> {
    document::oversize(file.size() as u64, auth::max_upload_bytes()?)
}

/// The request's outcome: its JSON body read as `T` on success, the server's error otherwise.
fn answer<T: DeserializeOwned>(xhr: &web_sys::XmlHttpRequest) -> Result<T, Failure> {
    let status = xhr.status().unwrap_or(0);
    let text = xhr.response_text().ok().flatten().unwrap_or_default();
    if status == 0 {
        return Err(Failure::Network(
            "The upload did not reach Baton's server (the connection dropped). Check it and try again.".into(),
        ));
    }
    if !(200..300).contains(&status) {
        return Err(match serde_json::from_str::<ErrorBody>(&text) {
            Ok(body) => Failure::Api(body.error),
            Err(_) => Failure::Api(ApiError::new(
                ErrorCode::Internal,
                format!("The server answered with status {status}. Try again in a moment."),
            )),
        });
    }
    serde_json::from_str(&text).map_err(|e| Failure::Network(format!("The server's answer could not be read: {e}")))
}

/// A file on its way up: its name and size, and a progress bar with the percentage sent.
#[component]
pub fn UploadProgress(
    /// The file being sent.
    name: String,
    /// Its size in bytes.
    size: u64,
    /// How much has been sent.
    #[prop(into)]
    progress: Signal<Progress>,
) -> impl IntoView {
    let percent = move || progress.get().percent();
    let label = format!("Uploading “{name}”");
    view! {
        <p role="status" class="upload-progress" data-testid="upload-progress">
            <progress max="100" value=move || percent().to_string() aria-label=label.clone()
                aria-valuenow=move || percent().to_string() aria-valuemin="0" aria-valuemax="100"></progress>
            " " {label.clone()} " (" {size_label(size)} ") — " <span class="numeric-text">{move || format!("{} %", percent())}</span>
        </p>
    }
}

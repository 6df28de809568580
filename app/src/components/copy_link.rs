//! "Copy link": puts the page's address (its deep link) on the clipboard.

use crate::components::icons::LinkIcon;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// A button that copies the current address and says so.
#[component]
pub fn CopyLink() -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy = move |_| {
        let Some(window) = web_sys::window() else { return };
        let Ok(href) = window.location().href() else { return };
        let promise = window.navigator().clipboard().write_text(&href);
        spawn_local(async move {
            if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
                copied.set(true);
            }
        });
    };
    view! {
        <button class="button" on:click=copy>
            <LinkIcon/>
            {move || if copied.get() { "Link copied" } else { "Copy link" }}
        </button>
    }
}

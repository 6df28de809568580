//! What a page shows when loading its data failed.

use leptos::prelude::*;

/// Says what went wrong and offers to try again.
#[component]
pub fn ErrorPanel(#[prop(into)] message: String, on_retry: Callback<()>) -> impl IntoView {
    view! {
        <div class="panel error-panel" role="alert">
            <h2>"This could not be loaded"</h2>
            <p>{message}</p>
            <button class="button" on:click=move |_| on_retry.run(())>"Try again"</button>
        </div>
    }
}

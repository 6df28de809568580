//! Shown for an address that leads nowhere.

use leptos::prelude::*;

/// The body of a not-found page, for use inside the shell.
#[component]
pub fn NotFound(#[prop(into)] what: String) -> impl IntoView {
    view! {
        <section class="panel notice" data-testid="not-found">
            <h1>"Not found"</h1>
            <p>{what}</p>
            <p>"Check the link you followed, or go back to the list."</p>
            <a class="button primary" href="/transfers">"Go to transfers"</a>
        </section>
    }
}

/// A whole page for unknown addresses.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <main class="centered-page">
            <NotFound what="There is no page at this address."/>
        </main>
    }
}

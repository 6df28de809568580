//! Shown when the access rule refuses a record: says what is missing, never what the record holds.

use crate::components::icons::BlockedIcon;
use leptos::prelude::*;

/// The body of a no-access page, for use inside the shell.
#[component]
pub fn NoAccess(#[prop(into)] reason: String) -> impl IntoView {
    view! {
        <section class="panel notice notice-denied" data-testid="no-access">
            <h1><BlockedIcon/>"No access"</h1>
            <p>{reason}</p>
            <a class="button primary" href="/transfers">"Go to your transfers"</a>
        </section>
    }
}

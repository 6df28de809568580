//! A record's reference to its transfer: a link when the server says the reader may open it, plain text otherwise,
//! so no link ends on "No access".

use baton_domain::batch::TransferRef;
use leptos::prelude::*;
use leptos_router::components::A;

/// The transfer's code, as a link only when `readable`.
#[component]
pub fn TransferLink(transfer: TransferRef, readable: bool) -> impl IntoView {
    if readable {
        view! { <A href=format!("/transfers/{}", transfer.id)>{transfer.code}</A> }.into_any()
    } else {
        view! {
            <span data-testid="transfer-unlinked" title="Your organisation has no access to this transfer.">
                {transfer.code}
            </span>
        }
        .into_any()
    }
}

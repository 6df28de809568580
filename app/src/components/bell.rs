//! The top bar's bell: the unread count of the inbox, fetched again whenever a live change arrives.

use crate::api;
use crate::components::icons::BellIcon;
use crate::live::use_live;
use baton_domain::endpoints::ListNotifications;
use leptos::prelude::*;
use leptos_router::components::A;

/// A link to the inbox showing how many items are unread.
#[component]
pub fn Bell() -> impl IntoView {
    let live = use_live();
    let inbox = LocalResource::new(move || {
        // A change may have put something in the inbox (a record followed, a gate to sign).
        live.track();
        async move { api::call::<ListNotifications>([], &()).await.ok() }
    });
    let unread = move || inbox.get().flatten().map_or(0, |list| list.unread);
    let label = move || match unread() {
        0 => "Notifications, none unread".to_owned(),
        1 => "Notifications, 1 unread".to_owned(),
        n => format!("Notifications, {n} unread"),
    };
    view! {
        <A href="/notifications" attr:class="button ghost bell" attr:aria-label=label attr:data-testid="bell">
            <BellIcon/>
            {move || (unread() > 0).then(|| view! { <span class="bell-count" data-testid="bell-count">{unread()}</span> })}
        </A>
    }
}

//! `/notifications`: the inbox — changes to records the user follows, mentions, gates waiting for their signature,
//! deliverables due or overdue, agreements ending — newest first, each linking to its record.

use crate::api;
use crate::auth::RequireAuth;
use crate::components::load_failure::load_failure;
use crate::components::loading::Loading;
use crate::components::shell::Shell;
use crate::format;
use crate::live::use_live;
use baton_domain::endpoints::{ListNotifications, MarkNotificationsRead};
use baton_domain::notification::{MarkRead, Notification, NotificationList, sentence};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

/// `/notifications`
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let live = use_live();
    let loaded = LocalResource::new(move || {
        live.track();
        api::call::<ListNotifications>([], &())
    });
    let reload = Callback::new(move |()| loaded.refetch());
    let marked = RwSignal::new(None::<NotificationList>);
    let error = RwSignal::new(None::<String>);
    let mark = Callback::new(move |request: MarkRead| {
        spawn_local(async move {
            match api::call::<MarkNotificationsRead>([], &request).await {
                Ok(list) => {
                    error.set(None);
                    marked.set(Some(list));
                }
                Err(f) => error.set(Some(f.message())),
            }
        });
    });
    view! {
        <RequireAuth>
            <Shell>
                <section class="page" data-testid="notifications">
                    <header class="page-header">
                        <div>
                            <h1>"Notifications"</h1>
                            <p class="muted">"Changes to records you created or changed, mentions, and what waits for you."</p>
                        </div>
                        <div class="record-actions">
                            <button class="button" data-testid="mark-all-read"
                                on:click=move |_| mark.run(MarkRead { keys: Vec::new(), all: true })>"Mark all read"</button>
                        </div>
                    </header>
                    {move || error.get().map(|m| view! { <div class="banner error" role="alert">{m}</div> })}
                    <Suspense fallback=|| view! { <Loading label="Loading your notifications…"/> }>
                        {move || loaded.get().map(|result| match (marked.get(), result) {
                            (Some(list), _) | (None, Ok(list)) => inbox(list, mark),
                            (None, Err(failure)) => load_failure(failure, "", reload),
                        })}
                    </Suspense>
                </section>
            </Shell>
        </RequireAuth>
    }
}

fn inbox(list: NotificationList, mark: Callback<MarkRead>) -> AnyView {
    if list.items.is_empty() {
        return view! {
            <div class="panel empty-state">
                <h2>"Nothing here yet"</h2>
                <p>"When someone changes a record you created or changed, or something waits for your signature or is due, it appears here."</p>
            </div>
        }
        .into_any();
    }
    view! {
        <p class="muted" data-testid="unread-count">{format!("{} unread", list.unread)}</p>
        <ul class="inbox" data-testid="inbox">
            {list.items.into_iter().map(|n| item(n, mark)).collect_view()}
        </ul>
    }
    .into_any()
}

fn item(n: Notification, mark: Callback<MarkRead>) -> impl IntoView {
    let text = sentence(&n);
    let key = n.key.clone();
    let unread = !n.read;
    view! {
        <li class=if unread { "inbox-item unread" } else { "inbox-item" } data-testid="inbox-item">
            <span class="inbox-state">{if unread { "New" } else { "Read" }}</span>
            <A href=n.link.clone() on:click=move |_| if unread { mark.run(MarkRead { keys: vec![key.clone()], all: false }) }>
                {text}
            </A>
            <span class="muted small">{format::date_time(n.at)}</span>
        </li>
    }
}

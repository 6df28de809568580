//! Live updates: one `EventSource` on `/api/v1/events` per tab while someone is signed in, its latest event shared
//! by context, and the hook record pages use to refetch when a change names what they show.

use crate::api;
use crate::auth::{SessionState, use_auth};
use baton_domain::audit::AuditAction;
use baton_domain::live::{EVENT_NAME, LiveEvent, RESET_EVENT_NAME};
use baton_domain::record::RecordType;
use baton_domain::stage::StageView;
use leptos::prelude::*;
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{EventSource, MessageEvent};

/// A listener of a stream, which must live as long as the stream.
type Listener = Closure<dyn FnMut(MessageEvent)>;

/// An open stream and its listeners (of changes, and of resets).
type Stream = (EventSource, Listener, Listener);

thread_local! {
    /// The tab's one stream, while signed in.
    static SOURCE: RefCell<Option<Stream>> = const { RefCell::new(None) };
}

/// The tab's live updates, provided by context.
#[derive(Clone, Copy)]
pub struct Live {
    /// The latest change the server announced to this tab.
    pub latest: RwSignal<Option<LiveEvent>>,
    /// How many times the server said the tab was away too long to catch up: whatever is shown may be stale.
    pub resets: RwSignal<u32>,
}

impl Live {
    /// Provides the context and keeps the stream open exactly while a user is signed in. The browser reconnects a
    /// dropped stream by itself, sending the last id it received, and the server resumes after it.
    pub fn provide() {
        let live = Live { latest: RwSignal::new(None), resets: RwSignal::new(0) };
        provide_context(live);
        let auth = use_auth();
        // A page leaving (or entering the back-forward cache) closes its stream: an open one would keep one of the
        // browser's few connections to the server busy, and enough of them stall every other request.
        let close = Closure::<dyn FnMut()>::new(|| {
            SOURCE.with(|source| {
                if let Some((stream, ..)) = source.borrow_mut().take() {
                    stream.close();
                }
            });
        });
        let reopen = Closure::<dyn FnMut()>::new(move || {
            if matches!(auth.state.get_untracked(), SessionState::SignedIn(_)) {
                SOURCE.with(|source| {
                    let mut source = source.borrow_mut();
                    if source.is_none() {
                        *source = open(live);
                    }
                });
            }
        });
        if let Some(window) = web_sys::window() {
            let _ = window.add_event_listener_with_callback("pagehide", close.as_ref().unchecked_ref());
            let _ = window.add_event_listener_with_callback("pageshow", reopen.as_ref().unchecked_ref());
        }
        // Listeners of the page for its whole life.
        close.forget();
        reopen.forget();
        Effect::new(move || {
            let signed_in = matches!(auth.state.get(), SessionState::SignedIn(_));
            SOURCE.with(|source| {
                let mut source = source.borrow_mut();
                match (signed_in, source.is_some()) {
                    (true, false) => *source = open(live),
                    (false, true) => {
                        if let Some((stream, ..)) = source.take() {
                            stream.close();
                        }
                    }
                    _ => {}
                }
            });
        });
    }

    /// Tracks every change announced and every reset, for a reader that refetches on either.
    pub fn track(&self) {
        self.latest.track();
        self.resets.track();
    }
}

fn open(live: Live) -> Option<Stream> {
    let source = EventSource::new(&format!("{}/events", baton_domain::endpoints::BASE)).ok()?;
    let listener = Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
        let event = message.data().as_string().and_then(|data| serde_json::from_str::<LiveEvent>(&data).ok());
        if let Some(event) = event {
            live.latest.set(Some(event));
        }
    });
    source.add_event_listener_with_callback(EVENT_NAME, listener.as_ref().unchecked_ref()).ok()?;
    // Changes since the tab's last event were pruned: the pages reload what they show rather than miss them.
    let reset = Closure::<dyn FnMut(MessageEvent)>::new(move |_: MessageEvent| live.resets.update(|n| *n += 1));
    source.add_event_listener_with_callback(RESET_EVENT_NAME, reset.as_ref().unchecked_ref()).ok()?;
    Some((source, listener, reset))
}

/// The live context.
pub fn use_live() -> Live {
    expect_context::<Live>()
}

/// Calls `refetch` whenever a change to a record that `names` accepts comes from elsewhere, and returns who made the
/// latest such change (for "Updated by … just now"). Changes this tab made are not refetched: the page that made
/// one already shows its outcome, and reloading it again would only flicker; the user's other tabs do load them. Comments are not changes of the record: only its
/// discussion takes them ([`on_comment`]), so a comment never reloads a page around a half-typed reply. A reset (the
/// tab was away longer than the server keeps changes) calls `refetch` too, as it does for [`on_comment`]: what changed
/// meanwhile is unknown.
pub fn on_change(
    names: impl Fn(&LiveEvent) -> bool + 'static,
    refetch: impl Fn() + 'static,
) -> RwSignal<Option<String>> {
    on_event(move |e| e.action != AuditAction::Comment && names(e), refetch)
}

/// Calls `refetch` whenever someone else comments on record `id` of type `record_type`; returns who did, last.
pub fn on_comment(record_type: RecordType, id: String, refetch: impl Fn() + 'static) -> RwSignal<Option<String>> {
    on_event(move |e| e.action == AuditAction::Comment && e.record_type == record_type && e.record_id == id, refetch)
}

fn on_event(names: impl Fn(&LiveEvent) -> bool + 'static, refetch: impl Fn() + 'static) -> RwSignal<Option<String>> {
    let live = use_live();
    let updated_by = RwSignal::new(None::<String>);
    let refetch = std::rc::Rc::new(refetch);
    let on_reset = refetch.clone();
    Effect::watch(move || live.resets.get(), move |_, _, _| on_reset(), false);
    // Each event is handled once, and only events that arrive after the page opened: the one before is already in
    // what it loads. Only the event is watched: what `names` and `refetch` read (the page's own data, which the
    // refetch changes) must not run the handler again.
    let seen = StoredValue::new(live.latest.with_untracked(|e| e.as_ref().map_or(0, |e| e.id)));
    Effect::watch(
        move || live.latest.get(),
        move |latest, _, _| {
            let Some(event) = latest else { return };
            if event.id <= seen.get_value() {
                return;
            }
            seen.set_value(event.id);
            if event.origin.as_deref() != Some(api::tab().as_str()) && names(event) {
                updated_by.set(Some(event.actor_name.clone()));
                refetch();
            }
        },
        false,
    );
    updated_by
}

/// Whether `event` names transfer `transfer` or one of `stages` or their deliverables (what a transfer's pages show).
pub fn plan_names(event: &LiveEvent, transfer: String, stages: &[StageView]) -> bool {
    let id = event.record_id.as_str();
    match event.record_type {
        RecordType::Transfer => id == transfer,
        RecordType::Stage => stages.iter().any(|s| s.id.to_string() == id),
        RecordType::Deliverable => stages.iter().flat_map(|s| &s.deliverables).any(|d| d.id.to_string() == id),
        _ => false,
    }
}

/// "Updated by <name> just now", once someone else changed the record on screen. A page whose form the user may be
/// filling in passes `reload` instead of refetching by itself: typed input is never replaced behind the user's back,
/// and the note offers the latest version (a save on the old one is refused as a conflict, naming the change).
#[component]
pub fn LiveNote(updated_by: RwSignal<Option<String>>, #[prop(optional)] reload: Option<Callback<()>>) -> impl IntoView {
    move || {
        updated_by.get().map(|name| {
            let show_latest = reload.map(|reload| {
                view! {
                    <button class="button" data-testid="show-latest" on:click=move |_| {
                        updated_by.set(None);
                        reload.run(());
                    }>"Show the latest version"</button>
                }
            });
            view! {
                <div class="live-note" role="status" data-testid="live-note">
                    <span>"Updated by " {name} " just now"</span>
                    {show_latest}
                </div>
            }
        })
    }
}

//! Who is logged in, shared by context, and the gate in front of every page that needs a login.

use crate::api;
use crate::components::loading::Loading;
use baton_domain::session::SessionInfo;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_location, use_navigate};
use std::cell::Cell;

thread_local! {
    /// The app's one session context, for the API layer: its calls run in tasks without a reactive owner, where
    /// `use_context` finds nothing. The app is single-threaded (WASM), so this is the context every page sees.
    static PROVIDED: Cell<Option<Auth>> = const { Cell::new(None) };
}

/// What the app knows about the session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionState {
    /// Asking the server.
    Checking,
    /// Nobody is logged in.
    Anonymous,
    /// The user just logged out: protected pages go to a plain login page, not back to where they were.
    LoggedOut,
    /// Logged in.
    SignedIn(SessionInfo),
    /// The server could not be asked.
    Unreachable(String),
}

/// The session, provided by context to every component.
#[derive(Clone, Copy)]
pub struct Auth {
    /// The current state; setting it to `Anonymous` sends protected pages to the login page.
    pub state: RwSignal<SessionState>,
}

impl Auth {
    /// Creates the context and asks the server whether a session exists.
    pub fn provide() {
        let auth = Auth { state: RwSignal::new(SessionState::Checking) };
        provide_context(auth);
        PROVIDED.with(|provided| provided.set(Some(auth)));
        auth.refresh();
    }

    /// Asks the server again who is logged in.
    pub fn refresh(self) {
        self.state.set(SessionState::Checking);
        spawn_local(async move {
            self.state.set(match api::current_session().await {
                Ok(Some(info)) => SessionState::SignedIn(info),
                Ok(None) => SessionState::Anonymous,
                Err(e) => SessionState::Unreachable(e.message()),
            });
        });
    }

    /// The signed-in session, if any.
    pub fn session(self) -> Option<SessionInfo> {
        match self.state.get() {
            SessionState::SignedIn(info) => Some(info),
            _ => None,
        }
    }
}

/// The signed-in session's anti-forgery token: set at login and when a session is restored, gone at logout. Read
/// without tracking, by the API layer, for every state-changing request.
pub fn csrf_token() -> Option<String> {
    let auth = PROVIDED.with(Cell::get)?;
    auth.state.try_with_untracked(|state| match state {
        SessionState::SignedIn(info) => Some(info.csrf_token.clone()),
        _ => None,
    })?
}

/// The largest file the server accepts, as the session said; `None` before a session is known.
pub fn max_upload_bytes() -> Option<u64> {
    let auth = PROVIDED.with(Cell::get)?;
    auth.state.try_with_untracked(|state| match state {
        SessionState::SignedIn(info) => Some(info.max_upload_bytes),
        _ => None,
    })?
}

/// The session context.
pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

/// The login URL that brings the user back to `path` afterwards.
pub fn login_url(path: &str) -> String {
    format!("/login?next={}", String::from(js_sys::encode_uri_component(path)))
}

/// Shows its children only to a logged-in user; anyone else goes to the login page and comes back here after.
#[component]
pub fn RequireAuth(children: ChildrenFn) -> impl IntoView {
    let auth = use_auth();
    let location = use_location();
    let navigate = use_navigate();
    Effect::new(move |_| {
        let replace = NavigateOptions { replace: true, ..Default::default() };
        match auth.state.get() {
            SessionState::Anonymous => {
                let here = format!("{}{}", location.pathname.get_untracked(), location.search.get_untracked());
                navigate(&login_url(&here), replace);
            }
            SessionState::LoggedOut => navigate("/login", replace),
            _ => {}
        }
    });
    move || match auth.state.get() {
        SessionState::SignedIn(_) => children().into_any(),
        SessionState::Unreachable(message) => view! {
            <main class="centered-page">
                <div class="panel error-panel" role="alert">
                    <h1>"Baton is not reachable"</h1>
                    <p>{message}</p>
                    <button class="button primary" on:click=move |_| auth.refresh()>"Try again"</button>
                </div>
            </main>
        }
        .into_any(),
        SessionState::Checking | SessionState::Anonymous | SessionState::LoggedOut => {
            view! { <Loading label="Checking your session…"/> }.into_any()
        }
    }
}

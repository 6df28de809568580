//! The login page; after login the user lands where their link pointed.

use crate::api;
use crate::auth::{SessionState, use_auth};
use baton_domain::endpoints::Login;
use baton_domain::error::ErrorCode;
use baton_domain::redirect::safe_next;
use baton_domain::session::LoginRequest;
use baton_domain::validation::validate_login;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

const HOME: &str = "/transfers";

/// E-mail and password, with errors under the fields they concern.
#[component]
pub fn LoginPage() -> impl IntoView {
    let auth = use_auth();
    let query = use_query_map();
    let navigate = use_navigate();
    let next = move || {
        query.read().get("next").and_then(|n| safe_next(&n).map(str::to_owned)).unwrap_or_else(|| HOME.to_owned())
    };

    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let email_error = RwSignal::new(None::<String>);
    let password_error = RwSignal::new(None::<String>);
    let form_error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);

    // Someone already logged in who opens /login goes straight on.
    let go_on = navigate.clone();
    Effect::new(move |_| {
        if matches!(auth.state.get(), SessionState::SignedIn(_)) {
            go_on(&next(), NavigateOptions { replace: true, ..Default::default() });
        }
    });

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        email_error.set(None);
        password_error.set(None);
        form_error.set(None);
        let request = LoginRequest { email: email.get_untracked(), password: password.get_untracked() };
        if let Err(e) = validate_login(&request) {
            match e.field.as_deref() {
                Some("password") => password_error.set(Some(e.message)),
                _ => email_error.set(Some(e.message)),
            }
            return;
        }
        pending.set(true);
        spawn_local(async move {
            match api::call::<Login>([], &request).await {
                Ok(info) => auth.state.set(SessionState::SignedIn(info)),
                Err(failure) => {
                    let message = failure.message();
                    match (failure.code(), failure) {
                        (Some(ErrorCode::InvalidInput), api::Failure::Api(e))
                            if e.field.as_deref() == Some("password") =>
                        {
                            password_error.set(Some(message))
                        }
                        (Some(ErrorCode::InvalidInput), _) => email_error.set(Some(message)),
                        _ => form_error.set(Some(message)),
                    }
                    password.set(String::new());
                }
            }
            pending.set(false);
        });
    };

    view! {
        <main class="centered-page login-page">
            <form class="panel login-card" on:submit=submit novalidate>
                <div class="login-brand">
                    <img src="/favicon.svg" alt="" width="40" height="40"/>
                    <div>
                        <h1>"Baton"</h1>
                        <p class="muted">"Technology transfer and quality, shared with your partners."</p>
                    </div>
                </div>
                {move || form_error.get().map(|m| view! {
                    <div class="banner error" role="alert" data-testid="login-error">{m}</div>
                })}
                <div class="field">
                    <label for="email">"E-mail"</label>
                    <input id="email" name="email" type="email" autocomplete="username" inputmode="email"
                        autofocus required
                        aria-invalid=move || email_error.get().is_some().to_string()
                        aria-describedby="email-error"
                        prop:value=move || email.get()
                        on:input=move |ev| email.set(event_target_value(&ev))/>
                    <p class="field-error" id="email-error">{move || email_error.get()}</p>
                </div>
                <div class="field">
                    <label for="password">"Password"</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required
                        aria-invalid=move || password_error.get().is_some().to_string()
                        aria-describedby="password-error"
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev))/>
                    <p class="field-error" id="password-error">{move || password_error.get()}</p>
                </div>
                <button type="submit" class="button primary wide" disabled=move || pending.get()>
                    {move || if pending.get() { "Logging in…" } else { "Log in" }}
                </button>
            </form>
        </main>
    }
}

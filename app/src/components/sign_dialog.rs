//! The signing dialog: states exactly what is signed and what the signature means, asks for the password again,
//! and, where the action needs one, the reason — in the same dialog.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

/// What the dialog collected.
#[derive(Clone, Debug)]
pub struct SignInput {
    /// The password, re-entered.
    pub password: String,
    /// The reason, when asked for.
    pub reason: String,
}

/// A modal dialog for one signature. `on_submit` returns an error message to show, or `None` on success.
#[component]
pub fn SignDialog(
    /// Heading, e.g. "Approve agreement".
    #[prop(into)]
    title: String,
    /// What is being signed and what the signature means, in words.
    #[prop(into)]
    statement: String,
    /// Label of the confirming button.
    #[prop(into)]
    confirm: String,
    /// Ask for a reason too.
    ask_reason: bool,
    /// Ask for the password (false for a dialog that records a reason but signs nothing).
    #[prop(default = true)]
    ask_password: bool,
    /// Whether the dialog shows.
    open: RwSignal<bool>,
    /// Called with the input; resolves to an error message, or `None` when signed.
    on_submit: Callback<(SignInput, Callback<Option<String>>)>,
) -> impl IntoView {
    let password = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        if ask_password && password.get_untracked().is_empty() {
            error.set(Some("Enter your password to sign.".into()));
            return;
        }
        if ask_reason && reason.get_untracked().trim().is_empty() {
            error.set(Some("Give a reason.".into()));
            return;
        }
        pending.set(true);
        error.set(None);
        let done = Callback::new(move |outcome: Option<String>| {
            pending.set(false);
            password.set(String::new());
            match outcome {
                Some(message) => error.set(Some(message)),
                None => {
                    reason.set(String::new());
                    open.set(false);
                }
            }
        });
        on_submit.run((SignInput { password: password.get_untracked(), reason: reason.get_untracked() }, done));
    };
    let title_text = title.clone();
    move || {
        open.get().then(|| {
            let confirm = confirm.clone();
            view! {
                <div class="dialog-backdrop">
                    <form class="panel dialog" role="dialog" aria-modal="true" aria-labelledby="sign-title" on:submit=submit novalidate>
                        <h2 id="sign-title">{title_text.clone()}</h2>
                        <p class="sign-statement" data-testid="sign-statement">{statement.clone()}</p>
                        {ask_reason.then(|| view! {
                            <div class="field">
                                <label for="sign-reason">"Reason"</label>
                                <input id="sign-reason" type="text" prop:value=move || reason.get()
                                    on:input=move |ev| reason.set(event_target_value(&ev))/>
                            </div>
                        })}
                        {ask_password.then(|| view! {
                            <div class="field">
                                <label for="sign-password">"Your password"</label>
                                <input id="sign-password" type="password" autocomplete="current-password"
                                    prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                            </div>
                        })}
                        <p class="field-error" data-testid="sign-error">{move || error.get()}</p>
                        <div class="dialog-actions">
                            <button type="button" class="button" on:click=move |_| open.set(false)>"Cancel"</button>
                            <button type="submit" class="button primary" disabled=move || pending.get()>
                                {let c = confirm.clone(); move || if pending.get() { "Saving…".to_owned() } else { c.clone() }}
                            </button>
                        </div>
                    </form>
                </div>
            }
        })
    }
}

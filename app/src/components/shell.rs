//! The frame of every signed-in page: top bar with the user and organisation, left navigation, content.

use crate::api;
use crate::auth::{SessionState, use_auth};
use crate::components::bell::Bell;
use crate::components::icons::{
    AgreementIcon, AuditIcon, BatchIcon, ChangeIcon, KpiIcon, LogoutIcon, QualityIcon, TemplateIcon, TransfersIcon,
};
use crate::components::saved_note::{SavedNote, SavedNoteArea};
use crate::components::search_box::SearchBox;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

/// Wraps a signed-in page.
#[component]
pub fn Shell(children: Children) -> impl IntoView {
    let auth = use_auth();
    let note = SavedNote::provide();
    let logging_out = RwSignal::new(false);
    let logout_error = RwSignal::new(None::<String>);
    let log_out = move |_| {
        if auth.session().is_none() {
            return;
        }
        logging_out.set(true);
        spawn_local(async move {
            match api::logout().await {
                Ok(()) => auth.state.set(SessionState::LoggedOut),
                Err(e) => logout_error.set(Some(e.message())),
            }
            logging_out.set(false);
        });
    };
    let user = move || auth.session().map(|s| s.user);
    let may_audit = move || auth.session().is_some_and(|s| s.may_read_audit());

    view! {
        <div class="shell">
            <header class="top-bar">
                <a class="brand" href="/transfers">
                    <img src="/favicon.svg" alt="" width="28" height="28"/>
                    <span>"Baton"</span>
                </a>
                <SearchBox/>
                <div class="top-bar-user">
                    {move || user().map(|u| view! {
                        <div class="who">
                            <span class="who-name" data-testid="user-name">{u.display_name}</span>
                            <span class="who-role">{u.role.label()} " · " {u.organisation.name}</span>
                        </div>
                    })}
                    <Bell/>
                    <button class="button ghost" on:click=log_out disabled=move || logging_out.get() aria-label="Log out">
                        <LogoutIcon/>
                        <span class="label-wide">"Log out"</span>
                    </button>
                </div>
            </header>
            {move || logout_error.get().map(|m| view! { <div class="banner error" role="alert">{m}</div> })}
            <nav class="side-nav" aria-label="Main">
                <A href="/transfers" attr:class="nav-item" attr:title="Transfers">
                    <TransfersIcon/>
                    <span class="nav-label">"Transfers"</span>
                </A>
                <A href="/batches" attr:class="nav-item" attr:title="Batches">
                    <BatchIcon/>
                    <span class="nav-label">"Batches"</span>
                </A>
                <A href="/deviations" attr:class="nav-item" attr:title="Deviations & CAPAs">
                    <QualityIcon/>
                    <span class="nav-label">"Deviations & CAPAs"</span>
                </A>
                <A href="/change-controls" attr:class="nav-item" attr:title="Change controls">
                    <ChangeIcon/>
                    <span class="nav-label">"Change controls"</span>
                </A>
                <A href="/agreements" attr:class="nav-item" attr:title="Partners & agreements">
                    <AgreementIcon/>
                    <span class="nav-label">"Partners & agreements"</span>
                </A>
                <A href="/kpis" attr:class="nav-item" attr:title="KPIs">
                    <KpiIcon/>
                    <span class="nav-label">"KPIs"</span>
                </A>
                <A href="/stage-template" attr:class="nav-item" attr:title="Stage template">
                    <TemplateIcon/>
                    <span class="nav-label">"Stage template"</span>
                </A>
                {move || may_audit().then(|| view! {
                    <A href="/audit" attr:class="nav-item" attr:title="Audit">
                        <AuditIcon/>
                        <span class="nav-label">"Audit"</span>
                    </A>
                })}
            </nav>
            <main class="content" id="main">{children()}</main>
            <SavedNoteArea note=note/>
        </div>
    }
}

//! `/transfers/{id}`: one transfer's page.

use crate::api::{self, Failure};
use crate::auth::{RequireAuth, SessionState, use_auth};
use crate::components::error_panel::ErrorPanel;
use crate::components::history::HistoryPanel;
use crate::components::icons::LinkIcon;
use crate::components::loading::Loading;
use crate::components::shell::Shell;
use crate::components::stage::{StageChip, StageStepper};
use crate::format;
use crate::pages::no_access::NoAccess;
use crate::pages::not_found::NotFound;
use baton_domain::endpoints::GetTransfer;
use baton_domain::error::ErrorCode;
use baton_domain::org::SiteRef;
use baton_domain::record::RecordType;
use baton_domain::transfer::TransferDetail;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;

/// `/transfers/{id}`
#[component]
pub fn TransferPage() -> impl IntoView {
    view! {
        <RequireAuth>
            <Shell>
                <TransferLoader/>
            </Shell>
        </RequireAuth>
    }
}

#[component]
fn TransferLoader() -> impl IntoView {
    let auth = use_auth();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let transfer = LocalResource::new(move || {
        let id = id();
        async move { api::call::<GetTransfer>([&id], &()).await }
    });
    view! {
        <Suspense fallback=|| view! { <Loading label="Loading the transfer…"/> }>
            {move || transfer.get().map(|result| match result {
                Ok(detail) => view! { <TransferView transfer=detail/> }.into_any(),
                Err(failure) => match failure.code() {
                    Some(ErrorCode::NotFound | ErrorCode::InvalidInput) => {
                        view! { <NotFound what="There is no transfer at this address."/> }.into_any()
                    }
                    Some(ErrorCode::NoAccess) => view! { <NoAccess reason=failure.message()/> }.into_any(),
                    Some(ErrorCode::Unauthenticated) => {
                        auth.state.set(SessionState::Anonymous);
                        view! { <Loading label="Your session has ended…"/> }.into_any()
                    }
                    _ => retry_panel(failure, transfer),
                },
            })}
        </Suspense>
    }
}

fn retry_panel(failure: Failure, transfer: LocalResource<Result<TransferDetail, Failure>>) -> AnyView {
    view! { <ErrorPanel message=failure.message() on_retry=Callback::new(move |()| transfer.refetch())/> }.into_any()
}

fn site(site: SiteRef) -> impl IntoView {
    view! {
        <span class="site-name">{site.name}</span>
        <span class="muted small">{site.location} " · " {site.organisation.name}</span>
    }
}

/// Performance mark set when a transfer's data is on the page; the deep-link benchmark reads it.
const SHOWN_MARK: &str = "baton:transfer-shown";

#[component]
fn TransferView(transfer: TransferDetail) -> impl IntoView {
    Effect::new(|_| {
        if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
            let _ = performance.mark(SHOWN_MARK);
        }
    });
    let copied = RwSignal::new(false);
    let copy_link = move |_| {
        let Some(window) = web_sys::window() else {
            return;
        };
        let Ok(href) = window.location().href() else {
            return;
        };
        let promise = window.navigator().clipboard().write_text(&href);
        spawn_local(async move {
            if wasm_bindgen_futures_ok(promise).await {
                copied.set(true);
            }
        });
    };
    view! {
        <article class="record" data-testid="transfer">
            <header class="record-header">
                <div class="record-title">
                    <p class="record-kind">"Technology transfer · " <span class="mono">{transfer.code.clone()}</span></p>
                    <h1>{transfer.product.clone()}</h1>
                    <p class="muted">{transfer.product_form.clone()}</p>
                </div>
                <div class="record-actions">
                    <StageChip stage=transfer.stage/>
                    <button class="button" on:click=copy_link>
                        <LinkIcon/>
                        {move || if copied.get() { "Link copied" } else { "Copy link" }}
                    </button>
                </div>
            </header>
            <dl class="facts">
                <div><dt>"Current stage"</dt><dd data-testid="stage">
                    {format!("{} (stage {} of 8)", transfer.stage.label(), transfer.stage.number())}
                </dd></div>
                <div><dt>"Sponsor"</dt><dd>{transfer.sponsor.name.clone()}</dd></div>
                <div><dt>"CMO"</dt><dd>{transfer.cmo.name.clone()}</dd></div>
                <div><dt>"Sending site"</dt><dd class="stacked">{site(transfer.sending_site.clone())}</dd></div>
                <div><dt>"Receiving site"</dt><dd class="stacked">{site(transfer.receiving_site.clone())}</dd></div>
                <div><dt>"Started"</dt><dd class="numeric-text">{format::date(transfer.started_on)}</dd></div>
                <div><dt>"Target completion"</dt><dd class="numeric-text">{format::date(transfer.target_completion)}</dd></div>
                <div><dt>"Last updated"</dt><dd class="numeric-text">{format::date_time(transfer.updated_at)}</dd></div>
            </dl>
            <section class="panel">
                <h2>"Stages"</h2>
                <StageStepper current=transfer.stage/>
            </section>
            <HistoryPanel record_type=RecordType::Transfer id=transfer.id.to_string()/>
        </article>
    }
}

/// Waits for a browser promise; true if it resolved.
async fn wasm_bindgen_futures_ok(promise: js_sys::Promise) -> bool {
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}

//! Which browser tab a request came from (`X-Baton-Tab`), kept for the request's whole handling so that the change
//! events it writes name their tab: that tab already shows its change, the user's other tabs load it.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use baton_domain::live::{TAB_HEADER, tab_id};

tokio::task_local! {
    static TAB: Option<String>;
}

/// Runs the request with the tab its header names, if the header is a tab id (anything else is ignored).
pub async fn remember(request: Request, next: Next) -> Response {
    let tab = request.headers().get(TAB_HEADER).and_then(|v| v.to_str().ok()).and_then(tab_id).map(str::to_owned);
    TAB.scope(tab, next.run(request)).await
}

/// The tab of the request being handled, if it named one.
pub fn current() -> Option<String> {
    TAB.try_with(Clone::clone).ok().flatten()
}

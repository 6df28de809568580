//! What a record page shows when its record could not be loaded: not found, no access, session ended, or an error
//! to retry. One place, so every record page tells these apart the same way.

use crate::api::Failure;
use crate::auth::{SessionState, use_auth};
use crate::components::error_panel::ErrorPanel;
use crate::components::loading::Loading;
use crate::pages::no_access::NoAccess;
use crate::pages::not_found::NotFound;
use baton_domain::error::ErrorCode;
use leptos::prelude::*;

/// The view for `failure`; `what` says what is missing ("There is no stage at this address.").
pub fn load_failure(failure: Failure, what: &'static str, retry: Callback<()>) -> AnyView {
    match failure.code() {
        Some(ErrorCode::NotFound | ErrorCode::InvalidInput) => view! { <NotFound what=what/> }.into_any(),
        Some(ErrorCode::NoAccess) => view! { <NoAccess reason=failure.message()/> }.into_any(),
        Some(ErrorCode::Unauthenticated) => {
            use_auth().state.set(SessionState::Anonymous);
            view! { <Loading label="Your session has ended…"/> }.into_any()
        }
        _ => view! { <ErrorPanel message=failure.message() on_retry=retry/> }.into_any(),
    }
}

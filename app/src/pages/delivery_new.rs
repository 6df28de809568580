//! `/deliveries/new`: a CMO records a delivery it promised a sponsor (and, if it has arrived, what arrived).

use crate::api;
use crate::auth::RequireAuth;
use crate::components::load_failure::load_failure;
use crate::components::loading::Loading;
use crate::components::shell::Shell;
use crate::pages::delivery_form::{DeliveryForm, problem_of};
use baton_domain::delivery::DeliveryInput;
use baton_domain::endpoints::{GetBatchSetup, RecordDelivery};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// `/deliveries/new`
#[component]
pub fn NewDeliveryPage() -> impl IntoView {
    let loaded = LocalResource::new(|| api::call::<GetBatchSetup>([], &()));
    let reload = Callback::new(move |()| loaded.refetch());
    let navigate = StoredValue::new_local(use_navigate());
    let save = move |input: DeliveryInput, _reason: Option<String>| async move {
        match api::call::<RecordDelivery>([], &input).await {
            Ok(created) => {
                navigate.with_value(|go| go(&format!("/deliveries/{}", created.id), Default::default()));
                None
            }
            Err(failure) => Some(problem_of(failure)),
        }
    };
    view! {
        <RequireAuth>
            <Shell>
                <section class="page" data-testid="new-delivery">
                    <header class="page-header"><div><h1>"Record a delivery"</h1>
                        <p class="muted">"What was promised to the sponsor; on time and in full is computed once it is delivered."</p></div></header>
                    <Suspense fallback=|| view! { <Loading label="Loading…"/> }>
                        {move || loaded.get().map(|result| match result {
                            Ok(setup) if setup.products.is_empty() => view! {
                                <p class="panel empty-state">"Your organisation makes no product for a partner sponsor yet, so it has no delivery to record."</p>
                            }.into_any(),
                            Ok(setup) => view! {
                                <DeliveryForm products=setup.products initial=None ask_reason=false submit_label="Record delivery" save=save/>
                            }.into_any(),
                            Err(failure) => load_failure(failure, "", reload),
                        })}
                    </Suspense>
                </section>
            </Shell>
        </RequireAuth>
    }
}

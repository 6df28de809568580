//! `/kpis`: the way in to the partnership KPIs from the navigation. Each partnership has its own scorecard, so this
//! lists the caller's partners, each with its scorecard and agreed targets.

use crate::api;
use crate::auth::RequireAuth;
use crate::components::load_failure::load_failure;
use crate::components::loading::SkeletonRows;
use crate::components::shell::Shell;
use baton_domain::endpoints::ListPartners;
use leptos::prelude::*;
use leptos_router::components::A;

/// `/kpis`
#[component]
pub fn KpisPage() -> impl IntoView {
    let partners = LocalResource::new(|| api::call::<ListPartners>([], &()));
    view! {
        <RequireAuth>
            <Shell>
                <header class="page-header">
                    <div>
                        <h1>"Partnership KPIs"</h1>
                        <p class="muted">"Right first time, deviations, CAPAs, on-time-in-full and yield, measured the same way for both sides of each partnership, against the targets both have signed."</p>
                    </div>
                </header>
                <Suspense fallback=|| view! { <SkeletonRows rows=3/> }>
                    {move || partners.get().map(|result| match result {
                        Err(failure) => load_failure(failure, "", Callback::new(move |()| partners.refetch())),
                        Ok(list) if list.items.is_empty() => view! {
                            <div class="panel empty-state">
                                <h2>"No partnerships yet"</h2>
                                <p>"KPIs are kept per sponsor–CMO partnership. Once your organisation works with a partner, its scorecard appears here."</p>
                            </div>
                        }.into_any(),
                        Ok(list) => view! {
                            <ul class="partner-cards" data-testid="kpi-partners">
                                {list.items.into_iter().map(|p| view! {
                                    <li class="panel partner-card">
                                        <strong>{p.organisation.name}</strong>
                                        <span class="muted small">{p.organisation.kind.label()}</span>
                                        <A href=format!("/partnerships/{}/scorecard", p.partnership_id) attr:class="button primary">"KPI scorecard"</A>
                                        <A href=format!("/partnerships/{}/targets", p.partnership_id) attr:class="button">"Targets"</A>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    })}
                </Suspense>
            </Shell>
        </RequireAuth>
    }
}

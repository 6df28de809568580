//! `/kpis`: the way in to the partnership KPIs from the navigation. Each partnership has its own scorecard, so this
//! lists the caller's partners, each with its scorecard and agreed targets.

use crate::api;
use crate::auth::RequireAuth;
use crate::components::load_failure::load_failure;
use crate::components::loading::SkeletonRows;
use crate::components::partner_cards::{PartnerCards, PartnerLink};
use crate::components::shell::Shell;
use baton_domain::endpoints::ListPartners;
use leptos::prelude::*;

/// Each partner's scorecard and agreed targets.
const PARTNER_LINKS: &[PartnerLink] = &[
    PartnerLink { href: "/partnerships/{id}/scorecard", label: "KPI scorecard", primary: true },
    PartnerLink { href: "/partnerships/{id}/targets", label: "Targets", primary: false },
];

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
                        Ok(list) => view! { <PartnerCards partners=list.items links=PARTNER_LINKS/> }.into_any(),
                    })}
                </Suspense>
            </Shell>
        </RequireAuth>
    }
}

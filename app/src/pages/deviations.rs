//! `/deviations`: the deviations of the caller's partnerships that the rule lets them see, newest first.

use crate::api;
use crate::auth::RequireAuth;
use crate::components::load_failure::load_failure;
use crate::components::loading::Loading;
use crate::components::shell::Shell;
use crate::components::table_wrap::TableWrap;
use crate::format;
use baton_domain::deviation::DeviationStatus;
use baton_domain::endpoints::ListDeviations;
use baton_domain::record_query::RecordQuery;
use leptos::prelude::*;
use leptos_router::components::A;

/// A deviation's status as a chip.
pub fn deviation_chip(status: DeviationStatus) -> impl IntoView {
    let class = match status {
        DeviationStatus::Open => "chip chip-bad",
        DeviationStatus::Investigation => "chip chip-warn",
        DeviationStatus::Closed => "chip chip-done",
    };
    view! { <span class=class data-testid="deviation-status">{status.label()}</span> }
}

/// `/deviations`
#[component]
pub fn DeviationsPage() -> impl IntoView {
    let loaded = LocalResource::new(|| async { api::call::<ListDeviations>([], &RecordQuery::default()).await });
    let reload = Callback::new(move |()| loaded.refetch());
    view! {
        <RequireAuth>
            <Shell>
                <section class="page" data-testid="deviations">
                    <header class="page-header">
                        <div>
                            <h1>"Deviations"</h1>
                            <p class="muted">"Departures from approved processes, classified, investigated to a root cause and closed by QA."</p>
                        </div>
                        <div class="record-actions">
                            <A href="/capas" attr:class="button">"CAPAs"</A>
                            <A href="/deviations/new" attr:class="button primary">"Report a deviation"</A>
                        </div>
                    </header>
                    <Suspense fallback=|| view! { <Loading label="Loading deviations…"/> }>
                        {move || loaded.get().map(|result| match result {
                            Err(failure) => load_failure(failure, "", reload),
                            Ok(list) if list.items.is_empty() => view! {
                                <div class="panel empty-state">
                                    <h2>"No deviations"</h2>
                                    <p>"Deviations your organisation reports, and those a partner shares with you under an agreement, appear here. Report one with “Report a deviation” above, or from a batch."</p>
                                </div>
                            }.into_any(),
                            Ok(list) => view! {
                                <TableWrap><table class="data-table" data-testid="deviations-table">
                                    <thead><tr><th scope="col">"Number"</th><th scope="col">"What happened"</th><th scope="col">"Class"</th>
                                        <th scope="col">"Status"</th><th scope="col">"Product"</th><th scope="col" class="numeric">"Due"</th></tr></thead>
                                    <tbody>{list.items.into_iter().map(|d| view! {
                                        <tr>
                                            <td class="mono"><A href=format!("/deviations/{}", d.id)>{d.number}</A></td>
                                            <td>{d.title}</td>
                                            <td>{d.classification.label()}</td>
                                            <td>{deviation_chip(d.status)}</td>
                                            <td>{d.product} <span class="muted small">" · " {d.owner.name}</span></td>
                                            <td class="numeric">{format::date(d.due_on)}</td>
                                        </tr>
                                    }).collect_view()}</tbody>
                                </table></TableWrap>
                            }.into_any(),
                        })}
                    </Suspense>
                </section>
            </Shell>
        </RequireAuth>
    }
}

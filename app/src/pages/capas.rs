//! `/capas`: the CAPAs of the caller's partnerships that the rule lets them see.

use crate::api;
use crate::auth::RequireAuth;
use crate::components::load_failure::load_failure;
use crate::components::loading::Loading;
use crate::components::shell::Shell;
use crate::components::table_wrap::TableWrap;
use crate::format;
use baton_domain::endpoints::ListCapas;
use baton_domain::record_query::RecordQuery;
use leptos::prelude::*;
use leptos_router::components::A;

/// `/capas`
#[component]
pub fn CapasPage() -> impl IntoView {
    let loaded = LocalResource::new(|| async { api::call::<ListCapas>([], &RecordQuery::default()).await });
    let reload = Callback::new(move |()| loaded.refetch());
    view! {
        <RequireAuth>
            <Shell>
                <section class="page" data-testid="capas">
                    <header class="page-header"><div>
                        <h1>"CAPAs"</h1>
                        <p class="muted">"Corrective and preventive actions, from deviations or from KPIs off target."</p>
                    </div><A href="/deviations" attr:class="button">"Deviations"</A></header>
                    <Suspense fallback=|| view! { <Loading label="Loading CAPAs…"/> }>
                        {move || loaded.get().map(|result| match result {
                            Err(failure) => load_failure(failure, "", reload),
                            Ok(list) if list.items.is_empty() => view! {  <div class="panel empty-state">
                                <h2>"No CAPAs"</h2>
                                <p>"A CAPA is raised from a deviation (“Raise a CAPA” on its page) or from a red KPI on a partnership's scorecard; yours and those a partner shares with you appear here."</p>
                            </div> }.into_any(),
                            Ok(list) => view! {
                                <TableWrap><table class="data-table">
                                    <thead><tr><th scope="col">"Number"</th><th scope="col">"Title"</th><th scope="col">"Product"</th>
                                        <th scope="col" class="numeric">"Open actions"</th><th scope="col">"Status"</th><th scope="col" class="numeric">"Due"</th></tr></thead>
                                    <tbody>{list.items.into_iter().map(|c| view! {
                                        <tr>
                                            <td class="mono"><A href=format!("/capas/{}", c.id)>{c.number}</A></td>
                                            <td>{c.title}</td>
                                            <td>{c.product} <span class="muted small">" · " {c.owner.name}</span></td>
                                            <td class="numeric">{c.open_actions}</td>
                                            <td>{if c.closed { view! { <span class="chip chip-done">"Closed"</span> } } else { view! { <span class="chip chip-warn">"Open"</span> } }}</td>
                                            <td class="numeric">{format::date(c.due_on)}</td>
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

//! `/batches`: the batches of the caller's partnerships that the rule lets them see, newest first, with a status
//! filter; a CMO's people record new ones from here.

use crate::api;
use crate::auth::RequireAuth;
use crate::components::load_failure::load_failure;
use crate::components::loading::Loading;
use crate::components::shell::Shell;
use crate::components::table_wrap::TableWrap;
use crate::format;
use baton_domain::batch::{BatchQuery, BatchStatus, BatchSummary};
use baton_domain::endpoints::ListBatches;
use leptos::prelude::*;
use leptos_router::components::A;

/// A batch status as a chip.
pub fn status_chip(status: BatchStatus) -> impl IntoView {
    let class = match status {
        BatchStatus::Released => "chip chip-done",
        BatchStatus::Rejected => "chip chip-bad",
        BatchStatus::Completed => "chip chip-warn",
        BatchStatus::InProgress => "chip chip-progress",
        BatchStatus::Planned => "chip chip-grey",
    };
    view! { <span class=class data-testid="batch-status">{status.label()}</span> }
}

/// `/batches`
#[component]
pub fn BatchesPage() -> impl IntoView {
    let loaded = LocalResource::new(|| async { api::call::<ListBatches>([], &BatchQuery::default()).await });
    let status = RwSignal::new(String::new());
    let reload = Callback::new(move |()| loaded.refetch());
    view! {
        <RequireAuth>
            <Shell>
                <section class="page" data-testid="batches">
                    <Suspense fallback=|| view! { <Loading label="Loading batches…"/> }>
                        {move || loaded.get().map(|result| match result {
                            Err(failure) => load_failure(failure, "", reload),
                            Ok(list) => {
                                let items = StoredValue::new(list.items);
                                let rows = move || {
                                    let wanted = status.get();
                                    let shown: Vec<BatchSummary> = items.get_value().into_iter()
                                        .filter(|b| wanted.is_empty() || b.status.as_str() == wanted).collect();
                                    if shown.is_empty() {
                                        return view! { <tr><td colspan="7" class="empty-state">"No batch to show. Batches a CMO records (“Record a batch” above) appear here, and a partner's once an agreement shares them; a status filter may be hiding some."</td></tr> }.into_any();
                                    }
                                    shown.into_iter().map(batch_row).collect_view().into_any()
                                };
                                view! {
                                    <header class="page-header">
                                        <div>
                                            <h1>"Batches"</h1>
                                            <p class="muted">"Engineering, PPQ and commercial batches: results against specification and QA's disposition."</p>
                                        </div>
                                        <div class="record-actions">
                                            <A href="/deliveries" attr:class="button">"Deliveries"</A>
                                            {list.may_record.then(|| view! { <A href="/batches/new" attr:class="button primary">"Record a batch"</A> })}
                                        </div>
                                    </header>
                                    <div class="panel filters" role="search">
                                        <div class="field">
                                            <label for="batch-status">"Status"</label>
                                            <select id="batch-status" on:change=move |ev| status.set(event_target_value(&ev))>
                                                <option value="">"Any"</option>
                                                {BatchStatus::ALL.iter().map(|s| view! { <option value=s.as_str()>{s.label()}</option> }).collect_view()}
                                            </select>
                                        </div>
                                    </div>
                                    {list.truncated.then(|| view! { <p class="muted">"Showing the newest 500 batches."</p> })}
                                    <TableWrap>
                                        <table class="data-table" data-testid="batches-table">
                                            <thead><tr>
                                                <th scope="col">"Batch"</th><th scope="col">"Type"</th><th scope="col">"Product"</th>
                                                <th scope="col">"Site"</th><th scope="col">"Status"</th>
                                                <th scope="col" class="numeric">"OOS"</th><th scope="col" class="numeric">"Finished"</th>
                                            </tr></thead>
                                            <tbody>{rows}</tbody>
                                        </table>
                                    </TableWrap>
                                }.into_any()
                            }
                        })}
                    </Suspense>
                </section>
            </Shell>
        </RequireAuth>
    }
}

fn batch_row(b: BatchSummary) -> impl IntoView {
    let href = format!("/batches/{}", b.id);
    view! {
        <tr>
            <td class="mono"><A href=href>{b.number}</A></td>
            <td>{b.batch_type.label()}</td>
            <td>{b.product}</td>
            <td>{b.site} <span class="muted small">" · " {b.cmo.name}</span></td>
            <td>{status_chip(b.status)}
                {(b.deviations > 0).then(|| view! { <span class="muted small">{format!(" {} deviation(s)", b.deviations)}</span> })}</td>
            <td class="numeric">{(b.out_of_spec > 0).then(|| view! { <span class="chip chip-bad">{b.out_of_spec}</span> })}</td>
            <td class="numeric">{b.actual_end.map(format::date).unwrap_or_default()}</td>
        </tr>
    }
}

//! `/deliveries`: what the CMOs promised the sponsors and what arrived, newest promise first, as the rule lets the
//! caller see them; a CMO's people record new ones from here.

use crate::api;
use crate::auth::RequireAuth;
use crate::components::load_failure::load_failure;
use crate::components::loading::Loading;
use crate::components::shell::Shell;
use crate::components::table_wrap::TableWrap;
use crate::format;
use baton_domain::delivery::{DeliveryOutcome, DeliveryView};
use baton_domain::endpoints::ListDeliveries;
use baton_domain::record_query::RecordQuery;
use leptos::prelude::*;
use leptos_router::components::A;

/// A delivery's outcome as a chip.
pub fn outcome_chip(outcome: DeliveryOutcome) -> impl IntoView {
    let class = match outcome {
        DeliveryOutcome::OnTimeInFull => "chip chip-done",
        DeliveryOutcome::Open => "chip",
        DeliveryOutcome::Overdue => "chip chip-warn",
        _ => "chip chip-bad",
    };
    view! { <span class=class data-testid="delivery-outcome">{outcome.label()}</span> }
}

fn row(d: DeliveryView) -> impl IntoView {
    let unit = d.input.unit.clone();
    let delivered = d.input.delivered_on.zip(d.input.delivered_quantity);
    view! {
        <tr>
            <td class="mono"><A href=format!("/deliveries/{}", d.id)>{d.input.reference.clone()}</A></td>
            <td>{d.product.name.clone()}<br/><span class="muted small">{d.cmo.name.clone()}</span></td>
            <td class="numeric numeric-text">{format::date(d.input.promised_on)}<br/>
                <span class="muted small">{format!("{} {unit}", d.input.promised_quantity)}</span></td>
            <td class="numeric numeric-text">{match delivered {
                Some((on, quantity)) => view! {
                    {format::date(on)}<br/><span class="muted small">{format!("{quantity} {unit}")}</span>
                }.into_any(),
                None => "—".into_any(),
            }}</td>
            <td>{outcome_chip(d.outcome)}</td>
        </tr>
    }
}

/// `/deliveries`
#[component]
pub fn DeliveriesPage() -> impl IntoView {
    let loaded = LocalResource::new(|| async { api::call::<ListDeliveries>([], &RecordQuery::default()).await });
    let reload = Callback::new(move |()| loaded.refetch());
    view! {
        <RequireAuth>
            <Shell>
                <section class="page" data-testid="deliveries">
                    <Suspense fallback=|| view! { <Loading label="Loading deliveries…"/> }>
                        {move || loaded.get().map(|result| match result {
                            Err(failure) => load_failure(failure, "", reload),
                            Ok(list) => view! {
                                <header class="page-header">
                                    <div>
                                        <h1>"Deliveries"</h1>
                                        <p class="muted">"Promised against delivered: the on-time-in-full KPI is computed from these."</p>
                                    </div>
                                    <div class="record-actions">
                                        <A href="/batches" attr:class="button">"Batches"</A>
                                        {list.may_record.then(|| view! { <A href="/deliveries/new" attr:class="button primary">"Record a delivery"</A> })}
                                    </div>
                                </header>
                                {list.truncated.then(|| view! { <p class="muted">"Showing the newest 500 deliveries."</p> })}
                                {if list.items.is_empty() {
                                    view! { <div class="panel empty-state">
                                        <h2>"No deliveries"</h2>
                                        <p>"Deliveries a CMO records (“Record a delivery” above) appear here, and a partner's once an agreement shares them."</p>
                                    </div> }.into_any()
                                } else {
                                    view! {
                                        <TableWrap>
                                            <table class="data-table" data-testid="deliveries-table">
                                                <thead><tr>
                                                    <th scope="col">"Order"</th><th scope="col">"Product"</th>
                                                    <th scope="col" class="numeric">"Promised"</th>
                                                    <th scope="col" class="numeric">"Delivered"</th>
                                                    <th scope="col">"Outcome"</th>
                                                </tr></thead>
                                                <tbody>{list.items.into_iter().map(row).collect_view()}</tbody>
                                            </table>
                                        </TableWrap>
                                    }.into_any()
                                }}
                            }.into_any(),
                        })}
                    </Suspense>
                </section>
            </Shell>
        </RequireAuth>
    }
}

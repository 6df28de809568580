//! The records behind one point of a KPI, by the date the KPI counts them by, as the rule lets the caller see them:
//! batches dispositioned or finished, deviations opened or closed, CAPAs due, deliveries promised in that period.
//! Schedule adherence counts transfer stages, which live on their transfers' pages.

use crate::api;
use crate::components::loading::Loading;
use crate::format;
use crate::pages::batches::status_chip;
use crate::pages::deliveries::outcome_chip;
use crate::pages::deviations::deviation_chip;
use baton_domain::batch::BatchQuery;
use baton_domain::endpoints::{ListBatches, ListCapas, ListDeliveries, ListDeviations};
use baton_domain::ids::OrgId;
use baton_domain::kpi::{Filter, KpiKind, Period};
use baton_domain::record_query::RecordQuery;
use leptos::prelude::*;
use leptos_router::components::A;

/// The records behind `kpi` in `period`.
#[component]
pub fn DrillDown(kpi: KpiKind, period: Period, cmo: OrgId, filter: Filter) -> impl IntoView {
    let query = RecordQuery {
        cmo: Some(cmo),
        period: Some(period.to_string()),
        closed: None,
        site: filter.site,
        product: filter.product,
    };
    let batches = |finished: bool| {
        let query = BatchQuery {
            cmo: query.cmo,
            period: query.period.clone(),
            finished: Some(finished),
            site: query.site,
            product: query.product,
        };
        view! { <BatchesBehind query=query period=period/> }.into_any()
    };
    let deviations = |closed: bool| {
        let query = RecordQuery { closed: Some(closed), ..query.clone() };
        view! { <DeviationsBehind query=query period=period/> }.into_any()
    };
    let records = match kpi {
        KpiKind::RightFirstTime | KpiKind::LotAcceptance => batches(false),
        KpiKind::MeanYield => batches(true),
        KpiKind::DeviationsPerBatch => view! { {deviations(false)} {batches(true)} }.into_any(),
        KpiKind::MedianDaysToClose | KpiKind::DeviationsClosedInTime => deviations(true),
        KpiKind::CapaOnTime => view! { <CapasBehind query=query.clone() period=period/> }.into_any(),
        KpiKind::OnTimeInFull => view! { <DeliveriesBehind query=query.clone() period=period/> }.into_any(),
        KpiKind::ScheduleAdherence => view! {
            <p>"Stages count when their gate passes; each transfer's page shows its stages and their dates."</p>
            <p><A href="/transfers" attr:class="button">"Open the transfers"</A></p>
        }
        .into_any(),
    };
    view! {
        <section class="panel" data-testid="drill-down">
            <h2>{format!("Behind {} in {}", kpi.label().to_lowercase(), period.label())}</h2>
            {records}
        </section>
    }
}

/// What the list says above its items: what they are, and whether only the newest 500 are shown.
fn caption(what: String, period: Period, truncated: bool) -> impl IntoView {
    let newest = if truncated { " (the newest 500)" } else { "" };
    view! { <h3 class="drill-caption">{format!("{what} in {}{newest}", period.label())}</h3> }
}

fn empty(what: &str) -> AnyView {
    view! { <p class="empty-state">{format!("No {what} in this period that you may see.")}</p> }.into_any()
}

#[component]
fn BatchesBehind(query: BatchQuery, period: Period) -> impl IntoView {
    let what = if query.finished == Some(true) { "finished" } else { "dispositioned" };
    let loaded = LocalResource::new(move || {
        let query = query.clone();
        async move { api::call::<ListBatches>([], &query).await }
    });
    view! {
        <Suspense fallback=|| view! { <Loading label="Loading the batches…"/> }>
            {move || loaded.get().map(|result| match result {
                Err(failure) => view! { <p class="field-error">{failure.message()}</p> }.into_any(),
                Ok(list) if list.items.is_empty() => empty(&format!("batch {what}")),
                Ok(list) => view! {
                    {caption(format!("Batches {what}"), period, list.truncated)}
                    <ul class="plain-list" data-testid="drill-batches">{list.items.into_iter().map(|b| view! {
                        <li><A href=format!("/batches/{}", b.id)>{b.number}</A> " " {status_chip(b.status)}
                            <span class="muted small">{format!(" {} · {} · {} deviation(s)", b.product, b.site, b.deviations)}</span></li>
                    }).collect_view()}</ul>
                }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn DeviationsBehind(query: RecordQuery, period: Period) -> impl IntoView {
    let what = if query.closed == Some(true) { "closed" } else { "opened" };
    let loaded = LocalResource::new(move || {
        let query = query.clone();
        async move { api::call::<ListDeviations>([], &query).await }
    });
    view! {
        <Suspense fallback=|| view! { <Loading label="Loading the deviations…"/> }>
            {move || loaded.get().map(|result| match result {
                Err(failure) => view! { <p class="field-error">{failure.message()}</p> }.into_any(),
                Ok(list) if list.items.is_empty() => empty(&format!("deviation {what}")),
                Ok(list) => view! {
                    {caption(format!("Deviations {what}"), period, list.truncated)}
                    <ul class="plain-list" data-testid="drill-deviations">{list.items.into_iter().map(|d| view! {
                        <li><A href=format!("/deviations/{}", d.id)>{d.number}</A> " " {deviation_chip(d.status)}
                            <span class="muted small">{format!(" {} · {} · {} · due {}", d.title, d.classification.label(),
                                d.product, format::date(d.due_on))}</span></li>
                    }).collect_view()}</ul>
                }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn CapasBehind(query: RecordQuery, period: Period) -> impl IntoView {
    let loaded = LocalResource::new(move || {
        let query = query.clone();
        async move { api::call::<ListCapas>([], &query).await }
    });
    view! {
        <Suspense fallback=|| view! { <Loading label="Loading the CAPAs…"/> }>
            {move || loaded.get().map(|result| match result {
                Err(failure) => view! { <p class="field-error">{failure.message()}</p> }.into_any(),
                Ok(list) if list.items.is_empty() => empty("CAPA due"),
                Ok(list) => view! {
                    {caption("CAPAs due".into(), period, list.truncated)}
                    <ul class="plain-list" data-testid="drill-capas">{list.items.into_iter().map(|c| view! {
                        <li><A href=format!("/capas/{}", c.id)>{c.number}</A> " "
                            {if c.closed { view! { <span class="chip chip-done">"Closed"</span> } } else { view! { <span class="chip chip-warn">"Open"</span> } }}
                            <span class="muted small">{format!(" {} · {} · due {}", c.title, c.product, format::date(c.due_on))}</span></li>
                    }).collect_view()}</ul>
                }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn DeliveriesBehind(query: RecordQuery, period: Period) -> impl IntoView {
    let loaded = LocalResource::new(move || {
        let query = query.clone();
        async move { api::call::<ListDeliveries>([], &query).await }
    });
    view! {
        <Suspense fallback=|| view! { <Loading label="Loading the deliveries…"/> }>
            {move || loaded.get().map(|result| match result {
                Err(failure) => view! { <p class="field-error">{failure.message()}</p> }.into_any(),
                Ok(list) if list.items.is_empty() => empty("delivery promised"),
                Ok(list) => view! {
                    {caption("Deliveries promised".into(), period, list.truncated)}
                    <ul class="plain-list" data-testid="drill-deliveries">{list.items.into_iter().map(|d| view! {
                        <li><A href=format!("/deliveries/{}", d.id)>{d.input.reference.clone()}</A> " " {outcome_chip(d.outcome)}
                            <span class="muted small">{format!(" {} · promised {} {} on {}", d.product.name,
                                d.input.promised_quantity, d.input.unit, format::date(d.input.promised_on))}</span></li>
                    }).collect_view()}</ul>
                }.into_any(),
            })}
        </Suspense>
    }
}

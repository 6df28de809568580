//! The records behind one point of a KPI: the batches dispositioned (or finished) in that period, as the rule lets
//! the caller see them. Quality-event KPIs lead to the deviation and CAPA lists.

use crate::api;
use crate::components::loading::Loading;
use crate::pages::batches::status_chip;
use baton_domain::batch::BatchQuery;
use baton_domain::endpoints::ListBatches;
use baton_domain::ids::OrgId;
use baton_domain::kpi::{Filter, KpiKind, Period};
use leptos::prelude::*;
use leptos_router::components::A;

/// Whether a KPI counts batches by their actual end (rather than their disposition).
fn by_finish(kpi: KpiKind) -> bool {
    matches!(kpi, KpiKind::DeviationsPerBatch | KpiKind::MeanYield)
}

/// The records behind `kpi` in `period`.
#[component]
pub fn DrillDown(kpi: KpiKind, period: Period, cmo: OrgId, filter: Filter) -> impl IntoView {
    let batch_kpi = matches!(
        kpi,
        KpiKind::RightFirstTime | KpiKind::LotAcceptance | KpiKind::DeviationsPerBatch | KpiKind::MeanYield
    );
    let query = BatchQuery {
        cmo: Some(cmo),
        period: Some(period.to_string()),
        finished: Some(by_finish(kpi)),
        site: filter.site,
        product: filter.product,
    };
    let loaded = LocalResource::new(move || {
        let query = query.clone();
        async move { api::call::<ListBatches>([], &query).await }
    });
    let what = if by_finish(kpi) { "finished" } else { "dispositioned" };
    view! {
        <section class="panel" data-testid="drill-down">
            <h2>{format!("Behind {} in {}", kpi.label().to_lowercase(), period.label())}</h2>
            {if batch_kpi {
                view! {
                    <Suspense fallback=|| view! { <Loading label="Loading the batches…"/> }>
                        {move || loaded.get().map(|result| match result {
                            Err(failure) => view! { <p class="field-error">{failure.message()}</p> }.into_any(),
                            Ok(list) if list.items.is_empty() => view! {
                                <p class="empty-state">{format!("No batch {what} in this period that you may see.")}</p>
                            }.into_any(),
                            Ok(list) => view! {
                                <p class="muted">{format!("Batches {what} in {}{}", period.label(),
                                    if list.truncated { " (the newest 500)" } else { "" })}</p>
                                <ul class="plain-list">{list.items.into_iter().map(|b| view! {
                                    <li><A href=format!("/batches/{}", b.id)>{b.number}</A> " " {status_chip(b.status)}
                                        <span class="muted small">{format!(" {} · {} · {} deviation(s)", b.product, b.site, b.deviations)}</span></li>
                                }).collect_view()}</ul>
                            }.into_any(),
                        })}
                    </Suspense>
                }.into_any()
            } else {
                let (href, label) = match kpi {
                    KpiKind::CapaOnTime => ("/capas", "Open the CAPAs"),
                    KpiKind::OnTimeInFull => ("/batches", "Open the batches"),
                    KpiKind::ScheduleAdherence => ("/transfers", "Open the transfers"),
                    _ => ("/deviations", "Open the deviations"),
                };
                view! { <p><A href=href attr:class="button">{label}</A></p> }.into_any()
            }}
        </section>
    }
}

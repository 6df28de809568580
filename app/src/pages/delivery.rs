//! `/deliveries/{id}`: one delivery — promised against delivered, whether it was on time and in full — and, for
//! the CMO's people, recording it as delivered or correcting it (with a reason once delivered).

use crate::api;
use crate::auth::RequireAuth;
use crate::components::comments::CommentsPanel;
use crate::components::copy_link::CopyLink;
use crate::components::history::HistoryPanel;
use crate::components::load_failure::load_failure;
use crate::components::loading::Loading;
use crate::components::shell::Shell;
use crate::format;
use crate::live::{LiveNote, on_change};
use crate::pages::deliveries::outcome_chip;
use crate::pages::delivery_form::{DeliveryForm, problem_of};
use baton_domain::access::Action;
use baton_domain::delivery::{DeliveryChange, DeliveryInput, DeliveryView};
use baton_domain::endpoints::{ChangeDelivery, GetDelivery};
use baton_domain::record::RecordType;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

/// `/deliveries/{id}`
#[component]
pub fn DeliveryPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let loaded = LocalResource::new(move || {
        let id = id();
        async move { api::call::<GetDelivery>([&id], &()).await }
    });
    let reload = Callback::new(move |()| loaded.refetch());
    // A change to this record by anyone, through any instance, shows here without a reload.
    let updated_by = on_change(
        move |e| {
            e.record_type == RecordType::Delivery
                && params.with_untracked(|p| p.get("id")).is_some_and(|id| id == e.record_id)
        },
        move || loaded.refetch(),
    );
    view! {
        <RequireAuth>
            <Shell>
                <LiveNote updated_by=updated_by/>
                <Suspense fallback=|| view! { <Loading label="Loading the delivery…"/> }>
                    {move || loaded.get().map(|result| match result {
                        Ok(delivery) => view! { <DeliveryRecord delivery=delivery on_change=reload/> }.into_any(),
                        Err(failure) => load_failure(failure, "There is no delivery at this address.", reload),
                    })}
                </Suspense>
            </Shell>
        </RequireAuth>
    }
}

fn amount(quantity: Option<String>, unit: &str) -> String {
    quantity.map_or_else(|| "—".to_owned(), |q| format!("{q} {unit}"))
}

#[component]
fn DeliveryRecord(delivery: DeliveryView, on_change: Callback<()>) -> impl IntoView {
    let may_change = delivery.actions.contains(&Action::Contribute);
    let (id, row_version) = (delivery.id, delivery.row_version);
    let delivered = delivery.input.delivered_on.is_some();
    let save = move |input: DeliveryInput, reason: Option<String>| async move {
        let change = DeliveryChange { delivery: input, row_version, reason };
        match api::call::<ChangeDelivery>([&id.to_string()], &change).await {
            Ok(_) => {
                on_change.run(());
                None
            }
            Err(failure) => Some(problem_of(failure)),
        }
    };
    let input = delivery.input.clone();
    let unit = input.unit.clone();
    view! {
        <article class="record" data-testid="delivery">
            <header class="record-header">
                <div class="record-title">
                    <p class="record-kind">{format!("Delivery · {} to {}", delivery.cmo.name, delivery.sponsor.name)}</p>
                    <h1>{input.reference.clone()} " " {outcome_chip(delivery.outcome)}</h1>
                    <p class="lead">{delivery.product.name.clone()}</p>
                </div>
                <div class="record-actions">
                    <A href="/deliveries" attr:class="button">"All deliveries"</A>
                    <CopyLink/>
                </div>
            </header>
            <dl class="facts">
                <div><dt>"Promised"</dt><dd>{format!("{} · {}", format::date(input.promised_on), amount(Some(input.promised_quantity.to_string()), &unit))}</dd></div>
                <div><dt>"Delivered"</dt><dd data-testid="delivered">{input.delivered_on.map_or_else(|| "Not yet".to_owned(), |d| {
                    format!("{} · {}", format::date(d), amount(input.delivered_quantity.map(|q| q.to_string()), &unit))
                })}</dd></div>
                <div><dt>"On time in full"</dt><dd>{match delivery.on_time_in_full {
                    None => "Not delivered yet",
                    Some(true) => "Yes",
                    Some(false) => "No",
                }}</dd></div>
            </dl>
            {may_change.then(|| view! {
                <section>
                    <h2>{if delivered { "Correct the delivery" } else { "Record the delivery" }}</h2>
                    <DeliveryForm products=vec![delivery.product.clone()] initial=Some(delivery.input.clone())
                        ask_reason=delivered submit_label="Save" save=save/>
                </section>
            })}
            <CommentsPanel record_type=RecordType::Delivery id=id.to_string()/>
            <HistoryPanel record_type=RecordType::Delivery id=id.to_string()/>
        </article>
    }
}

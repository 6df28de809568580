//! `/capas/new`: a corrective and preventive action, prefilled from what prompted it — a deviation
//! (`?deviation=…`) or a KPI on red (`?partnership=…&kpi=…&period=…&value=…&target=…`), linked back to it.

use crate::api::{self, Failure};
use crate::auth::{RequireAuth, use_auth};
use crate::components::load_failure::load_failure;
use crate::components::loading::Loading;
use crate::components::shell::Shell;
use crate::pages::capa_actions::ActionsEditor;
use baton_domain::batch::ProductRef;
use baton_domain::capa::{CapaAction, CapaInput, KpiTrigger};
use baton_domain::endpoints::{GetDeviation, GetScorecard, RaiseCapa};
use baton_domain::ids::{DeviationId, OrgId, TransferId};
use baton_domain::kpi::KpiKind;
use baton_domain::scorecard::ScorecardQuery;
use chrono::{Days, NaiveDate};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};

/// What the form starts from.
#[derive(Clone)]
struct Prefill {
    title: String,
    description: String,
    products: Vec<ProductRef>,
    parties: (OrgId, OrgId),
    transfer: Option<TransferId>,
    deviations: Vec<DeviationId>,
    kpi: Option<KpiTrigger>,
    back: String,
}

/// `/capas/new`
#[component]
pub fn NewCapaPage() -> impl IntoView {
    let query = use_query_map();
    let loaded = LocalResource::new(move || {
        let q = query.read().clone();
        async move {
            if let Some(id) = q.get("deviation") {
                let d = api::call::<GetDeviation>([&id], &()).await?;
                return Ok::<_, Failure>(Prefill {
                    title: format!("Prevent recurrence: {}", d.input.title),
                    description: format!("Answers {}.", d.number),
                    products: vec![d.product.clone()],
                    parties: (d.sponsor.id, d.cmo.id),
                    transfer: d.input.transfer,
                    deviations: vec![d.id],
                    kpi: None,
                    back: format!("/deviations/{}", d.id),
                });
            }
            let partnership = q.get("partnership").unwrap_or_default();
            let card = api::call::<GetScorecard>([&partnership], &ScorecardQuery::default()).await?;
            let kind = q.get("kpi").and_then(|k| k.parse::<KpiKind>().ok()).unwrap_or(KpiKind::RightFirstTime);
            let trigger = KpiTrigger {
                partnership: card.partnership,
                kpi: kind,
                period: q.get("period").unwrap_or_default(),
                value: q.get("value").unwrap_or_default(),
                target: q.get("target").unwrap_or_default(),
            };
            Ok(Prefill {
                title: format!("{} {} in {} (target {})", kind.label(), trigger.value, trigger.period, trigger.target),
                description: format!(
                    "The partnership scorecard shows {} at {} for {}, below its target of {}.",
                    kind.label().to_lowercase(),
                    trigger.value,
                    trigger.period,
                    trigger.target
                ),
                products: card.products.clone(),
                parties: (card.sponsor.id, card.cmo.id),
                transfer: None,
                deviations: Vec::new(),
                kpi: Some(trigger),
                back: format!("/partnerships/{partnership}/scorecard"),
            })
        }
    });
    let reload = Callback::new(move |()| loaded.refetch());
    view! {
        <RequireAuth>
            <Shell>
                <Suspense fallback=|| view! { <Loading label="Loading…"/> }>
                    {move || loaded.get().map(|result| match result {
                        Ok(prefill) => view! { <CapaForm prefill=prefill/> }.into_any(),
                        Err(failure) => load_failure(failure, "There is nothing at this address to answer.", reload),
                    })}
                </Suspense>
            </Shell>
        </RequireAuth>
    }
}

#[component]
fn CapaForm(prefill: Prefill) -> impl IntoView {
    let me = use_auth().session().map(|s| s.user.organisation.id);
    let partner = if me == Some(prefill.parties.0) { prefill.parties.1 } else { prefill.parties.0 };
    let today = crate::components::stage::today();
    let due = today.checked_add_days(Days::new(60)).unwrap_or(today);
    let title = RwSignal::new(prefill.title.clone());
    let description = RwSignal::new(prefill.description.clone());
    let product = RwSignal::new(prefill.products.first().map(|p| p.id.to_string()).unwrap_or_default());
    let due_on = RwSignal::new(due.to_string());
    let actions =
        RwSignal::new(vec![CapaAction { description: String::new(), owner: String::new(), due_on: due, done: false }]);
    let effectiveness = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let navigate = use_navigate();
    let fixed = StoredValue::new(prefill.clone());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let p = fixed.get_value();
        let (Ok(product), Ok(due_on)) =
            (product.get_untracked().parse(), NaiveDate::parse_from_str(&due_on.get_untracked(), "%Y-%m-%d"))
        else {
            error.set(Some("Choose the product and the due date.".into()));
            return;
        };
        let input = CapaInput {
            title: title.get_untracked(),
            description: description.get_untracked(),
            product,
            partner,
            transfer: p.transfer,
            deviations: p.deviations,
            kpi: p.kpi,
            due_on,
            actions: actions.get_untracked(),
            effectiveness_check: effectiveness.get_untracked(),
        };
        if let Err(e) = input.validate() {
            error.set(Some(e.message));
            return;
        }
        pending.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::call::<RaiseCapa>([], &input).await {
                Ok(capa) => navigate(&format!("/capas/{}", capa.id), Default::default()),
                Err(f) => error.set(Some(f.message())),
            }
            pending.set(false);
        });
    };
    view! {
        <form class="panel form entry-form" on:submit=submit data-testid="capa-form" novalidate>
            <h1>"Open a corrective action"</h1>
            {prefill.kpi.clone().map(|k| view! {
                <p class="banner" data-testid="capa-trigger">{format!("Prompted by {} at {} in {} (target {}).", k.kpi.label(), k.value, k.period, k.target)}</p>
            })}
            <div class="field"><label for="capa-title">"Title"</label>
                <input id="capa-title" type="text" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev))/></div>
            <div class="form-grid">
                <div class="field"><label for="capa-product">"Product"</label>
                    <select id="capa-product" on:change=move |ev| product.set(event_target_value(&ev))>
                        {prefill.products.iter().map(|p| view! { <option value=p.id.to_string()>{p.name.clone()}</option> }).collect_view()}
                    </select></div>
                <div class="field"><label for="capa-due">"Due"</label>
                    <input id="capa-due" type="date" prop:value=move || due_on.get() on:input=move |ev| due_on.set(event_target_value(&ev))/></div>
            </div>
            <div class="field"><label for="capa-description">"Problem and fix"</label>
                <textarea id="capa-description" rows="3" prop:value=move || description.get()
                    on:input=move |ev| description.set(event_target_value(&ev))></textarea></div>
            <ActionsEditor actions=actions/>
            <div class="field"><label for="capa-effectiveness">"How effectiveness will be checked"</label>
                <textarea id="capa-effectiveness" rows="2" prop:value=move || effectiveness.get()
                    on:input=move |ev| effectiveness.set(event_target_value(&ev))></textarea></div>
            <p class="field-error" data-testid="capa-error">{move || error.get()}</p>
            <div class="dialog-actions">
                <a class="button" href=prefill.back.clone()>"Cancel"</a>
                <button type="submit" class="button primary" disabled=move || pending.get()>"Open CAPA"</button>
            </div>
        </form>
    }
}

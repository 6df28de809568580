//! `/transfers/{id}/methods` and `/transfers/{id}/methods/{method}`: analytical method transfer. Each site enters
//! its own results; the evaluation against the acceptance criteria is computed by the shared crate and shown per
//! criterion; a failure has opened an investigation deliverable in the plan.

use crate::api::{self, Failure};
use crate::auth::RequireAuth;
use crate::components::comments::CommentsPanel;
use crate::components::copy_link::CopyLink;
use crate::components::documents_panel::{DocumentsPanel, Place};
use crate::components::load_failure::load_failure;
use crate::components::loading::Loading;
use crate::components::shell::Shell;
use crate::pages::method_forms::{NewMethodForm, ResultsForm};
use baton_domain::access::Action;
use baton_domain::endpoints::{GetTransfer, ListMethods};
use baton_domain::ids::MethodId;
use baton_domain::method_evaluation::{Outcome, Verdict};
use baton_domain::method_record::MethodView;
use baton_domain::method_transfer::{Criterion, Site};
use baton_domain::record::RecordType;
use baton_domain::transfer::TransferDetail;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// `/transfers/{id}/methods[/{method}]`
#[component]
pub fn MethodsPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let selected = Signal::derive(move || params.read().get("method").and_then(|m| m.parse::<MethodId>().ok()));
    let loaded = LocalResource::new(move || {
        let id = id();
        async move {
            let transfer = api::call::<GetTransfer>([&id], &()).await?;
            let methods = api::call::<ListMethods>([&id], &()).await?;
            Ok::<_, Failure>((transfer, methods))
        }
    });
    let reload = Callback::new(move |()| loaded.refetch());
    view! {
        <RequireAuth>
            <Shell>
                <Transition fallback=|| view! { <Loading label="Loading the methods…"/> }>
                    {move || loaded.get().map(|result| match result {
                        Ok((transfer, list)) => {
                            let may_add = list.actions.contains(&Action::Contribute);
                            view! { <MethodsView transfer=transfer methods=list.methods may_add=may_add selected=selected on_change=reload/> }.into_any()
                        }
                        Err(failure) => load_failure(failure, "There is no transfer at this address.", reload),
                    })}
                </Transition>
            </Shell>
        </RequireAuth>
    }
}

/// A verdict or outcome in words, with its chip class.
fn verdict_chip(verdict: Verdict) -> impl IntoView {
    let class = match verdict {
        Verdict::Pass => "chip chip-done",
        Verdict::Fail => "chip chip-bad",
        Verdict::Inconclusive => "chip chip-grey",
    };
    view! { <span class=class data-testid="verdict">{verdict.label()}</span> }
}

fn outcome_chip(outcome: Outcome) -> impl IntoView {
    let class = match outcome {
        Outcome::Pass => "chip chip-done",
        Outcome::Fail => "chip chip-bad",
        _ => "chip chip-grey",
    };
    view! { <span class=class>{outcome.label()}</span> }
}

/// A criterion in words, e.g. "|mean RU − mean SU| ≤ 1.0 %".
pub fn criterion_text(criterion: &Criterion, unit: &str) -> String {
    match criterion {
        Criterion::AbsoluteMeanDifference { max } => format!("|mean RU − mean SU| ≤ {max} {unit}"),
        Criterion::RelativeMeanDifference { max_percent } => {
            format!("|mean RU − mean SU| ≤ {max_percent} % of the SU mean")
        }
        Criterion::Rsd { max_percent } => format!("RSD of each site ≤ {max_percent} %"),
        Criterion::WithinSpec { spec } => {
            format!("every result within {} {unit}", crate::components::parameter_grid::range_cell(spec))
        }
    }
}

#[component]
fn MethodsView(
    transfer: TransferDetail,
    methods: Vec<MethodView>,
    may_add: bool,
    selected: Signal<Option<MethodId>>,
    on_change: Callback<()>,
) -> impl IntoView {
    let adding = RwSignal::new(false);
    let base = format!("/transfers/{}/methods", transfer.id);
    let empty = methods.is_empty();
    view! {
        <article class="record" data-testid="methods">
            <header class="record-header">
                <div class="record-title">
                    <p class="record-kind"><a href=format!("/transfers/{}", transfer.id)>{format!("{} · {}", transfer.code, transfer.product)}</a></p>
                    <h1>"Analytical method transfer"</h1>
                    <p class="muted">"Both sites test the same samples; each enters its own results. Pass or fail is computed from the acceptance criteria."</p>
                </div>
                <div class="record-actions">
                    {may_add.then(|| view! { <button class="button primary" on:click=move |_| adding.set(true)>"Add method"</button> })}
                    <CopyLink/>
                </div>
            </header>
            {move || adding.get().then(|| view! {
                <NewMethodForm transfer=transfer.id on_done=Callback::new(move |saved: bool| { adding.set(false); if saved { on_change.run(()) } })/>
            })}
            {empty.then(|| view! { <p class="panel muted">"No analytical methods are being transferred yet, or none your organisation may see."</p> })}
            {methods.into_iter().map(|m| {
                let link = format!("{base}/{}", m.id);
                view! { <MethodCard transfer=transfer.id method=m link=link selected=selected on_change=on_change/> }
            }).collect_view()}
        </article>
    }
}

#[component]
fn MethodCard(
    transfer: baton_domain::ids::TransferId,
    method: MethodView,
    link: String,
    selected: Signal<Option<MethodId>>,
    on_change: Callback<()>,
) -> impl IntoView {
    let (id, name) = (method.id, method.method.name.clone());
    let may = |side: &baton_domain::method_record::SiteView| side.actions.contains(&Action::Contribute);
    let (su_editable, ru_editable) = (may(&method.su), may(&method.ru));
    view! {
        <section class="panel method" class:row-highlight=move || selected.get() == Some(id) data-method=id.to_string()>
            <div class="panel-head">
                <h2><a href=link>{method.method.name.clone()}</a></h2>
                {method.verdict.map(verdict_chip)}
            </div>
            {[(&method.su, "sending unit"), (&method.ru, "receiving unit")].into_iter().filter_map(|(side, name)| {
                side.hidden.clone().map(|why| view! { <p class="banner notice-hidden">{format!("The {name}'s results are not shown. ")}{why}</p> })
            }).collect_view()}
            {method.method.attributes.iter().map(|a| {
                let evaluation = method.evaluations.as_ref().and_then(|e| e.iter().find(|e| e.attribute == a.attribute)).cloned();
                let unit = a.unit.to_string();
                view! {
                    <h3>{a.attribute.clone()} <span class="muted small">{format!(" ({unit})")}</span></h3>
                    <ul class="criteria">{a.criteria.iter().map(|c| view! { <li>{criterion_text(c, &unit)}</li> }).collect_view()}</ul>
                    {evaluation.map(|e| view! {
                        <table class="data-table evaluation" data-testid="evaluation">
                            <thead><tr><th scope="col">"Criterion"</th><th scope="col">"Site"</th><th scope="col">"Value"</th><th scope="col">"Outcome"</th><th scope="col">"Why"</th></tr></thead>
                            <tbody>{e.results.into_iter().map(|r| view! {
                                <tr><td>{criterion_text(&r.criterion, &unit)}</td>
                                    <td>{r.site.map(|s| s.label())}</td>
                                    <td class="numeric">{r.value.map(|v| v.to_string())}</td>
                                    <td>{outcome_chip(r.outcome)}</td>
                                    <td class="small">{r.message}</td></tr>
                            }).collect_view()}</tbody>
                        </table>
                    })}
                }
            }).collect_view()}
            <div class="two-columns">
                <ResultsForm method=method.clone() site=Site::Su editable=su_editable on_saved=on_change/>
                <ResultsForm method=method.clone() site=Site::Ru editable=ru_editable on_saved=on_change/>
            </div>
            // The method's own page (its deep link) shows its documents; the list of all methods stays light.
            {move || (selected.get() == Some(id)).then(|| view! {
                <DocumentsPanel place=Place::Method(transfer, id)/>
                <CommentsPanel record_type=RecordType::Method id=id.to_string() about=format!("method “{name}”")/>
            })}
        </section>
    }
}

//! `/transfers/{id}/risks` and `/transfers/{id}/risks/{risk}`: the transfer's risk register (FMEA), sortable, with
//! RPN and band computed by the shared crate; a row's deep link opens its editor.

use crate::api::{self, Failure};
use crate::auth::RequireAuth;
use crate::components::comments::CommentsPanel;
use crate::components::copy_link::CopyLink;
use crate::components::load_failure::load_failure;
use crate::components::loading::Loading;
use crate::components::shell::Shell;
use crate::components::table_wrap::TableWrap;
use crate::pages::risk_form::RiskForm;
use baton_domain::access::Action;
use baton_domain::endpoints::{GetRiskRegister, GetTransfer};
use baton_domain::ids::RiskId;
use baton_domain::record::RecordType;
use baton_domain::risk::RiskLevel;
use baton_domain::risk_register::StoredRisk;
use baton_domain::transfer::TransferDetail;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// `/transfers/{id}/risks[/{risk}]`
#[component]
pub fn RisksPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let selected = Signal::derive(move || params.read().get("risk").and_then(|r| r.parse::<RiskId>().ok()));
    let loaded = LocalResource::new(move || {
        let id = id();
        async move {
            let transfer = api::call::<GetTransfer>([&id], &()).await?;
            let register = api::call::<GetRiskRegister>([&id], &()).await?;
            Ok::<_, Failure>((transfer, register))
        }
    });
    let reload = Callback::new(move |()| loaded.refetch());
    view! {
        <RequireAuth>
            <Shell>
                <Suspense fallback=|| view! { <Loading label="Loading the risk register…"/> }>
                    {move || loaded.get().map(|result| match result {
                        Ok((transfer, register)) => view! {
                            <RiskRegisterView transfer=transfer risks=register.risks may_add=register.actions.contains(&Action::Contribute)
                                selected=selected on_change=reload/>
                        }.into_any(),
                        Err(failure) => load_failure(failure, "There is no transfer at this address.", reload),
                    })}
                </Suspense>
            </Shell>
        </RequireAuth>
    }
}

/// A band as a chip, in words and colour.
pub fn level_chip(level: RiskLevel) -> impl IntoView {
    let class = match level {
        RiskLevel::High => "chip chip-bad",
        RiskLevel::Medium => "chip chip-warn",
        RiskLevel::Low => "chip chip-done",
    };
    view! { <span class=class>{level.label()}</span> }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Column {
    Rpn,
    Step,
    Severity,
    Residual,
}

#[component]
fn RiskRegisterView(
    transfer: TransferDetail,
    risks: Vec<StoredRisk>,
    may_add: bool,
    selected: Signal<Option<RiskId>>,
    on_change: Callback<()>,
) -> impl IntoView {
    let sort = RwSignal::new(Column::Rpn);
    let all = StoredValue::new(risks);
    let adding = RwSignal::new(false);
    let base = format!("/transfers/{}/risks", transfer.id);
    let rows = move || {
        let mut rows = all.get_value();
        match sort.get() {
            Column::Rpn => {}
            Column::Step => rows.sort_by(|a, b| a.failure_mode.step.cmp(&b.failure_mode.step)),
            Column::Severity => rows.sort_by_key(|r| std::cmp::Reverse(r.failure_mode.ratings.severity)),
            Column::Residual => rows.sort_by_key(|r| std::cmp::Reverse(r.residual_rpn.unwrap_or(r.rpn))),
        }
        rows
    };
    let header = move |column: Column, label: &'static str| {
        view! {
            <th scope="col" aria-sort=move || if sort.get() == column { "descending" } else { "none" }>
                <button class="sort" on:click=move |_| sort.set(column)>{label}</button>
            </th>
        }
    };
    let editing = move || selected.get().and_then(|id| all.with_value(|rs| rs.iter().find(|r| r.id == id).cloned()));
    let back = base.clone();
    let navigate = leptos_router::hooks::use_navigate();
    view! {
        <article class="record" data-testid="risks">
            <header class="record-header">
                <div class="record-title">
                    <p class="record-kind"><a href=format!("/transfers/{}", transfer.id)>{format!("{} · {}", transfer.code, transfer.product)}</a></p>
                    <h1>"Risk assessment"</h1>
                    <p class="muted">"Failure modes rated 1–10 for severity, occurrence and detection; RPN = S × O × D. High: RPN ≥ 200 or severity ≥ 9; medium: RPN ≥ 80."</p>
                </div>
                <div class="record-actions">
                    {may_add.then(|| view! { <button class="button primary" on:click=move |_| adding.set(true)>"Add failure mode"</button> })}
                    <CopyLink/>
                </div>
            </header>
            {move || adding.get().then(|| view! {
                <RiskForm transfer=transfer.id existing=None on_done=Callback::new(move |saved: bool| { adding.set(false); if saved { on_change.run(()) } })/>
            })}
            {move || editing().map(|risk| {
                let (back, navigate) = (back.clone(), navigate.clone());
                view! {
                    <RiskForm transfer=risk.transfer_id existing=Some(risk.clone()) on_done=Callback::new(move |saved: bool| {
                        if saved { on_change.run(()) }
                        navigate(&back, Default::default());
                    })/>
                    <CommentsPanel record_type=RecordType::Risk id=risk.id.to_string()
                        about=format!("failure mode “{}”", risk.failure_mode.failure_mode)/>
                }
            })}
            <TableWrap>
                <table class="data-table" data-testid="risk-table">
                    <thead><tr>
                        <th scope="col">"Failure mode"</th>
                        {header(Column::Rpn, "RPN")}
                        {header(Column::Residual, "Residual")}
                        {header(Column::Severity, "S")}
                        <th scope="col">"O"</th>
                        <th scope="col">"D"</th>
                        {header(Column::Step, "Step")}
                        <th scope="col">"Effect"</th>
                        <th scope="col">"Mitigation"</th>
                    </tr></thead>
                    <tbody>
                        {move || {
                            let rows = rows();
                            if rows.is_empty() {
                                return view! { <tr><td colspan="9" class="empty-state">"No failure modes yet."</td></tr> }.into_any();
                            }
                            rows.into_iter().map(|r| {
                                let m = r.failure_mode.clone();
                                view! {
                                    <tr class:row-highlight=selected.get() == Some(r.id) data-risk=r.id.to_string()>
                                        <td><a href=format!("{base}/{}", r.id)>{m.failure_mode.clone()}</a></td>
                                        <td class="numeric nowrap" data-testid="rpn"><strong>{r.rpn}</strong>" "{level_chip(r.level)}</td>
                                        <td class="numeric nowrap">{r.residual_rpn.map(|v| v.to_string()).unwrap_or_else(|| "—".into())}
                                            " "{r.residual_level.map(level_chip)}</td>
                                        <td class="numeric">{m.ratings.severity.get()}</td>
                                        <td class="numeric">{m.ratings.occurrence.get()}</td>
                                        <td class="numeric">{m.ratings.detection.get()}</td>
                                        <td>{m.step.clone()}</td>
                                        <td>{m.effect.clone()}</td>
                                        <td>{m.mitigation.clone()}{r.mitigation_deliverable.map(|d| view! {
                                            " " <a href=format!("/deliverables/{d}")>"(deliverable)"</a>
                                        })}</td>
                                    </tr>
                                }
                            }).collect_view().into_any()
                        }}
                    </tbody>
                </table>
            </TableWrap>
        </article>
    }
}

//! Deliverables as a table: each title is its deep link; overdue dates are marked in words, not colour alone.

use crate::components::table_wrap::TableWrap;
use crate::format;
use baton_domain::deliverable::{Deliverable, DeliverableStatus};
use baton_domain::ids::DeliverableId;
use chrono::NaiveDate;
use leptos::prelude::*;

/// Deliverables as a table: title (its deep link), stage, owner, due date (overdue marked), status.
#[component]
pub fn DeliverableTable(
    deliverables: Vec<Deliverable>,
    today: NaiveDate,
    show_stage: bool,
    #[prop(optional_no_strip)] highlight: Option<DeliverableId>,
) -> impl IntoView {
    view! {
        <TableWrap>
            <table class="data-table" data-testid="deliverables">
                <thead><tr>
                    <th scope="col">"Deliverable"</th>
                    {show_stage.then(|| view! { <th scope="col">"Stage"</th> })}
                    <th scope="col">"Owner"</th>
                    <th scope="col">"Due"</th>
                    <th scope="col">"Status"</th>
                </tr></thead>
                <tbody>
                    {deliverables.into_iter().map(|d| {
                        let overdue = d.is_overdue(today);
                        let status_class = match d.status {
                            DeliverableStatus::Done => "chip chip-done",
                            DeliverableStatus::InProgress => "chip chip-progress",
                            DeliverableStatus::Open => "chip chip-grey",
                        };
                        view! {
                            <tr class:row-highlight=highlight == Some(d.id)>
                                <td><a href=format!("/deliverables/{}", d.id)>{d.title.clone()}</a></td>
                                {show_stage.then(|| view! {
                                    <td><a href=format!("/transfers/{}/stages/{}", d.transfer_id, d.stage_number)>
                                        {format!("Stage {}", d.stage_number)}</a></td>
                                })}
                                <td>{d.owner.name.clone()}
                                    {d.owner_person.clone().map(|p| view! { <span class="muted small">" · " {p.name}</span> })}</td>
                                <td class="numeric-text" class:overdue=overdue>
                                    {d.due_on.map(format::date).unwrap_or_else(|| "—".into())}
                                    {overdue.then(|| view! { <span class="visually-hidden">" (overdue)"</span> })}
                                </td>
                                <td><span class=status_class>{d.status.label()}</span></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </TableWrap>
    }
}

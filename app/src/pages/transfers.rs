//! The list of transfers the user's organisation takes part in.

use crate::api;
use crate::auth::RequireAuth;
use crate::components::error_panel::ErrorPanel;
use crate::components::loading::SkeletonRows;
use crate::components::shell::Shell;
use crate::components::stage::{StageChip, today};
use crate::components::table_wrap::TableWrap;
use crate::format;
use baton_domain::access::Action;
use baton_domain::endpoints::ListTransfers;
use baton_domain::transfer::TransferSummary;
use leptos::prelude::*;
use leptos_router::components::A;

/// Columns the table can be sorted by.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Column {
    Code,
    Product,
    Partner,
    Stage,
    Target,
}

/// What the list is narrowed to; empty strings mean "any".
#[derive(Clone, Default, PartialEq)]
struct Filters {
    search: String,
    partner: String,
    product: String,
    stage: String,
    status: String,
    overdue: bool,
}

impl Filters {
    fn keeps(&self, t: &TransferSummary, today: chrono::NaiveDate) -> bool {
        let needle = self.search.trim().to_lowercase();
        let found = needle.is_empty()
            || [&t.code, &t.product, &t.partner.name].iter().any(|h| h.to_lowercase().contains(&needle));
        let status = match self.status.as_str() {
            "open" => !t.stage.closed,
            "closed" => t.stage.closed,
            _ => true,
        };
        found
            && (self.partner.is_empty() || t.partner.name == self.partner)
            && (self.product.is_empty() || t.product == self.product)
            && (self.stage.is_empty() || (!t.stage.closed && t.stage.name == self.stage))
            && status
            && (!self.overdue || t.stage.is_overdue(today))
    }
}

/// The distinct values of one column, sorted, for a filter's choices.
fn choices(items: &[TransferSummary], value: impl Fn(&TransferSummary) -> String) -> Vec<String> {
    let mut values: Vec<String> = items.iter().map(value).collect();
    values.sort();
    values.dedup();
    values
}

fn sort(items: &mut [TransferSummary], column: Column, ascending: bool) {
    items.sort_by(|a, b| {
        let order = match column {
            Column::Code => a.code.cmp(&b.code),
            Column::Product => a.product.cmp(&b.product),
            Column::Partner => a.partner.name.cmp(&b.partner.name),
            Column::Stage => (a.stage.closed, a.stage.number).cmp(&(b.stage.closed, b.stage.number)),
            Column::Target => a.target_completion.cmp(&b.target_completion),
        };
        if ascending { order } else { order.reverse() }
    });
}

/// `/transfers`
#[component]
pub fn TransfersPage() -> impl IntoView {
    view! {
        <RequireAuth>
            <Shell>
                <TransferList/>
            </Shell>
        </RequireAuth>
    }
}

#[component]
fn TransferList() -> impl IntoView {
    let transfers = LocalResource::new(|| api::call::<ListTransfers>([], &()));
    let sorting = RwSignal::new((Column::Target, true));
    let filters = RwSignal::new(Filters::default());
    let today = today();

    let header = move |column: Column, label: &'static str, numeric: bool| {
        let aria = move || {
            let (c, asc) = sorting.get();
            if c != column {
                "none"
            } else if asc {
                "ascending"
            } else {
                "descending"
            }
        };
        let arrow = move || {
            let (c, asc) = sorting.get();
            if c != column {
                "↕"
            } else if asc {
                "↑"
            } else {
                "↓"
            }
        };
        view! {
            <th scope="col" aria-sort=aria class:numeric=numeric>
                <button class="sort" on:click=move |_| sorting.update(|(c, asc)| {
                    if *c == column { *asc = !*asc } else { *c = column; *asc = true }
                })>
                    {label} <span class="sort-arrow" aria-hidden="true">{arrow}</span>
                </button>
            </th>
        }
    };

    let may_start =
        move || transfers.get().and_then(|r| r.ok()).is_some_and(|list| list.actions.contains(&Action::Plan));
    view! {
        <header class="page-header">
            <div>
                <h1>"Technology transfers"</h1>
                <p class="muted">"Transfers your organisation takes part in, as sponsor or as receiving site."</p>
            </div>
            {move || may_start().then(|| view! { <A href="/transfers/new" attr:class="button primary">"Start a transfer"</A> })}
        </header>
        <Suspense fallback=|| view! { <SkeletonRows rows=4/> }>
            {move || transfers.get().map(|result| match result {
                Err(e) => view! {
                    <ErrorPanel message=e.message() on_retry=Callback::new(move |()| transfers.refetch())/>
                }.into_any(),
                Ok(list) if list.items.is_empty() => view! {
                    <div class="panel empty-state" data-testid="empty-transfers">
                        <h2>"No transfers yet"</h2>
                        <p>"Technology transfers between your organisation and its partners will be listed here, \
                            with their stage and target date. A sponsor's tech-transfer lead starts a transfer; \
                            CMO users see it once they are its receiving site."</p>
                    </div>
                }.into_any(),
                Ok(list) => {
                    let all = list.items.clone();
                    let rows = move || {
                        let current = filters.get();
                        let mut items: Vec<TransferSummary> =
                            list.items.iter().filter(|t| current.keeps(t, today)).cloned().collect();
                        if items.is_empty() {
                            return view! {
                                <tr><td colspan="5" class="empty-state" data-testid="no-match">
                                    "No transfer matches these filters."</td></tr>
                            }.into_any();
                        }
                        let (column, asc) = sorting.get();
                        sort(&mut items, column, asc);
                        items.into_iter().map(|t| {
                            let href = format!("/transfers/{}", t.id);
                            view! {
                                <tr>
                                    <td class="mono"><A href=href.clone()>{t.code}</A></td>
                                    <td><A href=href attr:class="row-link">{t.product}</A></td>
                                    <td>{t.partner.name} <span class="muted small partner-kind">" · " {t.partner.kind.label()}</span></td>
                                    <td><StageChip stage=t.stage.clone()/>
                                        {t.stage.is_overdue(today).then(|| view! { <span class="overdue small">"Overdue"</span> })}</td>
                                    <td class="numeric">{format::date(t.target_completion)}</td>
                                </tr>
                            }
                        }).collect_view().into_any()
                    };
                    view! {
                        <FilterBar items=all filters=filters/>
                        <TableWrap>
                            <table class="data-table" data-testid="transfers-table">
                                <thead>
                                    <tr>
                                        {header(Column::Code, "Code", false)}
                                        {header(Column::Product, "Product", false)}
                                        {header(Column::Partner, "Partner", false)}
                                        {header(Column::Stage, "Stage", false)}
                                        {header(Column::Target, "Target date", true)}
                                    </tr>
                                </thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </TableWrap>
                    }.into_any()
                }
            })}
        </Suspense>
    }
}

/// Search and filters above the list.
#[component]
fn FilterBar(items: Vec<TransferSummary>, filters: RwSignal<Filters>) -> impl IntoView {
    let select = move |id: &'static str, label: &'static str, values: Vec<String>, set: fn(&mut Filters, String)| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <select id=id on:change=move |ev| { let v = event_target_value(&ev); filters.update(|f| set(f, v)); }>
                    <option value="">"Any"</option>
                    {values.into_iter().map(|v| view! { <option value=v.clone()>{v.clone()}</option> }).collect_view()}
                </select>
            </div>
        }
    };
    let stages = choices(&items, |t| t.stage.name.clone());
    view! {
        <div class="panel filters" role="search" data-testid="transfer-filters">
            <div class="field">
                <label for="transfer-search">"Search"</label>
                <input id="transfer-search" type="search" placeholder="Code, product or partner"
                    on:input=move |ev| { let v = event_target_value(&ev); filters.update(|f| f.search = v); }/>
            </div>
            {select("filter-partner", "Partner", choices(&items, |t| t.partner.name.clone()), |f, v| f.partner = v)}
            {select("filter-product", "Product", choices(&items, |t| t.product.clone()), |f, v| f.product = v)}
            {select("filter-stage", "Stage", stages, |f, v| f.stage = v)}
            <div class="field">
                <label for="filter-status">"Status"</label>
                <select id="filter-status" on:change=move |ev| { let v = event_target_value(&ev); filters.update(|f| f.status = v); }>
                    <option value="">"Any"</option>
                    <option value="open">"In progress"</option>
                    <option value="closed">"Closed"</option>
                </select>
            </div>
            <label class="choice">
                <input type="checkbox" on:change=move |ev| { let on = event_target_checked(&ev); filters.update(|f| f.overdue = on); }/>
                "Overdue only"
            </label>
        </div>
    }
}

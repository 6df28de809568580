//! The list of transfers the user's organisation takes part in.

use crate::api;
use crate::auth::RequireAuth;
use crate::components::error_panel::ErrorPanel;
use crate::components::loading::SkeletonRows;
use crate::components::shell::Shell;
use crate::components::stage::StageChip;
use crate::format;
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

fn sort(items: &mut [TransferSummary], column: Column, ascending: bool) {
    items.sort_by(|a, b| {
        let order = match column {
            Column::Code => a.code.cmp(&b.code),
            Column::Product => a.product.cmp(&b.product),
            Column::Partner => a.partner.name.cmp(&b.partner.name),
            Column::Stage => a.stage.cmp(&b.stage),
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

    view! {
        <header class="page-header">
            <div>
                <h1>"Technology transfers"</h1>
                <p class="muted">"Transfers your organisation takes part in, as sponsor or as receiving site."</p>
            </div>
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
                    let rows = move || {
                        let mut items = list.items.clone();
                        let (column, asc) = sorting.get();
                        sort(&mut items, column, asc);
                        items.into_iter().map(|t| {
                            let href = format!("/transfers/{}", t.id);
                            view! {
                                <tr>
                                    <td class="mono"><A href=href.clone()>{t.code}</A></td>
                                    <td><A href=href attr:class="row-link">{t.product}</A></td>
                                    <td>{t.partner.name} <span class="muted small partner-kind">" · " {t.partner.kind.label()}</span></td>
                                    <td><StageChip stage=t.stage/></td>
                                    <td class="numeric">{format::date(t.target_completion)}</td>
                                </tr>
                            }
                        }).collect_view()
                    };
                    view! {
                        <div class="table-wrap">
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
                        </div>
                    }.into_any()
                }
            })}
        </Suspense>
    }
}

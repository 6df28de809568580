//! `/transfers/{id}/parameters` and `/transfers/{id}/parameters/{row}`: the process-parameter comparison. A row's
//! deep link opens the table scrolled to that row. Filters (gaps only, CPPs only, unit operation), search and sort
//! work on the whole table in the browser; only the rows in view are drawn.

use crate::api::{self, Failure};
use crate::auth::RequireAuth;
use crate::components::comments::CommentsPanel;
use crate::components::copy_link::CopyLink;
use crate::components::load_failure::load_failure;
use crate::components::loading::Loading;
use crate::components::parameter_grid::{ParameterGrid, ROW_HEIGHT};
use crate::components::shell::Shell;
use crate::pages::parameter_forms::{ImportPanel, ProposalDialog};
use baton_domain::access::Action;
use baton_domain::endpoints::{ExportSuParameters, GetParameterTable, GetTransfer};
use baton_domain::ids::ParameterId;
use baton_domain::parameter_table::{ParameterPair, ParameterTable, count_gaps};
use baton_domain::record::RecordType;
use baton_domain::transfer::TransferDetail;
use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// Performance mark set when the table's first rows are on the page; the benchmark reads it.
const SHOWN_MARK: &str = "baton:parameters-shown";

/// Scrolls the table `frame` to row `index` once the frame is on the page: it is drawn before its section is shown
/// (the sections around it may still be loading), and scrolling a frame off the page does nothing.
fn scroll_when_shown(frame: web_sys::HtmlDivElement, index: usize, tries: u32) {
    if frame.is_connected() && frame.client_height() > 0 {
        let offset = (index as f64 * ROW_HEIGHT - f64::from(frame.client_height()) / 3.0).max(0.0);
        frame.set_scroll_top(offset as i32);
    } else if tries > 0 {
        set_timeout(move || scroll_when_shown(frame, index, tries - 1), std::time::Duration::from_millis(50));
    }
}

/// `/transfers/{id}/parameters[/{row}]`
#[component]
pub fn ParametersPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let row = Signal::derive(move || params.read().get("row").and_then(|r| r.parse::<ParameterId>().ok()));
    let loaded = LocalResource::new(move || {
        let id = id();
        async move {
            // Both at once: the table is the long one, and the header need not wait for it, nor it for the header.
            let (transfer, table) =
                futures::future::join(api::call::<GetTransfer>([&id], &()), api::call::<GetParameterTable>([&id], &()))
                    .await;
            Ok::<_, Failure>((transfer?, table?))
        }
    });
    let reload = Callback::new(move |()| loaded.refetch());
    let row_name = Memo::new(move |_| {
        let id = row.get()?;
        loaded.with(|found| {
            let (_, table) = found.as_ref()?.as_ref().ok()?;
            table.pairs.iter().find(|p| p.link_id() == Some(id)).map(|p| format!("parameter “{}”", p.name()))
        })
    });
    view! {
        <RequireAuth>
            <Shell>
                <Suspense fallback=|| view! { <Loading label="Loading the parameters…"/> }>
                    {move || loaded.get().map(|result| match result {
                        Ok((transfer, table)) => view! {
                            <ParametersView transfer=transfer table=table row=row on_change=reload/>
                        }.into_any(),
                        Err(failure) => load_failure(failure, "There is no transfer at this address.", reload),
                    })}
                </Suspense>
                // Outside the table's boundary, so the table (and its scroll to the linked row) never waits for it.
                {move || row.get().map(|id| {
                    let name = row_name.get().unwrap_or_else(|| "this parameter".to_owned());
                    view! { <CommentsPanel record_type=RecordType::Parameter id=id.to_string() about=name/> }
                })}
            </Shell>
        </RequireAuth>
    }
}

/// Which column the table is sorted by.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SortBy {
    Order,
    Operation,
    Name,
    Gaps,
}

#[component]
fn ParametersView(
    transfer: TransferDetail,
    table: ParameterTable,
    row: Signal<Option<ParameterId>>,
    on_change: Callback<()>,
) -> impl IntoView {
    let total = table.pairs.len();
    let gap_rows = count_gaps(&table.pairs);
    let operations: Vec<String> = {
        let mut ops: Vec<String> = Vec::new();
        for p in &table.pairs {
            if !ops.iter().any(|o| o == p.unit_operation()) {
                ops.push(p.unit_operation().to_owned());
            }
        }
        ops
    };
    let (su_side, ru_side) = (table.su, table.ru);
    // The rows live once; filters and sort produce the order of their indices, never copies of ten thousand rows.
    let all = StoredValue::new(table.pairs);
    let search = RwSignal::new(String::new());
    let operation = RwSignal::new(String::new());
    let gaps_only = RwSignal::new(false);
    let cpps_only = RwSignal::new(false);
    let sort = RwSignal::new(SortBy::Order);
    let shown = Memo::new(move |_| {
        let needle = search.get().trim().to_lowercase();
        let (op, gaps, cpps, by) = (operation.get(), gaps_only.get(), cpps_only.get(), sort.get());
        all.with_value(|pairs| {
            let keep = |p: &ParameterPair| {
                (needle.is_empty()
                    || p.name().to_lowercase().contains(&needle)
                    || p.unit_operation().to_lowercase().contains(&needle))
                    && (op.is_empty() || p.unit_operation() == op)
                    && (!gaps || p.has_gap())
                    && (!cpps || p.is_cpp())
            };
            let mut order: Vec<usize> = (0..pairs.len()).filter(|&i| keep(&pairs[i])).collect();
            match by {
                SortBy::Order => {}
                SortBy::Operation => order.sort_by(|&a, &b| pairs[a].unit_operation().cmp(pairs[b].unit_operation())),
                SortBy::Name => order.sort_by_key(|&i| pairs[i].name().to_lowercase()),
                SortBy::Gaps => {
                    order.sort_by_key(|&i| std::cmp::Reverse(pairs[i].comparison.as_ref().map_or(0, |c| c.gaps.len())))
                }
            }
            order
        })
    });
    let frame = NodeRef::<html::Div>::new();
    // A deep link scrolls its row into view once the table is drawn (and again if the filters hide it, it is not).
    Effect::new(move |_| {
        let (Some(target), Some(el)) = (row.get(), frame.get()) else { return };
        let index = all.with_value(|pairs| {
            shown.with_untracked(|order| order.iter().position(|&i| pairs[i].link_id() == Some(target)))
        });
        if let Some(index) = index {
            scroll_when_shown(el, index, 20);
        }
    });
    Effect::new(|_| {
        if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
            let _ = performance.mark(SHOWN_MARK);
        }
    });
    let proposing = RwSignal::new(None::<ParameterPair>);
    let may_propose = ru_side.actions.contains(&Action::Contribute);
    let may_import = su_side.actions.contains(&Action::Contribute);
    let may_export = su_side.actions.contains(&Action::Download);
    let export = api::href::<ExportSuParameters>([&transfer.id.to_string()], &()).ok();
    let hidden: Vec<(String, String)> = [(&su_side, "sending unit"), (&ru_side, "receiving unit")]
        .into_iter()
        .filter_map(|(side, name)| {
            side.hidden.clone().map(|why| (format!("The {name}'s values ({}) are not shown.", side.owner.name), why))
        })
        .collect();
    let transfer_id = transfer.id.to_string();
    view! {
        <article class="record" data-testid="parameters">
            <header class="record-header">
                <div class="record-title">
                    <p class="record-kind"><a href=format!("/transfers/{}", transfer.id)>{format!("{} · {}", transfer.code, transfer.product)}</a></p>
                    <h1>"Process parameters"</h1>
                    <p class="muted" data-testid="parameter-counts">
                        {format!(
                            "{total} parameters · {} with a gap between {} (SU) and {} (RU): {} differ, {} filled in on one side only",
                            gap_rows.total(), transfer.sponsor.name, transfer.cmo.name, gap_rows.differ, gap_rows.one_sided
                        )}
                    </p>
                </div>
                <div class="record-actions">
                    {(may_export).then(|| export.map(|href| view! { <a class="button" href=href download="">"Export CSV"</a> }))}
                    <CopyLink/>
                </div>
            </header>
            {hidden.into_iter().map(|(what, why)| view! { <p class="banner notice-hidden" role="note">{what} " " {why}</p> }).collect_view()}
            {may_import.then(|| view! { <ImportPanel transfer=transfer.id on_imported=on_change/> })}
            <div class="panel filters" role="search">
                <div class="field"><label for="p-search">"Search"</label>
                    <input id="p-search" type="search" placeholder="Parameter or unit operation"
                        on:input=move |ev| search.set(event_target_value(&ev))/></div>
                <div class="field"><label for="p-operation">"Unit operation"</label>
                    <select id="p-operation" on:change=move |ev| operation.set(event_target_value(&ev))>
                        <option value="">"All"</option>
                        {operations.into_iter().map(|o| view! { <option value=o.clone()>{o.clone()}</option> }).collect_view()}
                    </select></div>
                <div class="field"><label for="p-sort">"Sort by"</label>
                    <select id="p-sort" on:change=move |ev| sort.set(match event_target_value(&ev).as_str() {
                        "operation" => SortBy::Operation, "name" => SortBy::Name, "gaps" => SortBy::Gaps, _ => SortBy::Order,
                    })>
                        <option value="order">"Process order"</option>
                        <option value="operation">"Unit operation"</option>
                        <option value="name">"Parameter"</option>
                        <option value="gaps">"Most gaps first"</option>
                    </select></div>
                <label class="choice"><input id="p-gaps" type="checkbox" on:change=move |ev| gaps_only.set(event_target_checked(&ev))/>"Gaps only"</label>
                <label class="choice"><input id="p-cpps" type="checkbox" on:change=move |ev| cpps_only.set(event_target_checked(&ev))/>"CPPs only"</label>
            </div>
            <p class="muted small" data-testid="shown-count">{move || format!("Showing {} of {total}", shown.with(Vec::len))}</p>
            <ParameterGrid rows=all order=Signal::derive(move || shown.get()) transfer=transfer_id highlight=row may_propose=may_propose
                on_propose=Callback::new(move |pair| proposing.set(Some(pair))) frame=frame/>
            <ProposalDialog transfer=transfer.id proposing=proposing on_saved=on_change/>
        </article>
    }
}

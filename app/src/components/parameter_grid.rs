//! The side-by-side parameter table, windowed: only the rows in view (and a few either side) are in the DOM, so
//! 10,000 parameters scroll like 20. The header sticks; at tablet width the table scrolls sideways inside its
//! frame, never the page.

use baton_domain::decimal::Decimal;
use baton_domain::ids::ParameterId;
use baton_domain::parameter_table::ParameterPair;
use baton_domain::range::Range;
use leptos::html;
use leptos::prelude::*;

/// Height of one row in pixels; fixed, so a row's position is its index times this.
pub const ROW_HEIGHT: f64 = 48.0;
/// Rows drawn beyond the visible ones on each side, so a fast flick does not show blank space.
const OVERSCAN: usize = 12;

/// A range as a table cell: "36.5–37.5", "≥ 30", "≤ 40", or "—".
pub fn range_cell(range: &Range) -> String {
    match (range.low, range.high) {
        (Some(low), Some(high)) => format!("{low}–{high}"),
        (Some(low), None) => format!("≥ {low}"),
        (None, Some(high)) => format!("≤ {high}"),
        (None, None) => "—".into(),
    }
}

fn value_cell(value: Option<Decimal>) -> String {
    value.map(|v| v.to_string()).unwrap_or_else(|| "—".into())
}

/// The first and one-past-last row to draw for a viewport at `scroll_top` of `height` pixels over `rows` rows.
pub fn window(scroll_top: f64, height: f64, rows: usize) -> (usize, usize) {
    let first = (scroll_top / ROW_HEIGHT).floor().max(0.0) as usize;
    let visible = (height / ROW_HEIGHT).ceil() as usize + 1;
    (first.saturating_sub(OVERSCAN).min(rows), (first + visible + OVERSCAN).min(rows))
}

/// The table. `rows` are all the pairs and `order` the indices of those shown, in display order; `highlight` is
/// the row a deep link named; `on_propose` opens the RU proposal form for a row (offered only when `may_propose`).
#[component]
pub fn ParameterGrid(
    rows: StoredValue<Vec<ParameterPair>>,
    order: Signal<Vec<usize>>,
    transfer: String,
    highlight: Signal<Option<ParameterId>>,
    may_propose: bool,
    on_propose: Callback<ParameterPair>,
    /// The scroll container, so the page can scroll it to a deep-linked row.
    frame: NodeRef<html::Div>,
) -> impl IntoView {
    let scroll_top = RwSignal::new(0.0_f64);
    let height = RwSignal::new(800.0_f64);
    Effect::new(move |_| {
        if let Some(el) = frame.get() {
            height.set(f64::from(el.client_height().max(200)));
        }
    });
    let on_scroll = move |_| {
        if let Some(el) = frame.get_untracked() {
            scroll_top.set(f64::from(el.scroll_top()));
            height.set(f64::from(el.client_height().max(200)));
        }
    };
    let slice = move || {
        let order = order.get();
        let (first, end) = window(scroll_top.get(), height.get(), order.len());
        let top = first as f64 * ROW_HEIGHT;
        let bottom = (order.len() - end) as f64 * ROW_HEIGHT;
        let marked = highlight.get();
        let transfer = transfer.clone();
        let drawn = rows.with_value(|pairs| {
            order[first..end].iter().map(|&i| row(&pairs[i], &transfer, marked, may_propose, on_propose)).collect_view()
        });
        view! {
            <tr class="spacer" aria-hidden="true"><td colspan="12" style:height=format!("{top}px")></td></tr>
            {drawn}
            <tr class="spacer" aria-hidden="true"><td colspan="12" style:height=format!("{bottom}px")></td></tr>
        }
    };
    view! {
        <div class="vtable" node_ref=frame on:scroll=on_scroll tabindex="0" role="region" aria-label="Process parameters" data-testid="parameter-grid">
            <table class="data-table parameter-table">
                <thead>
                    <tr>
                        <th scope="col">"Unit operation"</th>
                        <th scope="col">"Parameter"</th>
                        <th scope="col">"CPP"</th>
                        <th scope="col" class="su">"SU setpoint"</th>
                        <th scope="col" class="su">"SU NOR"</th>
                        <th scope="col" class="su">"SU PAR"</th>
                        <th scope="col" class="su">"SU unit"</th>
                        <th scope="col" class="ru">"RU setpoint"</th>
                        <th scope="col" class="ru">"RU NOR"</th>
                        <th scope="col" class="ru">"RU unit"</th>
                        <th scope="col">"Comparison"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>{slice}</tbody>
            </table>
        </div>
    }
}

fn row(
    pair: &ParameterPair,
    transfer: &str,
    marked: Option<ParameterId>,
    may_propose: bool,
    on_propose: Callback<ParameterPair>,
) -> impl IntoView + use<> {
    let id = pair.link_id();
    let href = id.map(|id| format!("/transfers/{transfer}/parameters/{id}")).unwrap_or_default();
    let su = pair.su.as_ref().map(|s| &s.parameter);
    let ru = pair.ru.as_ref().map(|r| &r.proposal);
    let gaps: Vec<String> = pair.comparison.iter().flat_map(|c| c.gaps.iter().map(|g| g.message.clone())).collect();
    let ratio = pair.comparison.as_ref().and_then(|c| c.scale_ratio.clone()).map(|r| r.message);
    let status = match (&pair.comparison, gaps.is_empty()) {
        (None, _) => view! { <span class="muted small">"Not compared"</span> }.into_any(),
        (Some(_), true) => view! { <span class="chip chip-done">"✓ Matches"</span> }.into_any(),
        (Some(_), false) => view! {
            <span class="chip chip-bad" title=gaps.join(" ") data-testid="gap">{format!("⚠ {}", gaps.len().max(1))} " gap"</span>
            <span class="gap-text small">{gaps.first().cloned()}</span>
        }
        .into_any(),
    };
    let cells = (
        su.map(|s| value_cell(s.setpoint)).unwrap_or_else(|| "—".into()),
        su.map(|s| range_cell(&s.nor)).unwrap_or_else(|| "—".into()),
        su.map(|s| range_cell(&s.par)).unwrap_or_else(|| "—".into()),
        su.map(|s| s.unit.to_string()).unwrap_or_default(),
        ru.map(|r| value_cell(r.setpoint)).unwrap_or_else(|| "—".into()),
        ru.map(|r| range_cell(&r.nor)).unwrap_or_else(|| "—".into()),
        ru.map(|r| r.unit.to_string()).unwrap_or_default(),
    );
    let proposing = pair.clone();
    let label = if pair.ru.is_some() { "Edit RU" } else { "Propose" };
    view! {
        <tr class:row-highlight=id.is_some() && id == marked class:has-gap=pair.has_gap() data-row=id.map(|i| i.to_string())>
            <td class="nowrap">{pair.unit_operation().to_owned()}</td>
            <td class="nowrap"><a href=href title="Link to this row">{pair.name().to_owned()}</a></td>
            <td>{pair.is_cpp().then_some("CPP")}</td>
            <td class="numeric">{cells.0}</td>
            <td class="numeric nowrap">{cells.1}</td>
            <td class="numeric nowrap">{cells.2}</td>
            <td>{cells.3}</td>
            <td class="numeric ru">{cells.4}</td>
            <td class="numeric nowrap ru">{cells.5}</td>
            <td class="ru">{cells.6}</td>
            <td class="comparison">{status}{ratio.map(|r| view! { <span class="muted small">{r}</span> })}</td>
            <td>{may_propose.then(|| view! {
                <button class="button small-button" on:click=move |_| on_propose.run(proposing.clone())>{label}</button>
            })}</td>
        </tr>
    }
}

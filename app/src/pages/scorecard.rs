//! `/partnerships/{id}/scorecard`: the partnership scorecard — each KPI's value for the latest period against its
//! target, its trend, and the records behind any point. The numbers are computed here from the monthly facts by the
//! same shared code as on the server, and checked against the server's; the view lives in the address (period,
//! grain, site, product, KPI, point), so a link reopens it exactly.

use crate::api;
use crate::auth::RequireAuth;
use crate::components::load_failure::load_failure;
use crate::components::loading::Loading;
use crate::components::shell::Shell;
use crate::components::table_wrap::TableWrap;
use crate::components::trend_chart::TrendChart;
use crate::pages::kpi_targets::agreed_sentence;
use crate::pages::scorecard_drill::DrillDown;
use baton_domain::access::Action;
use baton_domain::chart_scale::{ChartPoint, ChartSeries, DomainHint};
use baton_domain::endpoints::{ExportScorecard, GetScorecard};
use baton_domain::kpi::{Filter, Grain, KpiKind, KpiUnit, Period, Rag, basis, format_value, series, value};
use baton_domain::scorecard::{ScorecardQuery, ScorecardView, current_lines};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

/// The view as the address states it.
#[derive(Clone, Debug, PartialEq)]
struct ViewState {
    query: ScorecardQuery,
    kpi: KpiKind,
    point: Option<Period>,
}

impl ViewState {
    fn href(&self, partnership: &str) -> String {
        let mut parts = Vec::new();
        let q = &self.query;
        if let Some(from) = &q.from {
            parts.push(format!("from={from}"));
        }
        if let Some(to) = &q.to {
            parts.push(format!("to={to}"));
        }
        if let Some(grain) = q.grain {
            parts.push(format!("grain={}", grain.as_str()));
        }
        if let Some(site) = q.site {
            parts.push(format!("site={site}"));
        }
        if let Some(product) = q.product {
            parts.push(format!("product={product}"));
        }
        parts.push(format!("kpi={}", self.kpi.as_str()));
        if let Some(point) = self.point {
            parts.push(format!("point={point}"));
        }
        format!("/partnerships/{partnership}/scorecard?{}", parts.join("&"))
    }
}

/// `/partnerships/{id}/scorecard`
#[component]
pub fn ScorecardPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let state = Memo::new(move |_| {
        let q = query.read();
        ViewState {
            query: ScorecardQuery {
                from: q.get("from"),
                to: q.get("to"),
                grain: q.get("grain").and_then(|g| g.parse().ok()),
                site: q.get("site").and_then(|s| s.parse().ok()),
                product: q.get("product").and_then(|p| p.parse().ok()),
            },
            kpi: q.get("kpi").and_then(|k| k.parse().ok()).unwrap_or(KpiKind::RightFirstTime),
            point: q.get("point").and_then(|p| p.parse().ok()),
        }
    });
    let fetch_key = Memo::new(move |_| (id(), state.get().query));
    let loaded = LocalResource::new(move || {
        let (id, query) = fetch_key.get();
        async move { api::call::<GetScorecard>([&id], &query).await }
    });
    let reload = Callback::new(move |()| loaded.refetch());
    view! {
        <RequireAuth>
            <Shell>
                <Suspense fallback=|| view! { <Loading label="Loading the scorecard…"/> }>
                    {move || {
                        // The KPI and the point change the view, not the data: no new request, but a new drawing.
                        state.track();
                        loaded.get().map(|result| match result {
                        Ok(card) => view! { <Scorecard card=card state=state/> }.into_any(),
                        Err(failure) => load_failure(failure, "There is no partnership at this address.", reload),
                    })}}
                </Suspense>
            </Shell>
        </RequireAuth>
    }
}

/// The chosen KPI over the range: the whole (filtered) partnership, and each site on its own when no site is chosen,
/// so sites can be compared and toggled.
fn trend(card: &ScorecardView, kpi: KpiKind) -> Vec<ChartSeries> {
    let line = |key: String, name: String, filter: Filter| ChartSeries {
        key,
        name,
        points: series(&card.monthly, filter, card.grain, card.from, card.to)
            .iter()
            .map(|(period, facts)| ChartPoint { label: period.to_string(), value: value(kpi, facts) })
            .collect(),
    };
    let mut all = vec![line("all".into(), card.cmo.name.clone(), card.filter)];
    if card.filter.site.is_none() && card.sites.len() > 1 {
        for site in &card.sites {
            all.push(line(site.id.to_string(), site.name.clone(), Filter { site: Some(site.id), ..card.filter }));
        }
    }
    all
}

fn rag_class(rag: Rag) -> &'static str {
    match rag {
        Rag::Green => "chip chip-done",
        Rag::Amber => "chip chip-warn",
        Rag::Red => "chip chip-bad",
        Rag::NoData => "chip",
    }
}

/// Performance mark set when the scorecard's tiles and chart are on the page; the benchmark reads it.
const SHOWN_MARK: &str = "baton:scorecard-shown";

#[component]
fn Scorecard(card: ScorecardView, state: Memo<ViewState>) -> impl IntoView {
    Effect::new(|_| {
        if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
            let _ = performance.mark(SHOWN_MARK);
        }
    });
    let navigate = use_navigate();
    let partnership = card.partnership.to_string();
    let go = {
        let partnership = partnership.clone();
        Callback::new(move |next: ViewState| {
            navigate(&next.href(&partnership), leptos_router::NavigateOptions { replace: true, ..Default::default() })
        })
    };
    let current = state.get_untracked();
    let filter = card.filter;
    // The browser's own computation of the latest period, by the shared code; it must equal the server's.
    let mine = current_lines(&card.monthly, filter, card.grain, card.from, card.to, &card.thresholds);
    let agrees = mine.as_ref().is_some_and(|(period, lines)| *period == card.current && *lines == card.lines);
    let lines = mine.map(|(_, lines)| lines).unwrap_or_default();
    let periods = series(&card.monthly, filter, card.grain, card.from, card.to);
    let export = api::href::<ExportScorecard>([&partnership], &current.query).ok();
    let title = format!("{} – {}", card.sponsor.name, card.cmo.name);
    let set = move |change: fn(&mut ViewState, String)| {
        move |ev: leptos::ev::Event| {
            let mut next = state.get_untracked();
            change(&mut next, event_target_value(&ev));
            next.point = None;
            go.run(next);
        }
    };
    let kpi = current.kpi;
    let selected_series: Vec<(Period, Option<f64>, String)> =
        periods.iter().map(|(period, facts)| (*period, value(kpi, facts), basis(kpi, facts))).collect();
    let limits = card.thresholds.iter().rev().find(|(k, _)| *k == kpi).map_or(kpi.default_threshold(), |(_, t)| *t);
    let chart_series = trend(&card, kpi);
    let partnership_for_capa = partnership.clone();
    // Which targets judge the tiles, and where they are agreed: proposing is offered as the server allows it.
    let targets_note = match &card.agreed {
        Some(agreed) => agreed_sentence(agreed, &card.sponsor.name, &card.cmo.name),
        None => "Default targets — not yet agreed.".to_owned(),
    };
    let targets_link = match (&card.agreed, card.actions.contains(&Action::DraftAgreement)) {
        (None, true) => "Propose targets",
        (Some(_), _) => "See the targets and their history",
        (None, false) => "See the targets",
    };
    view! {
        <article class="record scorecard" data-testid="scorecard">
            <header class="record-header">
                <div class="record-title">
                    <p class="record-kind">"Partnership scorecard"</p>
                    <h1>{title}</h1>
                    <p class="muted">{format!("{} to {}, by {} · latest period {}", card.from.label(), card.to.label(),
                        card.grain.label().to_lowercase(), card.current.label())}</p>
                </div>
                <div class="record-actions">
                    {export.map(|href| view! { <a class="button" href=href download="" data-testid="export-kpis">"Export CSV"</a> })}
                </div>
            </header>
            <p class="banner targets-note" data-testid="targets-note">{targets_note}" "
                <A href=format!("/partnerships/{partnership}/targets")>{targets_link}</A></p>
            {(!agrees).then(|| view! {
                <div class="banner error" role="alert" data-testid="kpi-mismatch">
                    "This page computed different numbers from the server's. Reload; if it persists, report it."</div>
            })}
            <div class="panel filters" role="search" data-testid="scorecard-filters">
                <div class="field"><label for="kpi-from">"From"</label>
                    <input id="kpi-from" type="month" prop:value=card.from.to_string() on:change=set(|s, v| s.query.from = Some(v))/></div>
                <div class="field"><label for="kpi-to">"To"</label>
                    <input id="kpi-to" type="month" prop:value=card.to.to_string() on:change=set(|s, v| s.query.to = Some(v))/></div>
                <div class="field"><label for="kpi-grain">"By"</label>
                    <select id="kpi-grain" on:change=set(|s, v| s.query.grain = v.parse().ok())>
                        {Grain::ALL.iter().map(|g| view! { <option value=g.as_str() selected=*g == card.grain>{g.label()}</option> }).collect_view()}
                    </select></div>
                <div class="field"><label for="kpi-site">"Site"</label>
                    <select id="kpi-site" on:change=set(|s, v| s.query.site = v.parse().ok())>
                        <option value="">"All sites"</option>
                        {card.sites.iter().map(|site| view! {
                            <option value=site.id.to_string() selected=filter.site == Some(site.id)>{site.name.clone()}</option>
                        }).collect_view()}
                    </select></div>
                <div class="field"><label for="kpi-product">"Product"</label>
                    <select id="kpi-product" on:change=set(|s, v| s.query.product = v.parse().ok())>
                        <option value="">"All products"</option>
                        {card.products.iter().map(|p| view! {
                            <option value=p.id.to_string() selected=filter.product == Some(p.id)>{p.name.clone()}</option>
                        }).collect_view()}
                    </select></div>
            </div>
            <ul class="kpi-tiles" data-testid="kpi-tiles">
                {lines.into_iter().map(|line| {
                    let chosen = line.kind == kpi;
                    let choose = {
                        let kind = line.kind;
                        move |_| { let mut next = state.get_untracked(); next.kpi = kind; next.point = None; go.run(next); }
                    };
                    let capa = (line.rag == Rag::Red).then(|| {
                        let href = format!(
                            "/capas/new?partnership={}&kpi={}&period={}&value={}&target={}",
                            partnership_for_capa, line.kind.as_str(), card.current,
                            js_sys::encode_uri_component(&line.display),
                            js_sys::encode_uri_component(&format_value(line.kind, Some(line.threshold.target))),
                        );
                        view! { <a class="button danger" href=href data-testid="open-capa">"Open corrective action"</a> }
                    });
                    view! {
                        <li class="panel kpi-tile" class:chosen=chosen data-testid=format!("kpi-{}", line.kind.as_str())>
                            <button class="kpi-choose" on:click=choose aria-pressed=chosen.to_string()>
                                <span class="kpi-label">{line.kind.label()}</span>
                                <span class="kpi-value" data-testid="kpi-value">{line.display.clone()}</span>
                            </button>
                            <span class=rag_class(line.rag)>{line.rag.label()}</span>
                            <span class="muted small">{format!("Target {}", format_value(line.kind, Some(line.threshold.target)))}</span>
                            <span class="small" data-testid="kpi-basis">{line.basis.clone()}</span>
                            {capa}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <section class="panel">
                <h2>{format!("{} over time", kpi.label())}</h2>
                <TrendChart series=Signal::derive(move || chart_series.clone()) target=limits.target
                    amber=limits.amber format_value=Callback::new(move |v: f64| format_value(kpi, Some(v)))
                    domain=if kpi.unit() == KpiUnit::Percent { DomainHint::RATIO } else { DomainHint::FROM_ZERO }
                    caption=format!("{} by {}", kpi.label(), card.grain.label().to_lowercase())
                    on_select=Callback::new(move |(_, label): (String, String)| {
                        if let Ok(period) = label.parse::<Period>() {
                            let mut next = state.get_untracked();
                            next.point = Some(period);
                            go.run(next);
                        }
                    })/>
                <details class="trend-details" open=current.point.is_some()>
                <summary>"Each period, and what it is made of"</summary>
                <TableWrap>
                    <table class="data-table" data-testid="kpi-trend">
                        <caption class="muted">{format!("{} by {}; target {}", kpi.label(), card.grain.label().to_lowercase(),
                            format_value(kpi, Some(limits.target)))}</caption>
                        <thead><tr><th scope="col">"Period"</th><th scope="col" class="numeric">"Value"</th><th scope="col">"Made of"</th></tr></thead>
                        <tbody>{selected_series.into_iter().rev().map(|(period, v, made_of)| {
                            let pick = move |_| { let mut next = state.get_untracked(); next.point = Some(period); go.run(next); };
                            let rag = limits.rag(kpi, v);
                            view! {
                                <tr class:selected=current.point == Some(period)>
                                    <td><button class="link-button" on:click=pick data-testid=format!("point-{period}")>{period.label()}</button></td>
                                    <td class="numeric"><span class=rag_class(rag)>{format_value(kpi, v)}</span></td>
                                    <td class="small">{made_of}</td>
                                </tr>
                            }
                        }).collect_view()}</tbody>
                    </table>
                </TableWrap>
                </details>
            </section>
            {current.point.map(|period| view! {
                <DrillDown kpi=kpi period=period cmo=card.cmo.id filter=filter/>
            })}
        </article>
    }
}

//! A trend chart for KPI scorecards: one line per series over periods (e.g. a partner's on-time ratio per quarter),
//! target and amber reference lines, a tooltip on hover, keyboard focus or tap, a legend whose entries show and hide
//! series, a zoom to a range of periods (from/to selects, or a mouse drag across the plot), and the same numbers as a
//! table for screen readers and exact reading.
//!
//! Plain SVG of our own: the app's Content-Security-Policy forbids inline styles, and the charting crates set them.
//! Every colour and dash comes from classes in `style/chart.css`, every position from SVG attributes. The arithmetic
//! lives in `baton_domain::chart_scale`, where it is unit-tested natively.

use crate::components::table_wrap::TableWrap;
use baton_domain::chart_scale::{self, ChartSeries, DomainHint, Rect, Scale, YAxis};
use leptos::html;
use leptos::prelude::*;
use std::ops::Range;

/// Drawing width before the frame is measured; afterwards one viewBox unit is one CSS pixel, so text keeps its size.
const DEFAULT_WIDTH: f64 = 720.0;
/// Narrower frames are scaled down by the viewBox rather than squeezed further.
const MIN_WIDTH: f64 = 320.0;
const HEIGHT: f64 = 300.0;
const PLOT_TOP: f64 = 16.0;
/// Room under the plot for the period labels.
const PLOT_BOTTOM: f64 = HEIGHT - 36.0;
const RIGHT_MARGIN: f64 = 16.0;
/// The first and last period sit at least this far inside the plot (more for long period labels), so that their
/// points and centred labels stay inside the frame.
const INSET: f64 = 18.0;
/// Most steps on the y axis: about one gridline per 50 px of plot.
const MAX_Y_INTERVALS: usize = 5;
/// How far (in CSS pixels) a pointer or a tap may be from a point to reach it: a 48 px target.
const REACH: f64 = 24.0;
/// Average width of a character at the chart's 13 px type; SVG text cannot be measured before it is drawn.
const CHAR_WIDTH: f64 = 7.4;
/// Series colours `series-0` … `series-4` in `style/chart.css`; a sixth series reuses the first colour.
const SERIES_CLASSES: usize = 5;

/// One series as drawn: its values lined up on all periods, its colour fixed by its position (hiding a series does
/// not recolour the others).
#[derive(Clone, PartialEq)]
struct Line {
    key: String,
    name: String,
    colour: usize,
    visible: bool,
    values: Vec<Option<f64>>,
}

#[derive(Clone, PartialEq)]
struct Model {
    periods: Vec<String>,
    /// The zoomed periods, as indices into `periods`.
    window: Range<usize>,
    lines: Vec<Line>,
    /// Fitted to the visible series in the window and the reference lines.
    axis: YAxis,
}

/// The plot area in viewBox units.
#[derive(Clone, Copy, PartialEq)]
struct Frame {
    width: f64,
    left: f64,
    right: f64,
    /// From the plot's edges to the first and last period.
    inset: f64,
}

impl Frame {
    fn x(&self, index: usize, count: usize) -> f64 {
        chart_scale::x_at(index, count, self.left + self.inset, self.right - self.inset)
    }

    fn y(&self, axis: &YAxis, value: f64) -> f64 {
        Scale::new((axis.min, axis.max), (PLOT_BOTTOM, PLOT_TOP)).map(value)
    }
}

/// A point the pointer or focus is on: (series key, period label).
type PointId = (String, String);

/// The chart. `series` may change (new data, other partners); `target` and `amber` draw dashed and dotted
/// reference lines; `format_value` writes values for ticks, tooltips and the table (e.g. `0.94` → `94 %`);
/// `domain` says what the y axis always covers (e.g. [`DomainHint::RATIO`] for 0–1); `caption` names the chart for
/// screen readers and captions its table; `on_select` receives (series key, period label) when a point is clicked,
/// tapped, or activated with Enter or Space, to open the records behind it.
#[component]
pub fn TrendChart(
    series: Signal<Vec<ChartSeries>>,
    #[prop(optional)] target: Option<f64>,
    #[prop(optional)] amber: Option<f64>,
    format_value: Callback<f64, String>,
    #[prop(optional)] domain: DomainHint,
    #[prop(into)] caption: String,
    on_select: Callback<(String, String)>,
) -> impl IntoView {
    let hidden = RwSignal::new(Vec::<String>::new());
    let zoom = RwSignal::new((None::<String>, None::<String>));
    // Pointer and keyboard are kept apart: when the pointer leaves, the focused point's tooltip comes back.
    let hovered = RwSignal::new(None::<PointId>);
    let focused = RwSignal::new(None::<PointId>);
    // A mouse drag across periods zooms to them: (period it started at, period under the pointer), window indices.
    let brush = RwSignal::new(None::<(usize, usize)>);
    // The click that ends a drag is not a selection.
    let dragged = RwSignal::new(false);
    let width = RwSignal::new(DEFAULT_WIDTH);
    let frame_ref = NodeRef::<html::Div>::new();

    let measure = move || {
        if let Some(el) = frame_ref.get_untracked() {
            let measured = f64::from(el.client_width());
            if measured > 0.0 && (measured.max(MIN_WIDTH) - width.get_untracked()).abs() >= 1.0 {
                width.set(measured.max(MIN_WIDTH));
            }
        }
    };
    Effect::new(move |_| {
        if frame_ref.get().is_some() {
            measure();
        }
    });
    // The navigation collapses with the window's width, so a window resize covers every change of the frame.
    let resize = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());

    let model = Memo::new(move |_| {
        let all = series.get();
        let periods = chart_scale::periods(&all);
        let window = zoom.with(|(from, to)| chart_scale::zoom_window(&periods, from.as_deref(), to.as_deref()));
        let lines: Vec<Line> = hidden.with(|hidden| {
            all.iter()
                .enumerate()
                .map(|(i, s)| Line {
                    key: s.key.clone(),
                    name: s.name.clone(),
                    colour: i % SERIES_CLASSES,
                    visible: !hidden.contains(&s.key),
                    values: chart_scale::aligned(s, &periods),
                })
                .collect()
        });
        let shown = lines.iter().filter(|l| l.visible).flat_map(|l| l.values[window.clone()].iter().flatten().copied());
        let axis = chart_scale::y_axis(shown, target.into_iter().chain(amber), domain, MAX_Y_INTERVALS);
        Model { periods, window, lines, axis }
    });
    // The frame is redrawn only when data appears or disappears, not on every zoom or toggle.
    let empty = Memo::new(move |_| model.with(|m| m.periods.is_empty()));
    let frame = Memo::new(move |_| {
        let (ticks, periods) = model.with(|m| {
            let ticks = m.axis.ticks.iter().map(|t| format_value.run(*t).chars().count()).max().unwrap_or(1);
            (ticks, m.periods[m.window.clone()].iter().map(|p| p.chars().count()).max().unwrap_or(1))
        });
        let width = width.get();
        let inset = (periods as f64 * CHAR_WIDTH / 2.0 + 4.0).max(INSET);
        Frame { width, left: 14.0 + ticks as f64 * CHAR_WIDTH, right: width - RIGHT_MARGIN, inset }
    });

    let summary = {
        let caption = caption.clone();
        move || {
            model.with(|m| {
                let names: Vec<&str> = m.lines.iter().filter(|l| l.visible).map(|l| l.name.as_str()).collect();
                let span =
                    match (m.periods.get(m.window.start), m.window.end.checked_sub(1).and_then(|i| m.periods.get(i))) {
                        (Some(first), Some(last)) if first != last => format!(", {first} to {last}"),
                        (Some(only), _) => format!(", {only}"),
                        _ => String::new(),
                    };
                let references = reference_words(target, amber, format_value);
                format!("{caption}: {}{span}.{references} The numbers are in the table below.", names.join(", "))
            })
        }
    };

    view! {
        <div class="trend-chart" data-testid="trend-chart">
            <div class="chart-controls">
                <Legend series=series hidden=hidden target=target amber=amber format_value=format_value/>
                <Zoom model=model zoom=zoom/>
            </div>
            {move || {
                if empty.get() {
                    return view! { <p class="chart-empty-state muted">"No values for this chart yet."</p> }.into_any();
                }
                view! {
                    <div class="chart-frame" node_ref=frame_ref>
                        <svg class="chart-svg" role="img" aria-label=summary.clone()
                            viewBox=move || format!("0 0 {:.0} {HEIGHT}", frame.get().width)>
                            {move || drawing(&model.get(), frame.get(), target, amber, format_value)}
                        </svg>
                        <svg class="chart-overlay" role="group" aria-label="Points: press Enter on a point to open its records"
                            viewBox=move || format!("0 0 {:.0} {HEIGHT}", frame.get().width)>
                            // One surface takes the pointer and finds the nearest point, so points of two series a few
                            // pixels apart can both be reached, and a tap anywhere near a point selects it.
                            <rect class="chart-pointer-area" class:chart-pointing=move || hovered.get().is_some()
                                x="0" y="0" width=move || frame.get().width height=HEIGHT
                                on:pointerdown=move |ev| {
                                    // Touch drags keep scrolling the page; only a mouse brushes.
                                    if ev.pointer_type() == "mouse" && ev.button() == 0 {
                                        brush.set(period_at(&ev, model, frame).map(|p| (p, p)));
                                        capture(&ev);
                                    }
                                }
                                on:pointermove=move |ev| {
                                    let hit = point_at(&ev, model, frame);
                                    if hovered.get_untracked() != hit {
                                        hovered.set(hit);
                                    }
                                    if let Some((start, end)) = brush.get_untracked() {
                                        let now = period_at(&ev, model, frame).unwrap_or(end);
                                        if now != end {
                                            brush.set(Some((start, now)));
                                        }
                                    }
                                }
                                on:pointerup=move |_| {
                                    let Some((start, end)) = brush.get_untracked() else { return };
                                    brush.set(None);
                                    if start != end {
                                        dragged.set(true);
                                        let (first, last) = model.with_untracked(|m| {
                                            let at = |i: usize| m.periods[m.window.start + i].clone();
                                            (at(start.min(end)), at(start.max(end)))
                                        });
                                        zoom.set((Some(first), Some(last)));
                                    }
                                }
                                on:pointercancel=move |_| brush.set(None)
                                // A touch "leaves" as soon as the finger lifts; its tooltip stays until the next tap.
                                on:pointerleave=move |ev| if ev.pointer_type() != "touch" { hovered.set(None) }
                                on:click=move |ev| {
                                    if dragged.get_untracked() {
                                        dragged.set(false);
                                        return;
                                    }
                                    let hit = point_at(&ev, model, frame);
                                    hovered.set(hit.clone());
                                    if let Some(id) = hit {
                                        on_select.run(id);
                                    }
                                }/>
                            {move || brush_band(&model.get(), frame.get(), brush.get())}
                            // Reads neither hover nor focus, so moving between points never redraws (and unfocuses) them.
                            {move || focus_targets(&model.get(), frame.get(), format_value, focused, on_select)}
                            {move || tooltip(&model.get(), frame.get(), hovered.get().or_else(|| focused.get()), format_value)}
                        </svg>
                    </div>
                }
                .into_any()
            }}
            <Numbers model=model caption=caption target=target amber=amber format_value=format_value/>
        </div>
    }
}

/// "Target 95 %. Amber 90 %." for the summary and the table's caption.
fn reference_words(target: Option<f64>, amber: Option<f64>, format_value: Callback<f64, String>) -> String {
    let mut words = String::new();
    if let Some(t) = target {
        words.push_str(&format!(" Target {}.", format_value.run(t)));
    }
    if let Some(a) = amber {
        words.push_str(&format!(" Amber threshold {}.", format_value.run(a)));
    }
    words
}

/// Keeps a drag's pointer events coming to the chart when the pointer strays outside it.
fn capture(ev: &web_sys::PointerEvent) {
    use wasm_bindgen::JsCast;
    if let Some(surface) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
        // Failing only for a pointer already gone; the drag then simply ends where it is.
        let _ = surface.set_pointer_capture(ev.pointer_id());
    }
}

/// Gridlines, axes, reference lines, series lines and their markers: everything that does not react to the pointer.
fn drawing(
    model: &Model,
    frame: Frame,
    target: Option<f64>,
    amber: Option<f64>,
    format_value: Callback<f64, String>,
) -> impl IntoView + use<> {
    let axis = &model.axis;
    let count = model.window.len();
    let grid = axis
        .ticks
        .iter()
        .map(|&tick| {
            let y = frame.y(axis, tick);
            view! {
                <line class="chart-grid" x1=frame.left x2=frame.right y1=y y2=y/>
                <text class="chart-tick" x=frame.left - 8.0 y=y>{format_value.run(tick)}</text>
            }
        })
        .collect_view();
    let periods = &model.periods[model.window.clone()];
    let widest = periods.iter().map(|p| p.chars().count()).max().unwrap_or(1) as f64;
    let stride = chart_scale::label_stride(count, frame.right - frame.left, widest * CHAR_WIDTH + 12.0);
    let labels = periods
        .iter()
        .enumerate()
        .step_by(stride)
        .map(|(i, label)| {
            view! { <text class="chart-period" x=frame.x(i, count) y=PLOT_BOTTOM + 22.0>{label.clone()}</text> }
        })
        .collect_view();
    // Where the two reference lines nearly meet, the lower one's label goes under its line instead of over it.
    let target_y = target.map(|t| frame.y(axis, t));
    let amber_y = amber.map(|a| frame.y(axis, a));
    let crowded = matches!((target_y, amber_y), (Some(t), Some(a)) if (t - a).abs() < 16.0);
    let rule = |y: Option<f64>, class: &'static str| {
        y.map(|y| view! { <line class=format!("chart-ref {class}") x1=frame.left x2=frame.right y1=y y2=y/> })
    };
    let rules = (rule(target_y, "chart-target"), rule(amber_y, "chart-amber"));
    // Labels are drawn under the series, so each goes where no point would hide it, and where no line crosses it if
    // such a place is free: over or under its line, at the right end or the left.
    let mut taken: Vec<Rect> = placed(model, frame).iter().map(|p| (p.x, p.y, p.x, p.y)).collect();
    let crossing: Vec<Rect> = model
        .lines
        .iter()
        .filter(|l| l.visible)
        .flat_map(|line| chart_scale::segments(&line.values[model.window.clone()]))
        .flat_map(|run| {
            let pixels: Vec<(f64, f64)> =
                run.iter().map(|&(i, v)| (frame.x(i, model.window.len()), frame.y(axis, v))).collect();
            chart_scale::along(&pixels, 6.0)
        })
        .map(|(x, y)| (x, y, x, y))
        .collect();
    let mut label = |value: Option<f64>,
                     y: Option<f64>,
                     class: &'static str,
                     word: &'static str,
                     side: Option<bool>| {
        let (value, y) = value.zip(y)?;
        let text = format!("{word} {}", format_value.run(value));
        let width = text.chars().count() as f64 * CHAR_WIDTH;
        let spots: Vec<(bool, bool)> = match side {
            Some(below) => vec![(true, below), (false, below)],
            None => vec![(true, false), (true, true), (false, false), (false, true)],
        };
        let boxes: Vec<Rect> = spots
            .iter()
            .map(|&(right, below)| {
                let baseline = if below { y + 14.0 } else { y - 5.0 };
                let (x0, x1) = if right {
                    (frame.right - 4.0 - width, frame.right - 4.0)
                } else {
                    (frame.left + 4.0, frame.left + 4.0 + width)
                };
                (x0, baseline - 11.0, x1, baseline + 3.0)
            })
            .collect();
        let chosen = chart_scale::clear_spot(&boxes, &taken, &crossing, 6.0);
        taken.push(boxes[chosen]);
        let (right, below) = spots[chosen];
        let (x, anchor) = if right { (frame.right - 4.0, "") } else { (frame.left + 4.0, " chart-ref-start") };
        Some(view! {
            <text class=format!("chart-ref-label {class}{anchor}") x=x y=if below { y + 14.0 } else { y - 5.0 }>{text}</text>
        })
    };
    let rule_labels = (
        label(target, target_y, "chart-target", "Target", crowded.then_some(target_y > amber_y)),
        label(amber, amber_y, "chart-amber", "Amber", crowded.then_some(amber_y >= target_y)),
    );
    let visible: Vec<&Line> = model.lines.iter().filter(|l| l.visible).collect();
    let lines = visible
        .iter()
        .map(|line| {
            let runs = chart_scale::segments(&line.values[model.window.clone()]);
            let class = format!("series-{}", line.colour);
            let paths = runs
                .iter()
                .map(|run| {
                    let pixels: Vec<(f64, f64)> = run.iter().map(|&(i, v)| (frame.x(i, count), frame.y(axis, v))).collect();
                    view! { <path class=format!("chart-line {class}") d=chart_scale::path_data(&pixels)/> }
                })
                .collect_view();
            let markers = runs
                .iter()
                .flatten()
                .map(|&(i, v)| {
                    view! { <circle class=format!("chart-marker {class}") cx=frame.x(i, count) cy=frame.y(axis, v) r="4"/> }
                })
                .collect_view();
            view! { <g class="chart-series">{paths}{markers}</g> }
        })
        .collect_view();
    let nothing_shown = visible.is_empty().then(|| {
        view! {
            <text class="chart-empty" x=(frame.left + frame.right) / 2.0 y=(PLOT_TOP + PLOT_BOTTOM) / 2.0>
                "Every series is hidden: choose one above to show it."
            </text>
        }
    });
    view! {
        {grid}
        <line class="chart-axis" x1=frame.left x2=frame.right y1=PLOT_BOTTOM y2=PLOT_BOTTOM/>
        {labels}
        {rules}
        {rule_labels}
        {lines}
        {nothing_shown}
    }
}

/// A visible point in the zoomed window, placed in viewBox units.
struct Placed<'a> {
    line: &'a Line,
    /// Index into the model's periods.
    period: usize,
    x: f64,
    y: f64,
    value: f64,
}

/// Every visible point in the window, series by series.
fn placed(model: &Model, frame: Frame) -> Vec<Placed<'_>> {
    let count = model.window.len();
    model
        .lines
        .iter()
        .filter(|l| l.visible)
        .flat_map(|line| {
            model.window.clone().enumerate().filter_map(move |(i, period)| {
                let value = line.values[period]?;
                Some(Placed { line, period, x: frame.x(i, count), y: frame.y(&model.axis, value), value })
            })
        })
        .collect()
}

/// Where a pointer event is, in viewBox units, and how many viewBox units make a CSS pixel (1 unless the frame is
/// narrower than the chart's minimum width).
fn pointer_at(ev: &web_sys::MouseEvent, frame: Frame) -> Option<((f64, f64), f64)> {
    use wasm_bindgen::JsCast;
    let surface = ev.current_target()?.dyn_into::<web_sys::Element>().ok()?;
    let bounds = surface.get_bounding_client_rect();
    if bounds.width() <= 0.0 {
        return None;
    }
    let scale = frame.width / bounds.width();
    let x = (f64::from(ev.client_x()) - bounds.left()) * scale;
    Some(((x, (f64::from(ev.client_y()) - bounds.top()) * scale), scale))
}

/// The point within reach of a pointer event on the chart, if any.
fn point_at(ev: &web_sys::MouseEvent, model: Memo<Model>, frame: Memo<Frame>) -> Option<PointId> {
    let frame = frame.get_untracked();
    let (pointer, scale) = pointer_at(ev, frame)?;
    model.with_untracked(|m| {
        let points = placed(m, frame);
        let pixels: Vec<(f64, f64)> = points.iter().map(|p| (p.x, p.y)).collect();
        chart_scale::nearest_point(pointer, &pixels, REACH * scale)
            .map(|i| (points[i].line.key.clone(), m.periods[points[i].period].clone()))
    })
}

/// The period (index into the window) nearest a pointer event, for the zoom brush.
fn period_at(ev: &web_sys::MouseEvent, model: Memo<Model>, frame: Memo<Frame>) -> Option<usize> {
    let frame = frame.get_untracked();
    let ((x, _), _) = pointer_at(ev, frame)?;
    let count = model.with_untracked(|m| m.window.len());
    Some(chart_scale::nearest_index(x, count, frame.left + frame.inset, frame.right - frame.inset))
}

/// The band a mouse drag has swept so far, from the period it started at to the one under the pointer.
fn brush_band(model: &Model, frame: Frame, brush: Option<(usize, usize)>) -> Option<impl IntoView + use<>> {
    let (from, to) = brush?;
    let count = model.window.len();
    let (low, high) = (frame.x(from.min(to), count), frame.x(from.max(to), count));
    Some(view! {
        <rect class="chart-brush" x=low - 6.0 y=PLOT_TOP width=high - low + 12.0 height=PLOT_BOTTOM - PLOT_TOP/>
    })
}

/// The points as keyboard stops, one per point in reading order: focus shows the tooltip, Enter or Space selects.
/// The pointer passes through them to the surface below.
fn focus_targets(
    model: &Model,
    frame: Frame,
    format_value: Callback<f64, String>,
    focused: RwSignal<Option<PointId>>,
    on_select: Callback<(String, String)>,
) -> impl IntoView + use<> {
    placed(model, frame)
        .into_iter()
        .map(|p| {
            let period = model.periods[p.period].clone();
            let label = format!("{}, {period}: {}", p.line.name, format_value.run(p.value));
            let id: PointId = (p.line.key.clone(), period);
            let (focus, key) = (id.clone(), id);
            view! {
                <circle class="chart-focus" cx=p.x cy=p.y r="10" tabindex="0" role="button" aria-label=label
                    data-testid="chart-point"
                    on:focus=move |_| focused.set(Some(focus.clone()))
                    on:blur=move |_| focused.set(None)
                    on:keydown=move |ev| {
                        // A role="button" answers Enter and Space; Space must not scroll the page.
                        if ev.key() == "Enter" || ev.key() == " " {
                            ev.prevent_default();
                            on_select.run(key.clone());
                        }
                    }/>
            }
        })
        .collect_view()
}

/// The ring around the point under the pointer or focus, and a tooltip kept inside the chart: the period, then every
/// visible series' value in it (the pointed one in bold), since several series often sit close together.
fn tooltip(
    model: &Model,
    frame: Frame,
    active: Option<PointId>,
    format_value: Callback<f64, String>,
) -> Option<impl IntoView + use<>> {
    let (key, period) = active?;
    let index = model.periods[model.window.clone()].iter().position(|p| *p == period)?;
    let global = model.window.start + index;
    let line = model.lines.iter().find(|l| l.key == key && l.visible)?;
    let value = line.values[global]?;
    let (cx, cy) = (frame.x(index, model.window.len()), frame.y(&model.axis, value));
    let rows: Vec<(usize, String, String, bool)> = model
        .lines
        .iter()
        .filter(|l| l.visible)
        .map(|l| {
            let shown = l.values[global].map_or_else(|| "no data".to_string(), |v| format_value.run(v));
            (l.colour, l.name.clone(), shown, l.key == key)
        })
        .collect();
    let names = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0) as f64 * CHAR_WIDTH;
    let values = rows.iter().map(|r| r.2.chars().count()).max().unwrap_or(0) as f64 * CHAR_WIDTH;
    let width = (28.0 + names + 20.0 + values + 12.0).max(period.chars().count() as f64 * CHAR_WIDTH + 24.0);
    let size = (width, 32.0 + 20.0 * rows.len() as f64);
    let (x, y) = chart_scale::tooltip_origin((cx, cy), size, (0.0, 0.0, frame.width, HEIGHT), 14.0);
    let rows = rows
        .into_iter()
        .enumerate()
        .map(|(k, (colour, name, shown, pointed))| {
            let baseline = 42.0 + 20.0 * k as f64;
            view! {
                <g class="chart-tooltip-row" class:chart-tooltip-pointed=pointed>
                    <rect class=format!("chart-tooltip-key series-{colour}") x="12" y=baseline - 10.0 width="10" height="10" rx="5"/>
                    <text class="chart-tooltip-name" x="28" y=baseline>{name}</text>
                    <text class="chart-tooltip-value" x=width - 12.0 y=baseline>{shown}</text>
                </g>
            }
        })
        .collect_view();
    Some(view! {
        <circle class=format!("chart-active series-{}", line.colour) cx=cx cy=cy r="8"/>
        <g class="chart-tooltip" transform=format!("translate({x:.1} {y:.1})") aria-hidden="true" data-testid="chart-tooltip">
            <rect class="chart-tooltip-box" width=size.0 height=size.1 rx="6"/>
            <text class="chart-tooltip-period" x="12" y="20">{period}</text>
            {rows}
        </g>
    })
}

/// The legend: one toggle button per series (pressed = shown), then the reference lines in words.
#[component]
fn Legend(
    series: Signal<Vec<ChartSeries>>,
    hidden: RwSignal<Vec<String>>,
    target: Option<f64>,
    amber: Option<f64>,
    format_value: Callback<f64, String>,
) -> impl IntoView {
    let toggles = move || {
        series.with(|all| {
            all.iter()
                .enumerate()
                .map(|(i, s)| {
                    let (key, toggled) = (s.key.clone(), s.key.clone());
                    let shown = Signal::derive(move || hidden.with(|h| !h.contains(&key)));
                    let toggle = move |_| {
                        hidden.update(|h| match h.iter().position(|k| *k == toggled) {
                            Some(at) => {
                                h.remove(at);
                            }
                            None => h.push(toggled.clone()),
                        })
                    };
                    view! {
                        <li>
                            <button type="button" class="chart-toggle" aria-pressed=move || shown.get().to_string()
                                title=move || if shown.get() { "Hide this series" } else { "Show this series" } on:click=toggle>
                                <span class=format!("chart-swatch series-{}", i % SERIES_CLASSES) aria-hidden="true"></span>
                                {s.name.clone()}
                            </button>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    let reference = |value: Option<f64>, class: &'static str, word: &'static str| {
        value.map(|v| {
            view! {
                <li class="chart-legend-ref">
                    <span class=format!("chart-swatch-line {class}") aria-hidden="true"></span>
                    {format!("{word} {}", format_value.run(v))}
                </li>
            }
        })
    };
    view! {
        <ul class="chart-legend" aria-label="Series: press to show or hide">
            {toggles}
            {reference(target, "chart-target", "Target")}
            {reference(amber, "chart-amber", "Amber")}
        </ul>
    }
}

/// From and to selects over the periods, and a reset.
#[component]
fn Zoom(model: Memo<Model>, zoom: RwSignal<(Option<String>, Option<String>)>) -> impl IntoView {
    // Options past the other end are disabled, so a range can only be chosen the right way round.
    let options = move |is_from: bool| {
        model.with(|m| {
            let last = m.window.end.saturating_sub(1);
            m.periods
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let (selected, disabled) =
                        if is_from { (i == m.window.start, i > last) } else { (i == last, i < m.window.start) };
                    view! { <option value=p.clone() prop:selected=selected disabled=disabled>{p.clone()}</option> }
                })
                .collect_view()
        })
    };
    let whole = move || model.with(|m| m.window.start == 0 && m.window.end == m.periods.len());
    view! {
        <div class="chart-zoom" role="group" aria-label="Zoom to periods">
            <label class="chart-zoom-field">
                <span>"From"</span>
                <select on:change=move |ev| zoom.update(|z| z.0 = Some(event_target_value(&ev)))>{move || options(true)}</select>
            </label>
            <label class="chart-zoom-field">
                <span>"To"</span>
                <select on:change=move |ev| zoom.update(|z| z.1 = Some(event_target_value(&ev)))>{move || options(false)}</select>
            </label>
            <button type="button" class="button small-button" disabled=whole on:click=move |_| zoom.set((None, None))>
                "Reset zoom"
            </button>
        </div>
    }
}

/// "Show the numbers": the zoomed periods and visible series as a table, for screen readers and exact values.
#[component]
fn Numbers(
    model: Memo<Model>,
    caption: String,
    target: Option<f64>,
    amber: Option<f64>,
    format_value: Callback<f64, String>,
) -> impl IntoView {
    let table = move || {
        model.with(|m| {
            let visible: Vec<&Line> = m.lines.iter().filter(|l| l.visible).collect();
            let heads =
                visible.iter().map(|l| view! { <th scope="col" class="numeric">{l.name.clone()}</th> }).collect_view();
            let rows = m
                .window
                .clone()
                .map(|p| {
                    let cells = visible
                        .iter()
                        .map(|l| match l.values[p] {
                            Some(v) => view! { <td class="numeric">{format_value.run(v)}</td> }.into_any(),
                            None => view! {
                                <td class="numeric muted">"—"<span class="visually-hidden">" no data"</span></td>
                            }
                            .into_any(),
                        })
                        .collect_view();
                    view! { <tr><th scope="row">{m.periods[p].clone()}</th>{cells}</tr> }
                })
                .collect_view();
            let caption = format!("{caption}.{}", reference_words(target, amber, format_value));
            view! {
                <table class="data-table chart-table">
                    <caption>{caption}</caption>
                    <thead><tr><th scope="col">"Period"</th>{heads}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            }
        })
    };
    view! {
        <details class="chart-numbers">
            <summary>"Show the numbers"</summary>
            <TableWrap>{table}</TableWrap>
        </details>
    }
}

//! The arithmetic of a trend chart, apart from any drawing so that it runs (and is tested) natively: the periods
//! along the x axis, "nice" y-axis ticks (steps of 1, 2 or 5 × 10ⁿ), values to pixels, lines broken where a value
//! is missing, the point nearest a pointer, the zoomed window of periods and where a tooltip fits.
//!
//! Floating point is right here: these numbers place pixels; they never decide a limit or a verdict.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::ops::Range;

/// One value of a series: its period and its value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChartPoint {
    /// The period, e.g. `2026-Q1`.
    pub label: String,
    /// `None` when there is no data for the period: the line breaks there rather than dropping to a made-up zero.
    pub value: Option<f64>,
}

/// One line of a trend chart, e.g. one partner's on-time delivery ratio per quarter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChartSeries {
    /// Stable identifier, handed back when a point is selected (e.g. a partner's id).
    pub key: String,
    /// What the legend, tooltip and table call it.
    pub name: String,
    /// In period order; periods missing here are gaps in the line.
    pub points: Vec<ChartPoint>,
}

/// Values the y axis always shows, whatever the data: ratios read against 0–1, counts against zero. Data and
/// reference lines outside the hint still widen the axis, so nothing is ever drawn off the chart.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DomainHint {
    /// The axis reaches at least down to this.
    pub min: Option<f64>,
    /// The axis reaches at least up to this.
    pub max: Option<f64>,
}

impl DomainHint {
    /// Just the data (and reference lines).
    pub const AUTO: Self = Self { min: None, max: None };
    /// Ratios: the whole of 0–1, so 0.93 does not look like half of 0.97.
    pub const RATIO: Self = Self { min: Some(0.0), max: Some(1.0) };
    /// Counts and amounts: from zero up.
    pub const FROM_ZERO: Self = Self { min: Some(0.0), max: None };
}

/// The y axis: its ends (both ticks) and every tick between, `step` apart.
#[derive(Clone, Debug, PartialEq)]
pub struct YAxis {
    /// The lowest tick, at the bottom of the plot.
    pub min: f64,
    /// The highest tick, at the top of the plot.
    pub max: f64,
    /// The distance between ticks: 1, 2 or 5 × 10ⁿ.
    pub step: f64,
    /// From `min` to `max`, rounded to the step's decimals (0.3, not 0.30000000000000004).
    pub ticks: Vec<f64>,
}

/// Slack for float noise when a value sits on a tick: 0.6 / 0.2 is 2.9999999999999996.
const EPSILON: f64 = 1e-9;

/// The smallest step of 1, 2 or 5 × 10ⁿ that covers `span` in at most `max_intervals` steps.
pub fn nice_step(span: f64, max_intervals: usize) -> f64 {
    let raw = span.abs() / max_intervals.max(1) as f64;
    if !raw.is_finite() || raw <= 0.0 {
        return 1.0;
    }
    let base = 10f64.powf(raw.log10().floor());
    // log10 may land just below an integer, so 10 × base is also tried rather than assuming base ≤ raw.
    [1.0, 2.0, 5.0, 10.0, 20.0].into_iter().map(|m| m * base).find(|&step| step >= raw * (1.0 - EPSILON)).unwrap_or(raw)
}

/// The next nice step above `step` (1 → 2 → 5 → 10 …).
fn next_step(step: f64) -> f64 {
    let base = 10f64.powf(step.log10().floor());
    let mantissa = (step / base).round();
    if mantissa < 1.5 {
        2.0 * base
    } else if mantissa < 3.5 {
        5.0 * base
    } else {
        10.0 * base
    }
}

/// Decimal places that show every multiple of `step` exactly: 0 for 5, 1 for 0.2, 2 for 0.05.
pub fn step_decimals(step: f64) -> usize {
    if !step.is_finite() || step <= 0.0 {
        return 0;
    }
    let exponent = (step.log10() + EPSILON).floor();
    if exponent >= 0.0 { 0 } else { (-exponent) as usize }
}

fn round_to(value: f64, decimals: usize) -> f64 {
    let factor = 10f64.powi(decimals as i32);
    let rounded = (value * factor).round() / factor;
    // No "-0" tick label.
    if rounded == 0.0 { 0.0 } else { rounded }
}

/// The y axis for `values` (missing and non-finite ones ignored), widened to the `hint` and the reference lines
/// (`extra`), with at most `max_intervals` steps between its end ticks.
pub fn y_axis(
    values: impl IntoIterator<Item = f64>,
    extra: impl IntoIterator<Item = f64>,
    hint: DomainHint,
    max_intervals: usize,
) -> YAxis {
    let finite = values.into_iter().chain(extra).chain(hint.min).chain(hint.max).filter(|v| v.is_finite());
    let (mut low, mut high) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if low > high {
        // Nothing to show: an empty 0–1 axis rather than no axis.
        (low, high) = (0.0, 1.0);
    } else if low == high {
        // A flat line: give it room above and below (but never below a hinted floor such as zero).
        let pad = if low == 0.0 { 1.0 } else { low.abs() / 10.0 };
        (low, high) = (low - pad, high + pad);
        if let Some(floor) = hint.min.filter(|&floor| floor <= low + pad && floor > low) {
            low = floor;
        }
    }
    let max_intervals = max_intervals.max(1);
    let mut step = nice_step(high - low, max_intervals);
    loop {
        let first = (low / step + EPSILON).floor();
        let last = (high / step - EPSILON).ceil();
        // Snapping the ends outwards can add a step: then take the next nice step.
        if last - first <= max_intervals as f64 || !step.is_finite() {
            let decimals = step_decimals(step);
            let ticks: Vec<f64> =
                (0..=(last - first) as usize).map(|k| round_to((first + k as f64) * step, decimals)).collect();
            let (min, max) = (ticks[0], ticks[ticks.len() - 1]);
            return YAxis { min, max, step, ticks };
        }
        step = next_step(step);
    }
}

/// A straight mapping from a domain (values) to a range (pixels); the range may run backwards, as a y axis does.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    domain: (f64, f64),
    range: (f64, f64),
}

impl Scale {
    /// Maps `domain.0` to `range.0` and `domain.1` to `range.1`.
    pub fn new(domain: (f64, f64), range: (f64, f64)) -> Self {
        Self { domain, range }
    }

    /// The pixel for `value`; the middle of the range when the domain is a single point.
    pub fn map(&self, value: f64) -> f64 {
        let (d0, d1) = self.domain;
        let (r0, r1) = self.range;
        if d1 == d0 { (r0 + r1) / 2.0 } else { r0 + (value - d0) / (d1 - d0) * (r1 - r0) }
    }
}

/// The x position of the `index`th of `count` periods spread evenly from `left` to `right` (one period: centred).
pub fn x_at(index: usize, count: usize, left: f64, right: f64) -> f64 {
    if count <= 1 { (left + right) / 2.0 } else { left + index as f64 * (right - left) / (count - 1) as f64 }
}

/// The period nearest to pixel `x`, for a pointer over the plot.
pub fn nearest_index(x: f64, count: usize, left: f64, right: f64) -> usize {
    if count <= 1 || right <= left {
        return 0;
    }
    let position = (x - left) / (right - left) * (count - 1) as f64;
    (position.round().max(0.0) as usize).min(count - 1)
}

/// The point nearest to `pointer` among `points`, if one is within `reach` pixels: how a pointer or a tap finds a
/// point even where points of several series sit a few pixels apart (which overlapping touch discs could not).
pub fn nearest_point(pointer: (f64, f64), points: &[(f64, f64)], reach: f64) -> Option<usize> {
    let distance = |(x, y): (f64, f64)| (x - pointer.0).hypot(y - pointer.1);
    points
        .iter()
        .enumerate()
        .map(|(i, &p)| (i, distance(p)))
        .filter(|&(_, d)| d <= reach)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

/// Label every how-manyth period so that labels `label_width` wide do not overlap over `width` pixels: 1 when all
/// fit, else 2, 3, … (the first period is always labelled).
pub fn label_stride(count: usize, width: f64, label_width: f64) -> usize {
    if count <= 1 || width <= 0.0 {
        return 1;
    }
    let fit = (width / label_width.max(1.0)).floor().max(1.0) as usize;
    count.div_ceil(fit).max(1)
}

/// Every period of the series, in order: each series' own order, a period one series lacks placed after the
/// period it follows in another. Series of the same periods keep exactly that order.
pub fn periods(series: &[ChartSeries]) -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    for s in series {
        let mut after: Option<usize> = None;
        for point in &s.points {
            after = Some(match all.iter().position(|p| *p == point.label) {
                Some(found) => found,
                None => {
                    let at = after.map_or(all.len(), |a| a + 1);
                    all.insert(at, point.label.clone());
                    at
                }
            });
        }
    }
    all
}

/// The series' value in each of `periods` (`None` where it has no point, no value, or a non-finite one).
pub fn aligned(series: &ChartSeries, periods: &[String]) -> Vec<Option<f64>> {
    let mut by_label: HashMap<&str, Option<f64>> = HashMap::new();
    for point in &series.points {
        by_label.entry(point.label.as_str()).or_insert(point.value.filter(|v| v.is_finite()));
    }
    periods.iter().map(|p| by_label.get(p.as_str()).copied().flatten()).collect()
}

/// The unbroken runs of a line: consecutive present values as (index, value). A run of one is a lone point.
pub fn segments(values: &[Option<f64>]) -> Vec<Vec<(usize, f64)>> {
    let mut runs: Vec<Vec<(usize, f64)>> = Vec::new();
    let mut current: Vec<(usize, f64)> = Vec::new();
    for (index, value) in values.iter().enumerate() {
        match value.filter(|v| v.is_finite()) {
            Some(v) => current.push((index, v)),
            None if !current.is_empty() => runs.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// SVG path data through the pixel points, e.g. `M10.0,20.0L30.0,40.0`; empty for no points.
pub fn path_data(points: &[(f64, f64)]) -> String {
    let mut d = String::with_capacity(points.len() * 14);
    for (i, (x, y)) in points.iter().enumerate() {
        d.push(if i == 0 { 'M' } else { 'L' });
        d.push_str(&format!("{x:.1},{y:.1}"));
    }
    d
}

/// The indices of `periods` shown when zoomed from period `from` to period `to` (both included). An absent or
/// unknown end means the first or last period; ends given backwards are swapped.
pub fn zoom_window(periods: &[String], from: Option<&str>, to: Option<&str>) -> Range<usize> {
    if periods.is_empty() {
        return 0..0;
    }
    let find = |label: Option<&str>| label.and_then(|l| periods.iter().position(|p| p == l));
    let start = find(from).unwrap_or(0);
    let end = find(to).unwrap_or(periods.len() - 1);
    start.min(end)..start.max(end) + 1
}

/// Where a tooltip of `size` goes for a point at `anchor`, inside `bounds` (left, top, right, bottom): above and to
/// the right of the point, flipped left or below where it would leave the bounds, `gap` pixels clear of the point.
pub fn tooltip_origin(anchor: (f64, f64), size: (f64, f64), bounds: (f64, f64, f64, f64), gap: f64) -> (f64, f64) {
    let (ax, ay) = anchor;
    let (width, height) = size;
    let (left, top, right, bottom) = bounds;
    let mut x = ax + gap;
    if x + width > right {
        x = ax - gap - width;
    }
    let mut y = ay - gap - height;
    if y < top {
        y = ay + gap;
    }
    (x.min(right - width).max(left), y.min(bottom - height).max(top))
}

/// A box on the chart in pixels: left, top, right, bottom. A point is a box of no size.
pub type Rect = (f64, f64, f64, f64);

/// Which of `candidates` a label goes in: the first that stays `clearance` pixels clear of every `hard` obstacle
/// (points and labels already placed) and of the `soft` ones (points along the lines between them), else the first
/// of those that touch the fewest hard ones and then the fewest soft ones: a point hides a label only when no place
/// is free of points, and a line crosses it only when no such place is free of lines.
pub fn clear_spot(candidates: &[Rect], hard: &[Rect], soft: &[Rect], clearance: f64) -> usize {
    let touches = |a: &Rect, b: &Rect| {
        a.0 < b.2 + clearance && b.0 < a.2 + clearance && a.1 < b.3 + clearance && b.1 < a.3 + clearance
    };
    let touched = |spot: &Rect, obstacles: &[Rect]| obstacles.iter().filter(|o| touches(spot, o)).count();
    candidates
        .iter()
        .enumerate()
        .min_by_key(|(_, spot)| (touched(spot, hard), touched(spot, soft)))
        .map_or(0, |(i, _)| i)
}

/// Points every `step` pixels along the straight pieces between `points` (the points themselves left out).
pub fn along(points: &[(f64, f64)], step: f64) -> Vec<(f64, f64)> {
    points
        .windows(2)
        .flat_map(|pair| {
            let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
            let pieces = ((x1 - x0).hypot(y1 - y0) / step).ceil().max(1.0) as usize;
            (1..pieces).map(move |k| {
                let t = k as f64 / pieces as f64;
                (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(key: &str, points: &[(&str, Option<f64>)]) -> ChartSeries {
        ChartSeries {
            key: key.into(),
            name: key.to_uppercase(),
            points: points.iter().map(|(label, value)| ChartPoint { label: (*label).into(), value: *value }).collect(),
        }
    }

    fn labels(list: &[&str]) -> Vec<String> {
        list.iter().map(|l| (*l).to_string()).collect()
    }

    #[test]
    fn steps_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(nice_step(1.0, 5), 0.2);
        assert_eq!(nice_step(1.0, 10), 0.1);
        assert_eq!(nice_step(100.0, 5), 20.0);
        assert_eq!(nice_step(7.0, 5), 2.0);
        assert_eq!(nice_step(0.03, 5), 0.01);
        assert_eq!(nice_step(23.0, 4), 10.0);
        assert_eq!(nice_step(0.0, 5), 1.0);
        for span in [0.013, 0.7, 3.3, 42.0, 999.0, 12_345.0] {
            for intervals in 2..9 {
                let step = nice_step(span, intervals);
                let mantissa = step / 10f64.powf(step.log10().floor());
                assert!([1.0, 2.0, 5.0].iter().any(|m| (mantissa - m).abs() < 1e-6), "{span}/{intervals}: {step}");
                assert!(span / step <= intervals as f64 + 1e-6, "{span}/{intervals}: {step} too small");
            }
        }
    }

    #[test]
    fn ratio_axes_run_from_zero_to_one_in_clean_steps() {
        let axis = y_axis([0.91, 0.97, 0.95], [0.95, 0.9], DomainHint::RATIO, 5);
        assert_eq!((axis.min, axis.max, axis.step), (0.0, 1.0, 0.2));
        assert_eq!(axis.ticks, vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        let tenths = y_axis([0.3], [], DomainHint::RATIO, 10);
        assert_eq!(tenths.ticks[3], 0.3, "no float noise in tick values");
    }

    #[test]
    fn axes_cover_the_data_and_reference_lines_and_snap_outwards() {
        let axis = y_axis([12.0, 47.0], [], DomainHint::AUTO, 5);
        assert_eq!((axis.min, axis.max, axis.step), (10.0, 50.0, 10.0));
        // A target above the data still shows.
        let axis = y_axis([12.0, 47.0], [80.0], DomainHint::AUTO, 5);
        assert!(axis.max >= 80.0 && axis.min <= 12.0);
        // Data beyond the hint widens it.
        let axis = y_axis([0.5, 1.12], [], DomainHint::RATIO, 6);
        assert_eq!((axis.min, axis.max), (0.0, 1.2));
        // Negative values.
        let axis = y_axis([-3.0, 4.0], [], DomainHint::AUTO, 4);
        assert_eq!((axis.min, axis.max, axis.step), (-4.0, 4.0, 2.0));
        assert!(axis.ticks.contains(&0.0) && axis.ticks.iter().all(|t| t.to_bits() != (-0.0f64).to_bits()));
    }

    #[test]
    fn snapping_outwards_never_exceeds_the_tick_budget() {
        for (low, high) in [(0.05, 0.95), (1.0, 9.9), (3.0, 97.0), (-0.7, 0.7), (123.0, 456.0)] {
            for max in 2..8 {
                let axis = y_axis([low, high], [], DomainHint::AUTO, max);
                assert!(axis.ticks.len() - 1 <= max, "{low}–{high} in {max}: {:?}", axis.ticks);
                assert!(axis.min <= low && axis.max >= high, "{low}–{high} in {max}: {:?}", axis.ticks);
            }
        }
    }

    #[test]
    fn empty_flat_and_non_finite_data_still_give_an_axis() {
        assert_eq!(y_axis([], [], DomainHint::AUTO, 5).ticks, vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        let flat = y_axis([40.0, 40.0], [], DomainHint::AUTO, 5);
        assert!(flat.min < 40.0 && flat.max > 40.0);
        let flat_zero = y_axis([0.0], [], DomainHint::FROM_ZERO, 5);
        assert!(flat_zero.min <= 0.0 && flat_zero.max > 0.0);
        let axis = y_axis([f64::NAN, 3.0, f64::INFINITY, 7.0], [], DomainHint::AUTO, 4);
        assert!(axis.min <= 3.0 && axis.max >= 7.0 && axis.max.is_finite());
    }

    #[test]
    fn decimals_follow_the_step() {
        assert_eq!(step_decimals(5.0), 0);
        assert_eq!(step_decimals(10.0), 0);
        assert_eq!(step_decimals(0.2), 1);
        assert_eq!(step_decimals(0.1), 1);
        assert_eq!(step_decimals(0.05), 2);
    }

    #[test]
    fn values_map_to_pixels_with_the_y_axis_upside_down() {
        // A plot 200 px tall starting 20 px down: 0 at the bottom (220), 1 at the top (20).
        let y = Scale::new((0.0, 1.0), (220.0, 20.0));
        assert_eq!(y.map(0.0), 220.0);
        assert_eq!(y.map(1.0), 20.0);
        assert_eq!(y.map(0.5), 120.0);
        assert_eq!(y.map(0.95), 30.0);
        assert_eq!(Scale::new((3.0, 3.0), (100.0, 0.0)).map(3.0), 50.0);
    }

    #[test]
    fn periods_spread_evenly_and_pointers_find_the_nearest() {
        assert_eq!(x_at(0, 5, 40.0, 440.0), 40.0);
        assert_eq!(x_at(4, 5, 40.0, 440.0), 440.0);
        assert_eq!(x_at(1, 5, 40.0, 440.0), 140.0);
        assert_eq!(x_at(0, 1, 40.0, 440.0), 240.0);
        assert_eq!(nearest_index(180.0, 5, 40.0, 440.0), 1);
        assert_eq!(nearest_index(200.0, 5, 40.0, 440.0), 2);
        assert_eq!(nearest_index(-50.0, 5, 40.0, 440.0), 0);
        assert_eq!(nearest_index(9999.0, 5, 40.0, 440.0), 4);
        assert_eq!(label_stride(8, 600.0, 70.0), 1);
        assert_eq!(label_stride(20, 600.0, 70.0), 3, "8 labels fit");
        assert_eq!(label_stride(40, 100.0, 70.0), 40, "room for one: the first");
        assert_eq!(label_stride(1, 10.0, 70.0), 1);
    }

    #[test]
    fn pointers_and_taps_find_the_nearest_point_within_reach() {
        // Two series 3 px apart at one period, a third at the next.
        let points = [(100.0, 50.0), (100.0, 53.0), (200.0, 80.0)];
        assert_eq!(nearest_point((101.0, 49.0), &points, 24.0), Some(0));
        assert_eq!(nearest_point((99.0, 55.0), &points, 24.0), Some(1));
        assert_eq!(nearest_point((190.0, 95.0), &points, 24.0), Some(2));
        assert_eq!(nearest_point((150.0, 200.0), &points, 24.0), None, "nothing within reach");
        assert_eq!(nearest_point((0.0, 0.0), &[], 24.0), None);
    }

    #[test]
    fn missing_values_break_the_line_into_segments() {
        let values = [Some(1.0), Some(2.0), None, Some(4.0), None, None, Some(7.0), Some(8.0), Some(f64::NAN)];
        assert_eq!(segments(&values), vec![vec![(0, 1.0), (1, 2.0)], vec![(3, 4.0)], vec![(6, 7.0), (7, 8.0)]]);
        assert!(segments(&[None, None]).is_empty());
        assert!(segments(&[]).is_empty());
        assert_eq!(segments(&[Some(0.0)]), vec![vec![(0, 0.0)]], "zero is a value, not a gap");
        assert_eq!(path_data(&[(10.0, 20.0), (30.25, 40.0)]), "M10.0,20.0L30.2,40.0");
        assert_eq!(path_data(&[]), "");
    }

    #[test]
    fn series_line_up_on_the_union_of_their_periods() {
        let a = series("a", &[("2025-Q3", Some(0.9)), ("2025-Q4", None), ("2026-Q1", Some(0.95))]);
        let b = series("b", &[("2025-Q4", Some(0.8)), ("2026-Q1", Some(0.85)), ("2026-Q2", Some(0.88))]);
        let c = series("c", &[("2025-Q3", Some(0.7)), ("2025-Q3b", Some(0.71)), ("2025-Q4", Some(0.72))]);
        let all = periods(&[a.clone(), b.clone(), c]);
        assert_eq!(all, labels(&["2025-Q3", "2025-Q3b", "2025-Q4", "2026-Q1", "2026-Q2"]));
        assert_eq!(aligned(&a, &all), vec![Some(0.9), None, None, Some(0.95), None]);
        assert_eq!(aligned(&b, &all), vec![None, None, Some(0.8), Some(0.85), Some(0.88)]);
        assert!(periods(&[]).is_empty());
    }

    #[test]
    fn zooming_picks_a_window_of_periods() {
        let all = labels(&["Q1", "Q2", "Q3", "Q4", "Q5"]);
        assert_eq!(zoom_window(&all, None, None), 0..5);
        assert_eq!(zoom_window(&all, Some("Q2"), Some("Q4")), 1..4);
        assert_eq!(zoom_window(&all, Some("Q4"), Some("Q2")), 1..4, "backwards ends are swapped");
        assert_eq!(zoom_window(&all, Some("Q3"), Some("Q3")), 2..3);
        assert_eq!(zoom_window(&all, Some("gone"), Some("Q2")), 0..2, "an unknown end is the first or last period");
        assert_eq!(zoom_window(&all, Some("Q4"), None), 3..5);
        assert_eq!(zoom_window(&[], Some("Q1"), None), 0..0);
        assert_eq!(&all[zoom_window(&all, Some("Q2"), Some("Q3"))], &labels(&["Q2", "Q3"])[..]);
    }

    #[test]
    fn tooltips_stay_inside_the_plot() {
        let bounds = (0.0, 0.0, 600.0, 300.0);
        assert_eq!(tooltip_origin((100.0, 150.0), (120.0, 50.0), bounds, 10.0), (110.0, 90.0), "above right");
        assert_eq!(tooltip_origin((550.0, 150.0), (120.0, 50.0), bounds, 10.0), (420.0, 90.0), "flipped left");
        assert_eq!(tooltip_origin((100.0, 20.0), (120.0, 50.0), bounds, 10.0), (110.0, 30.0), "flipped below");
        assert_eq!(tooltip_origin((300.0, 280.0), (700.0, 400.0), bounds, 10.0), (0.0, 0.0), "too big: top left");
    }

    #[test]
    fn a_label_goes_where_no_point_is() {
        let (right_above, right_below, left_above) =
            ((600.0, 80.0, 680.0, 94.0), (600.0, 99.0, 680.0, 113.0), (60.0, 80.0, 140.0, 94.0));
        let spots = [right_above, right_below, left_above];
        assert_eq!(clear_spot(&spots, &[], &[], 4.0), 0, "the first place when nothing is in the way");
        let last_point = (662.0, 90.0, 662.0, 90.0);
        assert_eq!(
            clear_spot(&spots, &[last_point], &[], 4.0),
            1,
            "under the line when the last point sits on the label"
        );
        let near_below = (640.0, 116.0, 640.0, 116.0);
        assert_eq!(
            clear_spot(&spots, &[last_point, near_below], &[], 4.0),
            2,
            "within the clearance counts as touching"
        );
        let everywhere = [last_point, (610.0, 105.0, 610.0, 105.0), (100.0, 85.0, 100.0, 85.0)];
        assert_eq!(clear_spot(&spots, &everywhere, &[], 4.0), 0, "no free place: the first of the least covered");
        let placed_label = (590.0, 103.0, 670.0, 117.0);
        assert_eq!(
            clear_spot(&[right_below, right_above], &[placed_label], &[], 4.0),
            1,
            "labels keep clear of each other"
        );
    }

    #[test]
    fn a_label_keeps_off_lines_too_but_never_for_a_point() {
        let (right_above, right_below) = ((600.0, 80.0, 680.0, 94.0), (600.0, 99.0, 680.0, 113.0));
        let line = along(&[(560.0, 87.0), (700.0, 87.0)], 6.0);
        assert!(line.len() > 20 && line.iter().all(|&(_, y)| (y - 87.0).abs() < 1e-9), "{line:?}");
        let line: Vec<Rect> = line.into_iter().map(|(x, y)| (x, y, x, y)).collect();
        assert_eq!(clear_spot(&[right_above, right_below], &[], &line, 4.0), 1, "off the line when a place is free");
        let point = (640.0, 105.0, 640.0, 105.0);
        assert_eq!(clear_spot(&[right_above, right_below], &[point], &line, 4.0), 0, "a line, rather than a point");
        assert_eq!(along(&[(0.0, 0.0), (3.0, 4.0)], 6.0), Vec::<(f64, f64)>::new(), "a piece shorter than a step");
    }
}

//! How times and dates are shown: ISO order, the viewer's time zone, the zone named.

use chrono::{DateTime, Local, NaiveDate, Utc};

/// `2026-11-24 14:05 CET`, in the viewer's zone.
pub fn date_time(t: DateTime<Utc>) -> String {
    let local = t.with_timezone(&Local);
    format!("{} {}", local.format("%Y-%m-%d %H:%M"), zone_name(t))
}

/// As [`date_time`], followed by the UTC time when the viewer is elsewhere, as signatures require:
/// `2026-11-24 15:05 CET (14:05 UTC)`.
pub fn date_time_and_utc(t: DateTime<Utc>) -> String {
    let local = date_time(t);
    if local.ends_with(" UTC") { local } else { format!("{local} ({} UTC)", t.format("%H:%M")) }
}

/// `2026-11-24`: the day `t` fell on in the viewer's zone.
pub fn local_date(t: DateTime<Utc>) -> String {
    date(t.with_timezone(&Local).date_naive())
}

/// `2026-11-24`.
pub fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The browser's short name for its zone at `t` ("CET", "UTC", or "GMT+1" where no abbreviation exists).
fn zone_name(t: DateTime<Utc>) -> String {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"timeZoneName".into(), &"short".into());
    let locales = js_sys::Array::of1(&"en-GB".into());
    let formatter = js_sys::Intl::DateTimeFormat::new(&locales, &options);
    let when = js_sys::Date::new(&(t.timestamp_millis() as f64).into());
    formatter
        .format_to_parts(&when)
        .iter()
        .filter_map(|part| {
            let kind = js_sys::Reflect::get(&part, &"type".into()).ok()?.as_string()?;
            (kind == "timeZoneName").then(|| js_sys::Reflect::get(&part, &"value".into()).ok()?.as_string())?
        })
        .next()
        .unwrap_or_else(|| Local::now().format("UTC%:z").to_string())
}

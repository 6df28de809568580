//! `/audit`: the organisation's audit trail with filters, and a CSV export for inspections.

use crate::api;
use crate::auth::RequireAuth;
use crate::components::load_failure::load_failure;
use crate::components::loading::SkeletonRows;
use crate::components::shell::Shell;
use crate::components::table_wrap::TableWrap;
use crate::format;
use baton_domain::audit::{AuditAction, AuditEntry};
use baton_domain::audit_trail::{AuditQuery, day_bounds};
use baton_domain::endpoints::{ExportAudit, ListAudit, ListAuditActors};
use baton_domain::error::ErrorCode;
use baton_domain::record::RecordType;
use chrono::{Local, NaiveDate, SecondsFormat};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// A filter's value, or `None` when it is not set.
fn chosen(value: String) -> Option<String> {
    (!value.is_empty()).then_some(value)
}

/// The record an entry is about: its type and the end of its id (the whole id on hover), so that entries about
/// different records of a type read apart; linked where it has a page.
fn record_link(record_type: RecordType, record_id: &str) -> AnyView {
    let tail: String = record_id.chars().rev().take(8).collect::<Vec<_>>().into_iter().rev().collect();
    let tail = if tail.len() < record_id.len() { format!("…{tail}") } else { tail };
    let label = view! { <span>{record_type.label()}</span><span class="record-id">{tail}</span> };
    match record_type.page(record_id) {
        Some(href) => view! { <a class="record-ref" href=href title=record_id.to_owned()>{label}</a> }.into_any(),
        None => view! { <span class="record-ref muted" title=record_id.to_owned()>{label}</span> }.into_any(),
    }
}

/// One entry of the trail as a table row.
fn row(e: AuditEntry) -> impl IntoView {
    view! {
        <tr>
            <td class="numeric">{e.seq}</td>
            <td class="numeric-text nowrap">{format::date_time(e.at)}</td>
            <td>{e.actor_name}</td>
            <td>{e.action.label()}</td>
            <td>{record_link(e.record_type, &e.record_id)}</td>
            <td>{e.reason.unwrap_or_default()}</td>
        </tr>
    }
}

/// Where fetching older entries stands.
#[derive(Clone, Debug, PartialEq)]
enum Older {
    Idle,
    Loading,
    Failed(String),
}

/// Below the table: how many entries are shown, whether older ones follow, and the button that fetches them.
#[component]
fn ListFoot(
    shown: Signal<usize>,
    before: Signal<Option<i64>>,
    state: RwSignal<Older>,
    on_more: Callback<i64>,
) -> impl IntoView {
    view! {
        <div class="list-foot" data-testid="audit-foot">
            <p class="muted">{move || match before.get() {
                Some(_) => format!("The newest {} matching entries are shown; older ones follow.", shown.get()),
                None => format!("All {} matching entries are shown.", shown.get()),
            }}</p>
            {move || before.get().map(|seq| view! {
                <button class="button" type="button" disabled=move || state.get() == Older::Loading
                    on:click=move |_| on_more.run(seq)>"Show older entries"</button>
            })}
            {move || match state.get() {
                Older::Failed(message) => Some(view! { <p class="field-error" role="alert">{message}</p> }),
                _ => None,
            }}
        </div>
    }
}

/// `/audit`
#[component]
pub fn AuditPage() -> impl IntoView {
    let action = RwSignal::new(String::new());
    let actor = RwSignal::new(String::new());
    let actors = LocalResource::new(|| api::call::<ListAuditActors>([], &()));
    let record_type = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    // Both days chosen the wrong way round: said under the field, not left to an empty table to suggest.
    let reversed = move || {
        let day = |value: String| value.parse::<NaiveDate>().ok();
        matches!((day(from.get()), day(to.get())), (Some(first), Some(last)) if last < first)
    };
    let query = move || {
        // The date pickers give days in the reader's zone, the zone the table shows times in.
        let day = |value: String| value.parse::<NaiveDate>().ok();
        let (start, end) = day_bounds(day(from.get()), day(to.get()), &Local);
        AuditQuery {
            action: chosen(action.get()),
            record_type: chosen(record_type.get()),
            actor: chosen(actor.get()),
            from: start.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
            to: end.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
            limit: Some(200),
            ..AuditQuery::default()
        }
    };
    // Older pages, fetched on request and shown below the first; a change of filter starts again from the newest.
    let older = RwSignal::new(Vec::<AuditEntry>::new());
    let next = RwSignal::new(None::<Option<i64>>);
    let older_state = RwSignal::new(Older::Idle);
    let entries = LocalResource::new(move || {
        let q = query();
        older.set(Vec::new());
        next.set(None);
        older_state.set(Older::Idle);
        async move { api::call::<ListAudit>([], &q).await }
    });
    let load_older = move |before: i64| {
        let q = AuditQuery { before_seq: Some(before), ..untrack(query) };
        older_state.set(Older::Loading);
        spawn_local(async move {
            match api::call::<ListAudit>([], &q).await {
                Ok(page) => {
                    older.update(|o| o.extend(page.items));
                    next.set(Some(page.next_before_seq));
                    older_state.set(Older::Idle);
                }
                Err(e) => older_state.set(Older::Failed(e.message())),
            }
        });
    };
    let export = move || api::href::<ExportAudit>([], &query()).unwrap_or_default();
    // The server decides who reads the trail; refused, the page shows why and not filters that cannot help.
    let denied =
        Memo::new(move |_| matches!(entries.get(), Some(Err(failure)) if failure.code() == Some(ErrorCode::NoAccess)));
    view! {
        <RequireAuth>
            <Shell>
                <header class="page-header">
                    <div>
                        <h1>"Audit trail"</h1>
                        <p class="muted">"Every change, signature, login and read of your organisation's data by partners. Append-only and hash-chained."</p>
                    </div>
                    <Show when=move || !denied.get()><a class="button" href=export download="baton-audit.csv">"Export CSV"</a></Show>
                </header>
                <Show when=move || !denied.get()><div class="filters panel">
                    <div class="field">
                        <label for="f-actor">"Who"</label>
                        <select id="f-actor" on:change=move |ev| actor.set(event_target_value(&ev))>
                            <option value="">"Everyone"</option>
                            {move || actors.get().and_then(Result::ok).unwrap_or_default().into_iter()
                                .map(|a| view! { <option value=a.id.to_string()>{a.name}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="f-action">"Action"</label>
                        <select id="f-action" on:change=move |ev| action.set(event_target_value(&ev))>
                            <option value="">"All actions"</option>
                            {AuditAction::ALL.iter().map(|a| view! { <option value=a.as_str()>{a.label()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="f-record">"Record type"</label>
                        <select id="f-record" on:change=move |ev| record_type.set(event_target_value(&ev))>
                            <option value="">"All records"</option>
                            {RecordType::ALL.iter().map(|r| view! { <option value=r.as_str()>{r.label()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="f-from">"From"</label>
                        <input id="f-from" type="date" on:input=move |ev| from.set(event_target_value(&ev))/>
                    </div>
                    <div class="field">
                        <label for="f-to">"To (inclusive)"</label>
                        <input id="f-to" type="date" aria-describedby="f-to-error" aria-invalid=move || reversed().to_string()
                            on:input=move |ev| to.set(event_target_value(&ev))/>
                        <p class="field-error" id="f-to-error" data-testid="dates-reversed">
                            {move || reversed().then_some("This day is before “From”: no entry can match.")}
                        </p>
                    </div>
                </div></Show>
                <Transition fallback=|| view! { <SkeletonRows rows=6/> }>
                    {move || entries.get().map(|result| match result {
                        Err(failure) => load_failure(failure, "", Callback::new(move |()| entries.refetch())),
                        Ok(page) if page.items.is_empty() => view! {
                            <div class="panel empty-state"><h2>"No entries match"</h2><p>"Change the filters to see more of the trail."</p></div>
                        }.into_any(),
                        Ok(page) => {
                            let first = page.items.len();
                            view! {
                                <TableWrap>
                                    <table class="data-table" data-testid="audit-table">
                                        <thead><tr>
                                            <th scope="col" class="numeric">"#"</th><th scope="col">"Time"</th><th scope="col">"Who"</th>
                                            <th scope="col">"Action"</th><th scope="col">"Record"</th><th scope="col">"Reason"</th>
                                        </tr></thead>
                                        <tbody>
                                            {page.items.into_iter().map(row).collect_view()}
                                            {move || older.get().into_iter().map(row).collect_view()}
                                        </tbody>
                                    </table>
                                </TableWrap>
                                <ListFoot shown=Signal::derive(move || first + older.with(Vec::len))
                                    before=Signal::derive(move || next.get().unwrap_or(page.next_before_seq))
                                    state=older_state on_more=Callback::new(load_older)/>
                            }.into_any()
                        }
                    })}
                </Transition>
            </Shell>
        </RequireAuth>
    }
}

//! `/audit`: the organisation's audit trail with filters, and a CSV export for inspections.

use crate::api;
use crate::auth::RequireAuth;
use crate::components::error_panel::ErrorPanel;
use crate::components::loading::SkeletonRows;
use crate::components::shell::Shell;
use crate::format;
use baton_domain::audit::AuditAction;
use baton_domain::audit_trail::AuditQuery;
use baton_domain::endpoints::{ExportAudit, ListAudit, ListAuditActors};
use baton_domain::record::RecordType;
use leptos::prelude::*;

/// A filter's value, or `None` when it is not set.
fn chosen(value: String) -> Option<String> {
    (!value.is_empty()).then_some(value)
}

/// The record an entry is about, linked where it has a page.
fn record_link(record_type: RecordType, record_id: &str) -> AnyView {
    let href = match record_type {
        RecordType::Agreement => Some(format!("/agreements/{record_id}")),
        RecordType::Transfer => Some(format!("/transfers/{record_id}")),
        RecordType::ChangeControl => Some(format!("/change-controls/{record_id}")),
        _ => None,
    };
    let label = record_type.label();
    match href {
        Some(href) => view! { <a href=href>{label}</a> }.into_any(),
        None => view! { <span class="muted small">{label}</span> }.into_any(),
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
    let query = move || AuditQuery {
        action: chosen(action.get()),
        record_type: chosen(record_type.get()),
        actor: chosen(actor.get()),
        // The date pickers give days; the trail is filtered from the start of each day, UTC.
        from: chosen(from.get()).map(|day| format!("{day}T00:00:00Z")),
        to: chosen(to.get()).map(|day| format!("{day}T00:00:00Z")),
        limit: Some(200),
        ..AuditQuery::default()
    };
    let entries = LocalResource::new(move || {
        let q = query();
        async move { api::call::<ListAudit>([], &q).await }
    });
    let export = move || api::href::<ExportAudit>([], &query()).unwrap_or_default();
    view! {
        <RequireAuth>
            <Shell>
                <header class="page-header">
                    <div>
                        <h1>"Audit trail"</h1>
                        <p class="muted">"Every change, signature, login and read of your organisation's data by partners. Append-only and hash-chained."</p>
                    </div>
                    <a class="button" href=export download="baton-audit.csv">"Export CSV"</a>
                </header>
                <div class="filters panel">
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
                        <label for="f-from">"From (UTC)"</label>
                        <input id="f-from" type="date" on:input=move |ev| from.set(event_target_value(&ev))/>
                    </div>
                    <div class="field">
                        <label for="f-to">"Before (UTC)"</label>
                        <input id="f-to" type="date" on:input=move |ev| to.set(event_target_value(&ev))/>
                    </div>
                </div>
                <Transition fallback=|| view! { <SkeletonRows rows=6/> }>
                    {move || entries.get().map(|result| match result {
                        Err(e) => view! { <ErrorPanel message=e.message() on_retry=Callback::new(move |()| entries.refetch())/> }.into_any(),
                        Ok(page) if page.items.is_empty() => view! {
                            <div class="panel empty-state"><h2>"No entries match"</h2><p>"Change the filters to see more of the trail."</p></div>
                        }.into_any(),
                        Ok(page) => view! {
                            <div class="table-wrap">
                                <table class="data-table" data-testid="audit-table">
                                    <thead><tr>
                                        <th scope="col" class="numeric">"#"</th><th scope="col">"Time"</th><th scope="col">"Who"</th>
                                        <th scope="col">"Action"</th><th scope="col">"Record"</th><th scope="col">"Reason"</th>
                                    </tr></thead>
                                    <tbody>
                                        {page.items.into_iter().map(|e| view! {
                                            <tr>
                                                <td class="numeric">{e.seq}</td>
                                                <td class="numeric-text nowrap">{format::date_time(e.at)}</td>
                                                <td>{e.actor_name}</td>
                                                <td>{e.action.label()}</td>
                                                <td>{record_link(e.record_type, &e.record_id)}</td>
                                                <td>{e.reason.unwrap_or_default()}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                    })}
                </Transition>
            </Shell>
        </RequireAuth>
    }
}

//! A transfer's latest changes: the newest entries of the audit trail about it and its plan, each linking to the
//! record it is about.

use crate::format;
use baton_domain::audit::AuditEntry;
use baton_domain::ids::TransferId;
use baton_domain::record::RecordType;
use baton_domain::stage::StageView;
use leptos::prelude::*;

/// Where an entry's record lives in the app, if it has a page of its own.
fn link(entry: &AuditEntry, transfer: TransferId, stages: &[StageView]) -> Option<String> {
    match entry.record_type {
        RecordType::Stage => stages
            .iter()
            .find(|s| s.id.to_string() == entry.record_id)
            .map(|s| format!("/transfers/{transfer}/stages/{}", s.number)),
        RecordType::Deliverable => Some(format!("/deliverables/{}", entry.record_id)),
        RecordType::Document => Some(format!("/documents/{}", entry.record_id)),
        RecordType::Risk => Some(format!("/transfers/{transfer}/risks/{}", entry.record_id)),
        _ => None,
    }
}

/// The list, newest first; `stages` resolve a stage entry to its page.
#[component]
pub fn LatestChanges(entries: Vec<AuditEntry>, transfer: TransferId, stages: Vec<StageView>) -> impl IntoView {
    view! {
        <section class="panel" data-testid="latest-changes">
            <h2>"Latest changes"</h2>
            {if entries.is_empty() {
                view! { <p class="muted">"Nothing has changed since the transfer was started."</p> }.into_any()
            } else {
                view! {
                    <ol class="history">
                        {entries.iter().map(|e| {
                            let what = match link(e, transfer, &stages) {
                                Some(href) => view! { <a href=href>{e.record_type.label()}</a> }.into_any(),
                                None => view! { <span>{e.record_type.label()}</span> }.into_any(),
                            };
                            view! {
                                <li>
                                    <span class="numeric-text muted">{format::date_time(e.at)}</span>
                                    <strong>{e.actor_name.clone()}</strong>
                                    <span>{e.action.label().to_lowercase()}</span>
                                    {what}
                                    {e.reason.clone().map(|r| view! { <span class="muted">" — “" {r} "”"</span> })}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}

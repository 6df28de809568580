//! A record's history from the audit trail, shown on demand.

use crate::api;
use crate::format;
use baton_domain::endpoints::GetHistory;
use baton_domain::record::RecordType;
use leptos::prelude::*;

/// The entries about one record, oldest first, loaded when opened.
#[component]
pub fn HistoryPanel(record_type: RecordType, #[prop(into)] id: String) -> impl IntoView {
    let open = RwSignal::new(false);
    let entries = LocalResource::new(move || {
        let id = id.clone();
        async move { if open.get() { Some(api::call::<GetHistory>([record_type.as_str(), &id], &()).await) } else { None } }
    });
    view! {
        <section class="panel">
            <div class="panel-head">
                <h2>"History"</h2>
                <button class="button" on:click=move |_| open.update(|o| *o = !*o) aria-expanded=move || open.get().to_string()>
                    {move || if open.get() { "Hide history" } else { "Show history" }}
                </button>
            </div>
            {move || entries.get().flatten().map(|result| match result {
                Err(e) => view! { <p class="field-error">{e.message()}</p> }.into_any(),
                Ok(list) => view! {
                    <ol class="history" data-testid="history">
                        {list.into_iter().map(|e| view! {
                            <li>
                                <span class="numeric-text muted">{format::date_time(e.at)}</span>
                                <strong>{e.action.label()}</strong>
                                <span>" by " {e.actor_name}</span>
                                {e.reason.map(|r| view! { <span class="muted">" — “" {r} "”"</span> })}
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any(),
            })}
        </section>
    }
}

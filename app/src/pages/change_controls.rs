//! `/change-controls`: the change controls of the caller's partnerships, newest first, whoever raised them; the
//! status filter is part of the address (`?status=assessed`), so a filtered list is a link too.

use crate::api;
use crate::auth::RequireAuth;
use crate::components::load_failure::load_failure;
use crate::components::loading::Loading;
use crate::components::shell::Shell;
use crate::components::table_wrap::TableWrap;
use crate::format;
use baton_domain::change_control::{ChangeControlQuery, ChangeControlStatus, ChangeControlSummary};
use baton_domain::endpoints::ListChangeControls;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

/// A change control's status as a chip: blue while it waits on someone, amber while a decision is due, green once
/// approved, implemented or closed, red when rejected.
pub fn change_chip(status: ChangeControlStatus) -> impl IntoView {
    let class = match status {
        ChangeControlStatus::Raised | ChangeControlStatus::Implemented => "chip chip-progress",
        ChangeControlStatus::Assessed => "chip chip-warn",
        ChangeControlStatus::Approved | ChangeControlStatus::Closed => "chip chip-done",
        ChangeControlStatus::Rejected => "chip chip-bad",
    };
    view! { <span class=class data-testid="change-status">{status.label()}</span> }
}

/// `/change-controls`
#[component]
pub fn ChangeControlsPage() -> impl IntoView {
    let query = use_query_map();
    let status = move || query.read().get("status").and_then(|s| s.parse::<ChangeControlStatus>().ok());
    let loaded = LocalResource::new(move || {
        let request = ChangeControlQuery { status: status() };
        async move { api::call::<ListChangeControls>([], &request).await }
    });
    let reload = Callback::new(move |()| loaded.refetch());
    let navigate = use_navigate();
    let choose = Callback::new(move |value: String| {
        let href =
            if value.is_empty() { "/change-controls".to_owned() } else { format!("/change-controls?status={value}") };
        navigate(&href, NavigateOptions { replace: true, ..Default::default() });
    });
    view! {
        <RequireAuth>
            <Shell>
                <section class="page" data-testid="change-controls">
                    <header class="page-header">
                        <div>
                            <h1>"Change controls"</h1>
                            <p class="muted">"Changes one party proposes that affect the other: both assess the impact, the party the quality agreement names approves."</p>
                        </div>
                        {move || loaded.get().and_then(Result::ok).filter(|l| l.may_raise).map(|_| view! {
                            <A href="/change-controls/new" attr:class="button primary">"Raise a change control"</A>
                        })}
                    </header>
                    <div class="panel filters" role="search">
                        <div class="field">
                            <label for="change-status">"Status"</label>
                            <select id="change-status" on:change=move |ev| choose.run(event_target_value(&ev))>
                                <option value="" selected=move || status().is_none()>"Any"</option>
                                {ChangeControlStatus::ALL.iter().map(|s| {
                                    let s = *s;
                                    view! { <option value=s.as_str() selected=move || status() == Some(s)>{s.label()}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                    </div>
                    <Suspense fallback=|| view! { <Loading label="Loading change controls…"/> }>
                        {move || loaded.get().map(|result| match result {
                            Err(failure) => load_failure(failure, "", reload),
                            Ok(list) if list.items.is_empty() => empty(status().is_some(), list.may_raise).into_any(),
                            Ok(list) => view! {
                                {list.truncated.then(|| view! { <p class="muted">"Showing the newest 500 change controls."</p> })}
                                <TableWrap><table class="data-table" data-testid="change-controls-table">
                                    <thead><tr>
                                        <th scope="col">"Number"</th><th scope="col">"Change"</th>
                                        <th scope="col">"Status"</th><th scope="col">"Risk"</th>
                                        <th scope="col" class="numeric">"Proposed for"</th>
                                    </tr></thead>
                                    <tbody>{list.items.into_iter().map(row).collect_view()}</tbody>
                                </table></TableWrap>
                            }.into_any(),
                        })}
                    </Suspense>
                </section>
            </Shell>
        </RequireAuth>
    }
}

fn empty(filtered: bool, may_raise: bool) -> impl IntoView {
    let text = if filtered {
        "No change control in this status."
    } else {
        "No change control in your partnerships yet. When a change of your organisation's affects a partner, raise it \
         here: both parties assess its impact, and QA of the party the quality agreement names approves it."
    };
    view! {
        <div class="panel empty-state">
            <p>{text}</p>
            {(may_raise && !filtered).then(|| view! { <p><A href="/change-controls/new" attr:class="button">"Raise the first one"</A></p> })}
        </div>
    }
}

fn row(c: ChangeControlSummary) -> impl IntoView {
    view! {
        <tr>
            <td class="mono"><A href=format!("/change-controls/{}", c.id)>{c.number}</A></td>
            <td class="change-title">{c.title}<br/><span class="muted small">
                {format!("{} · {} · raised by {}", c.change_type.label(), c.product, c.owner.name)}</span></td>
            <td>{change_chip(c.status)}</td>
            <td>{c.risk.map(|r| r.label()).unwrap_or("—")}</td>
            <td class="numeric nowrap">{format::date(c.proposed_implementation)}</td>
        </tr>
    }
}

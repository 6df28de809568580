//! `/search?q=…`: what the top bar's search found — records the caller may read whose number, title or product has
//! every word of the query, the exact number first.

use crate::api::{self, Failure};
use crate::auth::RequireAuth;
use crate::components::load_failure::load_failure;
use crate::components::loading::SkeletonRows;
use crate::components::shell::Shell;
use crate::components::table_wrap::TableWrap;
use baton_domain::endpoints::Search;
use baton_domain::record::RecordType;
use baton_domain::search::{MAX_HITS, SearchHit, SearchQuery, SearchResults};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// "Change control" for `change control`: a label at the start of a cell.
fn capitalised(label: &str) -> String {
    let mut chars = label.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn row(hit: SearchHit) -> impl IntoView {
    let number = match hit.record_type.page(&hit.id) {
        Some(href) => view! { <A href=href>{hit.number}</A> }.into_any(),
        None => view! { <span>{hit.number}</span> }.into_any(),
    };
    // A number stays on one line; a title in its place (a document's, an agreement's) may wrap.
    let titled = matches!(hit.record_type, RecordType::Document | RecordType::Agreement);
    view! {
        <tr>
            <td>{capitalised(hit.record_type.label())}</td>
            <td class:nowrap=!titled>{number}</td>
            <td>{hit.title}</td>
            <td class="muted">{hit.context}</td>
        </tr>
    }
}

fn results(q: String, found: SearchResults) -> AnyView {
    if found.items.is_empty() {
        return view! {
            <div class="panel empty-state" data-testid="search-empty">
                <h2>{format!("Nothing found for “{q}”")}</h2>
                <p>"Search by a number (TT-2026-001, DEV-2026-00001, a batch number), words of a title (a document's or an agreement's too), a file name or a product. Only records your organisation may read are searched."</p>
            </div>
        }
        .into_any();
    }
    let count = found.items.len();
    let foot = if found.truncated {
        format!("The best {MAX_HITS} matches are shown: add a word to narrow the search.")
    } else if count == 1 {
        "1 record found.".to_owned()
    } else {
        format!("{count} records found.")
    };
    view! {
        <TableWrap>
            <table class="data-table" data-testid="search-results">
                <thead><tr>
                    <th scope="col">"Type"</th><th scope="col">"Number"</th><th scope="col">"Title"</th><th scope="col">"Where"</th>
                </tr></thead>
                <tbody>{found.items.into_iter().map(row).collect_view()}</tbody>
            </table>
        </TableWrap>
        <p class="muted small list-foot" data-testid="search-foot">{foot}</p>
    }
    .into_any()
}

/// `/search`
#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.read().get("q").unwrap_or_default();
    let found = LocalResource::new(move || {
        let q = q();
        async move {
            let found = api::call::<Search>([], &SearchQuery { q: Some(q.clone()) }).await?;
            Ok::<_, Failure>((q, found))
        }
    });
    view! {
        <RequireAuth>
            <Shell>
                <header class="page-header">
                    <div>
                        <h1>"Search"</h1>
                        <p class="muted">"Transfers, batches, deviations, CAPAs, change controls, documents and agreements your organisation may read."</p>
                    </div>
                </header>
                <Transition fallback=|| view! { <SkeletonRows rows=4/> }>
                    {move || found.get().map(|result| match result {
                        Ok((q, _)) if q.trim().is_empty() => view! {
                            <div class="panel empty-state"><h2>"What are you looking for?"</h2>
                                <p>"Type a number, words of a title or a product in the search box above."</p></div>
                        }.into_any(),
                        Ok((q, found)) => results(q, found),
                        Err(Failure::Api(e)) => view! {
                            <div class="panel empty-state" role="alert"><h2>"Not searched"</h2><p>{e.message}</p></div>
                        }.into_any(),
                        Err(failure) => load_failure(failure, "", Callback::new(move |()| found.refetch())),
                    })}
                </Transition>
            </Shell>
        </RequireAuth>
    }
}

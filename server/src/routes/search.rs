//! `/search`: the top bar's search. Each kind of record is fetched as its own list fetches it, kept only when it
//! matches, and then only when the rule lets the caller read it, so that reading partners' records is recorded for
//! what matched and nothing else.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::json::ApiQuery;
use crate::kernel::{self, Batch, Capa, ChangeControl, Deviation, Document, Record};
use crate::state::AppState;
use crate::store;
use crate::store::agreements::Agreement;
use crate::store::documents::Searchable;
use crate::store::narrowing::Narrowing;
use axum::Json;
use axum::extract::State;
use baton_domain::error::ErrorBody;
use baton_domain::org::UserProfile;
use baton_domain::record::RecordType;
use baton_domain::search::{self, MAX_HITS, SearchHit, SearchQuery, SearchResults};
use chrono::Utc;
use std::collections::HashMap;

/// What a record shows in a hit: its number, title and where it belongs.
struct Described {
    number: String,
    title: String,
    context: String,
    /// Whether `number` holds a title (a document's, an agreement's): one that starts with the query is no closer
    /// a match than a record with the query anywhere, so only the whole title ranks first.
    titled: bool,
}

impl Described {
    /// A record raised by a party about a product: a deviation, a CAPA, a change control.
    fn raised(number: &str, title: &str, product: &str, owner: &str) -> Described {
        let context = format!("{product} · {owner}");
        Described { number: number.to_owned(), title: title.to_owned(), context, titled: false }
    }

    /// A record known by its title rather than a number.
    fn titled(title: String, subtitle: String, context: String) -> Described {
        Described { number: title, title: subtitle, context, titled: true }
    }

    /// How well it matches `terms` (see [`search::rank`]); `None` when it does not.
    fn rank(&self, terms: &[String]) -> Option<u8> {
        let rank = search::rank(terms, &self.number, &[&self.title, &self.context])?;
        Some(if self.titled && rank == 1 { 2 } else { rank })
    }
}

/// Records the caller may read whose number, title or context has every word of the query: transfers, batches,
/// deviations, CAPAs, change controls, documents and agreements (a document or an agreement has its title where the
/// others have a number); the exact number first, then numbers that start with the query.
#[utoipa::path(get, path = "/search", tag = "search", security(("session" = [])), params(SearchQuery),
    responses((status = 200, body = SearchResults), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    user: CurrentUser,
    query: ApiQuery<SearchQuery>,
) -> Result<Json<SearchResults>, AppError> {
    let terms = search::terms(query.q.as_deref().unwrap_or_default())?;
    if terms.is_empty() {
        return Ok(Json(SearchResults::default()));
    }
    let user = &user.profile;
    let (own, none) = (user.organisation.id, Narrowing::default());
    let mut hits = transfers(&state, user, &terms).await?;

    let mut conn = state.db.pool.acquire().await?;
    let batches = store::batches::of_party(&mut conn, own, &none, false).await?.0;
    let deviations = store::deviations::of_party(&mut conn, own, &none, false).await?.0;
    let capas = store::capas::of_party(&mut conn, own, &none).await?.0;
    let changes = store::change_controls::of_party(&mut conn, own, None).await?.0;
    let documents = store::documents::searchable(&mut conn, own, store::batches::LIST_LIMIT).await?;
    let agreements = store::agreements::searchable(&mut conn, own, store::batches::LIST_LIMIT).await?;
    drop(conn);

    let batches = batches.into_iter().map(|(stored, _)| Batch { view: stored.view }).collect();
    hits.extend(
        found(&state, user, &terms, batches, |b: &Batch| Described {
            number: b.view.input.number.clone(),
            title: format!("{} batch", b.view.input.batch_type.label()),
            context: format!("{} · {}", b.view.product.name, b.view.site.name),
            titled: false,
        })
        .await?,
    );
    let deviations = deviations.into_iter().map(|view| Deviation { view }).collect();
    hits.extend(
        found(&state, user, &terms, deviations, |d: &Deviation| {
            let v = &d.view;
            Described::raised(&v.number, &v.input.title, &v.product.name, &v.owner.name)
        })
        .await?,
    );
    let capas = capas.into_iter().map(|stored| Capa { view: stored.view }).collect();
    hits.extend(
        found(&state, user, &terms, capas, |c: &Capa| {
            let v = &c.view;
            Described::raised(&v.number, &v.input.title, &v.product.name, &v.owner.name)
        })
        .await?,
    );
    let changes = changes.into_iter().map(|stored| ChangeControl { view: stored.view }).collect();
    hits.extend(
        found(&state, user, &terms, changes, |c: &ChangeControl| {
            let v = &c.view;
            Described::raised(&v.number, &v.input.title, &v.product.name, &v.owner.name)
        })
        .await?,
    );

    hits.extend(matching_documents(&state, user, &terms, documents).await?);
    hits.extend(matching_agreements(&state, user, &terms, agreements).await?);

    // Stable: within a rank, records stay grouped by kind, each kind in its own list's order (newest first).
    hits.sort_by_key(|(rank, _)| *rank);
    let truncated = hits.len() > MAX_HITS;
    let items = hits.into_iter().take(MAX_HITS).map(|(_, hit)| hit).collect();
    Ok(Json(SearchResults { items, truncated }))
}

/// The transfers the caller may read that match, with their rank; the partners' among them recorded as read.
async fn transfers(state: &AppState, user: &UserProfile, terms: &[String]) -> Result<Vec<(u8, SearchHit)>, AppError> {
    let now = Utc::now();
    let listed = store::transfers::list_readable(&state.db.pool, user.organisation.id, now).await?;
    let (matched, ranks): (Vec<_>, Vec<_>) = listed
        .into_iter()
        .filter_map(|t| search::rank(terms, &t.code, &[&t.product, &t.partner.name]).map(|rank| (t, rank)))
        .unzip();
    super::transfers::record_listing(state, user, &matched, now).await?;
    Ok(matched
        .into_iter()
        .zip(ranks)
        .map(|(t, rank)| {
            let hit = SearchHit {
                record_type: RecordType::Transfer,
                id: t.id.to_string(),
                number: t.code,
                title: t.product,
                context: format!("with {}", t.partner.name),
            };
            (rank, hit)
        })
        .collect())
}

/// The documents among `rows` that match (by title, latest file, where they are and who owns them), each then
/// loaded and decided by the rule as any document is.
async fn matching_documents(
    state: &AppState,
    user: &UserProfile,
    terms: &[String],
    rows: Vec<Searchable>,
) -> Result<Vec<(u8, SearchHit)>, AppError> {
    let described: HashMap<String, (String, String, String)> = rows
        .into_iter()
        .map(|row| {
            let file = row.file_name.unwrap_or_else(|| "No file yet".to_owned());
            let context = if row.place.is_empty() { row.owner } else { format!("{} · {}", row.place, row.owner) };
            (row.id, (row.title, file, context))
        })
        .filter(|(_, (title, file, context))| {
            Described::titled(title.clone(), file.clone(), context.clone()).rank(terms).is_some()
        })
        .collect();
    let now = Utc::now();
    let mut records = Vec::new();
    {
        let mut conn = state.db.pool.acquire().await?;
        for id in described.keys().filter_map(|id| id.parse().ok()) {
            records.extend(Document::load(&mut conn, id, now).await?);
        }
    }
    // Newest first within a rank, as every other kind.
    records.sort_by_key(|d: &Document| std::cmp::Reverse(d.view.created_at));
    found(state, user, terms, records, |d: &Document| {
        let (title, file, context) = described.get(&d.view.id.to_string()).cloned().unwrap_or_default();
        Described::titled(title, file, context)
    })
    .await
}

/// The agreements among `rows` that match (by title and parties), each then loaded whole and decided by the rule.
async fn matching_agreements(
    state: &AppState,
    user: &UserProfile,
    terms: &[String],
    rows: Vec<store::agreements::Searchable>,
) -> Result<Vec<(u8, SearchHit)>, AppError> {
    let now = Utc::now();
    let mut records = Vec::new();
    {
        let mut conn = state.db.pool.acquire().await?;
        for row in rows {
            let parties = format!("{} → {}", row.grantor, row.grantee);
            if Described::titled(row.title, String::new(), parties).rank(terms).is_none() {
                continue;
            }
            if let Ok(id) = row.id.parse() {
                records.extend(store::agreements::get(&mut conn, id, now).await?);
            }
        }
    }
    found(state, user, terms, records, |a: &Agreement| {
        let v = &a.view;
        Described::titled(
            v.title.clone(),
            format!("{} · grants {}", v.state.label(), v.permission.label()),
            format!("{} → {}", v.grantor.name, v.grantee.name),
        )
    })
    .await
}

/// The hits among `records`: those that match, then of those the ones the rule lets `user` read (recorded as read
/// when they are partners').
async fn found<R: Record>(
    state: &AppState,
    user: &UserProfile,
    terms: &[String],
    records: Vec<R>,
    describe: impl Fn(&R) -> Described,
) -> Result<Vec<(u8, SearchHit)>, AppError> {
    let matched: Vec<R> = records.into_iter().filter(|r| describe(r).rank(terms).is_some()).collect();
    let readable = kernel::readable(state, user, matched).await?;
    Ok(readable
        .into_iter()
        .filter_map(|(record, _)| {
            let described = describe(&record);
            let rank = described.rank(terms)?;
            let Described { number, title, context, .. } = described;
            let hit = SearchHit { record_type: R::TYPE, id: record.id().to_string(), number, title, context };
            Some((rank, hit))
        })
        .collect())
}

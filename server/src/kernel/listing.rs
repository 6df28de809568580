//! Lists of records: each record decided by the rule, like a single read, with the agreements looked up once per
//! owner, transfer and product rather than once per row, and partner reads recorded once per owning organisation.

use super::{Record, agreements_for, permitted_now};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::audit::{Actor, Event, NewEntry};
use baton_domain::access::{self, Action, Resource, Subject};
use baton_domain::agreement::AgreementFacts;
use baton_domain::audit::AuditAction;
use baton_domain::ids::{OrgId, ProductId, TransferId};
use baton_domain::org::UserProfile;
use chrono::Utc;
use std::collections::{BTreeMap, HashMap};

/// The records `user` may read, each with the actions the rule and its workflow allow; the others are left out.
/// Reading partners' records is recorded in each owner's trail, one entry per owner naming the records.
pub async fn readable<R: Record>(
    state: &AppState,
    user: &UserProfile,
    records: Vec<R>,
) -> Result<Vec<(R, Vec<Action>)>, AppError> {
    let now = Utc::now();
    let subject = Subject { org: user.organisation.id, role: user.role };
    let mut conn = state.db.pool.acquire().await?;
    let mut agreements: HashMap<(OrgId, Option<TransferId>, ProductId), Vec<AgreementFacts>> = HashMap::new();
    let mut kept = Vec::new();
    let mut read_from: BTreeMap<OrgId, Vec<String>> = BTreeMap::new();
    for record in records {
        let resource = record.resource();
        let key = match &resource {
            Resource::Data(data) => Some((data.owner, data.transfer, data.product)),
            _ => None,
        };
        let facts = match key {
            Some(key) => match agreements.get(&key) {
                Some(found) => found.clone(),
                None => {
                    let found = agreements_for(&mut conn, &subject, &resource, now).await?;
                    agreements.insert(key, found.clone());
                    found
                }
            },
            None => Vec::new(),
        };
        if !access::decide(&subject, Action::Read, &resource, &facts, now).is_allowed() {
            continue;
        }
        if resource.is_partner_read(&subject) {
            read_from.entry(resource.owner()).or_default().push(record.id().to_string());
        }
        let permitted = permitted_now(&record, &subject, &resource, &facts, now);
        kept.push((record, permitted));
    }
    drop(conn);
    let entries = read_from.into_iter().map(|(owner, ids)| {
        let new = Some(serde_json::json!({ "records": ids }));
        let event = Event::Listing(R::TYPE, subject.org);
        state.audit.append(NewEntry::event(Actor::from(user), Some(owner), AuditAction::Read, event, new), now)
    });
    futures_util::future::try_join_all(entries).await?;
    Ok(kept)
}

/// Of the records named by `ids`, the ids of those `user` may read, as [`readable`] decides and records it:
/// for references one record shows to others (a CAPA's deviations, a deviation's CAPAs), which may be another
/// organisation's and reachable only through its agreement. Ids of records that no longer load are left out.
pub async fn readable_ids<R: Record>(
    state: &AppState,
    user: &UserProfile,
    ids: &[R::Id],
) -> Result<std::collections::HashSet<String>, AppError> {
    if ids.is_empty() {
        return Ok(std::collections::HashSet::new());
    }
    let now = Utc::now();
    let mut records = Vec::with_capacity(ids.len());
    {
        let mut conn = state.db.pool.acquire().await?;
        for id in ids {
            if let Some(record) = R::load(&mut conn, *id, now).await? {
                records.push(record);
            }
        }
    }
    let kept = readable(state, user, records).await?;
    Ok(kept.into_iter().map(|(record, _)| record.id().to_string()).collect())
}

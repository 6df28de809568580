//! The record kernel: the one path by which every record is read, changed, signed and audited.
//!
//! A record type plugs in by implementing [`Record`] (how to load it, and the access facts it states: owner, the
//! other party, transfer, product, data class). [`authorize`] loads those facts, asks the access rule, and hands back
//! an [`Authorized`] record; audit entries about a record can only be made from one ([`NewEntry::about`]).
//! Reads go through [`read`], which writes the partner-read entry; writes go through a [`UnitOfWork`], which takes
//! the audit chain's lock first and re-reads and re-decides inside the transaction that writes.

pub mod audit_writer;
mod listing;
mod records;
mod signing;
mod stale;
mod unit_of_work;
mod visibility;

pub use listing::{readable, readable_ids};
pub use records::partner_data;
pub use records::{
    Batch, Capa, ChangeControl, DeliverableRecord, Delivery, Deviation, Document, Method, MethodResults, OrgTemplate,
    ParameterRow, ParameterSet, Partnership, Place, QualityVersion, Risk, Stage, TargetsVersion,
};
pub use signing::{Signing, approved_only, sign};
pub use stale::{Shown, ensure_unchanged};
pub use unit_of_work::UnitOfWork;
pub use visibility::{Headline, can_read, headline};

use crate::error::AppError;
use crate::read_cache::{self, Cache};
use crate::state::AppState;
use crate::store;
use crate::store::audit::{Actor, NewEntry};
use baton_domain::access::{self, Action, Decision, Resource, Subject};
use baton_domain::agreement::AgreementFacts;
use baton_domain::audit::AuditAction;
use baton_domain::error::{ApiError, ErrorCode};
use baton_domain::ids::{OrgId, ProductId, TransferId};
use baton_domain::org::UserProfile;
use baton_domain::record::RecordType;
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::AnyConnection;
use std::any::Any;
use std::fmt::Display;
use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;

/// A kind of record under the access rule. Implementing this is all a new record type needs to be read, listed,
/// changed and audited like every other.
pub trait Record: Sized + Send + Sync + Clone + 'static {
    /// Its type in signatures, the audit trail and history links.
    const TYPE: RecordType;
    /// What a malformed id in a path is told (422 on field `id`).
    const BAD_ID: &'static str;
    /// What an unknown id is told (404).
    const NOT_FOUND: &'static str;
    /// Whether reads may be served from the read cache ([`crate::read_cache`]): only when `load` ignores the time it
    /// is given (a cached record stands until the next write, however late) and the record is small (a whole side
    /// of a parameter table is not kept).
    const CACHED: bool = false;
    /// Its id.
    type Id: FromStr + Display + Copy + Send + Sync;

    /// Loads the record, through `conn` (a pooled connection for reads, the write transaction for changes).
    fn load(
        conn: &mut AnyConnection,
        id: Self::Id,
        now: DateTime<Utc>,
    ) -> impl Future<Output = anyhow::Result<Option<Self>>> + Send;

    /// Its id.
    fn id(&self) -> Self::Id;

    /// The facts the access rule decides on.
    fn resource(&self) -> Resource<'_>;

    /// Whether the record's state lets `org` take `action` now (a workflow step, not access); `Err` says why not.
    fn workflow_allows(&self, _action: Action, _org: OrgId, _now: DateTime<Utc>) -> Result<(), String> {
        Ok(())
    }

    /// The hash of its signable content, if it has one: what a signer must have been shown.
    fn content_hash(&self) -> Option<&str> {
        None
    }

    /// Its row version, if it keeps one: what an action on the record as shown must name.
    fn row_version(&self) -> Option<i64> {
        None
    }
}

/// A record the access rule let its caller act on; the only source of audit entries about records.
#[derive(Debug)]
pub struct Authorized<R: Record> {
    record: R,
    actor: Actor,
    owner: OrgId,
    partner_read: bool,
    permitted: Vec<Action>,
}

impl<R: Record> Authorized<R> {
    /// The record.
    pub fn record(&self) -> &R {
        &self.record
    }

    /// The record, for the response.
    pub fn into_record(self) -> R {
        self.record
    }

    /// What the caller may do with it now: the rule's answer, narrowed by the record's workflow state.
    pub fn permitted(&self) -> Vec<Action> {
        self.permitted.clone()
    }

    /// Who was authorised.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// The organisation that owns it (whose trail its entries belong in).
    pub fn owner(&self) -> OrgId {
        self.owner
    }

    /// Whether the caller reading it reads another organisation's protected data.
    pub fn is_partner_read(&self) -> bool {
        self.partner_read
    }

    /// An audit entry about this record by the caller.
    pub fn entry(
        &self,
        action: AuditAction,
        old: Option<Value>,
        new: Option<Value>,
        reason: Option<String>,
    ) -> NewEntry {
        NewEntry::about(self, action, (old, new), reason)
    }
}

/// Parses a path id, naming the field when it is malformed.
pub fn parse_id<R: Record>(raw: &str) -> Result<R::Id, AppError> {
    raw.parse().map_err(|_| ApiError::invalid("id", R::BAD_ID).into())
}

/// The agreements that might let `subject` reach a resource another organisation owns; none are needed otherwise.
async fn agreements_for(
    conn: &mut AnyConnection,
    subject: &Subject,
    resource: &Resource<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<AgreementFacts>> {
    match resource {
        Resource::Data(data) if needs_agreements(subject, resource) => {
            store::agreements::in_force_covering(conn, data.owner, subject.org, data.transfer, data.product, now).await
        }
        _ => Ok(Vec::new()),
    }
}

/// Whether `subject` could reach `resource` only through an agreement: another party's data in their partnership.
fn needs_agreements(subject: &Subject, resource: &Resource<'_>) -> bool {
    matches!(resource, Resource::Data(data)
        if subject.org != data.owner && (subject.org == data.sponsor || subject.org == data.cmo))
}

/// The actions the rule allows `subject` on `record` that its workflow state allows now.
fn permitted_now<R: Record>(
    record: &R,
    subject: &Subject,
    resource: &Resource<'_>,
    agreements: &[AgreementFacts],
    now: DateTime<Utc>,
) -> Vec<Action> {
    access::permitted(subject, resource, agreements, now)
        .into_iter()
        .filter(|a| record.workflow_allows(*a, subject.org, now).is_ok())
        .collect()
}

fn deny(decision: Decision) -> Result<(), AppError> {
    match decision {
        Decision::Allow => Ok(()),
        Decision::Deny(reason) => Err(AppError::new(ErrorCode::NoAccess, reason.message())),
    }
}

/// Decides `action` on a resource that is not a stored record: one about to be created, or an organisation's own
/// trail. Stored records go through [`authorize`].
pub fn decide_unstored(user: &UserProfile, action: Action, resource: &Resource<'_>) -> Result<(), AppError> {
    let subject = Subject { org: user.organisation.id, role: user.role };
    deny(access::decide(&subject, action, resource, &[], Utc::now()))
}

/// Loads record `id` and decides whether `user` may take `action` on it: reading is decided first, so strangers
/// learn nothing (not even that the record exists in some state), then the action, then the record's workflow.
pub async fn authorize<R: Record>(
    conn: &mut AnyConnection,
    user: &UserProfile,
    id: R::Id,
    action: Action,
    now: DateTime<Utc>,
) -> Result<Authorized<R>, AppError> {
    let record = R::load(conn, id, now).await?.ok_or_else(|| AppError::new(ErrorCode::NotFound, R::NOT_FOUND))?;
    let subject = Subject { org: user.organisation.id, role: user.role };
    let agreements = agreements_for(conn, &subject, &record.resource(), now).await?;
    decide_loaded(record, user, action, &agreements, now)
}

/// Decides `action` by `user` on a loaded `record`, given the agreements that might let them reach it.
fn decide_loaded<R: Record>(
    record: R,
    user: &UserProfile,
    action: Action,
    agreements: &[AgreementFacts],
    now: DateTime<Utc>,
) -> Result<Authorized<R>, AppError> {
    let subject = Subject { org: user.organisation.id, role: user.role };
    let resource = record.resource();
    deny(access::decide(&subject, Action::Read, &resource, agreements, now))?;
    deny(access::decide(&subject, action, &resource, agreements, now))?;
    record.workflow_allows(action, subject.org, now).map_err(|message| AppError::new(ErrorCode::Conflict, message))?;
    let permitted = permitted_now(&record, &subject, &resource, agreements, now);
    let (owner, partner_read) = (resource.owner(), resource.is_partner_read(&subject));
    Ok(Authorized { record, actor: Actor::from(user), owner, partner_read, permitted })
}

/// Loads record `id` for a read: from the read cache when its type allows and nothing was written since, otherwise
/// from the database (and then kept). Only a record that exists is kept, so a new one is never hidden.
async fn load_for_read<R: Record>(state: &AppState, id: R::Id, now: DateTime<Utc>) -> Result<Option<R>, AppError> {
    static RECORDS: Cache<(RecordType, String), Arc<dyn Any + Send + Sync>> = Cache::new();
    let key = (R::TYPE, id.to_string());
    if R::CACHED
        && let Some(record) = RECORDS.get(&key).and_then(|cached| cached.downcast_ref::<R>().cloned())
    {
        return Ok(Some(record));
    }
    let ticket = read_cache::ticket().filter(|_| R::CACHED);
    let mut conn = state.db.pool.acquire().await?;
    let record = R::load(&mut conn, id, now).await?;
    if let (Some(ticket), Some(record)) = (ticket, &record) {
        RECORDS.put(key, ticket, Arc::new(record.clone()));
    }
    Ok(record)
}

/// Loads record `id` and decides `action` on it for a read or a download (nothing written but the audit entry): the
/// record may come from the read cache, and a connection is taken only when the database must be asked.
async fn authorize_read<R: Record>(
    state: &AppState,
    user: &UserProfile,
    id: R::Id,
    action: Action,
    now: DateTime<Utc>,
) -> Result<Authorized<R>, AppError> {
    let (record, agreements) = load_with_agreements::<R>(state, user, id, now)
        .await?
        .ok_or_else(|| AppError::new(ErrorCode::NotFound, R::NOT_FOUND))?;
    decide_loaded(record, user, action, &agreements, now)
}

/// Loads record `id` for a read, with the agreements that might let `user` reach it; both may come from the read
/// cache. `None` when there is no such record.
async fn load_with_agreements<R: Record>(
    state: &AppState,
    user: &UserProfile,
    id: R::Id,
    now: DateTime<Utc>,
) -> Result<Option<(R, Vec<AgreementFacts>)>, AppError> {
    let Some(record) = load_for_read::<R>(state, id, now).await? else {
        return Ok(None);
    };
    let subject = Subject { org: user.organisation.id, role: user.role };
    let resource = record.resource();
    let agreements = match &resource {
        Resource::Data(data) if needs_agreements(&subject, &resource) => {
            let scope = AgreementScope {
                owner: data.owner,
                grantee: subject.org,
                transfer: data.transfer,
                product: data.product,
            };
            agreements_for_read(state, scope, now).await?
        }
        _ => Vec::new(),
    };
    Ok(Some((record, agreements)))
}

/// What the agreements that might let one organisation read another's data are looked up by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct AgreementScope {
    owner: OrgId,
    grantee: OrgId,
    transfer: Option<TransferId>,
    product: ProductId,
}

/// The agreements in force that might let the grantee read the owner's data, for a read: from the read cache while
/// nothing was written since (granting, signing, amending and revoking are writes). A list is kept a second at most:
/// an agreement that came into force by the clock meanwhile may be missing for that long (the read is refused until
/// the list is reloaded); one that ended meanwhile is refused anyway, since the rule checks each agreement's dates
/// at the time of the request.
async fn agreements_for_read(
    state: &AppState,
    scope: AgreementScope,
    now: DateTime<Utc>,
) -> Result<Vec<AgreementFacts>, AppError> {
    static AGREEMENTS: Cache<AgreementScope, Vec<AgreementFacts>> = Cache::new();
    if let Some(agreements) = AGREEMENTS.get(&scope) {
        return Ok(agreements);
    }
    let ticket = read_cache::ticket();
    let mut conn = state.db.pool.acquire().await?;
    let AgreementScope { owner, grantee, transfer, product } = scope;
    let agreements = store::agreements::in_force_covering(&mut conn, owner, grantee, transfer, product, now).await?;
    if let Some(ticket) = ticket {
        AGREEMENTS.put(scope, ticket, agreements.clone());
    }
    Ok(agreements)
}

/// The rule's decision on `person` reading `record` (a comment mentions only people who can see its record).
pub async fn decide_read_for<R: Record>(
    conn: &mut AnyConnection,
    person: &UserProfile,
    record: &R,
    now: DateTime<Utc>,
) -> anyhow::Result<Decision> {
    let subject = Subject { org: person.organisation.id, role: person.role };
    let resource = record.resource();
    let agreements = agreements_for(conn, &subject, &resource, now).await?;
    Ok(access::decide(&subject, Action::Read, &resource, &agreements, now))
}

/// Whether `user` may read record `id`, decided as a read is (read cache included) but recorded nowhere: for a
/// link to it from another record, where nothing of it is shown. A record that does not load is not readable.
pub async fn may_read<R: Record>(state: &AppState, user: &UserProfile, id: R::Id) -> Result<bool, AppError> {
    let now = Utc::now();
    let Some((record, agreements)) = load_with_agreements::<R>(state, user, id, now).await? else {
        return Ok(false);
    };
    let subject = Subject { org: user.organisation.id, role: user.role };
    Ok(access::decide(&subject, Action::Read, &record.resource(), &agreements, now).is_allowed())
}

/// The organisations party to a resource: the only ones whose people the rule might let at it.
pub fn parties(resource: &Resource<'_>) -> Vec<OrgId> {
    match resource {
        Resource::Data(data) => vec![data.sponsor, data.cmo],
        Resource::Agreement { grantor, grantee } => vec![*grantor, *grantee],
        Resource::PartnershipRecord { sponsor, cmo, .. } | Resource::QualityAgreement { sponsor, cmo } => {
            vec![*sponsor, *cmo]
        }
        Resource::AuditTrail { org } | Resource::Templates { org } => vec![*org],
    }
}

/// What `user` may do with an already loaded record (for lists, where each item shows its own actions).
pub async fn permitted_on<R: Record>(
    conn: &mut AnyConnection,
    user: &UserProfile,
    record: &R,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<Action>> {
    let subject = Subject { org: user.organisation.id, role: user.role };
    let resource = record.resource();
    let agreements = agreements_for(conn, &subject, &resource, now).await?;
    Ok(permitted_now(record, &subject, &resource, &agreements, now))
}

/// Reads record `raw_id` for `user`: authorised, and, when it is another organisation's, recorded as a read of it —
/// durably, before the caller sees the data.
pub async fn read<R: Record>(state: &AppState, user: &UserProfile, raw_id: &str) -> Result<Authorized<R>, AppError> {
    let id = parse_id::<R>(raw_id)?;
    let now = Utc::now();
    let authorized = authorize_read::<R>(state, user, id, Action::Read, now).await?;
    if authorized.is_partner_read() {
        state.audit.append(authorized.entry(AuditAction::Read, None, None, None), now).await?;
    }
    Ok(authorized)
}

/// Authorises `user` to download record `raw_id` (an export) and records the download in the trail of the record's
/// owner, whoever downloads it: every export of a record is on the audit trail.
pub async fn download<R: Record>(
    state: &AppState,
    user: &UserProfile,
    raw_id: &str,
) -> Result<Authorized<R>, AppError> {
    let id = parse_id::<R>(raw_id)?;
    let now = Utc::now();
    let authorized = authorize_read::<R>(state, user, id, Action::Download, now).await?;
    state.audit.append(authorized.entry(AuditAction::Download, None, None, None), now).await?;
    Ok(authorized)
}

/// Decides `action` on data of `class` owned by `owner` inside `transfer` that is not a stored record yet (a method
/// about to be added): with the agreements that might let `user` reach it, reading first, as [`authorize`] does.
pub async fn decide_data(
    conn: &mut AnyConnection,
    user: &UserProfile,
    transfer: &baton_domain::transfer::TransferDetail,
    owner: OrgId,
    class: baton_domain::agreement::DataClass,
    action: Action,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    decide_on(conn, user, &records::transfer_data(transfer, owner, Some(class)), action, now).await
}

/// Decides `action` on data not stored yet, described by `resource` (a document about to be started on a batch
/// outside any transfer): with the agreements that might let `user` reach it, reading first, as [`authorize`] does.
pub async fn decide_on(
    conn: &mut AnyConnection,
    user: &UserProfile,
    resource: &Resource<'_>,
    action: Action,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let subject = Subject { org: user.organisation.id, role: user.role };
    let agreements = agreements_for(conn, &subject, resource, now).await?;
    deny(access::decide(&subject, Action::Read, resource, &agreements, now))?;
    deny(access::decide(&subject, action, resource, &agreements, now))
}

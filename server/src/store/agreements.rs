//! Data-sharing agreements, their scope tables and the signatures on them.

use super::parse_column;
use super::signatures;
use crate::clock;
use baton_domain::agreement::{
    AgreementFacts, AgreementState, AgreementTerms, AgreementView, Coverage, DataClass, Permission, Scope,
};
use baton_domain::ids::{AgreementId, OrgId, PartnershipId, ProductId, TransferId, UserId};
use baton_domain::org::OrgRef;
use baton_domain::signature::content_hash;
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{AnyConnection, AnyPool, FromRow};
use std::collections::{BTreeMap, HashMap};

/// The record type under which agreements appear in signatures and the audit trail.
pub const RECORD_TYPE: baton_domain::record::RecordType = baton_domain::record::RecordType::Agreement;

#[derive(FromRow)]
struct Row {
    id: String,
    title: String,
    grantor_org_id: String,
    grantor_name: String,
    grantor_kind: String,
    grantee_org_id: String,
    grantee_name: String,
    grantee_kind: String,
    all_products: i64,
    all_transfers: i64,
    permission: String,
    valid_from: String,
    valid_until: String,
    content_hash: String,
    revoked_at: Option<String>,
    revocation_reason: Option<String>,
    row_version: i64,
    version: i64,
    supersedes_id: Option<String>,
    activated_at: Option<String>,
}

const SELECT: &str = "SELECT a.id, a.title, a.grantor_org_id, g.name AS grantor_name, g.kind AS grantor_kind, \
     a.grantee_org_id, e.name AS grantee_name, e.kind AS grantee_kind, a.all_products, a.all_transfers, \
     a.permission, a.valid_from, a.valid_until, a.content_hash, a.revoked_at, a.revocation_reason, a.row_version, \
     a.version, a.supersedes_id, a.activated_at \
     FROM agreements a JOIN organisations g ON g.id = a.grantor_org_id JOIN organisations e ON e.id = a.grantee_org_id";

/// An agreement with its scope and signatures.
#[derive(Clone, Debug)]
pub struct Agreement {
    /// As the API shows it (state computed at load time).
    pub view: AgreementView,
    /// As the access rule sees it.
    pub facts: AgreementFacts,
}

/// The signed content of an agreement: exactly what its hash covers.
pub fn signed_content(id: AgreementId, grantor: OrgId, terms: &AgreementTerms, lineage: Lineage) -> serde_json::Value {
    json!({
        "id": id,
        "version": lineage.version,
        "supersedes": lineage.supersedes,
        "title": terms.title.trim(),
        "grantor": grantor,
        "grantee": terms.grantee,
        "scope": terms.scope,
        "permission": terms.permission.as_str(),
        "valid_from": clock::to_db(terms.valid_from),
        "valid_until": clock::to_db(terms.valid_until),
    })
}

async fn scope_rows(
    conn: &mut AnyConnection,
    table: &str,
    column: &str,
    ids: &[String],
) -> anyhow::Result<Vec<(String, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!("SELECT agreement_id, {column} FROM {table} WHERE agreement_id IN ({})", placeholders.join(", "));
    let mut query = sqlx::query_as::<_, (String, String)>(&sql);
    for id in ids {
        query = query.bind(id);
    }
    Ok(query.fetch_all(conn).await?)
}

/// `select` (id and label columns) for the given ids, as a map.
async fn labels(conn: &mut AnyConnection, select: &str, ids: &[String]) -> anyhow::Result<HashMap<String, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!("{select} WHERE id IN ({})", placeholders.join(", "));
    let mut query = sqlx::query_as::<_, (String, String)>(&sql);
    for id in ids {
        query = query.bind(id);
    }
    Ok(query.fetch_all(conn).await?.into_iter().collect())
}

fn group(rows: Vec<(String, String)>) -> HashMap<String, Vec<String>> {
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for (id, value) in rows {
        map.entry(id).or_default().push(value);
    }
    map
}

/// Loads agreements matching `where_sql` (with `$1`, `$2` bound to `binds`), with scope and signatures, in five
/// queries however many there are.
async fn load(
    conn: &mut AnyConnection,
    where_sql: &str,
    binds: &[String],
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<Agreement>> {
    let sql = format!("{SELECT} {where_sql} ORDER BY a.created_at DESC, a.id");
    let mut query = sqlx::query_as::<_, Row>(&sql);
    for bind in binds {
        query = query.bind(bind);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let [(products_table, product), (transfers_table, transfer), (classes_table, class)] = SCOPE_TABLES;
    let mut products = group(scope_rows(conn, products_table, product, &ids).await?);
    let mut transfers = group(scope_rows(conn, transfers_table, transfer, &ids).await?);
    let mut classes = group(scope_rows(conn, classes_table, class, &ids).await?);
    let mut signatures = signatures::for_records(conn, RECORD_TYPE, &ids).await?;
    let scoped_products: Vec<String> = products.values().flatten().cloned().collect();
    let scoped_transfers: Vec<String> = transfers.values().flatten().cloned().collect();
    let mut names = labels(conn, "SELECT id, name FROM products", &scoped_products).await?;
    names.extend(labels(conn, "SELECT id, code FROM transfers", &scoped_transfers).await?);

    rows.into_iter()
        .map(|r| {
            let id: AgreementId = parse_column(&r.id, "agreements.id")?;
            let grantor = OrgRef {
                id: parse_column(&r.grantor_org_id, "agreements.grantor_org_id")?,
                name: r.grantor_name,
                kind: parse_column(&r.grantor_kind, "organisations.kind")?,
            };
            let grantee = OrgRef {
                id: parse_column(&r.grantee_org_id, "agreements.grantee_org_id")?,
                name: r.grantee_name,
                kind: parse_column(&r.grantee_kind, "organisations.kind")?,
            };
            let scope = Scope {
                products: if r.all_products != 0 {
                    Coverage::All
                } else {
                    Coverage::Only(
                        products
                            .remove(&r.id)
                            .unwrap_or_default()
                            .iter()
                            .map(|p| parse_column::<ProductId>(p, "agreement_product_scope.product_id"))
                            .collect::<anyhow::Result<_>>()?,
                    )
                },
                transfers: if r.all_transfers != 0 {
                    Coverage::All
                } else {
                    Coverage::Only(
                        transfers
                            .remove(&r.id)
                            .unwrap_or_default()
                            .iter()
                            .map(|t| parse_column::<TransferId>(t, "agreement_transfers.transfer_id"))
                            .collect::<anyhow::Result<_>>()?,
                    )
                },
                data_classes: {
                    let mut list: Vec<DataClass> = classes
                        .remove(&r.id)
                        .unwrap_or_default()
                        .iter()
                        .map(|c| parse_column(c, "agreement_data_classes.data_class"))
                        .collect::<anyhow::Result<_>>()?;
                    list.sort();
                    list
                },
            };
            let mut sigs = signatures.remove(&r.id).unwrap_or_default();
            for s in &mut sigs {
                s.valid = s.content_hash == r.content_hash;
            }
            let mut view = AgreementView {
                id,
                title: r.title,
                grantor,
                grantee,
                scope,
                permission: parse_column::<Permission>(&r.permission, "agreements.permission")?,
                valid_from: clock::from_db(&r.valid_from)?,
                valid_until: clock::from_db(&r.valid_until)?,
                state: AgreementState::Draft,
                content_hash: r.content_hash,
                signatures: sigs,
                revoked_at: r.revoked_at.as_deref().map(clock::from_db).transpose()?,
                revocation_reason: r.revocation_reason,
                row_version: r.row_version,
                version: r.version,
                supersedes: r
                    .supersedes_id
                    .as_deref()
                    .map(|id| parse_column(id, "agreements.supersedes_id"))
                    .transpose()?,
                activated_at: r.activated_at.as_deref().map(clock::from_db).transpose()?,
                actions: Vec::new(),
                scope_labels: BTreeMap::new(),
            };
            for id in view.scope_ids() {
                if let Some(label) = names.get(&id) {
                    view.scope_labels.insert(id, label.clone());
                }
            }
            let facts = view.facts();
            view.state = facts.state(now);
            Ok(Agreement { view, facts })
        })
        .collect()
}

/// One agreement.
pub async fn get(conn: &mut AnyConnection, id: AgreementId, now: DateTime<Utc>) -> anyhow::Result<Option<Agreement>> {
    Ok(load(conn, "WHERE a.id = $1", &[id.to_string()], now).await?.pop())
}

/// Every agreement `org` is party to, newest first.
pub async fn list_for_party(
    conn: &mut AnyConnection,
    org: OrgId,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<Agreement>> {
    load(conn, "WHERE a.grantor_org_id = $1 OR a.grantee_org_id = $1", &[org.to_string()], now).await
}

/// An agreement as the top bar's search matches it: its title and its parties' names.
#[derive(Clone, Debug, FromRow)]
pub struct Searchable {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The grantor's name.
    pub grantor: String,
    /// The grantee's name.
    pub grantee: String,
}

/// The agreements `org` is party to, newest first, at most `limit`, as search matches them (the whole agreement,
/// with its scope and signatures, is loaded only for a match).
pub async fn searchable(conn: &mut AnyConnection, org: OrgId, limit: i64) -> anyhow::Result<Vec<Searchable>> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.title, g.name AS grantor, e.name AS grantee FROM agreements a \
         JOIN organisations g ON g.id = a.grantor_org_id JOIN organisations e ON e.id = a.grantee_org_id \
         WHERE a.grantor_org_id = $1 OR a.grantee_org_id = $1 ORDER BY a.created_at DESC, a.id LIMIT $2",
    )
    .bind(org.to_string())
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// The SQL condition that agreement `a` is in force at time `$2`: put in force by both parties, not revoked, inside
/// its window. The same fact as `AgreementFacts::state(..) == Active`, which the list-equals-rule tests check.
macro_rules! in_force_sql {
    () => {
        "a.activated_at IS NOT NULL AND a.revoked_at IS NULL AND a.valid_from <= $2 AND a.valid_until > $2"
    };
}

/// The SQL condition that agreement `a` covers transfer `t` (its id and product).
macro_rules! covers_transfer_sql {
    () => {
        "(a.all_transfers = 1 OR EXISTS (SELECT 1 FROM agreement_transfers x \
          WHERE x.agreement_id = a.id AND x.transfer_id = t.id)) \
         AND (a.all_products = 1 OR EXISTS (SELECT 1 FROM agreement_product_scope p \
          WHERE p.agreement_id = a.id AND p.product_id = t.product_id))"
    };
}

/// The agreements that could grant `grantee` access to data `owner` owns of `product`, in `transfer` or outside any:
/// in force, granted by the owner, scoped on that transfer (or on all transfers) and that product. The access rule
/// re-checks each; this only narrows what is loaded, so a request costs the same with ten agreements as with a
/// thousand: the candidates come from the transfer's scope index (and the partner's all-transfer agreements),
/// joined in that order (SQLite keeps a CROSS JOIN's order). One query, scopes aggregated: it is on every partner
/// read.
pub async fn in_force_covering(
    conn: &mut AnyConnection,
    owner: OrgId,
    grantee: OrgId,
    transfer: Option<TransferId>,
    product: ProductId,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<AgreementFacts>> {
    let postgres = conn.backend_name() == "PostgreSQL";
    let list = |column: &str, table: &str| {
        let joined =
            if postgres { format!("string_agg({column}, ',')") } else { format!("group_concat({column}, ',')") };
        format!("(SELECT {joined} FROM {table} WHERE agreement_id = a.id)")
    };
    let sql = format!(
        "SELECT a.id, a.grantor_org_id, a.grantee_org_id, a.all_products, a.all_transfers, a.permission, \
         a.valid_from, a.valid_until, a.revoked_at, {} AS products, {} AS transfers, {} AS classes \
         FROM (SELECT x.agreement_id AS id FROM agreement_transfers x WHERE x.transfer_id = $4 \
               UNION SELECT w.id FROM agreements w \
               WHERE w.grantee_org_id = $1 AND w.grantor_org_id = $3 AND w.all_transfers = 1) scoped \
         CROSS JOIN agreements a \
         WHERE a.id = scoped.id AND a.grantee_org_id = $1 AND {} AND a.grantor_org_id = $3 \
         AND (a.all_products = 1 OR EXISTS (SELECT 1 FROM agreement_product_scope p \
              WHERE p.agreement_id = a.id AND p.product_id = $5))",
        list("product_id", "agreement_product_scope"),
        list("transfer_id", "agreement_transfers"),
        list("data_class", "agreement_data_classes"),
        in_force_sql!(),
    );
    let rows: Vec<FactsRow> = sqlx::query_as(&sql)
        .bind(grantee.to_string())
        .bind(clock::to_db(now))
        .bind(owner.to_string())
        // No scope row names an empty id, so data outside transfers gets only all-transfer agreements.
        .bind(transfer.map(|t| t.to_string()).unwrap_or_default())
        .bind(product.to_string())
        .fetch_all(conn)
        .await?;
    rows.into_iter().map(FactsRow::facts).collect()
}

#[derive(FromRow)]
struct FactsRow {
    id: String,
    grantor_org_id: String,
    grantee_org_id: String,
    all_products: i64,
    all_transfers: i64,
    permission: String,
    valid_from: String,
    valid_until: String,
    revoked_at: Option<String>,
    products: Option<String>,
    transfers: Option<String>,
    classes: Option<String>,
}

fn coverage<T>(all: i64, items: Vec<T>) -> Coverage<T> {
    if all != 0 { Coverage::All } else { Coverage::Only(items) }
}

fn split<T: std::str::FromStr>(joined: Option<&str>, column: &str) -> anyhow::Result<Vec<T>>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    joined.unwrap_or_default().split(',').filter(|v| !v.is_empty()).map(|v| parse_column(v, column)).collect()
}

impl FactsRow {
    /// The facts of an agreement in force. It was put in force only with both parties' approvals of its current
    /// terms, and terms change only in draft, so both signatures stand.
    fn facts(self) -> anyhow::Result<AgreementFacts> {
        let mut data_classes: Vec<DataClass> = split(self.classes.as_deref(), "agreement_data_classes.data_class")?;
        data_classes.sort();
        Ok(AgreementFacts {
            id: parse_column(&self.id, "agreements.id")?,
            grantor: parse_column(&self.grantor_org_id, "agreements.grantor_org_id")?,
            grantee: parse_column(&self.grantee_org_id, "agreements.grantee_org_id")?,
            scope: Scope {
                products: coverage(
                    self.all_products,
                    split(self.products.as_deref(), "agreement_product_scope.product_id")?,
                ),
                transfers: coverage(
                    self.all_transfers,
                    split(self.transfers.as_deref(), "agreement_transfers.transfer_id")?,
                ),
                data_classes,
            },
            permission: parse_column(&self.permission, "agreements.permission")?,
            valid_from: clock::from_db(&self.valid_from)?,
            valid_until: clock::from_db(&self.valid_until)?,
            signed_by_grantor: true,
            signed_by_grantee: true,
            revoked_at: self.revoked_at.as_deref().map(clock::from_db).transpose()?,
            activated: true,
        })
    }
}

/// The SQL condition, on a transfer aliased `t` whose overview its sponsor owns, that some agreement in force lets
/// org `$1` see it at time `$2`: the list query's form of the access rule.
pub const COVERS_TRANSFER_SQL: &str = concat!(
    "EXISTS (SELECT 1 FROM agreements a WHERE a.grantee_org_id = $1 AND a.grantor_org_id = t.sponsor_org_id AND ",
    in_force_sql!(),
    " AND ",
    covers_transfer_sql!(),
    ")"
);

/// The partnership between two organisations, either way round.
pub async fn partnership(conn: &mut AnyConnection, a: OrgId, b: OrgId) -> anyhow::Result<Option<PartnershipId>> {
    let id: Option<String> = sqlx::query_scalar(
        "SELECT id FROM partnerships WHERE (sponsor_org_id = $1 AND cmo_org_id = $2) OR (sponsor_org_id = $2 AND cmo_org_id = $1)",
    )
    .bind(a.to_string())
    .bind(b.to_string())
    .fetch_optional(conn)
    .await?;
    id.map(|id| parse_column(&id, "partnerships.id")).transpose()
}

/// The scope tables and the column each holds.
const SCOPE_TABLES: [(&str, &str); 3] = [
    ("agreement_product_scope", "product_id"),
    ("agreement_transfers", "transfer_id"),
    ("agreement_data_classes", "data_class"),
];

async fn write_scope(conn: &mut AnyConnection, id: AgreementId, scope: &Scope) -> anyhow::Result<()> {
    let products = match &scope.products {
        Coverage::All => Vec::new(),
        Coverage::Only(products) => products.iter().map(ToString::to_string).collect(),
    };
    let transfers = match &scope.transfers {
        Coverage::All => Vec::new(),
        Coverage::Only(transfers) => transfers.iter().map(ToString::to_string).collect(),
    };
    let classes = scope.data_classes.iter().map(|c| c.as_str().to_owned()).collect();
    for ((table, column), values) in SCOPE_TABLES.into_iter().zip([products, transfers, classes]) {
        sqlx::query(&format!("DELETE FROM {table} WHERE agreement_id = $1"))
            .bind(id.to_string())
            .execute(&mut *conn)
            .await?;
        let insert = format!("INSERT INTO {table} (agreement_id, {column}) VALUES ($1, $2) ON CONFLICT DO NOTHING");
        for value in values {
            sqlx::query(&insert).bind(id.to_string()).bind(value).execute(&mut *conn).await?;
        }
    }
    Ok(())
}

/// Where a new agreement stands among versions: an original, or an amendment of another.
#[derive(Clone, Copy, Debug)]
pub struct Lineage {
    /// 1 for an original.
    pub version: i64,
    /// The agreement amended.
    pub supersedes: Option<AgreementId>,
}

impl Lineage {
    /// A first agreement.
    pub const ORIGINAL: Lineage = Lineage { version: 1, supersedes: None };

    /// The lineage of an existing agreement.
    pub fn of(view: &AgreementView) -> Lineage {
        Lineage { version: view.version, supersedes: view.supersedes }
    }
}

/// A draft agreement to insert.
#[derive(Clone, Copy, Debug)]
pub struct NewAgreement<'a> {
    /// Its id.
    pub id: AgreementId,
    /// The partnership it belongs to.
    pub partnership: PartnershipId,
    /// Whose data it shares.
    pub grantor: OrgId,
    /// Its terms.
    pub terms: &'a AgreementTerms,
    /// Who drafted it.
    pub created_by: UserId,
    /// Original or amendment.
    pub lineage: Lineage,
}

/// Inserts a new draft agreement.
pub async fn insert(tx: &mut AnyConnection, new: NewAgreement<'_>, now: DateTime<Utc>) -> anyhow::Result<()> {
    let NewAgreement { id, partnership, grantor, terms, created_by, lineage } = new;
    let hash = content_hash(&signed_content(id, grantor, terms, lineage));
    sqlx::query(
        "INSERT INTO agreements (id, partnership_id, title, grantor_org_id, grantee_org_id, all_products, all_transfers, \
         permission, valid_from, valid_until, content_hash, created_by, created_at, updated_at, version, supersedes_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(id.to_string())
    .bind(partnership.to_string())
    .bind(terms.title.trim())
    .bind(grantor.to_string())
    .bind(terms.grantee.to_string())
    .bind(i64::from(terms.scope.products == Coverage::All))
    .bind(i64::from(terms.scope.transfers == Coverage::All))
    .bind(terms.permission.as_str())
    .bind(clock::to_db(terms.valid_from))
    .bind(clock::to_db(terms.valid_until))
    .bind(&hash)
    .bind(created_by.to_string())
    .bind(clock::to_db(now))
    .bind(clock::to_db(now))
    .bind(lineage.version)
    .bind(lineage.supersedes.map(|s| s.to_string()))
    .execute(&mut *tx)
    .await?;
    write_scope(tx, id, &terms.scope).await
}

/// An amendment of `id` still waiting to take effect, if there is one.
pub async fn open_amendment(conn: &mut AnyConnection, id: AgreementId) -> anyhow::Result<Option<AgreementId>> {
    let found: Option<String> = sqlx::query_scalar(
        "SELECT id FROM agreements WHERE supersedes_id = $1 AND activated_at IS NULL AND revoked_at IS NULL",
    )
    .bind(id.to_string())
    .fetch_optional(conn)
    .await?;
    found.map(|f| parse_column(&f, "agreements.id")).transpose()
}

/// Replaces a draft's terms if `row_version` is still current; returns false on a conflict.
pub async fn update_terms(
    tx: &mut AnyConnection,
    id: AgreementId,
    grantor: OrgId,
    (terms, lineage): (&AgreementTerms, Lineage),
    row_version: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let hash = content_hash(&signed_content(id, grantor, terms, lineage));
    let done = sqlx::query(
        "UPDATE agreements SET title = $1, all_products = $2, all_transfers = $3, permission = $4, valid_from = $5, \
         valid_until = $6, content_hash = $7, updated_at = $8, row_version = row_version + 1 \
         WHERE id = $9 AND row_version = $10",
    )
    .bind(terms.title.trim())
    .bind(i64::from(terms.scope.products == Coverage::All))
    .bind(i64::from(terms.scope.transfers == Coverage::All))
    .bind(terms.permission.as_str())
    .bind(clock::to_db(terms.valid_from))
    .bind(clock::to_db(terms.valid_until))
    .bind(&hash)
    .bind(clock::to_db(now))
    .bind(id.to_string())
    .bind(row_version)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    write_scope(tx, id, &terms.scope).await?;
    Ok(true)
}

/// Marks a change that is not to the terms (a signature), so that actions based on the agreement as it was are
/// refused as stale.
pub async fn touch(tx: &mut AnyConnection, id: AgreementId, now: DateTime<Utc>) -> anyhow::Result<()> {
    sqlx::query("UPDATE agreements SET row_version = row_version + 1, updated_at = $1 WHERE id = $2")
        .bind(clock::to_db(now))
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Puts the agreement in force once both parties have approved its current terms; false if it already was, so the
/// caller writes the state change exactly once.
pub async fn mark_activated(tx: &mut AnyConnection, id: AgreementId, now: DateTime<Utc>) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "UPDATE agreements SET activated_at = $1, row_version = row_version + 1 WHERE id = $2 AND activated_at IS NULL",
    )
    .bind(clock::to_db(now))
    .bind(id.to_string())
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Revokes the agreement from `now` on.
pub async fn revoke(tx: &mut AnyConnection, id: AgreementId, reason: &str, now: DateTime<Utc>) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE agreements SET revoked_at = $1, revocation_reason = $2, row_version = row_version + 1 \
         WHERE id = $3 AND revoked_at IS NULL",
    )
    .bind(clock::to_db(now))
    .bind(reason)
    .bind(id.to_string())
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Adds a partnership unless one exists between the two organisations.
pub async fn insert_partnership(
    pool: &AnyPool,
    id: PartnershipId,
    sponsor: OrgId,
    cmo: OrgId,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO partnerships (id, sponsor_org_id, cmo_org_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(id.to_string())
    .bind(sponsor.to_string())
    .bind(cmo.to_string())
    .bind(clock::to_db(now))
    .execute(pool)
    .await?;
    Ok(())
}

/// The partners of `org`, by name.
pub async fn partners(pool: &AnyPool, org: OrgId) -> anyhow::Result<Vec<baton_domain::agreement::Partner>> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT p.id, o.id, o.name, o.kind FROM partnerships p \
         JOIN organisations o ON o.id = CASE WHEN p.sponsor_org_id = $1 THEN p.cmo_org_id ELSE p.sponsor_org_id END \
         WHERE p.sponsor_org_id = $1 OR p.cmo_org_id = $1 ORDER BY o.name",
    )
    .bind(org.to_string())
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(pid, oid, name, kind)| {
            Ok(baton_domain::agreement::Partner {
                partnership_id: parse_column(&pid, "partnerships.id")?,
                organisation: OrgRef {
                    id: parse_column(&oid, "organisations.id")?,
                    name,
                    kind: parse_column(&kind, "organisations.kind")?,
                },
            })
        })
        .collect()
}

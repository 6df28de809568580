//! Products: what agreements are scoped on, by id.

use crate::clock;
use baton_domain::ids::{OrgId, ProductId};
use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, AnyPool};

/// A product to add.
pub struct NewProduct<'a> {
    /// Its id.
    pub id: ProductId,
    /// The organisation whose product it is.
    pub owner: OrgId,
    /// Its name.
    pub name: &'a str,
    /// Dosage form or modality.
    pub form: &'a str,
}

/// Adds a product unless it (or one of the same owner and name) exists.
pub async fn insert(pool: &AnyPool, p: &NewProduct<'_>, now: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO products (id, owner_org_id, name, form, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT DO NOTHING",
    )
    .bind(p.id.to_string())
    .bind(p.owner.to_string())
    .bind(p.name)
    .bind(p.form)
    .bind(clock::to_db(now))
    .execute(pool)
    .await?;
    Ok(())
}

/// Whether `product` is transferred between organisations `a` and `b` (either way round): the products an
/// agreement between them can be scoped on.
pub async fn transferred_between(
    conn: &mut AnyConnection,
    product: ProductId,
    a: OrgId,
    b: OrgId,
) -> anyhow::Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM transfers WHERE product_id = $1 AND \
         ((sponsor_org_id = $2 AND cmo_org_id = $3) OR (sponsor_org_id = $3 AND cmo_org_id = $2)) LIMIT 1",
    )
    .bind(product.to_string())
    .bind(a.to_string())
    .bind(b.to_string())
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

//! What starting a transfer offers and checks: an organisation's products, sites and people, and its partners'.

use super::parse_column;
use baton_domain::deliverable::PersonRef;
use baton_domain::ids::{OrgId, ProductId, SiteId, UserId};
use baton_domain::org::{OrgRef, SiteRef};
use baton_domain::transfer::{PartnerChoice, PersonChoice, ProductChoice};
use sqlx::AnyConnection;

/// The products `org` owns, by name.
pub async fn products(conn: &mut AnyConnection, org: OrgId) -> anyhow::Result<Vec<ProductChoice>> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT id, name, form FROM products WHERE owner_org_id = $1 ORDER BY name")
            .bind(org.to_string())
            .fetch_all(conn)
            .await?;
    rows.into_iter()
        .map(|(id, name, form)| Ok(ProductChoice { id: parse_column(&id, "products.id")?, name, form }))
        .collect()
}

/// The sites of `org`, by name.
pub async fn sites(conn: &mut AnyConnection, org: &OrgRef) -> anyhow::Result<Vec<SiteRef>> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT id, name, location FROM sites WHERE organisation_id = $1 ORDER BY name")
            .bind(org.id.to_string())
            .fetch_all(conn)
            .await?;
    rows.into_iter()
        .map(|(id, name, location)| {
            Ok(SiteRef { id: parse_column(&id, "sites.id")?, name, location, organisation: org.clone() })
        })
        .collect()
}

/// The people of `org`, by name.
pub async fn people(conn: &mut AnyConnection, org: OrgId) -> anyhow::Result<Vec<PersonChoice>> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT id, display_name, role FROM users WHERE organisation_id = $1 ORDER BY display_name")
            .bind(org.to_string())
            .fetch_all(conn)
            .await?;
    rows.into_iter()
        .map(|(id, name, role)| {
            Ok(PersonChoice {
                person: PersonRef { id: parse_column(&id, "users.id")?, name, organisation: org },
                role: parse_column(&role, "users.role")?,
            })
        })
        .collect()
}

/// The CMOs `sponsor` has a partnership with, each with its sites and people.
pub async fn partner_cmos(conn: &mut AnyConnection, sponsor: OrgId) -> anyhow::Result<Vec<PartnerChoice>> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT o.id, o.name, o.kind FROM partnerships p JOIN organisations o ON o.id = p.cmo_org_id \
         WHERE p.sponsor_org_id = $1 ORDER BY o.name",
    )
    .bind(sponsor.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let mut partners = Vec::with_capacity(rows.len());
    for (id, name, kind) in rows {
        let organisation = OrgRef {
            id: parse_column(&id, "organisations.id")?,
            name,
            kind: parse_column(&kind, "organisations.kind")?,
        };
        let sites = sites(conn, &organisation).await?;
        let people = people(conn, organisation.id).await?;
        partners.push(PartnerChoice { organisation, sites, people });
    }
    Ok(partners)
}

/// The product's name if `org` owns it.
pub async fn owned_product(conn: &mut AnyConnection, product: ProductId, org: OrgId) -> anyhow::Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT name FROM products WHERE id = $1 AND owner_org_id = $2")
        .bind(product.to_string())
        .bind(org.to_string())
        .fetch_optional(conn)
        .await?)
}

/// Whether `sponsor` and `cmo` are partners.
pub async fn are_partners(conn: &mut AnyConnection, sponsor: OrgId, cmo: OrgId) -> anyhow::Result<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM partnerships WHERE sponsor_org_id = $1 AND cmo_org_id = $2")
            .bind(sponsor.to_string())
            .bind(cmo.to_string())
            .fetch_optional(conn)
            .await?;
    Ok(found.is_some())
}

/// Whether `site` is one of `org`'s.
pub async fn site_of(conn: &mut AnyConnection, site: SiteId, org: OrgId) -> anyhow::Result<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM sites WHERE id = $1 AND organisation_id = $2")
        .bind(site.to_string())
        .bind(org.to_string())
        .fetch_optional(conn)
        .await?;
    Ok(found.is_some())
}

/// The organisation `user` belongs to, if the user exists.
pub async fn organisation_of(conn: &mut AnyConnection, user: UserId) -> anyhow::Result<Option<OrgId>> {
    let found: Option<String> = sqlx::query_scalar("SELECT organisation_id FROM users WHERE id = $1")
        .bind(user.to_string())
        .fetch_optional(conn)
        .await?;
    found.map(|o| parse_column(&o, "users.organisation_id")).transpose()
}

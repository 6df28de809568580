//! Whose a site, a product or a transfer is: the facts checked when a partnership record (a deviation, a CAPA)
//! is raised about them.

use super::parse_column;
use baton_domain::ids::{OrgId, ProductId, SiteId, TransferId};
use baton_domain::org::OrgKind;
use sqlx::AnyConnection;

/// A site's organisation.
#[derive(Clone, Copy, Debug)]
pub struct SiteOwner {
    /// The organisation that runs it.
    pub org: OrgId,
    /// Sponsor or CMO.
    pub kind: OrgKind,
}

/// Who runs `site`, if it exists.
pub async fn site(conn: &mut AnyConnection, site: SiteId) -> anyhow::Result<Option<SiteOwner>> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT o.id, o.kind FROM sites s JOIN organisations o ON o.id = s.organisation_id WHERE s.id = $1",
    )
    .bind(site.to_string())
    .fetch_optional(conn)
    .await?;
    row.map(|(org, kind)| {
        Ok(SiteOwner { org: parse_column(&org, "organisations.id")?, kind: parse_column(&kind, "organisations.kind")? })
    })
    .transpose()
}

/// Whose `product` is and its name, if it exists.
pub async fn product(conn: &mut AnyConnection, product: ProductId) -> anyhow::Result<Option<(OrgId, String)>> {
    let row: Option<(String, String)> = sqlx::query_as("SELECT owner_org_id, name FROM products WHERE id = $1")
        .bind(product.to_string())
        .fetch_optional(conn)
        .await?;
    row.map(|(owner, name)| Ok((parse_column(&owner, "products.owner_org_id")?, name))).transpose()
}

/// A transfer's product and parties.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransferParties {
    /// The product transferred (stored since products became records; every transfer has one).
    pub product: Option<ProductId>,
    /// The brand owner.
    pub sponsor: OrgId,
    /// The contract manufacturer.
    pub cmo: OrgId,
}

/// The product and parties of `transfer`, if it exists.
pub async fn transfer(conn: &mut AnyConnection, transfer: TransferId) -> anyhow::Result<Option<TransferParties>> {
    let row: Option<(Option<String>, String, String)> =
        sqlx::query_as("SELECT product_id, sponsor_org_id, cmo_org_id FROM transfers WHERE id = $1")
            .bind(transfer.to_string())
            .fetch_optional(conn)
            .await?;
    row.map(|(product, sponsor, cmo)| {
        Ok(TransferParties {
            product: product.map(|p| parse_column(&p, "transfers.product_id")).transpose()?,
            sponsor: parse_column(&sponsor, "transfers.sponsor_org_id")?,
            cmo: parse_column(&cmo, "transfers.cmo_org_id")?,
        })
    })
    .transpose()
}

/// Whether `sponsor` and `cmo` are partners, the sponsor as sponsor.
pub async fn are_partners(conn: &mut AnyConnection, sponsor: OrgId, cmo: OrgId) -> anyhow::Result<bool> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT id FROM partnerships WHERE sponsor_org_id = $1 AND cmo_org_id = $2")
            .bind(sponsor.to_string())
            .bind(cmo.to_string())
            .fetch_optional(conn)
            .await?;
    Ok(found.is_some())
}

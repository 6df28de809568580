//! Narrowing a list of partnership records to those behind one point of a KPI — a CMO, a range of months, a site, a
//! product — as conditions on the list's own query, by the same dates the KPI counts by.

use baton_domain::ids::{OrgId, ProductId, SiteId};

/// What a list is narrowed to; `Default` narrows nothing.
#[derive(Clone, Debug, Default)]
pub struct Narrowing {
    /// Only this CMO's partnerships.
    pub cmo: Option<OrgId>,
    /// First and last month ("YYYY-MM"), inclusive, of the record type's date.
    pub months: Option<(String, String)>,
    /// Only this site.
    pub site: Option<SiteId>,
    /// Only this product.
    pub product: Option<ProductId>,
}

/// How a record type's query names what it is narrowed by.
pub struct Columns<'a> {
    /// The table's alias, whose `sponsor_org_id`, `cmo_org_id` and `product_id` are used.
    pub alias: &'a str,
    /// The date the KPI counts the record by (stored as text starting "YYYY-MM").
    pub date: &'a str,
    /// Its site, if it has one; a record type without one matches no site.
    pub site: Option<&'a str>,
}

impl Narrowing {
    /// The `WHERE` clause for the records of `viewer`'s partnerships, narrowed, and the values to bind in order.
    pub fn clause(&self, viewer: OrgId, columns: &Columns<'_>) -> (String, Vec<String>) {
        let alias = columns.alias;
        let mut sql = format!("WHERE ({alias}.sponsor_org_id = $1 OR {alias}.cmo_org_id = $1)");
        let mut values = vec![viewer.to_string()];
        let mut add = |condition: String, value: String| {
            values.push(value);
            sql.push_str(&format!(" AND {condition}${}", values.len()));
        };
        if let Some(cmo) = self.cmo {
            add(format!("{alias}.cmo_org_id = "), cmo.to_string());
        }
        if let Some((first, last)) = &self.months {
            add(format!("{} >= ", columns.date), first.clone());
            add(format!("substr({}, 1, 7) <= ", columns.date), last.clone());
        }
        if let (Some(site), Some(column)) = (self.site, columns.site) {
            add(format!("{column} = "), site.to_string());
        }
        if let Some(product) = self.product {
            add(format!("{alias}.product_id = "), product.to_string());
        }
        if self.site.is_some() && columns.site.is_none() {
            sql.push_str(" AND 1 = 0");
        }
        (sql, values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn each_narrowing_adds_one_bound_condition() {
        let viewer = OrgId(Uuid::from_u128(1));
        let columns = Columns { alias: "v", date: "v.promised_on", site: None };
        let (sql, values) = Narrowing::default().clause(viewer, &columns);
        assert_eq!(sql, "WHERE (v.sponsor_org_id = $1 OR v.cmo_org_id = $1)");
        assert_eq!(values.len(), 1);
        let narrowed = Narrowing {
            cmo: Some(OrgId(Uuid::from_u128(2))),
            months: Some(("2026-07".into(), "2026-09".into())),
            site: None,
            product: Some(ProductId(Uuid::from_u128(3))),
        };
        let (sql, values) = narrowed.clause(viewer, &columns);
        assert!(sql.ends_with(
            "v.cmo_org_id = $2 AND v.promised_on >= $3 AND substr(v.promised_on, 1, 7) <= $4 AND v.product_id = $5"
        ));
        assert_eq!(values[2..4], ["2026-07".to_owned(), "2026-09".to_owned()]);
        let by_site = Narrowing { site: Some(SiteId(Uuid::from_u128(4))), ..Narrowing::default() };
        assert!(by_site.clause(viewer, &columns).0.ends_with(" AND 1 = 0"), "deliveries have no site");
        assert_eq!(by_site.clause(viewer, &columns).1.len(), 1);
        let sited = Columns { alias: "d", date: "d.opened_at", site: Some("d.site_id") };
        assert!(by_site.clause(viewer, &sited).0.ends_with(" AND d.site_id = $2"));
    }
}

//! The partnership KPIs' facts, summed in SQL from the records by month, site and product. The formulas are the
//! shared crate's; this only counts.

use super::capas::CAPA_SITE;
use super::parse_column;
use crate::db::{Backend, Db};
use baton_domain::ids::{OrgId, ProductId, SiteId};
use baton_domain::kpi::{KpiFacts, Month, MonthlyFacts};
use sqlx::{AnyConnection, FromRow};
use std::collections::BTreeMap;

#[derive(FromRow)]
struct CountRow {
    month: String,
    site_id: String,
    product_id: String,
    a: i64,
    b: i64,
    c: i64,
    x: Option<f64>,
}

/// Which facts a query's counts `a`, `b`, `c` (and sum `x`) fill.
type Fill = fn(&mut KpiFacts, u32, u32, u32, f64);

fn count(v: i64) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(u32::MAX)
}

/// Whole days between two stored times' dates, in the engine's own date arithmetic.
fn days_between(postgres: bool, from: &str, to: &str) -> String {
    if postgres {
        format!("(CAST(substr({to}, 1, 10) AS DATE) - CAST(substr({from}, 1, 10) AS DATE))")
    } else {
        format!("CAST(julianday(substr({to}, 1, 10)) - julianday(substr({from}, 1, 10)) AS INTEGER)")
    }
}

/// Every month's facts of the partnership of `sponsor` and `cmo` between `from` and `to` (inclusive), by site and
/// product, summed from the records now; `today` ("YYYY-MM-DD") decides which open CAPAs and deliveries are already
/// due. The scorecard reads finished months through [`super::kpi_months`], which keeps what this sums.
pub async fn summed(
    db: &Db,
    sponsor: OrgId,
    cmo: OrgId,
    from: Month,
    to: Month,
    today: &str,
) -> anyhow::Result<Vec<MonthlyFacts>> {
    let (pool, postgres) = (&db.pool, db.backend == Backend::Postgres);
    let (start, end) = (from.to_string(), to.to_string());
    let close_days = days_between(postgres, "d.opened_at", "d.closed_at");
    let queries: Vec<(String, Fill)> = vec![
        (
            "SELECT substr(b.disposition_at, 1, 7) AS month, b.site_id, b.product_id, COUNT(*) AS a, \
             CAST(SUM(CASE WHEN b.disposition = 'rejected' THEN 1 ELSE 0 END) AS BIGINT) AS b, \
             CAST(SUM(CASE WHEN EXISTS (SELECT 1 FROM deviations d WHERE d.batch_id = b.id) THEN 0 ELSE 1 END) AS BIGINT) AS c, \
             CAST(NULL AS DOUBLE PRECISION) AS x FROM batches b WHERE b.sponsor_org_id = $1 AND b.cmo_org_id = $2 \
             AND b.disposition_at >= $3 AND substr(b.disposition_at, 1, 7) <= $4 \
             GROUP BY substr(b.disposition_at, 1, 7), b.site_id, b.product_id"
                .into(),
            |f, a, b, c, _| {
                f.dispositioned += a;
                f.rejected += b;
                f.dispositioned_without_deviation += c;
            },
        ),
        (
            "SELECT substr(b.actual_end, 1, 7) AS month, b.site_id, b.product_id, COUNT(*) AS a, \
             COUNT(b.yield_ratio) AS b, CAST(0 AS BIGINT) AS c, SUM(b.yield_ratio) AS x FROM batches b \
             WHERE b.sponsor_org_id = $1 AND b.cmo_org_id = $2 AND b.actual_end >= $3 \
             AND substr(b.actual_end, 1, 7) <= $4 GROUP BY substr(b.actual_end, 1, 7), b.site_id, b.product_id"
                .into(),
            |f, a, b, _, x| {
                f.batches_completed += a;
                f.yield_batches += b;
                f.yield_sum += x;
            },
        ),
        (
            "SELECT substr(d.opened_at, 1, 7) AS month, d.site_id, d.product_id, COUNT(*) AS a, CAST(0 AS BIGINT) AS b, CAST(0 AS BIGINT) AS c, \
             CAST(NULL AS DOUBLE PRECISION) AS x FROM deviations d WHERE d.sponsor_org_id = $1 AND d.cmo_org_id = $2 AND d.opened_at >= $3 \
             AND substr(d.opened_at, 1, 7) <= $4 GROUP BY substr(d.opened_at, 1, 7), d.site_id, d.product_id"
                .into(),
            |f, a, _, _, _| f.deviations_opened += a,
        ),
        (
            format!(
                "SELECT substr(d.closed_at, 1, 7) AS month, d.site_id, d.product_id, COUNT(*) AS a, \
                 CAST(SUM(CASE WHEN substr(d.closed_at, 1, 10) <= d.due_on THEN 1 ELSE 0 END) AS BIGINT) AS b, CAST({close_days} AS BIGINT) AS c, \
                 CAST(NULL AS DOUBLE PRECISION) AS x FROM deviations d WHERE d.sponsor_org_id = $1 AND d.cmo_org_id = $2 \
                 AND d.closed_at >= $3 AND substr(d.closed_at, 1, 7) <= $4 \
                 GROUP BY substr(d.closed_at, 1, 7), d.site_id, d.product_id, {close_days}"
            ),
            |f, a, b, c, _| {
                f.deviations_closed += a;
                f.deviations_closed_in_time += b;
                f.close_days.record(c, a);
            },
        ),
        (
            format!(
                // The site is looked up once per CAPA, in the inner query, not again for the grouping.
                "SELECT month, site_id, product_id, COUNT(*) AS a, CAST(SUM(on_time) AS BIGINT) AS b, \
                 CAST(0 AS BIGINT) AS c, CAST(NULL AS DOUBLE PRECISION) AS x FROM ( \
                 SELECT substr(k.due_on, 1, 7) AS month, {CAPA_SITE} AS site_id, k.product_id, \
                 CASE WHEN k.closed_at IS NOT NULL AND substr(k.closed_at, 1, 10) <= k.due_on THEN 1 ELSE 0 END \
                 AS on_time FROM capas k WHERE k.sponsor_org_id = $1 AND k.cmo_org_id = $2 AND k.due_on >= $3 \
                 AND substr(k.due_on, 1, 7) <= $4 AND (k.closed_at IS NOT NULL OR k.due_on < $5)) due \
                 GROUP BY month, site_id, product_id"
            ),
            |f, a, b, _, _| {
                f.capas_due += a;
                f.capas_closed_on_time += b;
            },
        ),
        (
            "SELECT substr(v.promised_on, 1, 7) AS month, '00000000-0000-0000-0000-000000000000' AS site_id, \
             v.product_id, COUNT(*) AS a, CAST(SUM(COALESCE(v.on_time_in_full, 0)) AS BIGINT) AS b, CAST(0 AS BIGINT) AS c, CAST(NULL AS DOUBLE PRECISION) AS x \
             FROM deliveries v WHERE v.sponsor_org_id = $1 AND v.cmo_org_id = $2 AND v.promised_on >= $3 \
             AND substr(v.promised_on, 1, 7) <= $4 AND (v.on_time_in_full IS NOT NULL OR v.promised_on < $5) \
             GROUP BY substr(v.promised_on, 1, 7), v.product_id"
                .into(),
            |f, a, b, _, _| {
                f.deliveries += a;
                f.deliveries_on_time_in_full += b;
            },
        ),
        (
            "SELECT substr(s.gate_passed_at, 1, 7) AS month, t.receiving_site_id AS site_id, t.product_id, \
             COUNT(*) AS a, CAST(SUM(CASE WHEN s.planned_end IS NOT NULL \
             AND substr(s.gate_passed_at, 1, 10) <= s.planned_end THEN 1 ELSE 0 END) AS BIGINT) AS b, CAST(0 AS BIGINT) AS c, CAST(NULL AS DOUBLE PRECISION) AS x FROM transfer_stages s JOIN transfers t ON t.id = s.transfer_id \
             WHERE t.sponsor_org_id = $1 AND t.cmo_org_id = $2 AND s.gate_state = 'passed' \
             AND s.gate_passed_at >= $3 AND substr(s.gate_passed_at, 1, 7) <= $4 \
             GROUP BY substr(s.gate_passed_at, 1, 7), t.receiving_site_id, t.product_id"
                .into(),
            |f, a, b, _, _| {
                f.stages_closed += a;
                f.stages_closed_on_time += b;
            },
        ),
    ];
    // The queries are independent: each on its own connection, at once, so the answer takes the slowest one's time.
    let runs = queries.iter().map(|(sql, _)| async {
        let mut conn = pool.acquire().await?;
        let query = sqlx::query_as::<_, CountRow>(sql)
            .bind(sponsor.to_string())
            .bind(cmo.to_string())
            .bind(start.clone())
            .bind(end.clone());
        // PostgreSQL must infer every parameter's type, so only queries that use today get it.
        let query = if sql.contains("$5") { query.bind(today.to_owned()) } else { query };
        query.fetch_all(&mut *conn).await
    });
    let results = futures_util::future::try_join_all(runs).await?;
    let mut facts: BTreeMap<(Month, SiteId, ProductId), KpiFacts> = BTreeMap::new();
    for ((_, fill), rows) in queries.iter().zip(results) {
        for r in rows {
            let key = (
                parse_column::<Month>(&r.month, "kpi month")?,
                parse_column(&r.site_id, "kpi site")?,
                parse_column(&r.product_id, "kpi product")?,
            );
            fill(facts.entry(key).or_default(), count(r.a), count(r.b), count(r.c), r.x.unwrap_or(0.0));
        }
    }
    Ok(facts.into_iter().map(|((month, site, product), facts)| MonthlyFacts { month, site, product, facts }).collect())
}

#[derive(FromRow)]
struct NamedRow {
    id: String,
    name: String,
    location: String,
    org_id: String,
    org_name: String,
    org_kind: String,
}

/// The sites and products the facts mention, with their names, for the scorecard's filters.
pub async fn choices(
    conn: &mut AnyConnection,
    monthly: &[MonthlyFacts],
) -> anyhow::Result<(Vec<baton_domain::org::SiteRef>, Vec<(ProductId, String)>)> {
    let sites: std::collections::BTreeSet<String> = monthly.iter().map(|m| m.site.to_string()).collect();
    let products: std::collections::BTreeSet<String> = monthly.iter().map(|m| m.product.to_string()).collect();
    let mut site_refs = Vec::new();
    for id in sites {
        let row: Option<NamedRow> = sqlx::query_as(
            "SELECT s.id, s.name, s.location, o.id AS org_id, o.name AS org_name, o.kind AS org_kind FROM sites s \
             JOIN organisations o ON o.id = s.organisation_id WHERE s.id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(r) = row {
            site_refs.push(baton_domain::org::SiteRef {
                id: parse_column(&r.id, "sites.id")?,
                name: r.name,
                location: r.location,
                organisation: baton_domain::org::OrgRef {
                    id: parse_column(&r.org_id, "organisations.id")?,
                    name: r.org_name,
                    kind: parse_column(&r.org_kind, "organisations.kind")?,
                },
            });
        }
    }
    let mut product_refs = Vec::new();
    for id in products {
        let name: Option<String> =
            sqlx::query_scalar("SELECT name FROM products WHERE id = $1").bind(&id).fetch_optional(&mut *conn).await?;
        if let Some(name) = name {
            product_refs.push((parse_column(&id, "products.id")?, name));
        }
    }
    site_refs.sort_by(|a, b| a.name.cmp(&b.name));
    product_refs.sort_by(|a, b| a.1.cmp(&b.1));
    Ok((site_refs, product_refs))
}

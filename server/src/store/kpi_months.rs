//! The partnership KPIs' facts of finished months, kept in `kpi_facts` so that a scorecard over ten years reads a
//! few hundred rows instead of summing every record again. Migration 0017's triggers mark each month a write touches
//! as changed (in the writing transaction); a month is summed again when it is marked, and kept only if no write
//! marked it while it was being summed. The current month (and any later) is always summed live: which of its CAPAs
//! and deliveries are due changes with the date, not only with writes.

use super::kpi::summed;
use super::parse_column;
use crate::db::Db;
use baton_domain::ids::{OrgId, ProductId, SiteId};
use baton_domain::kpi::{KpiFacts, Month, MonthlyFacts};
use chrono::NaiveDate;
use sqlx::FromRow;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Every month's facts of the partnership of `sponsor` and `cmo` between `from` and `to` (inclusive), by site and
/// product, as [`summed`] would sum them on `today`.
pub async fn monthly(
    db: &Db,
    sponsor: OrgId,
    cmo: OrgId,
    from: Month,
    to: Month,
    today: NaiveDate,
) -> anyhow::Result<Vec<MonthlyFacts>> {
    let day = today.to_string();
    let current = Month::of_date(today).ok_or_else(|| anyhow::anyhow!("no month for {today}"))?;
    let mut facts = Vec::new();
    if from < current {
        let last = if to < current { to } else { current.prev().unwrap_or(from) };
        facts.extend(finished(db, (sponsor, cmo), from, last, &day).await?);
    }
    if to >= current {
        facts.extend(summed(db, sponsor, cmo, from.max(current), to, &day).await?);
    }
    Ok(facts)
}

#[derive(FromRow)]
struct MonthRow {
    month: String,
    generation: i64,
    cached: i64,
}

#[derive(FromRow)]
struct FactsRow {
    month: String,
    site_id: String,
    product_id: String,
    facts: String,
}

type Key = (Month, SiteId, ProductId);

/// The facts of months `from` to `last`, all before the current month: kept ones read, the others summed and kept.
async fn finished(
    db: &Db,
    (sponsor, cmo): (OrgId, OrgId),
    from: Month,
    last: Month,
    today: &str,
) -> anyhow::Result<Vec<MonthlyFacts>> {
    let partnership = [sponsor.to_string(), cmo.to_string()];
    let (range_start, range_end) = (from.to_string(), last.to_string());
    let mut conn = db.pool.acquire().await?;
    let rows: Vec<MonthRow> = sqlx::query_as(
        "SELECT month, generation, cached FROM kpi_months \
         WHERE sponsor_org_id = $1 AND cmo_org_id = $2 AND month >= $3 AND month <= $4",
    )
    .bind(&partnership[0])
    .bind(&partnership[1])
    .bind(&range_start)
    .bind(&range_end)
    .fetch_all(&mut *conn)
    .await?;
    let known: HashMap<String, (i64, bool)> =
        rows.into_iter().map(|r| (r.month, (r.generation, r.cached == 1))).collect();
    // Each month to sum, with the generation seen before summing (0 for a month never marked nor kept).
    let mut stale: Vec<(Month, i64)> = Vec::new();
    let mut months = 0;
    let mut month = Some(from);
    while let Some(m) = month.filter(|m| *m <= last) {
        months += 1;
        match known.get(&m.to_string()) {
            Some((_, true)) => {}
            Some((generation, false)) => stale.push((m, *generation)),
            None => stale.push((m, 0)),
        }
        month = m.next();
    }
    let mut facts: BTreeMap<Key, KpiFacts> = BTreeMap::new();
    let summing: HashSet<Month> = stale.iter().map(|(m, _)| *m).collect();
    if stale.len() < months {
        let rows: Vec<FactsRow> = sqlx::query_as(
            "SELECT month, site_id, product_id, facts FROM kpi_facts \
             WHERE sponsor_org_id = $1 AND cmo_org_id = $2 AND month >= $3 AND month <= $4",
        )
        .bind(&partnership[0])
        .bind(&partnership[1])
        .bind(&range_start)
        .bind(&range_end)
        .fetch_all(&mut *conn)
        .await?;
        for r in rows {
            let month: Month = parse_column(&r.month, "kpi_facts.month")?;
            if summing.contains(&month) {
                continue;
            }
            let key = (
                month,
                parse_column(&r.site_id, "kpi_facts.site_id")?,
                parse_column(&r.product_id, "kpi_facts.product_id")?,
            );
            facts.insert(key, serde_json::from_str(&r.facts)?);
        }
    }
    drop(conn);
    for run in runs(&stale) {
        let (first, end) = (run[0].0, run[run.len() - 1].0);
        let sums = summed(db, sponsor, cmo, first, end, today).await?;
        // What was summed is the answer either way; failing to keep it only costs the next reader the sum.
        if let Err(error) = keep(db, &partnership, run, &sums).await {
            tracing::warn!(%error, "kept no KPI facts for {first}..{end}");
        }
        facts.extend(sums.into_iter().map(|m| ((m.month, m.site, m.product), m.facts)));
    }
    Ok(facts.into_iter().map(|((month, site, product), facts)| MonthlyFacts { month, site, product, facts }).collect())
}

/// `stale` cut into runs of consecutive months, each summed by one set of queries.
fn runs(stale: &[(Month, i64)]) -> Vec<&[(Month, i64)]> {
    let mut runs = Vec::new();
    let mut start = 0;
    for i in 1..=stale.len() {
        if i == stale.len() || stale[i - 1].0.next() != Some(stale[i].0) {
            if start < i {
                runs.push(&stale[start..i]);
            }
            start = i;
        }
    }
    runs
}

/// Keeps each month of `run` summed as `sums`, if its generation is still the one seen before summing; one short
/// transaction per month, so a reader holds at most one month's lock while writers mark months.
async fn keep(db: &Db, partnership: &[String; 2], run: &[(Month, i64)], sums: &[MonthlyFacts]) -> anyhow::Result<()> {
    for (month, generation) in run {
        let key = month.to_string();
        let mut tx = db.pool.begin().await?;
        let claimed = sqlx::query(
            "INSERT INTO kpi_months (sponsor_org_id, cmo_org_id, month, generation, cached) VALUES ($1, $2, $3, $4, 1) \
             ON CONFLICT (sponsor_org_id, cmo_org_id, month) DO UPDATE SET cached = 1 \
             WHERE kpi_months.generation = $4",
        )
        .bind(&partnership[0])
        .bind(&partnership[1])
        .bind(&key)
        .bind(*generation)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 0 {
            // A write marked the month while it was summed: leave it for the next reader.
            continue;
        }
        sqlx::query("DELETE FROM kpi_facts WHERE sponsor_org_id = $1 AND cmo_org_id = $2 AND month = $3")
            .bind(&partnership[0])
            .bind(&partnership[1])
            .bind(&key)
            .execute(&mut *tx)
            .await?;
        for m in sums.iter().filter(|m| m.month == *month) {
            sqlx::query(
                "INSERT INTO kpi_facts (sponsor_org_id, cmo_org_id, month, site_id, product_id, facts) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&partnership[0])
            .bind(&partnership[1])
            .bind(&key)
            .bind(m.site.to_string())
            .bind(m.product.to_string())
            .bind(serde_json::to_string(&m.facts)?)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_months_are_summed_in_runs_of_consecutive_months() {
        let m = |text: &str| text.parse::<Month>().expect("month");
        let stale = [(m("2025-11"), 0), (m("2025-12"), 3), (m("2026-01"), 1), (m("2026-03"), 0), (m("2026-07"), 2)];
        let runs: Vec<Vec<Month>> = runs(&stale).into_iter().map(|r| r.iter().map(|(m, _)| *m).collect()).collect();
        assert_eq!(runs, vec![vec![m("2025-11"), m("2025-12"), m("2026-01")], vec![m("2026-03")], vec![m("2026-07")]]);
        assert!(super::runs(&[]).is_empty());
    }
}

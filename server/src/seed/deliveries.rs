//! Demo deliveries: Norvia's monthly drug substance deliveries to Helix through 2026, recorded by its operator —
//! most on time and in full, one late, one short, the next one still to come.

use super::person;
use crate::db::Db;
use crate::kernel::{Delivery, UnitOfWork};
use crate::store;
use baton_domain::access::Action;
use baton_domain::audit::AuditAction;
use baton_domain::decimal::Decimal;
use baton_domain::delivery::DeliveryInput;
use baton_domain::ids::DeliveryId;
use chrono::NaiveDate;
use serde_json::json;
use uuid::Uuid;

/// The fixed id of demo delivery `n`.
pub fn delivery_id(n: u128) -> DeliveryId {
    DeliveryId(Uuid::from_u128(0x0000_0014_0000_4000_8000_0000_0000_0100 + n))
}

/// (month promised, day delivered and kilograms delivered, if delivered) of each demo delivery of 12 kg.
const DELIVERIES: [(u32, Option<(u32, &str)>); 7] = [
    (6, Some((12, "12.0"))),
    (7, Some((15, "12.0"))),
    (8, Some((21, "12.0"))),
    (9, Some((14, "12.0"))),
    (10, Some((15, "10.5"))),
    (11, Some((13, "12.0"))),
    (12, None),
];

/// Records the deliveries through the kernel as Norvia's operator would. Does nothing for those that exist.
pub async fn seed_deliveries(db: &Db) -> anyhow::Result<()> {
    let operator = person(db, 1, 3).await?;
    let date = |month, day| NaiveDate::from_ymd_opt(2026, month, day).ok_or_else(|| anyhow::anyhow!("demo date"));
    for (n, (month, delivered)) in (1..).zip(DELIVERIES) {
        let id = delivery_id(n);
        if store::deliveries::get(&mut *db.pool.acquire().await?, id, date(1, 1)?).await?.is_some() {
            continue;
        }
        let input = DeliveryInput {
            product: super::VELARIMAB_DS_PRODUCT,
            reference: format!("PO-VDS-2026-{:04}", 100 + n),
            promised_on: date(month, 15)?,
            promised_quantity: Decimal::parse("12.0")?,
            unit: "kg".into(),
            delivered_on: delivered.map(|(day, _)| date(month, day)).transpose()?,
            delivered_quantity: delivered.map(|(_, kg)| Decimal::parse(kg)).transpose()?,
        };
        let mut work = UnitOfWork::begin(&db.pool, &operator).await?;
        let now = work.now();
        store::deliveries::insert(work.conn(), id, &input, (super::HELIX, super::NORVIA), now).await?;
        let created = work.authorize::<Delivery>(id, Action::Read).await?;
        work.audit(created.entry(AuditAction::Create, None, Some(json!(input)), None)).await?;
        work.commit().await?;
    }
    Ok(())
}

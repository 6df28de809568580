//! Electronic signatures: permanent rows bound to a record's content hash at the time of signing.

use super::parse_column;
use crate::clock;
use baton_domain::org::UserProfile;
use baton_domain::record::RecordType;
use baton_domain::signature::{Meaning, Signature};
use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, FromRow};
use std::collections::HashMap;

#[derive(FromRow)]
struct Row {
    record_id: String,
    signer_id: String,
    signer_name: String,
    signer_org_id: String,
    organisation_name: String,
    meaning: String,
    content_hash: String,
    signed_at: String,
}

/// Every signature on the given records, oldest first, grouped by record id; `valid` is left for the caller, who
/// knows each record's current hash.
pub async fn for_records(
    conn: &mut AnyConnection,
    record_type: RecordType,
    ids: &[String],
) -> anyhow::Result<HashMap<String, Vec<Signature>>> {
    let mut grouped: HashMap<String, Vec<Signature>> = HashMap::new();
    if ids.is_empty() {
        return Ok(grouped);
    }
    let placeholders: Vec<String> = (2..ids.len() + 2).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT record_id, signer_id, signer_name, signer_org_id, organisation_name, meaning, content_hash, signed_at \
         FROM signatures WHERE record_type = $1 AND record_id IN ({}) ORDER BY signed_at, id",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as::<_, Row>(&sql).bind(record_type.as_str());
    for id in ids {
        query = query.bind(id);
    }
    for r in query.fetch_all(conn).await? {
        let stored = Signature {
            signer_id: parse_column(&r.signer_id, "signatures.signer_id")?,
            signer_name: r.signer_name,
            organisation_id: parse_column(&r.signer_org_id, "signatures.signer_org_id")?,
            organisation: r.organisation_name,
            meaning: parse_column::<Meaning>(&r.meaning, "signatures.meaning")?,
            signed_at: clock::from_db(&r.signed_at)?,
            content_hash: r.content_hash,
            valid: false,
        };
        grouped.entry(r.record_id).or_default().push(stored);
    }
    Ok(grouped)
}

/// Records a signature.
pub async fn insert(
    tx: &mut AnyConnection,
    record_type: RecordType,
    record_id: &str,
    signer: &UserProfile,
    meaning: Meaning,
    content_hash: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<Signature> {
    let signed_at = clock::from_db(&clock::to_db(now))?;
    sqlx::query(
        "INSERT INTO signatures (id, record_type, record_id, signer_id, signer_name, signer_org_id, organisation_name, \
         meaning, content_hash, signed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(record_type.as_str())
    .bind(record_id)
    .bind(signer.id.to_string())
    .bind(&signer.display_name)
    .bind(signer.organisation.id.to_string())
    .bind(&signer.organisation.name)
    .bind(meaning.as_str())
    .bind(content_hash)
    .bind(clock::to_db(signed_at))
    .execute(&mut *tx)
    .await?;
    Ok(Signature {
        signer_id: signer.id,
        signer_name: signer.display_name.clone(),
        organisation_id: signer.organisation.id,
        organisation: signer.organisation.name.clone(),
        meaning,
        signed_at,
        content_hash: content_hash.to_owned(),
        valid: true,
    })
}

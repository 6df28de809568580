//! Demo documents: Helix's transfer protocol in each Velarimab transfer, a one-page PDF in draft, uploaded by its
//! tech-transfer lead, with its audit entries. Their files are written through the document store like an upload.

use super::{VELARIMAB_DP, VELARIMAB_DS, person};
use crate::db::Db;
use crate::file_store::FileStore;
use crate::kernel::{Document, UnitOfWork};
use crate::store;
use crate::store::documents::{DocumentRow, NewVersion};
use axum::body::Bytes;
use baton_domain::access::Action;
use baton_domain::agreement::DataClass;
use baton_domain::audit::AuditAction;
use baton_domain::document::DocumentInput;
use baton_domain::ids::{DocumentId, DocumentVersionId, TransferId};
use serde_json::json;
use uuid::Uuid;

/// The demo document of transfer `index`, and its first version.
pub fn document_id(index: u128) -> (DocumentId, DocumentVersionId) {
    let base = 0x0000_0016_0000_4000_8000_0000_0000_0000 + (index << 8);
    (DocumentId(Uuid::from_u128(base + 1)), DocumentVersionId(Uuid::from_u128(base + 0x80)))
}

/// A one-page PDF whose page says `text` (ASCII), with a correct cross-reference table.
pub fn demo_pdf(text: &str) -> Vec<u8> {
    let stream = format!("BT /F1 18 Tf 72 720 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut pdf = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (n, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.push_str(&format!("{} 0 obj\n{object}\nendobj\n", n + 1));
    }
    let xref = pdf.len();
    pdf.push_str(&format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1));
    for offset in offsets {
        pdf.push_str(&format!("{offset:010} 00000 n \n"));
    }
    pdf.push_str(&format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1));
    pdf.into_bytes()
}

/// Writes the demo documents, unless they are there.
pub async fn seed_documents(db: &Db, files: &FileStore) -> anyhow::Result<()> {
    for (transfer, index, code) in [(VELARIMAB_DS, 1, "TT-2026-001"), (VELARIMAB_DP, 3, "TT-2026-007")] {
        seed_protocol(db, files, transfer, index, code).await?;
    }
    Ok(())
}

async fn seed_protocol(
    db: &Db,
    files: &FileStore,
    transfer: TransferId,
    index: u128,
    code: &str,
) -> anyhow::Result<()> {
    let lead = person(db, 0, 1).await?;
    let (id, version) = document_id(index);
    let mut work = UnitOfWork::begin(&db.pool, &lead).await?;
    if store::documents::get(work.conn(), id).await?.is_some() {
        return Ok(());
    }
    let title = format!("Technology transfer protocol {code}");
    let input = DocumentInput::new(Some(transfer), title, DataClass::RegulatoryDocuments);
    let now = work.now();
    let row = DocumentRow {
        id,
        transfer: Some(transfer),
        owner: lead.organisation.id,
        input: input.clone(),
        created_at: now,
    };
    store::documents::insert(work.conn(), &row, lead.id).await?;
    let key = format!("{id}/{version}");
    let pdf = Bytes::from(demo_pdf(&format!("Technology transfer protocol {code}")));
    let body = futures_util::stream::iter([Ok::<Bytes, std::convert::Infallible>(pdf)]);
    let stored = files.put(&key, "application/pdf", body).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let file_name = format!("{code} transfer protocol.pdf");
    let new = NewVersion {
        id: version,
        document: id,
        number: 1,
        sha256: &stored.sha256,
        size: stored.size,
        content_type: "application/pdf",
        file_name: &file_name,
        storage_key: &key,
    };
    store::documents::insert_version(work.conn(), &new, lead.id, now).await?;
    let created = work.authorize::<Document>(id, Action::Read).await?;
    work.audit(created.entry(AuditAction::Create, None, Some(serde_json::to_value(&input)?), None)).await?;
    let values = json!({"version": 1, "sha256": stored.sha256, "size": stored.size, "file_name": file_name});
    work.audit(created.entry(AuditAction::Update, None, Some(values), None)).await?;
    work.commit().await?;
    Ok(())
}

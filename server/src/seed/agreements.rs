//! Demo agreements: Helix's partnerships with both CMOs, an active data-sharing agreement with each, and version 1
//! of each partnership's quality agreement — all signed through the kernel, as the demo signatories would.

use super::{
    CASTELLAN, CASTELLAN_PARTNERSHIP, CORVASTATIN_AGREEMENT, CORVASTATIN_PRODUCT, HELIX, NORVIA, NORVIA_PARTNERSHIP,
    VELARIMAB_DS, VELARIMAB_DS_AGREEMENT,
};
use super::{CASTELLAN_BATCH_AGREEMENT, NORVIA_BATCH_AGREEMENT, VELARIMAB_DS_PRODUCT, admin, date, person};
use crate::db::Db;
use crate::kernel::{QualityVersion, UnitOfWork};
use crate::store;
use crate::store::agreements::{Agreement, Lineage, NewAgreement};
use baton_domain::access::Action;
use baton_domain::agreement::{AgreementTerms, Coverage, DataClass, Permission, Scope};
use baton_domain::audit::AuditAction;
use baton_domain::ids::{AgreementId, OrgId, PartnershipId};
use baton_domain::quality::{DEFAULT_ACTIVITIES, QualityAgreementDraft, Raci, RaciRow};
use baton_domain::signature::Meaning;
use chrono::Utc;
use serde_json::json;

/// Partnerships of Helix with both CMOs, and one active agreement with each. Velarimab drug product has none yet,
/// so Norvia cannot open that transfer until Helix drafts and both sign one.
pub async fn seed_agreements(db: &Db, now: chrono::DateTime<Utc>) -> anyhow::Result<()> {
    let pool = &db.pool;
    let (norvia, castellan) = (NORVIA_PARTNERSHIP, CASTELLAN_PARTNERSHIP);
    store::agreements::insert_partnership(pool, norvia, HELIX, NORVIA, now).await?;
    store::agreements::insert_partnership(pool, castellan, HELIX, CASTELLAN, now).await?;

    let at = |y, m, d| date(y, m, d).and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let agreements = [
        (
            VELARIMAB_DS_AGREEMENT,
            norvia,
            AgreementTerms {
                title: "Velarimab drug substance — technology transfer data".into(),
                grantee: NORVIA,
                scope: Scope {
                    products: Coverage::Only(vec![VELARIMAB_DS_PRODUCT]),
                    transfers: Coverage::Only(vec![VELARIMAB_DS]),
                    data_classes: vec![
                        DataClass::ProcessDescription,
                        DataClass::ProcessParameters,
                        DataClass::AnalyticalMethods,
                        DataClass::BatchRecords,
                        DataClass::QualityEvents,
                        DataClass::RegulatoryDocuments,
                    ],
                },
                permission: Permission::Contribute,
                valid_from: at(2026, 1, 1),
                valid_until: at(2028, 1, 1),
            },
        ),
        (
            CORVASTATIN_AGREEMENT,
            castellan,
            AgreementTerms {
                title: "Corvastatin tablets — transfer and PPQ".into(),
                grantee: CASTELLAN,
                scope: Scope {
                    products: Coverage::Only(vec![CORVASTATIN_PRODUCT]),
                    transfers: Coverage::All,
                    data_classes: DataClass::ALL.iter().copied().filter(|c| *c != DataClass::Commercial).collect(),
                },
                permission: Permission::Download,
                valid_from: at(2025, 9, 1),
                valid_until: at(2027, 9, 1),
            },
        ),
    ];
    for (id, partnership, terms) in agreements {
        seed_agreement(db, id, partnership, terms, now).await?;
    }
    // The CMOs share their batch records, quality events and deliveries of their commercial products with Helix,
    // as their quality agreements oblige them to: Norvia for Velarimab drug substance, Castellan for Corvastatin.
    let granted_to_helix = [
        (NORVIA_BATCH_AGREEMENT, norvia, NORVIA, 1, VELARIMAB_DS_PRODUCT, "Velarimab drug substance"),
        (CASTELLAN_BATCH_AGREEMENT, castellan, CASTELLAN, 2, CORVASTATIN_PRODUCT, "Corvastatin tablets"),
    ];
    for (id, partnership, grantor, grantor_index, product, name) in granted_to_helix {
        let terms = AgreementTerms {
            title: format!("{name} — batch records, quality events and deliveries"),
            grantee: HELIX,
            scope: Scope {
                products: Coverage::Only(vec![product]),
                transfers: Coverage::All,
                data_classes: vec![DataClass::BatchRecords, DataClass::QualityEvents, DataClass::Commercial],
            },
            permission: Permission::Contribute,
            valid_from: at(2025, 1, 1),
            valid_until: at(2030, 1, 1),
        };
        let demo = DemoAgreement { id, partnership, grantor, grantor_index, grantee_index: 0, terms };
        seed_agreement_between(db, demo, now).await?;
    }
    seed_quality_agreements(db, &[(norvia, 1, true), (castellan, 2, false)], now).await
}

/// An agreement granted by Helix to a CMO (see [`seed_agreement_between`]). Does nothing if it exists.
pub async fn seed_agreement(
    db: &Db,
    id: AgreementId,
    partnership: PartnershipId,
    terms: AgreementTerms,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<()> {
    let grantee = if terms.grantee == NORVIA { 1 } else { 2 };
    let demo = DemoAgreement { id, partnership, grantor: HELIX, grantor_index: 0, grantee_index: grantee, terms };
    seed_agreement_between(db, demo, now).await
}

/// A demo agreement and who signs it: the admins of the demo organisations at these positions.
pub struct DemoAgreement {
    /// Its fixed id.
    pub id: AgreementId,
    /// The partnership it belongs to.
    pub partnership: PartnershipId,
    /// Whose data it shares.
    pub grantor: OrgId,
    /// The grantor's position among the demo organisations (its admin drafts and signs).
    pub grantor_index: usize,
    /// The grantee's position among the demo organisations (its admin signs second).
    pub grantee_index: usize,
    /// What it grants, to whom.
    pub terms: AgreementTerms,
}

/// An agreement drafted and approved by the grantor's admin and approved by the grantee's admin, each in their own
/// unit of work through the kernel, as the demo signatories would. Does nothing if it exists.
pub async fn seed_agreement_between(db: &Db, demo: DemoAgreement, now: chrono::DateTime<Utc>) -> anyhow::Result<()> {
    let DemoAgreement { id, partnership, grantor, grantor_index, grantee_index, terms } = demo;
    let pool = &db.pool;
    if store::agreements::get(&mut *pool.acquire().await?, id, now).await?.is_some() {
        return Ok(());
    }
    let grantor_admin = admin(db, grantor_index).await?;
    let grantee_admin = admin(db, grantee_index).await?;
    let mut work = UnitOfWork::begin(pool, &grantor_admin).await?;
    let new = NewAgreement {
        id,
        partnership,
        grantor,
        terms: &terms,
        created_by: grantor_admin.id,
        lineage: Lineage::ORIGINAL,
    };
    store::agreements::insert(work.conn(), new, now).await?;
    let created = work.authorize::<Agreement>(id, Action::DraftAgreement).await?;
    let content = store::agreements::signed_content(id, grantor, &terms, Lineage::ORIGINAL);
    work.audit(created.entry(AuditAction::Create, None, Some(content), None)).await?;
    work.sign(&created, Meaning::Approved).await?;
    work.commit().await?;
    let mut work = UnitOfWork::begin(pool, &grantee_admin).await?;
    let agreement = work.authorize::<Agreement>(id, Action::SignAgreement).await?;
    work.sign(&agreement, Meaning::Approved).await?;
    store::agreements::mark_activated(work.conn(), id, now).await?;
    work.commit().await.map_err(anyhow::Error::from)
}

/// Version 1 of each listed partnership's quality agreement (partnership, the CMO's position among the demo
/// organisations, whether its QA signs too) from the default activities: approved by both QAs with Norvia, by
/// Helix's QA only with Castellan (so a CMO QA has something to sign in the demo). Skips partnerships that have one.
pub async fn seed_quality_agreements(
    db: &Db,
    partnerships: &[(PartnershipId, usize, bool)],
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<()> {
    let pool = &db.pool;
    let helix_qa = person(db, 0, 2).await?;
    for &(partnership, cmo_index, cmo_signs) in partnerships {
        let mut conn = pool.acquire().await?;
        let Some(parties) = store::quality::parties(&mut conn, partnership).await? else { continue };
        if !store::quality::load(&mut conn, partnership, parties).await?.versions.is_empty() {
            continue;
        }
        drop(conn);
        let rows = DEFAULT_ACTIVITIES
            .iter()
            .map(|activity| {
                let (sponsor, cmo) = match *activity {
                    "Batch release" | "Change approval" | "Complaint handling" => {
                        (Raci::Accountable, Raci::Responsible)
                    }
                    "Batch record review" | "Stability testing" => (Raci::Consulted, Raci::Accountable),
                    _ => (Raci::Informed, Raci::Accountable),
                };
                RaciRow { activity: (*activity).to_owned(), sponsor, cmo }
            })
            .collect();
        let draft = QualityAgreementDraft { rows, reason: None };
        let mut work = UnitOfWork::begin(pool, &helix_qa).await?;
        let (id, _, _) = store::quality::insert_version(work.conn(), partnership, &draft, &helix_qa, now).await?;
        let created = work.authorize::<QualityVersion>(id, Action::DraftAgreement).await?;
        let new = json!({"version": 1, "rows": draft.rows});
        work.audit(created.entry(AuditAction::Create, None, Some(new), None)).await?;
        work.sign(&created, Meaning::Approved).await?;
        work.commit().await?;
        if cmo_signs {
            let cmo_qa = person(db, cmo_index, 2).await?;
            let mut work = UnitOfWork::begin(pool, &cmo_qa).await?;
            let version = work.authorize::<QualityVersion>(id, Action::SignAgreement).await?;
            work.sign(&version, Meaning::Approved).await?;
            work.commit().await?;
        }
    }
    Ok(())
}

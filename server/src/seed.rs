//! Demo data: one sponsor, two CMOs, a user per role in each, three transfers at different stages; optionally a
//! large transfer, and years of quality history with a third CMO (`history`).
//! Fixed ids make seeding idempotent and the demo deep links stable.

use crate::db::Db;
use crate::passwords::Passwords;
use crate::store;
use crate::store::products::NewProduct;
use crate::store::transfers::NewTransfer;
use crate::store::users::NewUser;
use workspace::DemoTransfer;

pub use history::{HistorySummary, KESTREL, history_logins, seed_history};

mod agreements;
mod batches;
mod change_controls;
mod deliveries;
pub mod documents;
mod history;
mod kpi_targets;
mod methods;
mod parameters;
mod quality_events;
mod risks;
mod workspace;

use baton_domain::agreement::{AgreementTerms, Coverage, DataClass, Permission, Scope};
use baton_domain::batch::BatchType;
use baton_domain::ids::{AgreementId, OrgId, PartnershipId, ProductId, SiteId, TransferId, UserId};
use baton_domain::org::{OrgKind, Role, UserProfile};
use chrono::{NaiveDate, Utc};
use uuid::Uuid;

/// The password every demo user has.
pub const DEMO_PASSWORD: &str = "baton-demo-2026";

/// Helix Biologics, the sponsor.
pub const HELIX: OrgId = OrgId(Uuid::from_u128(0x0000_0001_0000_4000_8000_0000_0000_0001));
/// Norvia CDMO, a biologics CMO.
pub const NORVIA: OrgId = OrgId(Uuid::from_u128(0x0000_0001_0000_4000_8000_0000_0000_0002));
/// Castellan Pharma Services, a small-molecule CMO.
pub const CASTELLAN: OrgId = OrgId(Uuid::from_u128(0x0000_0001_0000_4000_8000_0000_0000_0003));

const HELIX_BASEL: SiteId = SiteId(Uuid::from_u128(0x0000_0002_0000_4000_8000_0000_0000_0001));
const HELIX_CORK: SiteId = SiteId(Uuid::from_u128(0x0000_0002_0000_4000_8000_0000_0000_0002));
const NORVIA_GHENT: SiteId = SiteId(Uuid::from_u128(0x0000_0002_0000_4000_8000_0000_0000_0003));
const CASTELLAN_MONZA: SiteId = SiteId(Uuid::from_u128(0x0000_0002_0000_4000_8000_0000_0000_0004));

/// Velarimab drug substance to Norvia, in analytical method transfer.
pub const VELARIMAB_DS: TransferId = TransferId(Uuid::from_u128(0x0000_0003_0000_4000_8000_0000_0000_0001));
/// Corvastatin tablets to Castellan, in PPQ.
pub const CORVASTATIN: TransferId = TransferId(Uuid::from_u128(0x0000_0003_0000_4000_8000_0000_0000_0002));
/// The active agreement sharing Velarimab drug substance data with Norvia.
pub const VELARIMAB_DS_AGREEMENT: AgreementId = AgreementId(Uuid::from_u128(0x0000_0006_0000_4000_8000_0000_0000_0001));
/// The active agreement sharing Corvastatin data with Castellan.
pub const CORVASTATIN_AGREEMENT: AgreementId = AgreementId(Uuid::from_u128(0x0000_0006_0000_4000_8000_0000_0000_0002));
/// Norvia's agreement granting Helix its Velarimab drug substance batch records, quality events and deliveries.
pub const NORVIA_BATCH_AGREEMENT: AgreementId = AgreementId(Uuid::from_u128(0x0000_0006_0000_4000_8000_0000_0000_0011));
/// Castellan's agreement granting Helix its Corvastatin batch records, quality events and deliveries.
pub const CASTELLAN_BATCH_AGREEMENT: AgreementId =
    AgreementId(Uuid::from_u128(0x0000_0006_0000_4000_8000_0000_0000_0012));
/// Helix's Velarimab drug substance.
pub const VELARIMAB_DS_PRODUCT: ProductId = ProductId(Uuid::from_u128(0x0000_0007_0000_4000_8000_0000_0000_0001));
/// Helix's Corvastatin tablets.
pub const CORVASTATIN_PRODUCT: ProductId = ProductId(Uuid::from_u128(0x0000_0007_0000_4000_8000_0000_0000_0002));
/// Helix's Velarimab drug product.
pub const VELARIMAB_DP_PRODUCT: ProductId = ProductId(Uuid::from_u128(0x0000_0007_0000_4000_8000_0000_0000_0003));
/// The large demo transfer (`seed-demo --large-transfer N`).
pub const LARGE_TRANSFER: TransferId = TransferId(Uuid::from_u128(0x0000_0003_0000_4000_8000_0000_0000_0004));
const LARGE_TRANSFER_AGREEMENT: AgreementId = AgreementId(Uuid::from_u128(0x0000_0006_0000_4000_8000_0000_0000_0004));
/// Helix's partnership with Norvia.
pub const NORVIA_PARTNERSHIP: PartnershipId = PartnershipId(Uuid::from_u128(0x0000_0005_0000_4000_8000_0000_0000_0001));
/// Helix's partnership with Castellan.
pub const CASTELLAN_PARTNERSHIP: PartnershipId =
    PartnershipId(Uuid::from_u128(0x0000_0005_0000_4000_8000_0000_0000_0002));
/// Velarimab drug product to Norvia, just initiated.
pub const VELARIMAB_DP: TransferId = TransferId(Uuid::from_u128(0x0000_0003_0000_4000_8000_0000_0000_0003));

struct DemoOrg {
    id: OrgId,
    name: &'static str,
    kind: OrgKind,
    domain: &'static str,
    people: [(Role, &'static str); 5],
}

const ORGS: [DemoOrg; 3] = [
    DemoOrg {
        id: HELIX,
        name: "Helix Biologics",
        kind: OrgKind::Sponsor,
        domain: "helix.example",
        people: [
            (Role::Admin, "Priya Natarajan"),
            (Role::TechTransferLead, "Marco Lenz"),
            (Role::Qa, "Dana Kim"),
            (Role::Operator, "Luis Ortega"),
            (Role::Viewer, "Hannah Berg"),
        ],
    },
    DemoOrg {
        id: NORVIA,
        name: "Norvia CDMO",
        kind: OrgKind::Cmo,
        domain: "norvia.example",
        people: [
            (Role::Admin, "Jan De Smet"),
            (Role::TechTransferLead, "Sofie Claes"),
            (Role::Qa, "Pieter Wouters"),
            (Role::Operator, "Amina Haddad"),
            (Role::Viewer, "Lotte Peeters"),
        ],
    },
    DemoOrg {
        id: CASTELLAN,
        name: "Castellan Pharma Services",
        kind: OrgKind::Cmo,
        domain: "castellan.example",
        people: [
            (Role::Admin, "Giulia Romano"),
            (Role::TechTransferLead, "Matteo Ferri"),
            (Role::Qa, "Chiara Bassi"),
            (Role::Operator, "Davide Greco"),
            (Role::Viewer, "Elena Conti"),
        ],
    },
];

/// The short name used in demo e-mail addresses, e.g. `qa@helix.example`.
fn login_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::TechTransferLead => "lead",
        Role::Qa => "qa",
        Role::Operator => "operator",
        Role::Viewer => "viewer",
    }
}

fn user_id(org_index: usize, person_index: usize) -> UserId {
    let n = u128::try_from(org_index * 16 + person_index + 1).unwrap_or_default();
    UserId(Uuid::from_u128((0x0000_0004_0000_4000_8000_u128 << 48) | n))
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// A demo login: organisation, role, e-mail.
pub struct DemoLogin {
    /// The user's organisation.
    pub organisation: &'static str,
    /// Their role.
    pub role: Role,
    /// Their printed name.
    pub name: &'static str,
    /// Their e-mail (login).
    pub email: String,
}

/// Every demo login, in the order the README lists them.
pub fn demo_logins() -> Vec<DemoLogin> {
    ORGS.iter()
        .flat_map(|org| {
            org.people.iter().map(|(role, name)| DemoLogin {
                organisation: org.name,
                role: *role,
                name,
                email: format!("{}@{}", login_name(*role), org.domain),
            })
        })
        .collect()
}

/// Writes the demo data; running it again changes nothing.
pub async fn seed(db: &Db) -> anyhow::Result<()> {
    let pool = &db.pool;
    let now = Utc::now();
    for org in &ORGS {
        store::organisations::insert(pool, org.id, org.name, org.kind, now).await?;
    }
    for (site, org, name, location) in [
        (HELIX_BASEL, HELIX, "Helix Basel Biologics", "Basel, CH"),
        (HELIX_CORK, HELIX, "Helix Cork Solid Dose", "Cork, IE"),
        (NORVIA_GHENT, NORVIA, "Norvia Ghent Biologics Plant", "Ghent, BE"),
        (CASTELLAN_MONZA, CASTELLAN, "Castellan Monza OSD Facility", "Monza, IT"),
    ] {
        store::organisations::insert_site(pool, site, org, name, location).await?;
    }

    // One hash serves every demo user: they share a password, and hashing fifteen times would slow every test.
    let hash = Passwords::new(1).hash(DEMO_PASSWORD.to_owned()).await?;
    for (org_index, org) in ORGS.iter().enumerate() {
        for (person_index, (role, name)) in org.people.iter().enumerate() {
            let email = format!("{}@{}", login_name(*role), org.domain);
            let user = NewUser {
                id: user_id(org_index, person_index),
                org: org.id,
                email: &email,
                display_name: name,
                role: *role,
                password_hash: &hash,
            };
            store::users::insert(pool, &user, now).await?;
        }
    }

    let products = [
        (VELARIMAB_DS_PRODUCT, "Velarimab drug substance", "Monoclonal antibody, 2,000 L fed-batch"),
        (CORVASTATIN_PRODUCT, "Corvastatin 20 mg tablets", "Film-coated tablet, wet granulation"),
        (VELARIMAB_DP_PRODUCT, "Velarimab drug product", "Liquid in vial, 100 mg/mL, aseptic fill"),
    ];
    for (id, name, form) in products {
        store::products::insert(pool, &NewProduct { id, owner: HELIX, name, form }, now).await?;
    }
    let transfers = [
        DemoTransfer {
            transfer: NewTransfer {
                id: VELARIMAB_DS,
                code: "TT-2026-001",
                product: VELARIMAB_DS_PRODUCT,
                sponsor: HELIX,
                cmo: NORVIA,
                sending_site: HELIX_BASEL,
                receiving_site: NORVIA_GHENT,
                started_on: date(2026, 3, 2),
                target_completion: date(2027, 5, 28),
            },
            index: 1,
            current: 4,
            cmo_index: 1,
        },
        DemoTransfer {
            transfer: NewTransfer {
                id: CORVASTATIN,
                code: "TT-2025-014",
                product: CORVASTATIN_PRODUCT,
                sponsor: HELIX,
                cmo: CASTELLAN,
                sending_site: HELIX_CORK,
                receiving_site: CASTELLAN_MONZA,
                started_on: date(2025, 9, 15),
                target_completion: date(2026, 12, 18),
            },
            index: 2,
            current: 6,
            cmo_index: 2,
        },
        DemoTransfer {
            transfer: NewTransfer {
                id: VELARIMAB_DP,
                code: "TT-2026-007",
                product: VELARIMAB_DP_PRODUCT,
                sponsor: HELIX,
                cmo: NORVIA,
                sending_site: HELIX_BASEL,
                receiving_site: NORVIA_GHENT,
                started_on: date(2026, 11, 2),
                target_completion: date(2027, 10, 29),
            },
            index: 3,
            current: 1,
            cmo_index: 1,
        },
    ];
    for transfer in &transfers {
        workspace::seed_transfer(db, transfer).await?;
    }
    agreements::seed_agreements(db, now).await?;
    kpi_targets::seed_kpi_targets(db, now).await?;
    // After the agreements, which let the CMOs' QA at the plans whose gates they approve.
    for transfer in &transfers {
        workspace::approve_gates(db, transfer).await?;
    }
    // The drug product transfer has just begun: the receiving unit has proposed its first few values only.
    parameters::seed_parameters(db, VELARIMAB_DS, 1, 1, false, 200, 200).await?;
    parameters::seed_parameters(db, CORVASTATIN, 2, 2, true, 200, 200).await?;
    parameters::seed_parameters(db, VELARIMAB_DP, 3, 1, false, 200, 5).await?;
    risks::seed_risks(db, VELARIMAB_DS, 1, false).await?;
    risks::seed_risks(db, CORVASTATIN, 2, true).await?;
    risks::seed_risks(db, VELARIMAB_DP, 3, false).await?;
    methods::seed_method(db, VELARIMAB_DS, 1, 1).await?;
    methods::seed_method(db, CORVASTATIN, 2, 2).await?;
    methods::seed_method(db, VELARIMAB_DP, 3, 1).await?;
    seed_batches(db).await?;
    deliveries::seed_deliveries(db).await?;
    // After the batches, which the demo deviations are raised against.
    quality_events::seed_quality_events(db).await?;
    // After the quality agreements, which name who approves changes.
    change_controls::seed_change_controls(db).await
}

/// Norvia's batches: engineering batches of the drug product transfer (one awaiting disposition), and commercial
/// drug substance batches that Helix's QA released, but one with an out-of-specification assay.
async fn seed_batches(db: &Db) -> anyhow::Result<()> {
    let lines = [
        batches::Line {
            index: 3,
            prefix: "VDP-ENG",
            cmo_index: 1,
            cmo: NORVIA,
            site: NORVIA_GHENT,
            product: VELARIMAB_DP_PRODUCT,
            transfer: Some(VELARIMAB_DP),
            batch_type: BatchType::Engineering,
            first: date(2026, 10, 5),
            count: 2,
            out_of_spec: None,
            release: false,
        },
        batches::Line {
            index: 1,
            prefix: "VDS",
            cmo_index: 1,
            cmo: NORVIA,
            site: NORVIA_GHENT,
            product: VELARIMAB_DS_PRODUCT,
            transfer: None,
            batch_type: BatchType::Commercial,
            first: date(2026, 6, 1),
            count: 6,
            out_of_spec: Some(4),
            release: true,
        },
    ];
    for line in &lines {
        batches::seed_line(db, line).await?;
    }
    Ok(())
}

/// The large demo transfer: Velarimab drug substance to Norvia again (a second site's scale-up), with `count`
/// sending-unit parameters and the receiving unit's proposals, and an agreement letting Norvia see them.
pub async fn seed_large_transfer(db: &Db, count: usize) -> anyhow::Result<()> {
    let transfer = DemoTransfer {
        transfer: NewTransfer {
            id: LARGE_TRANSFER,
            code: "TT-2026-900",
            product: VELARIMAB_DS_PRODUCT,
            sponsor: HELIX,
            cmo: NORVIA,
            sending_site: HELIX_BASEL,
            receiving_site: NORVIA_GHENT,
            started_on: date(2026, 6, 1),
            target_completion: date(2027, 12, 17),
        },
        index: 4,
        current: 3,
        cmo_index: 1,
    };
    workspace::seed_transfer(db, &transfer).await?;
    let terms = AgreementTerms {
        title: "Velarimab drug substance scale-up — process parameters".into(),
        grantee: NORVIA,
        scope: Scope {
            products: Coverage::Only(vec![VELARIMAB_DS_PRODUCT]),
            transfers: Coverage::Only(vec![LARGE_TRANSFER]),
            data_classes: vec![DataClass::ProcessDescription, DataClass::ProcessParameters],
        },
        permission: Permission::Contribute,
        valid_from: date(2026, 1, 1).and_hms_opt(0, 0, 0).unwrap_or_default().and_utc(),
        valid_until: date(2028, 1, 1).and_hms_opt(0, 0, 0).unwrap_or_default().and_utc(),
    };
    agreements::seed_agreement(db, LARGE_TRANSFER_AGREEMENT, NORVIA_PARTNERSHIP, terms, Utc::now()).await?;
    workspace::approve_gates(db, &transfer).await?;
    parameters::seed_parameters(db, LARGE_TRANSFER, 4, 1, false, count, count).await
}

async fn admin(db: &Db, org_index: usize) -> anyhow::Result<UserProfile> {
    person(db, org_index, 0).await
}

/// A demo user by organisation and position in its `people` list (0 admin, 1 lead, 2 QA, 3 operator, 4 viewer).
async fn person(db: &Db, org_index: usize, person_index: usize) -> anyhow::Result<UserProfile> {
    store::users::find_by_id(&db.pool, user_id(org_index, person_index))
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo user {org_index}/{person_index} missing"))
}

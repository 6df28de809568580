//! Unit and property tests of the access rule.

use super::*;
use crate::agreement::{AgreementState, Coverage, Scope};
use crate::ids::{AgreementId, ProductId};
use chrono::Duration;
use proptest::prelude::*;
use uuid::Uuid;

fn org(n: u128) -> OrgId {
    OrgId(Uuid::from_u128(n))
}

fn transfer_id(n: u128) -> TransferId {
    TransferId(Uuid::from_u128(100 + n))
}

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).expect("valid")
}

const PRODUCTS: [&str; 2] = ["Velarimab", "Corvastatin"];

fn product_id(index: usize) -> ProductId {
    ProductId(Uuid::from_u128(500 + index as u128))
}

fn any_role() -> impl Strategy<Value = Role> {
    proptest::sample::select(Role::ALL.to_vec())
}

fn any_action() -> impl Strategy<Value = Action> {
    proptest::sample::select(Action::ALL.to_vec())
}

fn any_class() -> impl Strategy<Value = Option<DataClass>> {
    proptest::option::of(proptest::sample::select(DataClass::ALL.to_vec()))
}

fn any_permission() -> impl Strategy<Value = Permission> {
    proptest::sample::select(Permission::ALL.to_vec())
}

fn any_coverage<T: Clone + std::fmt::Debug + 'static>(items: Vec<T>) -> impl Strategy<Value = Coverage<T>> {
    prop_oneof![
        Just(Coverage::All),
        proptest::sample::subsequence(items.clone(), 0..=items.len()).prop_map(Coverage::Only)
    ]
}

prop_compose! {
    fn any_agreement()(
        grantor in 1u128..4, grantee in 1u128..4,
        products in any_coverage((0..PRODUCTS.len()).map(product_id).collect()),
        transfers in any_coverage((0..3).map(transfer_id).collect()),
        classes in proptest::sample::subsequence(DataClass::ALL.to_vec(), 0..=DataClass::ALL.len()),
        permission in any_permission(),
        from_days in -400i64..10, length in 1i64..800,
        signed_by_grantor in any::<bool>(), signed_by_grantee in any::<bool>(), put_in_force in any::<bool>(),
        revoked_days_ago in proptest::option::of(-5i64..30),
    ) -> AgreementFacts {
        AgreementFacts {
            id: AgreementId(Uuid::from_u128(7)),
            grantor: org(grantor),
            grantee: org(grantee),
            scope: Scope { products, transfers, data_classes: classes },
            permission,
            valid_from: now() + Duration::days(from_days),
            valid_until: now() + Duration::days(from_days + length),
            signed_by_grantor,
            signed_by_grantee,
            revoked_at: revoked_days_ago.map(|d| now() - Duration::days(d)),
            // Activation happens only with both approvals, in the same transaction as the second.
            activated: signed_by_grantor && signed_by_grantee && put_in_force,
        }
    }
}

type TransferFacts = (OrgId, OrgId, usize, Option<TransferId>, Option<DataClass>, bool);

prop_compose! {
    fn any_transfer_data()(
        sponsor in 1u128..4, cmo in 1u128..4, product in 0usize..2, id in 0u128..4, class in any_class(),
        cmo_owns in any::<bool>(),
    ) -> TransferFacts {
        // Id 3 stands for data outside any transfer (a commercial batch).
        (org(sponsor), org(cmo), product, (id < 3).then(|| transfer_id(id)), class, cmo_owns)
    }
}

fn data(t: &TransferFacts) -> PartnerData<'static> {
    let owner = if t.5 { t.1 } else { t.0 };
    PartnerData {
        transfer: t.3,
        owner,
        sponsor: t.0,
        cmo: t.1,
        product: product_id(t.2),
        product_name: PRODUCTS[t.2],
        data_class: t.4,
    }
}

fn other_party(data: &PartnerData<'_>) -> OrgId {
    if data.owner == data.sponsor { data.cmo } else { data.sponsor }
}

proptest! {
    #[test]
    fn a_partner_is_never_granted_outside_an_active_agreement_s_scope(
        who in 1u128..4, role in any_role(), action in any_action(), t in any_transfer_data(),
        agreements in proptest::collection::vec(any_agreement(), 0..4),
    ) {
        let data = data(&t);
        let subject = Subject { org: org(who), role };
        let decision = decide(&subject, action, &Resource::Data(data), &agreements, now());
        if decision.is_allowed() && subject.org != data.owner {
            let needed = action.needed_permission().expect("only data actions are allowed on transfers");
            prop_assert_eq!(subject.org, other_party(&data), "only the transfer's other party can be a partner");
            prop_assert!(agreements.iter().any(|a| a.state(now()) == AgreementState::Active
                && a.grantor == data.owner && a.grantee == subject.org && a.permission >= needed
                && a.scope.products.includes(&data.product)
                && data.transfer.map_or(a.scope.transfers == Coverage::All, |t| a.scope.transfers.includes(&t))
                && data.data_class.is_none_or(|c| a.scope.data_classes.contains(&c))));
        }
    }

    #[test]
    fn expired_revoked_or_unsigned_agreements_never_grant(
        role in any_role(), action in any_action(), t in any_transfer_data(),
        agreements in proptest::collection::vec(any_agreement(), 0..4),
    ) {
        let data = data(&t);
        let inactive: Vec<_> = agreements.into_iter().filter(|a| a.state(now()) != AgreementState::Active).collect();
        let subject = Subject { org: other_party(&data), role };
        if data.cmo != data.sponsor {
            let decision = decide(&subject, action, &Resource::Data(data), &inactive, now());
            prop_assert!(!decision.is_allowed(), "{:?}", inactive);
        }
    }

    #[test]
    fn the_own_organisation_is_allowed_exactly_what_its_role_may(
        role in any_role(), action in any_action(), t in any_transfer_data(),
        agreements in proptest::collection::vec(any_agreement(), 0..3),
    ) {
        let data = data(&t);
        let subject = Subject { org: data.owner, role };
        let decision = decide(&subject, action, &Resource::Data(data), &agreements, now());
        let expected = action.needed_permission().is_some() && role_may(role, action);
        prop_assert_eq!(decision.is_allowed(), expected);
    }

    #[test]
    fn strangers_are_always_refused(
        role in any_role(), action in any_action(), t in any_transfer_data(),
        agreements in proptest::collection::vec(any_agreement(), 0..4),
    ) {
        let data = data(&t);
        let stranger = Subject { org: org(99), role };
        prop_assert!(!decide(&stranger, action, &Resource::Data(data), &agreements, now()).is_allowed());
        let agreement = Resource::Agreement { grantor: data.sponsor, grantee: data.cmo };
        prop_assert!(!decide(&stranger, action, &agreement, &agreements, now()).is_allowed());
        let trail = Resource::AuditTrail { org: data.sponsor };
        prop_assert!(!decide(&stranger, action, &trail, &agreements, now()).is_allowed());
        let quality = Resource::QualityAgreement { sponsor: data.sponsor, cmo: data.cmo };
        prop_assert!(!decide(&stranger, action, &quality, &agreements, now()).is_allowed());
        let record = Resource::PartnershipRecord { owner: data.owner, sponsor: data.sponsor, cmo: data.cmo };
        prop_assert!(!decide(&stranger, action, &record, &agreements, now()).is_allowed());
    }

    #[test]
    fn partnership_records_are_decided_by_party_and_role_whatever_the_agreements(
        role in any_role(), action in any_action(), t in any_transfer_data(), cmo_asks in any::<bool>(),
        agreements in proptest::collection::vec(any_agreement(), 0..4),
    ) {
        let data = data(&t);
        let record = Resource::PartnershipRecord { owner: data.owner, sponsor: data.sponsor, cmo: data.cmo };
        let subject = Subject { org: if cmo_asks { data.cmo } else { data.sponsor }, role };
        prop_assert_eq!(
            decide(&subject, action, &record, &agreements, now()),
            decide(&subject, action, &record, &[], now())
        );
        prop_assert!(!record.is_partner_read(&subject), "a record of both parties is no partner read");
        prop_assert_eq!(record.owner(), data.owner);
    }
}

#[test]
fn both_parties_read_a_change_control_and_their_qa_alone_signs_it() {
    let record = Resource::PartnershipRecord { owner: org(2), sponsor: org(1), cmo: org(2) };
    let at = |o, role| Subject { org: org(o), role };
    let approve = Action::Sign(Meaning::Approved);
    let reject = Action::Sign(Meaning::Rejected);
    for party in [1, 2] {
        let permitted_to = |role| permitted(&at(party, role), &record, &[], now());
        assert_eq!(permitted_to(Role::Viewer), vec![Action::Read, Action::Download], "viewers read");
        assert_eq!(
            permitted_to(Role::Operator),
            vec![Action::Read, Action::Comment, Action::Download],
            "operators read and comment, but do not commit their organisation to a change"
        );
        for role in [Role::Admin, Role::TechTransferLead] {
            assert_eq!(permitted_to(role), vec![Action::Read, Action::Comment, Action::Contribute, Action::Download]);
        }
        assert_eq!(
            permitted_to(Role::Qa),
            vec![Action::Read, Action::Comment, Action::Contribute, Action::Download, approve, reject],
            "QA raises, assesses and signs"
        );
    }
    for role in Role::ALL.iter().copied() {
        assert_eq!(decide(&at(3, role), Action::Read, &record, &[], now()), Decision::Deny(DenyReason::NotAParty));
    }
    match decide(&at(1, Role::Operator), Action::Contribute, &record, &[], now()) {
        Decision::Deny(reason) => assert_eq!(reason.message(), "Your role (Operator) may not change this."),
        Decision::Allow => panic!("operators do not raise change controls"),
    }
    assert!(!decide(&at(1, Role::Qa), Action::Sign(Meaning::Released), &record, &[], now()).is_allowed());
    assert!(!decide(&at(1, Role::Admin), Action::Plan, &record, &[], now()).is_allowed());
}

fn active_agreement(class: DataClass, permission: Permission) -> AgreementFacts {
    AgreementFacts {
        id: AgreementId(Uuid::from_u128(1)),
        grantor: org(1),
        grantee: org(2),
        scope: Scope {
            products: Coverage::Only(vec![product_id(0)]),
            transfers: Coverage::All,
            data_classes: vec![class],
        },
        permission,
        valid_from: now() - Duration::days(1),
        valid_until: now() + Duration::days(1),
        signed_by_grantor: true,
        signed_by_grantee: true,
        revoked_at: None,
        activated: true,
    }
}

#[test]
fn denials_say_what_is_missing() {
    let data = PartnerData {
        transfer: Some(transfer_id(0)),
        owner: org(1),
        sponsor: org(1),
        cmo: org(2),
        product: product_id(0),
        product_name: "Velarimab",
        data_class: Some(DataClass::AnalyticalMethods),
    };
    let cmo = Subject { org: org(2), role: Role::Qa };
    let only_process = [active_agreement(DataClass::ProcessDescription, Permission::Download)];
    match decide(&cmo, Action::Read, &Resource::Data(data), &only_process, now()) {
        Decision::Deny(reason) => {
            assert_eq!(
                reason.message(),
                "No active agreement lets your organisation view analytical methods for Velarimab."
            )
        }
        Decision::Allow => panic!("analytical methods are not covered"),
    }
    let overview = PartnerData { data_class: None, ..data };
    assert_eq!(decide(&cmo, Action::Read, &Resource::Data(overview), &only_process, now()), Decision::Allow);
    let view_only = [active_agreement(DataClass::AnalyticalMethods, Permission::View)];
    assert!(decide(&cmo, Action::Read, &Resource::Data(data), &view_only, now()).is_allowed());
    assert!(!decide(&cmo, Action::Download, &Resource::Data(data), &view_only, now()).is_allowed());
}

#[test]
fn only_admins_sign_and_only_the_grantor_drafts() {
    let agreement = Resource::Agreement { grantor: org(1), grantee: org(2) };
    let at = |o, role| Subject { org: org(o), role };
    assert!(decide(&at(1, Role::Admin), Action::SignAgreement, &agreement, &[], now()).is_allowed());
    assert!(decide(&at(2, Role::Admin), Action::SignAgreement, &agreement, &[], now()).is_allowed());
    assert!(!decide(&at(2, Role::Qa), Action::SignAgreement, &agreement, &[], now()).is_allowed());
    assert!(!decide(&at(1, Role::Operator), Action::SignAgreement, &agreement, &[], now()).is_allowed());
    assert!(decide(&at(1, Role::TechTransferLead), Action::DraftAgreement, &agreement, &[], now()).is_allowed());
    assert!(!decide(&at(2, Role::Admin), Action::DraftAgreement, &agreement, &[], now()).is_allowed());
    assert!(decide(&at(2, Role::Viewer), Action::Read, &agreement, &[], now()).is_allowed());
    assert!(decide(&at(2, Role::Operator), Action::Comment, &agreement, &[], now()).is_allowed());
    assert!(!decide(&at(1, Role::Viewer), Action::Comment, &agreement, &[], now()).is_allowed());
    assert!(!decide(&at(3, Role::Admin), Action::Comment, &agreement, &[], now()).is_allowed());
}

#[test]
fn the_audit_trail_is_for_the_own_admins_and_qa() {
    let trail = Resource::AuditTrail { org: org(1) };
    for (role, allowed) in [(Role::Admin, true), (Role::Qa, true), (Role::Operator, false), (Role::Viewer, false)] {
        assert_eq!(decide(&Subject { org: org(1), role }, Action::Read, &trail, &[], now()).is_allowed(), allowed);
    }
    assert!(!decide(&Subject { org: org(2), role: Role::Admin }, Action::Read, &trail, &[], now()).is_allowed());
}

#[test]
fn quality_agreements_are_signed_by_qa_of_either_party_only() {
    let qa_agreement = Resource::QualityAgreement { sponsor: org(1), cmo: org(2) };
    let at = |o, role| Subject { org: org(o), role };
    assert!(decide(&at(1, Role::Qa), Action::SignAgreement, &qa_agreement, &[], now()).is_allowed());
    assert!(decide(&at(2, Role::Qa), Action::SignAgreement, &qa_agreement, &[], now()).is_allowed());
    assert!(!decide(&at(2, Role::Admin), Action::SignAgreement, &qa_agreement, &[], now()).is_allowed());
    assert!(decide(&at(2, Role::Admin), Action::DraftAgreement, &qa_agreement, &[], now()).is_allowed());
    assert!(!decide(&at(1, Role::Operator), Action::DraftAgreement, &qa_agreement, &[], now()).is_allowed());
    assert!(decide(&at(1, Role::Viewer), Action::Read, &qa_agreement, &[], now()).is_allowed());
    assert!(!decide(&at(3, Role::Qa), Action::Read, &qa_agreement, &[], now()).is_allowed());
    assert!(decide(&at(2, Role::Operator), Action::Comment, &qa_agreement, &[], now()).is_allowed());
    assert!(!decide(&at(2, Role::Viewer), Action::Comment, &qa_agreement, &[], now()).is_allowed());
}

#[test]
fn a_cmo_owns_its_batch_records_and_grants_the_sponsor_access_to_them() {
    let (sponsor, cmo) = (org(1), org(2));
    let batches = PartnerData {
        transfer: Some(transfer_id(0)),
        owner: cmo,
        sponsor,
        cmo,
        product: product_id(0),
        product_name: "Velarimab",
        data_class: Some(DataClass::BatchRecords),
    };
    let sponsor_qa = Subject { org: sponsor, role: Role::Qa };
    let cmo_operator = Subject { org: cmo, role: Role::Operator };
    let resource = Resource::Data(batches);
    assert!(decide(&cmo_operator, Action::Contribute, &resource, &[], now()).is_allowed(), "the owner, no agreement");
    assert!(!decide(&sponsor_qa, Action::Read, &resource, &[], now()).is_allowed(), "the sponsor needs a grant");
    let mut by_sponsor = active_agreement(DataClass::BatchRecords, Permission::View);
    by_sponsor.grantee = cmo;
    by_sponsor.grantor = sponsor;
    assert!(!decide(&sponsor_qa, Action::Read, &resource, &[by_sponsor.clone()], now()).is_allowed(), "wrong way");
    let by_cmo = AgreementFacts { grantor: cmo, grantee: sponsor, ..by_sponsor };
    assert!(decide(&sponsor_qa, Action::Read, &resource, std::slice::from_ref(&by_cmo), now()).is_allowed());
    assert!(!decide(&sponsor_qa, Action::Contribute, &resource, &[by_cmo], now()).is_allowed(), "view only");
}

#[test]
fn signatures_on_transfer_records_are_decided_with_their_meaning() {
    let data = PartnerData {
        transfer: Some(transfer_id(0)),
        owner: org(1),
        sponsor: org(1),
        cmo: org(2),
        product: product_id(0),
        product_name: "Velarimab",
        data_class: None,
    };
    let resource = Resource::Data(data);
    let at = |o, role| Subject { org: org(o), role };
    let approve = Action::Sign(Meaning::Approved);
    assert!(decide(&at(1, Role::Qa), approve, &resource, &[], now()).is_allowed());
    assert!(!decide(&at(1, Role::Admin), approve, &resource, &[], now()).is_allowed(), "approval is QA's");
    assert!(decide(&at(1, Role::Operator), Action::Sign(Meaning::Authored), &resource, &[], now()).is_allowed());
    let view_only = [active_agreement(DataClass::ProcessDescription, Permission::View)];
    assert!(!decide(&at(2, Role::Qa), approve, &resource, &view_only, now()).is_allowed(), "needs contribute");
    let contribute = [active_agreement(DataClass::ProcessDescription, Permission::Contribute)];
    assert!(decide(&at(2, Role::Qa), approve, &resource, &contribute, now()).is_allowed());
    let permitted = permitted(&at(2, Role::Qa), &resource, &contribute, now());
    assert!(permitted.contains(&approve) && permitted.contains(&Action::Read));
    assert!(!permitted.contains(&Action::Download), "{permitted:?}");
}

#[test]
fn a_refusal_on_a_transfer_names_the_permission_that_was_missing() {
    let missing = |needed| DenyReason::NoAgreement { data_class: None, product: "Velarimab".into(), needed }.message();
    assert_eq!(
        missing(Permission::Comment),
        "No active agreement lets your organisation comment on this transfer of Velarimab."
    );
    assert!(
        missing(Permission::View).starts_with("No active data-sharing agreement covers this transfer of Velarimab")
    );
}

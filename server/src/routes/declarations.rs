//! What each API operation touches and does — declared with the endpoint's definition in the shared crate
//! (`baton_domain::endpoints`) — published in the OpenAPI document as the `x-baton-access` extension of every
//! operation, with an example body for each that takes one. The access matrices generate their cells from it, so a new
//! operation is tested for every role and relation as soon as it is declared, and an undeclared one fails.

use baton_domain::endpoints::{self, Access};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::openapi::OpenApi;
use utoipa::openapi::extensions::ExtensionsBuilder;
use utoipa::openapi::path::Operation;

/// The OpenAPI extension that carries an operation's access declaration.
pub const EXTENSION: &str = "x-baton-access";

/// An operation's access declaration as published: the endpoint's [`Access`] and a body for the matrices to send.
#[derive(Clone, Debug, Serialize)]
pub struct Declared {
    /// What it touches and what the rule is asked (from the endpoint's definition).
    #[serde(flatten)]
    pub access: Access,
    /// A request body that passes validation.
    pub example: Option<Value>,
}

/// A request body that passes validation, for each endpoint that takes one: what the matrices send.
fn example(endpoint: &str) -> Option<Value> {
    let terms = json!({
        "title": "Example", "grantee": "00000001-0000-4000-8000-000000000002",
        "scope": {"products": {"kind": "all"}, "transfers": {"kind": "all"}, "data_classes": ["process_description"]},
        "permission": "view", "valid_from": "2026-01-01T00:00:00Z", "valid_until": "2027-01-01T00:00:00Z"
    });
    let signature = json!({"password": "baton-demo-2026", "meaning": "approved", "content_hash": "shown"});
    let su_parameter = json!({"unit_operation": "Production bioreactor", "parameter": "Example", "setpoint": "37.0",
        "nor": {"low": "36.5", "high": "37.5"}, "par": {"low": "35.0", "high": "38.0"}, "unit": "°C",
        "criticality": "cpp", "quality_attributes": ["Titre"]});
    let ru_proposal = json!({"unit_operation": "Production bioreactor", "parameter": "Example", "setpoint": "310.15",
        "nor": {"low": "309.65", "high": "310.65"}, "unit": "K"});
    let risk = json!({"failure_mode": {"step": "Production bioreactor", "failure_mode": "Temperature excursion",
        "effect": "Glycan profile out of specification", "ratings": {"severity": 7, "occurrence": 4, "detection": 3}}});
    // Changes keep the name of the demo's first parameter, so the record the matrices address stays that one (an
    // import keeps a parameter's id when the file still lists it).
    let first_su = json!({"unit_operation": "Seed expansion", "parameter": "Temperature", "setpoint": "37.0",
        "nor": {"low": "36.5", "high": "37.5"}, "par": {"low": "35.0", "high": "39.0"}, "unit": "°C",
        "criticality": "cpp", "quality_attributes": ["Glycan profile"]});
    let first_ru = json!({"unit_operation": "Seed expansion", "parameter": "Temperature", "setpoint": "37.0",
        "nor": {"low": "36.5", "high": "37.5"}, "unit": "°C"});
    // Owned by the sponsor of every demo transfer, Helix.
    let deliverable = json!({"title": "Example", "description": "", "owner_org": "00000001-0000-4000-8000-000000000001",
        "owner_person": null, "due_on": "2026-06-01", "status": "in_progress"});
    // The demo engineering batch of the drug product transfer at Norvia's Ghent site, the one the matrices address.
    let batch = json!({"number": "VDP-ENG-26-0001", "batch_type": "engineering",
        "site": "00000002-0000-4000-8000-000000000003", "product": "00000007-0000-4000-8000-000000000003",
        "transfer": "00000003-0000-4000-8000-000000000003", "planned_start": "2026-10-05", "planned_end": "2026-10-17",
        "actual_start": "2026-10-05", "actual_end": "2026-10-18", "theoretical_yield": "250.0",
        "actual_yield": "238.5", "yield_unit": "kg"});
    // Velarimab drug product at Norvia's Ghent plant, in its transfer: the demo's quality events, and the first
    // deviation and the CAPA answering it (the records the matrices address), changed as they stand.
    let deviation = json!({"title": "Example", "occurred_at": "2026-11-20T08:00:00Z", "classification": "minor",
        "site": "00000002-0000-4000-8000-000000000003", "product": "00000007-0000-4000-8000-000000000003",
        "transfer": "00000003-0000-4000-8000-000000000003"});
    let capa = json!({"title": "Example", "product": "00000007-0000-4000-8000-000000000003",
        "partner": "00000001-0000-4000-8000-000000000001", "transfer": "00000003-0000-4000-8000-000000000003",
        "deviations": ["0000000f-0000-4000-8000-000000000301"], "due_on": "2027-03-01",
        "actions": [{"description": "Example", "owner": "Example", "due_on": "2027-02-01", "done": false}]});
    let closure = json!({"password": "baton-demo-2026", "content_hash": "shown"});
    // Norvia's change of its filler at the Ghent plant in the drug product transfer; the demo's change control that
    // the matrices address awaits Helix's approval.
    let change_control = json!({"partner": "00000001-0000-4000-8000-000000000001",
        "product": "00000007-0000-4000-8000-000000000003", "transfer": "00000003-0000-4000-8000-000000000003",
        "site": "00000002-0000-4000-8000-000000000003", "change_type": "equipment", "title": "Example",
        "description": "Example", "justification": "Example", "proposed_implementation": "2099-12-31"});
    // Velarimab drug substance, commercial supply from Norvia to Helix: the demo delivery the matrices address.
    let delivery = json!({"product": "00000007-0000-4000-8000-000000000001", "reference": "PO-VDS-2026-0101",
        "promised_on": "2026-09-15", "promised_quantity": "12.0", "unit": "kg", "delivered_on": "2026-09-14",
        "delivered_quantity": "12.0"});
    // Every KPI at its shared default: a valid set of targets.
    let kpi_targets = serde_json::to_value(baton_domain::kpi_targets::KpiTarget::defaults()).unwrap_or_default();
    Some(match endpoint {
        "Login" => json!({"email": "someone@example.com", "password": "x"}),
        "MarkNotificationsRead" => json!({"keys": [], "all": true}),
        "CreateAgreement" => terms,
        "ChangeAgreement" => json!({"terms": terms, "row_version": 1, "reason": "Example"}),
        "SignAgreement" | "SignQualityAgreement" | "SignKpiTargets" => signature,
        "RevokeAgreement" => json!({"password": "baton-demo-2026", "reason": "Example", "row_version": 1}),
        "AmendAgreement" => json!({"reason": "Example", "row_version": 1}),
        "CreateTransfer" => json!({
            "product": "00000007-0000-4000-8000-000000000003", "cmo": "00000001-0000-4000-8000-000000000002",
            "sending_site": "00000002-0000-4000-8000-000000000001",
            "receiving_site": "00000002-0000-4000-8000-000000000003",
            "started_on": "2026-12-01", "target_completion": "2027-12-01", "team": []
        }),
        "ChangeStage" => json!({"planned_start": "2026-01-01", "planned_end": "2026-03-01", "actual_start": null,
            "row_version": 1}),
        "AddDeliverable" => deliverable,
        "ChangeDeliverable" => json!({"deliverable": deliverable, "row_version": 1}),
        "ApproveGate" => signature,
        "ReopenGate" => json!({"reason": "Example", "password": "baton-demo-2026", "content_hash": "shown"}),
        "ChangeStageTemplate" => json!({"name": "Example", "row_version": 0,
            "stages": [{"name": "Planning", "deliverables": ["Transfer protocol"]}]}),
        "AddMethod" => json!({"name": "Example HPLC", "attributes": [{"attribute": "Assay", "unit": "%",
            "criteria": [{"kind": "absolute_mean_difference", "max": "2.0"}]}]}),
        "SaveSuResults" | "SaveRuResults" => {
            // The attribute of the demo drug product method, the one the matrices address.
            json!({"results": [{"attribute": "Relative potency", "values": ["99", "101", "100"]}], "row_version": 0})
        }
        "RecordBatch" => {
            let mut new = batch;
            new["number"] = json!("VDP-ENG-26-0099");
            new
        }
        "ChangeBatch" => json!({"batch": batch, "row_version": 1, "reason": "Example"}),
        "AddBatchResult" => json!({"test": "Assay", "value": {"kind": "numeric", "value": "99.0", "lower": "95.0",
            "upper": "105.0", "unit": "%"}}),
        "CorrectBatchResult" => json!({"result_id": "0000000e-0000-4000-8000-000100000301", "row_version": 1,
            "reason": "Example", "result": {"test": "Assay", "value": {"kind": "numeric", "value": "99.2",
            "lower": "95.0", "upper": "105.0", "unit": "%"}}}),
        "DisposeBatch" => json!({"disposition": "rejected", "reason": "Example", "password": "baton-demo-2026",
            "content_hash": "shown"}),
        "RecordDelivery" => {
            let mut new = delivery;
            new["reference"] = json!("PO-VDS-2026-0999");
            new
        }
        "ChangeDelivery" => json!({"delivery": delivery, "row_version": 1, "reason": "Example"}),
        // A document of Helix's in the drug substance transfer.
        "CreateDocument" => json!({"transfer": "00000003-0000-4000-8000-000000000001", "title": "Example",
            "data_class": "regulatory_documents"}),
        // The body is the file's bytes, not JSON: callers that may not upload are refused before it is read.
        "UploadDocumentVersion" => json!({}),
        "SubmitDocument" | "ApproveDocument" => closure.clone(),
        "AddRisk" => risk,
        "ChangeRisk" => json!({"risk": risk, "row_version": 1}),
        "AddSuParameter" => su_parameter,
        "ChangeSuParameter" => json!({"parameter": first_su, "row_version": 1}),
        "ImportSuParameters" => {
            json!({"csv": "unit_operation,parameter,setpoint,nor_low,nor_high,par_low,par_high,unit,\
            criticality,quality_attributes\nSeed expansion,Temperature,37.0,36.5,37.5,35.0,39.0,°C,CPP,Glycan profile\n"})
        }
        "AddRuProposal" => ru_proposal,
        "ChangeRuProposal" => json!({"proposal": first_ru, "row_version": 1}),
        "RaiseDeviation" => deviation,
        "InvestigateDeviation" => json!({"classification": "major", "investigation": "Example", "impact": "",
            "root_cause": "equipment", "row_version": 2, "reason": "Example"}),
        "CloseDeviation" | "CloseCapa" => closure,
        "RaiseCapa" => capa,
        "ChangeCapa" => json!({"capa": capa, "row_version": 1}),
        "ProposeKpiTargets" => json!({"targets": kpi_targets, "reason": "Example"}),
        "ChangeKpiTargets" => json!({"targets": kpi_targets, "reason": "Example", "content_hash": "shown"}),
        "RaiseChangeControl" => change_control,
        "AssessChangeControl" => json!({"product_quality": "Example", "regulatory": "none", "validation_needed": false,
            "affected_documents": [], "risk": "low", "row_version": 3, "reason": "Example"}),
        "DecideChangeControl" => json!({"decision": "approved", "password": "baton-demo-2026",
            "content_hash": "shown"}),
        "ImplementChangeControl" => json!({"implemented_on": "2026-12-01", "note": "Example", "row_version": 4}),
        "CloseChangeControl" => json!({"effectiveness": "Example", "password": "baton-demo-2026",
            "content_hash": "shown"}),
        "ProposeQualityAgreement" => {
            json!({"rows": [{"activity": "Batch release", "sponsor": "A", "cmo": "R"}], "reason": "Example"})
        }
        "AddComment" => json!({"text": "Example", "parent": null, "mentions": []}),
        "EditComment" => json!({"text": "Example", "mentions": [], "version": 1}),
        "ResolveThread" => json!({"resolved": true}),
        _ => return None,
    })
}

/// The declaration of `method` `path`, from the endpoint defined for it in the shared crate.
pub fn declaration(method: &str, path: &str) -> Option<Declared> {
    let endpoint = endpoints::ALL.iter().find(|e| e.method.as_str().eq_ignore_ascii_case(method) && e.path == path)?;
    Some(Declared { access: endpoint.access, example: example(endpoint.name) })
}

fn operations(doc: &mut OpenApi) -> impl Iterator<Item = (&'static str, &String, &mut Operation)> {
    doc.paths.paths.iter_mut().flat_map(|(path, item)| {
        [
            ("get", item.get.as_mut()),
            ("put", item.put.as_mut()),
            ("post", item.post.as_mut()),
            ("delete", item.delete.as_mut()),
            ("patch", item.patch.as_mut()),
        ]
        .into_iter()
        .filter_map(move |(method, op)| op.map(|op| (method, path, op)))
    })
}

/// Publishes every operation's declaration in `doc`; returns the operations that have none.
pub fn publish(doc: &mut OpenApi) -> Vec<String> {
    let mut undeclared = Vec::new();
    for (method, path, operation) in operations(doc) {
        match declaration(method, path) {
            Some(declared) => {
                let value = serde_json::to_value(&declared).unwrap_or(Value::Null);
                let extension = ExtensionsBuilder::new().add(EXTENSION, value).build();
                match operation.extensions.as_mut() {
                    Some(existing) => existing.merge(extension),
                    None => operation.extensions = Some(extension),
                }
            }
            None => undeclared.push(format!("{} {path}", method.to_uppercase())),
        }
    }
    undeclared
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_operation_is_declared() {
        let (_, mut doc) = super::super::api();
        assert_eq!(super::publish(&mut doc), Vec::<String>::new(), "declare these in routes/declarations.rs");
        let operations = super::operations(&mut doc).count();
        let json = doc.to_json().unwrap_or_default();
        assert_eq!(json.matches(super::EXTENSION).count(), operations, "one declaration per operation");
        assert!(operations >= 20, "{operations}");
    }
}

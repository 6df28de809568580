//! The forms of a change control's page: a party's impact assessment (with the conflict dialog when the record
//! changed since it was opened) and the owner's record of the implementation.

use crate::api::{self, Failure};
use crate::components::conflict_dialog::{ConflictDialog, FieldClash, clashes};
use baton_domain::change_control::{
    ChangeControlAssessment, ChangeControlImplementation, ChangeControlView, ImpactAssessment, RegulatoryImpact,
    RiskLevel,
};
use baton_domain::endpoints::{AssessChangeControl, GetChangeControl, ImplementChangeControl};
use baton_domain::error::ErrorCode;
use baton_domain::ids::{ChangeControlId, OrgId};
use chrono::{NaiveDate, Utc};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// An assessment's values as the conflict dialog compares them: quality, regulatory, validation, documents, risk.
fn compared(
    quality: &str,
    regulatory: RegulatoryImpact,
    validation: Option<&str>,
    documents: &[String],
    risk: RiskLevel,
) -> [String; 5] {
    [
        quality.trim().to_owned(),
        regulatory.label().to_owned(),
        validation.map_or_else(|| "Not needed".to_owned(), |v| v.trim().to_owned()),
        documents.join("; "),
        risk.label().to_owned(),
    ]
}

/// The fields where the assessment now stored (`theirs`, none if there is none) and the user's differ.
fn conflict_fields(theirs: Option<&ImpactAssessment>, mine: &ChangeControlAssessment) -> Vec<FieldClash> {
    let theirs = theirs.map_or_else(Default::default, |a| {
        let validation = a.validation_needed.then_some(a.validation.as_str());
        compared(&a.product_quality, a.regulatory, validation, &a.affected_documents, a.risk)
    });
    let validation = mine.validation_needed.then_some(mine.validation.as_str());
    let mine = compared(&mine.product_quality, mine.regulatory, validation, &mine.documents(), mine.risk);
    let labels = ["Impact on product quality", "Regulatory impact", "Validation", "Documents", "Risk"];
    clashes(labels.into_iter().zip(theirs).zip(mine).map(|((label, t), m)| (label, t, m)))
}

/// The caller's organisation's impact assessment: a new one, or a revision of its earlier one with the reason.
#[component]
pub fn AssessmentForm(
    /// The change control as shown.
    change: ChangeControlView,
    /// The caller's organisation.
    party: OrgId,
    /// Called after a save, to reload.
    on_change: Callback<()>,
) -> impl IntoView {
    let earlier = change.assessments.iter().find(|a| a.party.id == party).cloned();
    let revises = earlier.is_some();
    let quality = RwSignal::new(earlier.as_ref().map(|a| a.product_quality.clone()).unwrap_or_default());
    let regulatory = RwSignal::new(earlier.as_ref().map_or(RegulatoryImpact::None, |a| a.regulatory));
    let validation_needed = RwSignal::new(earlier.as_ref().is_some_and(|a| a.validation_needed));
    let validation = RwSignal::new(earlier.as_ref().map(|a| a.validation.clone()).unwrap_or_default());
    let documents = RwSignal::new(earlier.as_ref().map(|a| a.affected_documents.join("\n")).unwrap_or_default());
    let risk = RwSignal::new(earlier.as_ref().map_or(RiskLevel::Low, |a| a.risk));
    let reason = RwSignal::new(String::new());
    let row_version = RwSignal::new(change.row_version);
    let error = RwSignal::new(None::<(String, String)>);
    let clash = RwSignal::new(None::<(String, Vec<FieldClash>)>);
    let id: ChangeControlId = change.id;
    let values = move || ChangeControlAssessment {
        product_quality: quality.get_untracked(),
        regulatory: regulatory.get_untracked(),
        validation_needed: validation_needed.get_untracked(),
        validation: validation.get_untracked(),
        affected_documents: documents
            .get_untracked()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect(),
        risk: risk.get_untracked(),
        row_version: row_version.get_untracked(),
        reason: Some(reason.get_untracked()).filter(|r| !r.trim().is_empty()),
    };
    let save = move || {
        let request = values();
        if let Err(e) = request.validate(revises) {
            error.set(Some((e.field.unwrap_or_default(), e.message)));
            return;
        }
        error.set(None);
        spawn_local(async move {
            match api::call::<AssessChangeControl>([&id.to_string()], &request).await {
                Ok(_) => on_change.run(()),
                Err(Failure::Api(e)) if e.code == ErrorCode::Conflict => {
                    // Someone changed the record since it was opened: show theirs against ours, on the version now.
                    match api::call::<GetChangeControl>([&id.to_string()], &()).await {
                        Ok(now) => {
                            row_version.set(now.row_version);
                            let theirs = now.assessments.iter().find(|a| a.party.id == party);
                            clash.set(Some((e.message, conflict_fields(theirs, &request))));
                        }
                        Err(f) => error.set(Some((String::new(), f.message()))),
                    }
                }
                Err(Failure::Api(e)) => error.set(Some((e.field.unwrap_or_default(), e.message))),
                Err(f) => error.set(Some((String::new(), f.message()))),
            }
        });
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        save();
    };
    let problem = move |field: &'static str| move || error.get().filter(|(f, _)| f == field).map(|(_, m)| m);
    view! {
        <form class="form entry-form" on:submit=submit data-testid="assessment-form" novalidate>
            <div class="field"><label for="cc-quality">"Impact on product quality"</label>
                <textarea id="cc-quality" rows="3" prop:value=move || quality.get() on:input=move |ev| quality.set(event_target_value(&ev))></textarea>
                <p class="field-error">{problem("product_quality")}</p></div>
            <div class="form-grid">
                <fieldset class="field choice-row"><legend>"Regulatory impact"</legend>
                    {RegulatoryImpact::ALL.iter().map(|r| {
                        let r = *r;
                        view! { <label class="choice big-choice"><input type="radio" name="cc-regulatory" value=r.as_str()
                            prop:checked=move || regulatory.get() == r on:change=move |_| regulatory.set(r)/>{r.label()}</label> }
                    }).collect_view()}
                </fieldset>
                <fieldset class="field choice-row"><legend>"Risk"</legend>
                    {RiskLevel::ALL.iter().map(|r| {
                        let r = *r;
                        view! { <label class="choice big-choice"><input type="radio" name="cc-risk" value=r.as_str()
                            prop:checked=move || risk.get() == r on:change=move |_| risk.set(r)/>{r.label()}</label> }
                    }).collect_view()}
                </fieldset>
            </div>
            <label class="choice"><input id="cc-validation-needed" type="checkbox" prop:checked=move || validation_needed.get()
                on:change=move |ev| validation_needed.set(event_target_checked(&ev))/>"Validation or qualification needed"</label>
            {move || validation_needed.get().then(|| view! {
                <div class="field"><label for="cc-validation">"Which validation or qualification"</label>
                    <input id="cc-validation" type="text" prop:value=move || validation.get() on:input=move |ev| validation.set(event_target_value(&ev))/>
                    <p class="field-error">{problem("validation")}</p></div>
            })}
            <div class="field"><label for="cc-documents">"Documents to revise, one per line"</label>
                <textarea id="cc-documents" rows="3" prop:value=move || documents.get() on:input=move |ev| documents.set(event_target_value(&ev))></textarea>
                <p class="field-error">{move || error.get().filter(|(f, _)| f.starts_with("affected_documents")).map(|(_, m)| m)}</p></div>
            {revises.then(|| view! {
                <div class="field"><label for="cc-reason">"Why your assessment changes"</label>
                    <input id="cc-reason" type="text" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
                    <p class="field-error">{problem("reason")}</p></div>
            })}
            <p class="field-error">{move || error.get().filter(|(f, _)| f.is_empty() || f == "row_version").map(|(_, m)| m)}</p>
            <div class="dialog-actions">
                <button type="submit" class="button primary">{if revises { "Save revised assessment" } else { "Record assessment" }}</button>
            </div>
            <ConflictDialog clash=clash on_reapply=Callback::new(move |()| save()) on_discard=on_change/>
        </form>
    }
}

/// The owner's record of the approved change's implementation.
#[component]
pub fn ImplementationForm(
    /// The change control as shown.
    change: ChangeControlView,
    /// Called after a save, to reload.
    on_change: Callback<()>,
) -> impl IntoView {
    let today = Utc::now().date_naive();
    let on = RwSignal::new(today.to_string());
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<(String, String)>);
    let (id, row_version) = (change.id, change.row_version);
    let approved_on = change.decision.as_ref().map_or(today, |d| d.signature.signed_at.date_naive());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Ok(implemented_on) = on.get_untracked().parse::<NaiveDate>() else {
            error.set(Some(("implemented_on".into(), "Choose the date the change was implemented.".into())));
            return;
        };
        let request = ChangeControlImplementation { implemented_on, note: note.get_untracked(), row_version };
        if let Err(e) = request.validate(approved_on, Utc::now().date_naive()) {
            error.set(Some((e.field.unwrap_or_default(), e.message)));
            return;
        }
        error.set(None);
        spawn_local(async move {
            match api::call::<ImplementChangeControl>([&id.to_string()], &request).await {
                Ok(_) => on_change.run(()),
                Err(Failure::Api(e)) => error.set(Some((e.field.unwrap_or_default(), e.message))),
                Err(f) => error.set(Some((String::new(), f.message()))),
            }
        });
    };
    let problem = move |field: &'static str| move || error.get().filter(|(f, _)| f == field).map(|(_, m)| m);
    view! {
        <form class="form entry-form" on:submit=submit data-testid="implementation-form" novalidate>
            <div class="field"><label for="cc-implemented-on">"Implemented on"</label>
                <input id="cc-implemented-on" type="date" prop:value=move || on.get() on:input=move |ev| on.set(event_target_value(&ev))/>
                <p class="field-error">{problem("implemented_on")}</p></div>
            <div class="field"><label for="cc-note">"What was done, and where the evidence is"</label>
                <textarea id="cc-note" rows="3" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                <p class="field-error">{problem("note")}</p></div>
            <p class="field-error">{move || error.get().filter(|(f, _)| !matches!(f.as_str(), "implemented_on" | "note")).map(|(_, m)| m)}</p>
            <div class="dialog-actions"><button type="submit" class="button primary">"Record implementation"</button></div>
        </form>
    }
}

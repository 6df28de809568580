//! The KPI targets editor: every KPI's target and amber limit, typed in the unit shown beside the field (percent,
//! days, per batch), the red band worked out as you type, and the reason for the change. It proposes a new version,
//! or edits an unsigned draft as it was shown; if someone else edited that draft meanwhile, it shows what changed
//! and offers to re-apply.

use crate::api::{self, Failure};
use crate::components::conflict_dialog::{ConflictDialog, FieldClash, clashes};
use crate::components::table_wrap::TableWrap;
use crate::pages::kpi_targets::worse_than;
use baton_domain::endpoints::{ChangeKpiTargets, GetKpiTargets, ProposeKpiTargets};
use baton_domain::error::{ApiError, ErrorCode};
use baton_domain::kpi::KpiKind;
use baton_domain::kpi_targets::{
    KpiTarget, KpiTargetChange, KpiTargetDraft, KpiTargetVersion, entry_text, entry_unit, parse_entry,
};
use baton_domain::quality::QualityAgreementState;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;

/// What the editor works on.
#[derive(Clone, Debug, PartialEq)]
pub enum Editing {
    /// A new version, starting from the limits in use.
    New,
    /// A draft nobody has signed yet, as shown.
    Draft(KpiTargetVersion),
}

/// One KPI's limits as typed.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    kpi: KpiKind,
    target: String,
    amber: String,
}

fn rows_of(targets: &[KpiTarget]) -> Vec<Row> {
    targets
        .iter()
        .map(|t| Row { kpi: t.kpi, target: entry_text(t.kpi, t.target), amber: entry_text(t.kpi, t.amber) })
        .collect()
}

/// The limits as typed, or the field errors: what cannot be read as a number, then every rule the shared crate
/// checks on the server too.
fn read(rows: &[Row], reason: &str) -> Result<KpiTargetDraft, BTreeMap<String, String>> {
    let mut errors = BTreeMap::new();
    let mut targets = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let target = parse_entry(row.kpi, &row.target).map_err(|e| errors.insert(format!("targets[{i}].target"), e));
        let amber = parse_entry(row.kpi, &row.amber).map_err(|e| errors.insert(format!("targets[{i}].amber"), e));
        if let (Ok(target), Ok(amber)) = (target, amber) {
            targets.push(KpiTarget { kpi: row.kpi, target, amber });
        }
    }
    let draft = KpiTargetDraft { targets, reason: reason.to_owned() };
    if errors.is_empty() {
        for problem in draft.problems() {
            errors.entry(problem.field.unwrap_or_default()).or_insert(problem.message);
        }
    }
    if errors.is_empty() { Ok(draft) } else { Err(errors) }
}

/// "95 % / 90 %": a KPI's limits, for the conflict dialog.
fn limits(kind: KpiKind, target: &str, amber: &str) -> String {
    let unit = entry_unit(kind);
    format!("target {target} {unit}, amber {amber} {unit}")
}

/// The red band for the amber limit as typed: "< 90.0 %".
fn red_band(kind: KpiKind, amber: &str) -> String {
    parse_entry(kind, amber).map_or_else(|_| "—".to_owned(), |limit| worse_than(kind, limit))
}

/// The editor of a new version or of a draft.
#[component]
pub fn TargetsEditor(
    /// The partnership's id.
    partnership: String,
    /// The limits in use, where a new version starts.
    start: Vec<KpiTarget>,
    /// A new version or a draft.
    mode: Editing,
    /// Called when the editor closes: `true` once something was saved.
    on_done: Callback<bool>,
) -> impl IntoView {
    let (initial, initial_reason, draft_id, draft_hash) = match &mode {
        Editing::New => (rows_of(&start), String::new(), None, String::new()),
        Editing::Draft(v) => (rows_of(&v.targets), v.reason.clone(), Some(v.id.to_string()), v.content_hash.clone()),
    };
    let title = match &mode {
        Editing::New => "New version".to_owned(),
        Editing::Draft(v) => format!("Edit draft version {}", v.version),
    };
    let rows = RwSignal::new(initial);
    let reason = RwSignal::new(initial_reason);
    let shown_hash = RwSignal::new(draft_hash);
    let errors = RwSignal::new(BTreeMap::<String, String>::new());
    let failure = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let clash = RwSignal::new(None::<(String, Vec<FieldClash>)>);
    let error_of = move |field: String| move || errors.with(|e| e.get(&field).cloned());

    let save = {
        let (partnership, draft_id) = (partnership.clone(), draft_id.clone());
        Callback::new(move |()| {
            let draft = match read(&rows.get_untracked(), &reason.get_untracked()) {
                Ok(draft) => draft,
                Err(found) => {
                    errors.set(found);
                    failure.set(Some("Check the fields marked below.".into()));
                    return;
                }
            };
            errors.set(BTreeMap::new());
            failure.set(None);
            pending.set(true);
            let (partnership, draft_id) = (partnership.clone(), draft_id.clone());
            spawn_local(async move {
                let outcome = match &draft_id {
                    None => api::call::<ProposeKpiTargets>([&partnership], &draft).await.map(|_| ()),
                    Some(id) => {
                        let change = KpiTargetChange {
                            targets: draft.targets.clone(),
                            reason: draft.reason.clone(),
                            content_hash: shown_hash.get_untracked(),
                        };
                        api::call::<ChangeKpiTargets>([id], &change).await.map(|_| ())
                    }
                };
                pending.set(false);
                match outcome {
                    Ok(()) => on_done.run(true),
                    Err(f) if f.code() == Some(ErrorCode::Conflict) && draft_id.is_some() => {
                        // Someone else edited the draft (or signed it): show theirs against mine.
                        let id = draft_id.unwrap_or_default();
                        let current = api::call::<GetKpiTargets>([&partnership], &()).await.ok();
                        let theirs = current.and_then(|t| t.versions.into_iter().find(|v| v.id.to_string() == id));
                        match theirs.filter(|v| v.state == QualityAgreementState::Draft) {
                            Some(v) => {
                                shown_hash.set(v.content_hash.clone());
                                let mine = rows.get_untracked();
                                let theirs_rows = rows_of(&v.targets);
                                let mut fields: Vec<(&'static str, String, String)> = theirs_rows
                                    .iter()
                                    .zip(&mine)
                                    .map(|(t, m)| {
                                        (
                                            t.kpi.label(),
                                            limits(t.kpi, &t.target, &t.amber),
                                            limits(m.kpi, &m.target, &m.amber),
                                        )
                                    })
                                    .collect();
                                fields.push(("Reason", v.reason.clone(), reason.get_untracked()));
                                clash.set(Some((f.message(), clashes(fields))));
                            }
                            None => failure.set(Some(f.message())),
                        }
                    }
                    Err(f) => {
                        if let Failure::Api(ApiError {
                            code: ErrorCode::InvalidInput,
                            field: Some(field),
                            message,
                            ..
                        }) = &f
                        {
                            errors.update(|e| {
                                e.insert(field.clone(), message.clone());
                            });
                        }
                        failure.set(Some(f.message()));
                    }
                }
            });
        })
    };

    // The KPIs are fixed: the rows are drawn once, and each field follows its own value (so typing never redraws the
    // table and focus stays where it is).
    let kinds: Vec<KpiKind> = rows.with_untracked(|all| all.iter().map(|row| row.kpi).collect());
    let body = kinds
        .into_iter()
        .enumerate()
        .map(|(i, kind)| {
            let unit = entry_unit(kind);
            let field = move |amber: bool| {
                move || rows.with(|r| r.get(i).map(|row| if amber { row.amber.clone() } else { row.target.clone() }))
            };
            let set = move |amber: bool| {
                move |ev| {
                    let v = event_target_value(&ev);
                    rows.update(|r| {
                        if let Some(row) = r.get_mut(i) {
                            if amber { row.amber = v } else { row.target = v }
                        }
                    });
                }
            };
            let red = move || rows.with(|r| r.get(i).map(|row| red_band(kind, &row.amber)).unwrap_or_default());
            view! {
                <tr>
                    <th scope="row">{kind.label()}<br/><span class="muted small">{kind.direction().label()}</span></th>
                    <td>
                        <div class="with-unit">
                            <input id=format!("target-{}", kind.as_str()) class="cell-input" type="text" inputmode="decimal"
                                aria-label=format!("{} target", kind.label()) prop:value=field(false) on:input=set(false)/>
                            <span class="unit">{unit}</span>
                        </div>
                        <p class="field-error">{error_of(format!("targets[{i}].target"))}</p>
                    </td>
                    <td>
                        <div class="with-unit">
                            <input id=format!("amber-{}", kind.as_str()) class="cell-input" type="text" inputmode="decimal"
                                aria-label=format!("{} amber limit", kind.label()) prop:value=field(true) on:input=set(true)/>
                            <span class="unit">{unit}</span>
                        </div>
                        <p class="field-error">{error_of(format!("targets[{i}].amber"))}</p>
                    </td>
                    <td class="numeric-text">{red}</td>
                </tr>
            }
        })
        .collect_view();
    let reapply = Callback::new(move |()| save.run(()));
    let keep_theirs = Callback::new(move |()| on_done.run(true));
    view! {
        <section class="panel targets-editor" data-testid="targets-editor">
            <h2>{title}</h2>
            <p class="muted">"Green at or better than the target; amber down to the amber limit; red beyond it."</p>
            <TableWrap>
                <table class="data-table targets-table">
                    <thead><tr><th scope="col">"KPI"</th><th scope="col">"Target (green)"</th>
                        <th scope="col">"Amber limit"</th><th scope="col">"Red"</th></tr></thead>
                    <tbody>{body}</tbody>
                </table>
            </TableWrap>
            <p class="field-error">{error_of("targets".to_owned())}</p>
            <div class="field">
                <label for="targets-reason">"Reason for the change"</label>
                <input id="targets-reason" type="text" prop:value=move || reason.get()
                    on:input=move |ev| reason.set(event_target_value(&ev))/>
                <p class="field-error">{error_of("reason".to_owned())}</p>
            </div>
            {move || failure.get().map(|m| view! { <div class="banner error" role="alert" data-testid="targets-error">{m}</div> })}
            <div class="dialog-actions">
                <button type="button" class="button" on:click=move |_| on_done.run(false)>"Cancel"</button>
                <button type="button" class="button primary" disabled=move || pending.get() on:click=move |_| save.run(())>
                    {if draft_id.is_some() { "Save draft" } else { "Propose version" }}
                </button>
            </div>
            <ConflictDialog clash=clash on_reapply=reapply on_discard=keep_theirs/>
        </section>
    }
}

//! The parameter page's forms: the receiving unit's proposal for one parameter, and importing the sending unit's
//! parameters from a CSV file (all or nothing; every problem listed by line and column).

use crate::api::{self, Failure};
use crate::components::table_wrap::TableWrap;
use baton_domain::decimal::Decimal;
use baton_domain::endpoints::{AddRuProposal, ChangeRuProposal, ImportSuParameters};
use baton_domain::error::{ErrorCode, Problem};
use baton_domain::ids::TransferId;
use baton_domain::parameter::RuProposal;
use baton_domain::parameter_table::{ParameterImport, ParameterPair, RuChange};
use baton_domain::range::Range;
use baton_domain::units::Unit;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

/// A typed number, or `None` when left empty; the error names the field.
fn number(text: &str, field: &str) -> Result<Option<Decimal>, (String, String)> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    Decimal::parse(text).map(Some).map_err(|e| (field.to_owned(), e.to_string()))
}

/// The RU's proposal for one parameter: setpoint, normal operating range and unit, in a dialog.
#[component]
pub fn ProposalDialog(
    transfer: TransferId,
    proposing: RwSignal<Option<ParameterPair>>,
    on_saved: Callback<()>,
) -> impl IntoView {
    let setpoint = RwSignal::new(String::new());
    let low = RwSignal::new(String::new());
    let high = RwSignal::new(String::new());
    let unit = RwSignal::new(String::new());
    let error = RwSignal::new(None::<(String, String)>);
    let pending = RwSignal::new(false);
    Effect::new(move |_| {
        let Some(pair) = proposing.get() else { return };
        let text = |d: Option<Decimal>| d.map(|d| d.to_string()).unwrap_or_default();
        let ru = pair.ru.as_ref().map(|r| &r.proposal);
        setpoint.set(text(ru.and_then(|r| r.setpoint)));
        low.set(text(ru.and_then(|r| r.nor.low)));
        high.set(text(ru.and_then(|r| r.nor.high)));
        let su_unit = pair.su.as_ref().map(|s| s.parameter.unit.to_string());
        unit.set(ru.map(|r| r.unit.to_string()).or(su_unit).unwrap_or_default());
        error.set(None);
    });
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(pair) = proposing.get_untracked() else { return };
        let built = (|| {
            let unit = Unit::parse(&unit.get_untracked()).map_err(|e| ("unit".to_owned(), e.to_string()))?;
            let proposal = RuProposal {
                unit_operation: pair.unit_operation().to_owned(),
                parameter: pair.name().to_owned(),
                setpoint: number(&setpoint.get_untracked(), "setpoint")?,
                nor: Range::new(number(&low.get_untracked(), "nor.low")?, number(&high.get_untracked(), "nor.high")?),
                par: pair.ru.as_ref().map(|r| r.proposal.par).unwrap_or_default(),
                unit,
                scale: pair.ru.as_ref().and_then(|r| r.proposal.scale.clone()),
            };
            proposal.validate().map_err(|e| (e.field.unwrap_or_default(), e.message))?;
            Ok::<_, (String, String)>(proposal)
        })();
        let proposal = match built {
            Ok(p) => p,
            Err(e) => {
                error.set(Some(e));
                return;
            }
        };
        pending.set(true);
        spawn_local(async move {
            let outcome = match &pair.ru {
                Some(existing) => {
                    let change = RuChange { proposal, row_version: existing.row_version };
                    api::call::<ChangeRuProposal>([&existing.id.to_string()], &change).await.map(|_| ())
                }
                None => api::call::<AddRuProposal>([&transfer.to_string()], &proposal).await.map(|_| ()),
            };
            match outcome {
                Ok(()) => {
                    proposing.set(None);
                    on_saved.run(());
                }
                Err(Failure::Api(e)) => error.set(Some((e.field.unwrap_or_default(), e.message))),
                Err(f) => error.set(Some((String::new(), f.message()))),
            }
            pending.set(false);
        });
    };
    let invalid = move |field: &'static str| move || error.get().is_some_and(|(f, _)| f == field).to_string();
    move || {
        proposing.get().map(|pair| {
            let su = pair.su.as_ref().map(|s| {
                format!(
                    "SU: setpoint {}, NOR {}, PAR {} {}",
                    s.parameter.setpoint.map(|v| v.to_string()).unwrap_or_else(|| "—".into()),
                    crate::components::parameter_grid::range_cell(&s.parameter.nor),
                    crate::components::parameter_grid::range_cell(&s.parameter.par),
                    s.parameter.unit
                )
            });
            view! {
                <div class="dialog-backdrop">
                    <form class="panel dialog" role="dialog" aria-modal="true" aria-labelledby="proposal-title" on:submit=submit novalidate data-testid="proposal-form">
                        <h2 id="proposal-title">{format!("RU proposal: {} · {}", pair.unit_operation(), pair.name())}</h2>
                        {su.map(|s| view! { <p class="sign-statement">{s}</p> })}
                        <div class="field-row">
                            <div class="field"><label for="ru-setpoint">"Setpoint"</label>
                                <input id="ru-setpoint" type="text" inputmode="decimal" aria-invalid=invalid("setpoint")
                                    prop:value=move || setpoint.get() on:input=move |ev| setpoint.set(event_target_value(&ev))/></div>
                            <div class="field"><label for="ru-unit">"Unit"</label>
                                <input id="ru-unit" type="text" aria-invalid=invalid("unit")
                                    prop:value=move || unit.get() on:input=move |ev| unit.set(event_target_value(&ev))/></div>
                        </div>
                        <div class="field-row">
                            <div class="field"><label for="ru-nor-low">"NOR low"</label>
                                <input id="ru-nor-low" type="text" inputmode="decimal" aria-invalid=invalid("nor.low")
                                    prop:value=move || low.get() on:input=move |ev| low.set(event_target_value(&ev))/></div>
                            <div class="field"><label for="ru-nor-high">"NOR high"</label>
                                <input id="ru-nor-high" type="text" inputmode="decimal" aria-invalid=invalid("nor.high")
                                    prop:value=move || high.get() on:input=move |ev| high.set(event_target_value(&ev))/></div>
                        </div>
                        <p class="field-error" data-testid="proposal-error">{move || error.get().map(|(_, m)| m)}</p>
                        <div class="dialog-actions">
                            <button type="button" class="button" on:click=move |_| proposing.set(None)>"Cancel"</button>
                            <button type="submit" class="button primary" disabled=move || pending.get()>"Save proposal"</button>
                        </div>
                    </form>
                </div>
            }
        })
    }
}

/// Reads the chosen file's text.
async fn file_text(input: &web_sys::HtmlInputElement) -> Result<String, String> {
    let file = input.files().and_then(|files| files.get(0)).ok_or("Choose a CSV file first.")?;
    let text = wasm_bindgen_futures::JsFuture::from(file.text()).await.map_err(|_| "The file could not be read.")?;
    text.as_string().ok_or_else(|| "The file is not text.".to_owned())
}

/// Importing SU parameters from CSV: replaces them all, or changes nothing and lists every problem.
#[component]
pub fn ImportPanel(transfer: TransferId, on_imported: Callback<()>) -> impl IntoView {
    let problems = RwSignal::new(Vec::<Problem>::new());
    let message = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let import = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
            .and_then(|form| form.query_selector("input[type=file]").ok().flatten())
            .and_then(|el| el.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        pending.set(true);
        problems.set(Vec::new());
        spawn_local(async move {
            match file_text(&input).await {
                Err(why) => message.set(Some(why)),
                Ok(csv) => {
                    match api::call::<ImportSuParameters>([&transfer.to_string()], &ParameterImport { csv }).await {
                        Ok(done) => {
                            message.set(Some(format!("Imported {} parameters.", done.rows)));
                            on_imported.run(());
                        }
                        Err(Failure::Api(e)) if e.code == ErrorCode::InvalidInput && !e.problems.is_empty() => {
                            message.set(Some(e.message));
                            problems.set(e.problems);
                        }
                        Err(f) => message.set(Some(f.message())),
                    }
                }
            }
            pending.set(false);
        });
    };
    view! {
        <details class="panel import">
            <summary>"Import the sending unit's parameters from CSV"</summary>
            <p class="muted small">"Columns, in this order: unit_operation, parameter, setpoint, nor_low, nor_high, par_low, par_high, unit, criticality (CPP or non-CPP), quality_attributes (separated by ;). The file replaces all current SU parameters; a file with any problem changes nothing."</p>
            <form on:submit=import data-testid="import-form">
                <div class="field"><label for="import-file">"CSV file"</label>
                    <input id="import-file" type="file" accept=".csv,text/csv"/></div>
                <button type="submit" class="button" disabled=move || pending.get()>"Import"</button>
            </form>
            <p role="status" data-testid="import-message">{move || message.get()}</p>
            {move || (!problems.with(Vec::is_empty)).then(|| view! {
                <TableWrap>
                    <table class="data-table" data-testid="import-problems">
                        <thead><tr><th scope="col">"Line"</th><th scope="col">"Column"</th><th scope="col">"Problem"</th></tr></thead>
                        <tbody>{problems.get().into_iter().map(|p| view! {
                            <tr><td class="numeric">{p.line.map(|l| l.to_string()).unwrap_or_default()}</td>
                                <td>{p.column.unwrap_or_default()}</td><td>{p.message}</td></tr>
                        }).collect_view()}</tbody>
                    </table>
                </TableWrap>
            })}
        </details>
    }
}

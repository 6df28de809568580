//! `/stage-template`: the organisation's stage template for new transfers — stages added, renamed, reordered,
//! each with its default deliverables (one per line). Saved whole, on the version shown.

use crate::api::{self, Failure};
use crate::auth::RequireAuth;
use crate::components::load_failure::load_failure;
use crate::components::loading::Loading;
use crate::components::shell::Shell;
use baton_domain::access::Action;
use baton_domain::endpoints::{ChangeStageTemplate, GetStageTemplate};
use baton_domain::error::ErrorCode;
use baton_domain::stage_template::{StageTemplate, TemplateChange, TemplateStage};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// `/stage-template`
#[component]
pub fn StageTemplatePage() -> impl IntoView {
    let template = LocalResource::new(|| api::call::<GetStageTemplate>([], &()));
    let reload = Callback::new(move |()| template.refetch());
    view! {
        <RequireAuth>
            <Shell>
                <Suspense fallback=|| view! { <Loading label="Loading the template…"/> }>
                    {move || template.get().map(|result| match result {
                        Ok(t) => view! { <TemplateEditor template=t on_saved=reload/> }.into_any(),
                        Err(f) => load_failure(f, "There is no template.", reload),
                    })}
                </Suspense>
            </Shell>
        </RequireAuth>
    }
}

/// A stage as edited: its name and its deliverables as lines of text.
#[derive(Clone)]
struct Row {
    key: usize,
    name: RwSignal<String>,
    deliverables: RwSignal<String>,
}

#[component]
fn TemplateEditor(template: StageTemplate, on_saved: Callback<()>) -> impl IntoView {
    let editable = template.actions.contains(&Action::Plan);
    let name = RwSignal::new(template.name.clone());
    let next_key = StoredValue::new(template.stages.len());
    let rows = RwSignal::new(
        template
            .stages
            .iter()
            .enumerate()
            .map(|(key, s)| Row {
                key,
                name: RwSignal::new(s.name.clone()),
                deliverables: RwSignal::new(s.deliverables.join("\n")),
            })
            .collect::<Vec<_>>(),
    );
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let row_version = template.row_version;
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let stages = rows
            .get_untracked()
            .iter()
            .map(|r| TemplateStage {
                name: r.name.get_untracked(),
                deliverables: r
                    .deliverables
                    .get_untracked()
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect(),
            })
            .collect();
        let change = TemplateChange { name: name.get_untracked(), stages, row_version };
        if let Err(e) = change.validate() {
            error.set(Some(e.message));
            return;
        }
        pending.set(true);
        spawn_local(async move {
            match api::call::<ChangeStageTemplate>([], &change).await {
                Ok(_) => on_saved.run(()),
                Err(f @ Failure::Api(_)) if f.code() == Some(ErrorCode::Conflict) => {
                    error.set(Some(format!("{} Reload to see the template as it is now.", f.message())));
                }
                Err(f) => error.set(Some(f.message())),
            }
            pending.set(false);
        });
    };
    let move_row = move |key: usize, by: isize| {
        rows.update(|rs| {
            if let Some(i) = rs.iter().position(|r| r.key == key) {
                let j = i as isize + by;
                if j >= 0 && (j as usize) < rs.len() {
                    rs.swap(i, j as usize);
                }
            }
        })
    };
    let add = move |_| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        rows.update(|rs| {
            rs.push(Row { key, name: RwSignal::new(String::new()), deliverables: RwSignal::new(String::new()) })
        });
    };
    view! {
        <header class="page-header"><div>
            <p class="record-kind">"Settings"</p>
            <h1>"Stage template"</h1>
            <p class="muted">"New transfers start with these stages and deliverables. Transfers already started keep theirs."</p>
        </div></header>
        <form class="panel form" on:submit=submit data-testid="template-form">
            <fieldset disabled=!editable class="plain">
                <div class="field"><label for="template-name">"Template name"</label>
                    <input id="template-name" type="text" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/></div>
                <For each=move || rows.get() key=|r| r.key let:row>
                    {
                        let key = row.key;
                        let position = move || rows.with(|rs| rs.iter().position(|r| r.key == key).map_or(0, |i| i + 1));
                        view! {
                            <div class="template-stage">
                                <div>
                                    <div class="field"><label for=format!("stage-{key}")>{move || format!("Stage {}", position())}</label>
                                        <input id=format!("stage-{key}") type="text" prop:value=move || row.name.get()
                                            on:input=move |ev| row.name.set(event_target_value(&ev))/></div>
                                    <div class="field"><label for=format!("stage-{key}-deliverables")>"Default deliverables (one per line)"</label>
                                        <textarea id=format!("stage-{key}-deliverables") prop:value=move || row.deliverables.get()
                                            on:input=move |ev| row.deliverables.set(event_target_value(&ev))></textarea></div>
                                </div>
                                <div class="buttons">
                                    <button type="button" class="button" aria-label=move || format!("Move stage {} up", position()) on:click=move |_| move_row(key, -1)>"↑"</button>
                                    <button type="button" class="button" aria-label=move || format!("Move stage {} down", position()) on:click=move |_| move_row(key, 1)>"↓"</button>
                                    <button type="button" class="button danger" aria-label=move || format!("Remove stage {}", position())
                                        on:click=move |_| rows.update(|rs| rs.retain(|r| r.key != key))>"✕"</button>
                                </div>
                            </div>
                        }
                    }
                </For>
            </fieldset>
            <p class="field-error">{move || error.get()}</p>
            {editable.then(|| view! {
                <div class="dialog-actions">
                    <button type="button" class="button" on:click=add>"Add a stage"</button>
                    <button type="submit" class="button primary" disabled=move || pending.get()>"Save template"</button>
                </div>
            })}
        </form>
    }
}

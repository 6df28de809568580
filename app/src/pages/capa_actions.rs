//! A CAPA's actions as an editable list: what, who, by when, done.

use baton_domain::capa::CapaAction;
use chrono::NaiveDate;
use leptos::prelude::*;

/// Edits `actions` in place; rows can be added, and each marked done.
#[component]
pub fn ActionsEditor(actions: RwSignal<Vec<CapaAction>>) -> impl IntoView {
    let edit = move |i: usize, f: Box<dyn Fn(&mut CapaAction)>| {
        actions.update(|all| {
            if let Some(action) = all.get_mut(i) {
                f(action)
            }
        })
    };
    let add = move |_| {
        actions.update(|all| {
            let due = all.last().map_or_else(crate::components::stage::today, |a| a.due_on);
            all.push(CapaAction { description: String::new(), owner: String::new(), due_on: due, done: false });
        })
    };
    view! {
        <fieldset class="capa-actions" data-testid="capa-actions">
            <legend>"Actions"</legend>
            {move || actions.get().into_iter().enumerate().map(|(i, a)| view! {
                <div class="capa-action form-grid">
                    <div class="field"><label for=format!("action-{i}")>{format!("Action {}", i + 1)}</label>
                        <input id=format!("action-{i}") type="text" prop:value=a.description.clone()
                            on:change=move |ev| { let v = event_target_value(&ev); edit(i, Box::new(move |a| a.description = v.clone())) }/></div>
                    <div class="field"><label for=format!("action-owner-{i}")>"Owner"</label>
                        <input id=format!("action-owner-{i}") type="text" prop:value=a.owner.clone()
                            on:change=move |ev| { let v = event_target_value(&ev); edit(i, Box::new(move |a| a.owner = v.clone())) }/></div>
                    <div class="field"><label for=format!("action-due-{i}")>"Due"</label>
                        <input id=format!("action-due-{i}") type="date" prop:value=a.due_on.to_string()
                            on:change=move |ev| {
                                if let Ok(d) = NaiveDate::parse_from_str(&event_target_value(&ev), "%Y-%m-%d") {
                                    edit(i, Box::new(move |a| a.due_on = d))
                                }
                            }/></div>
                    <label class="choice big-choice">
                        <input type="checkbox" prop:checked=a.done
                            on:change=move |ev| { let on = event_target_checked(&ev); edit(i, Box::new(move |a| a.done = on)) }/>
                        "Done"
                    </label>
                </div>
            }).collect_view()}
            <button type="button" class="button" on:click=add>"Add an action"</button>
        </fieldset>
    }
}

//! What a save against a stale version shows: who changed the record since it was opened (the server's 409
//! message), each field as they left it against the user's own value, and the choice to re-apply one's own
//! changes on top of theirs or to keep theirs. Nothing is overwritten without that choice.

use leptos::prelude::*;

/// One field of a conflicting save: its label, the value now stored, the value the user tried to save.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldClash {
    /// The field's label.
    pub label: &'static str,
    /// As stored now (after the other person's change).
    pub theirs: String,
    /// As the user entered it.
    pub mine: String,
}

/// The conflict, shown while `clash` holds one: the server's message and the differing fields.
#[component]
pub fn ConflictDialog(
    /// The server's message and the fields, or `None` when there is no conflict.
    clash: RwSignal<Option<(String, Vec<FieldClash>)>>,
    /// Saves the user's values over the current version.
    on_reapply: Callback<()>,
    /// Drops the user's values and shows the current version.
    on_discard: Callback<()>,
) -> impl IntoView {
    move || {
        clash.get().map(|(message, fields)| {
            view! {
                <div class="dialog-backdrop">
                    <section class="panel dialog conflict" role="alertdialog" aria-modal="true" aria-labelledby="conflict-title" data-testid="conflict">
                        <h2 id="conflict-title">"Someone else changed this"</h2>
                        <p data-testid="conflict-message">{message}</p>
                        {(!fields.is_empty()).then(|| view! {
                            <table>
                                <thead><tr><th scope="col">"Field"</th><th scope="col">"Now saved"</th><th scope="col">"Yours"</th></tr></thead>
                                <tbody>
                                    {fields.into_iter().map(|f| view! {
                                        <tr><th scope="row">{f.label}</th><td>{f.theirs}</td><td><strong>{f.mine}</strong></td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        })}
                        <div class="dialog-actions">
                            <button class="button" on:click=move |_| { clash.set(None); on_discard.run(()); }>"Keep theirs"</button>
                            <button class="button primary" on:click=move |_| { clash.set(None); on_reapply.run(()); }>"Re-apply my changes"</button>
                        </div>
                    </section>
                </div>
            }
        })
    }
}

/// The fields whose values differ, from (label, theirs, mine) triples.
pub fn clashes(fields: impl IntoIterator<Item = (&'static str, String, String)>) -> Vec<FieldClash> {
    fields
        .into_iter()
        .filter(|(_, theirs, mine)| theirs != mine)
        .map(|(label, theirs, mine)| FieldClash { label, theirs, mine })
        .collect()
}

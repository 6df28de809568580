//! The note that confirms a save ("Dates saved."), shown at the foot of the screen for a few seconds. It belongs to
//! the shell, not to the form that saved: a save reloads the part of the page that holds the form, which would take
//! a note of its own away with it.

use leptos::prelude::*;
use std::time::Duration;

/// How long a note stays.
const SHOWN_FOR: Duration = Duration::from_secs(4);

/// The shell's note, provided by context to every signed-in page.
#[derive(Clone, Copy)]
pub struct SavedNote {
    /// The text shown, and a count that tells a later note from the one a timer was set for.
    shown: RwSignal<Option<(u32, String)>>,
}

impl SavedNote {
    /// Creates the note for the pages below the caller (the shell).
    pub fn provide() -> SavedNote {
        let note = SavedNote { shown: RwSignal::new(None) };
        provide_context(note);
        note
    }

    /// Shows `text` in place of any earlier note, for a few seconds.
    pub fn show(self, text: impl Into<String>) {
        let turn = self.shown.with_untracked(|s| s.as_ref().map_or(0, |(n, _)| n + 1));
        self.shown.set(Some((turn, text.into())));
        let shown = self.shown;
        set_timeout(
            move || {
                if shown.try_with_untracked(|s| s.as_ref().is_some_and(|(n, _)| *n == turn)) == Some(true) {
                    shown.set(None);
                }
            },
            SHOWN_FOR,
        );
    }
}

/// The shell's note: a polite live region, so a screen reader announces it too.
#[component]
pub fn SavedNoteArea(note: SavedNote) -> impl IntoView {
    view! {
        <div class="saved-note-area" role="status" aria-live="polite" data-testid="saved-note">
            {move || note.shown.get().map(|(_, text)| view! { <p class="saved-note saved">{text}</p> })}
        </div>
    }
}

/// The shell's note, to confirm a save from a form.
pub fn use_saved_note() -> SavedNote {
    expect_context::<SavedNote>()
}

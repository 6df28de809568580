//! Writing a comment, a reply or an edit, with @mention suggestions from the people who can see the record.

use crate::api::{self, Failure};
use baton_domain::comment::{CommentEdit, CommentInput, CommentView, Person, mentions_name};
use baton_domain::endpoints::{AddComment, EditComment};
use baton_domain::ids::{CommentId, UserId};
use baton_domain::record::RecordType;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::{HashMap, HashSet};

/// What a composer writes.
#[derive(Clone)]
pub enum Writing {
    /// A new thread.
    Thread,
    /// A reply in the thread of this comment.
    Reply(CommentId),
    /// A new text for this comment of the caller's.
    Edit(Box<CommentView>),
}

/// The text typed after the last `@` that could still be a name being written, if any.
fn mention_query(text: &str) -> Option<String> {
    let at = text.rfind('@')?;
    let before_ok = text[..at].chars().last().is_none_or(char::is_whitespace);
    let query = &text[at + 1..];
    (before_ok && !query.contains('\n') && query.chars().count() <= 30).then(|| query.to_lowercase())
}

/// The text typed in the composers of one discussion, by field id. While a shown composer holds text, a comment
/// someone else posts is announced rather than loaded; and since loading the discussion again recreates its
/// composers, each takes back its text from here, so nothing typed is lost.
#[derive(Clone, Copy)]
pub struct Drafts {
    texts: RwSignal<HashMap<String, String>>,
    shown: RwSignal<HashSet<String>>,
}

impl Drafts {
    /// Provides empty drafts to the composers of the discussion being built.
    pub fn provide() -> Drafts {
        let drafts = Drafts { texts: RwSignal::new(HashMap::new()), shown: RwSignal::new(HashSet::new()) };
        provide_context(drafts);
        drafts
    }

    /// Whether no shown composer holds typed text.
    pub fn none_untracked(self) -> bool {
        self.texts
            .with_untracked(|texts| self.shown.with_untracked(|shown| !shown.iter().any(|f| texts.contains_key(f))))
    }

    /// Whether the composer `field` holds text kept from before the discussion was loaded again.
    pub fn has(self, field: &str) -> bool {
        self.texts.with_untracked(|texts| texts.contains_key(field))
    }

    /// Drops the text of composer `field` (the user cancelled it).
    pub fn forget(self, field: &str) {
        self.texts.try_update(|texts| texts.remove(field));
    }

    fn keep(self, field: &str, text: &str) {
        self.texts.try_update(|texts| {
            if text.trim().is_empty() { texts.remove(field) } else { texts.insert(field.to_owned(), text.to_owned()) }
        });
    }
}

/// A text box that posts a comment, a reply or an edit; `on_done` runs after a save.
#[component]
pub fn CommentComposer(
    record_type: RecordType,
    #[prop(into)] record_id: String,
    writing: Writing,
    people: Signal<Vec<Person>>,
    on_done: Callback<()>,
) -> impl IntoView {
    let (initial, label, button) = match &writing {
        Writing::Thread => (String::new(), "New comment", "Post comment"),
        Writing::Reply(_) => (String::new(), "Reply", "Post reply"),
        Writing::Edit(c) => (c.text.clone(), "Edit comment", "Save edit"),
    };
    let text = RwSignal::new(initial);
    let picked = RwSignal::new(Vec::<Person>::new());
    let error = RwSignal::new(None::<Failure>);
    let saving = RwSignal::new(false);
    let field_id = match &writing {
        Writing::Thread => "comment-new".to_owned(),
        Writing::Reply(parent) => format!("reply-{parent}"),
        Writing::Edit(c) => format!("edit-{}", c.id),
    };
    if let Some(drafts) = use_context::<Drafts>() {
        if let Some(kept) = drafts.texts.with_untracked(|texts| texts.get(&field_id).cloned()) {
            text.set(kept);
        }
        let (field, gone) = (field_id.clone(), field_id.clone());
        drafts.shown.update(|shown| {
            shown.insert(field_id.clone());
        });
        Effect::new(move || drafts.keep(&field, &text.read()));
        on_cleanup(move || {
            drafts.shown.try_update(|shown| shown.remove(&gone));
        });
    }
    let suggestions = move || {
        let Some(query) = mention_query(&text.get()) else { return Vec::new() };
        people.get().into_iter().filter(|p| p.name.to_lowercase().starts_with(&query)).take(6).collect::<Vec<_>>()
    };
    let pick = move |person: Person| {
        text.update(|t| {
            if let Some(at) = t.rfind('@') {
                t.truncate(at);
                t.push_str(&format!("@{} ", person.name));
            }
        });
        picked.update(|p| p.push(person));
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let body = text.get_untracked();
        let mentions: Vec<UserId> =
            picked.get_untracked().into_iter().filter(|p| mentions_name(&body, &p.name)).map(|p| p.id).collect();
        let (writing, record_id) = (writing.clone(), record_id.clone());
        saving.set(true);
        spawn_local(async move {
            let params = [record_type.as_str(), record_id.as_str()];
            let result = match writing {
                Writing::Thread => {
                    api::call::<AddComment>(params, &CommentInput { text: body, parent: None, mentions }).await
                }
                Writing::Reply(parent) => {
                    api::call::<AddComment>(params, &CommentInput { text: body, parent: Some(parent), mentions }).await
                }
                Writing::Edit(comment) => {
                    let edit = CommentEdit { text: body, mentions, version: comment.version };
                    let id = comment.id.to_string();
                    api::call::<EditComment>([record_type.as_str(), record_id.as_str(), &id], &edit).await
                }
            };
            saving.set(false);
            match result {
                Ok(_) => {
                    text.set(String::new());
                    picked.set(Vec::new());
                    error.set(None);
                    on_done.run(());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="comment-composer" on:submit=on_submit>
            <div class="field">
                <label for=field_id.clone()>{label}</label>
                <textarea id=field_id.clone() prop:value=move || text.get() aria-invalid=move || error.get().is_some().to_string()
                    placeholder="Type @ to mention someone who can see this record"
                    on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                <ul class="mention-suggestions" data-testid="mention-suggestions">
                    {move || suggestions().into_iter().map(|person| {
                        let shown = person.clone();
                        view! {
                            <li>
                                <button type="button" class="button" on:click=move |_| pick(person.clone())>
                                    {shown.name} <span class="muted">" · " {shown.organisation}</span>
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <p class="field-error" role="alert">{move || error.get().map(|e| e.message())}</p>
            </div>
            <button class="button primary" type="submit" disabled=move || saving.get()>{button}</button>
        </form>
    }
}

//! The discussion beside a record: threads with replies, edits shown as such with their earlier texts, resolved
//! threads, @mentions, and deep links to one comment (`#comment-{id}`) that scroll to it and highlight it. Who may
//! write is the server's answer (`actions` of the discussion), never the app's own rule.

use crate::api;
use crate::components::comment_composer::{CommentComposer, Drafts, Writing};
use crate::format;
use crate::live::on_comment;
use baton_domain::access::Action;
use baton_domain::comment::{CommentView, Person, ThreadResolution};
use baton_domain::endpoints::{GetCommentPeople, GetComments, ResolveThread};
use baton_domain::record::RecordType;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// The comment a deep link names (`#comment-{id}`), if any.
fn linked_comment() -> Option<String> {
    let hash = window().location().hash().ok()?;
    hash.strip_prefix("#comment-").map(str::to_owned)
}

/// Scrolls the linked comment into view once it is on the page, and again as the page's other sections finish
/// loading above it and push it down, until the user scrolls, taps or types: from then on the page is theirs.
fn scroll_to_linked() {
    let Some(id) = linked_comment() else { return };
    let anchor = format!("comment-{id}");
    let taken_over = Rc::new(Cell::new(false));
    let listeners: Rc<RefCell<Vec<WindowListenerHandle>>> = Rc::new(RefCell::new(
        USER_TAKES_OVER
            .iter()
            .map(|event| {
                let taken_over = taken_over.clone();
                window_event_listener_untyped(event, move |_| taken_over.set(true))
            })
            .collect(),
    ));
    for (delay, last) in [(0, false), (400, false), (1200, true)] {
        let (anchor, taken_over, listeners) = (anchor.clone(), taken_over.clone(), listeners.clone());
        set_timeout(
            move || {
                if !taken_over.get()
                    && let Some(element) = document().get_element_by_id(&anchor)
                {
                    element.scroll_into_view();
                }
                if last {
                    listeners.borrow_mut().drain(..).for_each(WindowListenerHandle::remove);
                }
            },
            std::time::Duration::from_millis(delay),
        );
    }
}

/// Events that mean the user has started moving about the page. `scroll` is not one: our own scrolling fires it.
const USER_TAKES_OVER: [&str; 4] = ["wheel", "touchstart", "keydown", "pointerdown"];

/// The comments on one record, with a composer for those the server lets comment.
#[component]
pub fn CommentsPanel(
    record_type: RecordType,
    #[prop(into)] id: String,
    /// What the discussion is about, when the page shows more than the one record (a row of a table).
    #[prop(optional, into)]
    about: Option<String>,
) -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let record_id = id.clone();
    let discussion = LocalResource::new(move || {
        reload.track();
        let id = record_id.clone();
        async move { api::call::<GetComments>([record_type.as_str(), &id], &()).await }
    });
    let people_id = id.clone();
    let people_list = LocalResource::new(move || {
        let id = people_id.clone();
        async move { api::call::<GetCommentPeople>([record_type.as_str(), &id], &()).await.unwrap_or_default() }
    });
    let people = Signal::derive(move || people_list.get().unwrap_or_default());
    // Comments someone else posts appear at once, unless the user is typing: then they are announced, and shown
    // when the user asks or posts.
    let drafts = Drafts::provide();
    let held = RwSignal::new(false);
    let commented_by = on_comment(record_type, id.clone(), move || {
        if drafts.none_untracked() {
            reload.update(|n| *n += 1);
        } else {
            held.set(true);
        }
    });
    let refresh = Callback::new(move |()| {
        held.set(false);
        reload.update(|n| *n += 1);
    });
    let scrolled = StoredValue::new(false);
    Effect::new(move || {
        if matches!(discussion.get(), Some(Ok(_))) && !scrolled.get_value() {
            scrolled.set_value(true);
            scroll_to_linked();
        }
    });
    view! {
        <section class="panel comments" aria-labelledby="comments-heading" data-testid="comments">
            <div class="panel-head"><h2 id="comments-heading">{match about {
                Some(about) => format!("Discussion of {about}"),
                None => "Discussion".to_owned(),
            }}</h2></div>
            {move || held.get().then(|| view! {
                <div class="live-note" role="status" data-testid="comments-live-note">
                    <span>{commented_by.get().unwrap_or_default()} " commented just now"</span>
                    <button class="button" type="button" on:click=move |_| refresh.run(())>"Show new comments"</button>
                </div>
            })}
            // Its own boundary: the page around it is shown (and its effects run on a mounted page) without waiting
            // for the discussion, and a reload keeps the comments on screen until the new ones are in.
            <Transition fallback=|| view! { <div class="loading"><span class="spinner"></span>"Loading the discussion…"</div> }>
            {move || discussion.get().map(|loaded| match loaded {
                Err(e) => view! { <p class="field-error" role="alert">{e.message()}</p> }.into_any(),
                Ok(found) => {
                    let may_comment = found.actions.contains(&Action::Comment);
                    let all = found.comments;
                    let threads: Vec<CommentView> = all.iter().filter(|c| c.parent.is_none()).cloned().collect();
                    let empty = threads.is_empty();
                    let id = id.clone();
                    view! {
                        {empty.then(|| view! {
                            <p class="muted">{if may_comment {
                                "No comments yet. Start the discussion below: ask a question or type @ to bring someone in."
                            } else {
                                "No comments yet. Your role or your organisation's agreement lets you read this discussion, not write in it."
                            }}</p>
                        })}
                        {threads.into_iter().map(|root| {
                            let replies: Vec<CommentView> = all.iter().filter(|c| c.parent == Some(root.id)).cloned().collect();
                            view! { <Thread record_type record_id=id.clone() root replies may_comment people refresh/> }
                        }).collect_view()}
                        {may_comment.then(|| view! {
                            <CommentComposer record_type record_id=id.clone() writing=Writing::Thread people on_done=refresh/>
                        })}
                    }.into_any()
                }
            })}
            </Transition>
        </section>
    }
}

/// One thread: its first comment, its replies, and its resolution.
#[component]
fn Thread(
    record_type: RecordType,
    record_id: String,
    root: CommentView,
    replies: Vec<CommentView>,
    may_comment: bool,
    people: Signal<Vec<Person>>,
    refresh: Callback<()>,
) -> impl IntoView {
    let (resolved, thread) = (root.resolved, root.id);
    // A reply being written when the discussion was loaded again stays open, with its text.
    let replying = RwSignal::new(use_context::<Drafts>().is_some_and(|d| d.has(&format!("reply-{thread}"))));
    let error = RwSignal::new(None::<String>);
    let resolve_id = record_id.clone();
    let toggle = move |_| {
        let record_id = resolve_id.clone();
        spawn_local(async move {
            let path = [record_type.as_str(), record_id.as_str(), &thread.to_string()];
            match api::call::<ResolveThread>(path, &ThreadResolution { resolved: !resolved }).await {
                Ok(_) => refresh.run(()),
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    let status = root.resolved_by.clone().map(|by| format!("Resolved by {by}"));
    view! {
        <div class="comment-thread" class:resolved=resolved>
            <div class="thread-status">
                {match status {
                    Some(text) => view! { <span class="chip chip-done"><span class="chip-dot"></span>{text}</span> }.into_any(),
                    None => view! { <span class="chip chip-progress"><span class="chip-dot"></span>"Open"</span> }.into_any(),
                }}
                {may_comment.then(|| view! {
                    <button class="button" on:click=toggle>{if resolved { "Reopen thread" } else { "Resolve thread" }}</button>
                })}
            </div>
            <CommentItem record_type record_id=record_id.clone() comment=root may_comment people refresh/>
            <div class="comment-replies">
                {replies.into_iter().map(|reply| view! {
                    <CommentItem record_type record_id=record_id.clone() comment=reply may_comment people refresh/>
                }).collect_view()}
            </div>
            <p class="field-error" role="alert">{move || error.get()}</p>
            {may_comment.then(|| {
                let record_id = record_id.clone();
                view! {
                    <Show when=move || replying.get() fallback=move || view! {
                        <button class="button" on:click=move |_| replying.set(true)>"Reply"</button>
                    }>
                        <CommentComposer record_type record_id=record_id.clone() writing=Writing::Reply(thread) people
                            on_done=Callback::new(move |()| { replying.set(false); refresh.run(()) })/>
                    </Show>
                }
            })}
        </div>
    }
}

/// One comment, editable by its author.
#[component]
fn CommentItem(
    record_type: RecordType,
    record_id: String,
    comment: CommentView,
    may_comment: bool,
    people: Signal<Vec<Person>>,
    refresh: Callback<()>,
) -> impl IntoView {
    let drafts = use_context::<Drafts>();
    let edit_field = format!("edit-{}", comment.id);
    let editing = RwSignal::new(drafts.is_some_and(|d| d.has(&edit_field)));
    let anchor = format!("comment-{}", comment.id);
    let linked = linked_comment().is_some_and(|id| id == comment.id.to_string());
    let may_edit = may_comment && comment.mine;
    let edited = comment.edited_at.map(|at| format!("edited {}", format::date_time(at)));
    let earlier = comment.earlier.clone();
    let shown = comment.clone();
    let for_edit = comment.clone();
    view! {
        <article id=anchor class="comment" class:highlight=linked data-comment=comment.id.to_string()>
            <header class="comment-head">
                <strong>{comment.author.name.clone()}</strong>
                <span class="muted">" · " {comment.author.organisation.clone()} " · " {format::date_time(comment.created_at)}</span>
                {edited.map(|e| view! { <span class="muted comment-edited">" · " {e}</span> })}
                <a class="comment-link muted" href=format!("#comment-{}", comment.id) aria-label="Link to this comment">"Link"</a>
            </header>
            <Show when=move || editing.get() fallback=move || view! { <p class="comment-text">{shown.text.clone()}</p> }>
                <CommentComposer record_type record_id=record_id.clone() writing=Writing::Edit(Box::new(for_edit.clone())) people
                    on_done=Callback::new(move |()| { editing.set(false); refresh.run(()) })/>
            </Show>
            {(!comment.mentions.is_empty()).then(|| view! {
                <p class="muted comment-mentions">"Mentions: "
                    {comment.mentions.iter().map(|p| p.name.clone()).collect::<Vec<_>>().join(", ")}</p>
            })}
            {(!earlier.is_empty()).then(|| view! {
                <details class="comment-earlier">
                    <summary>"Earlier versions (" {earlier.len()} ")"</summary>
                    <ol>{earlier.into_iter().map(|v| view! {
                        <li><span class="muted">{format::date_time(v.written_at)} " — "</span>{v.text}</li>
                    }).collect_view()}</ol>
                </details>
            })}
            {may_edit.then(|| view! {
                <button class="button" on:click=move |_| {
                    if editing.get_untracked() && let Some(drafts) = drafts {
                        drafts.forget(&edit_field);
                    }
                    editing.update(|e| *e = !*e);
                }>
                    {move || if editing.get() { "Cancel edit" } else { "Edit" }}
                </button>
            })}
        </article>
    }
}

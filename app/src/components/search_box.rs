//! The top bar's search box: a query opens `/search?q=…`, and "/" anywhere outside a field puts the cursor in it.

use crate::components::icons::SearchIcon;
use baton_domain::search::MAX_QUERY_CHARS;
use baton_domain::url_encoding::encode_component;
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};

/// The search form; on the results page it shows the query searched.
#[component]
pub fn SearchBox() -> impl IntoView {
    let navigate = use_navigate();
    let location = use_location();
    let query = use_query_map();
    let text = RwSignal::new(String::new());
    let input = NodeRef::<html::Input>::new();
    // Coming to the results page (a link, back, a reload) shows its query; leaving it empties the box.
    Effect::new(move |_| {
        let on_results = location.pathname.get() == "/search";
        text.set(if on_results { query.read().get("q").unwrap_or_default() } else { String::new() });
    });
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let q = text.get_untracked();
        if !q.trim().is_empty() {
            navigate(&format!("/search?q={}", encode_component(q.trim())), Default::default());
        }
    };
    let shortcut = window_event_listener(leptos::ev::keydown, move |ev| {
        let typing = ev.target().and_then(|t| {
            use wasm_bindgen::JsCast;
            t.dyn_into::<web_sys::Element>()
                .ok()
                .map(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
        });
        if ev.key() == "/"
            && !ev.ctrl_key()
            && !ev.meta_key()
            && typing != Some(true)
            && let Some(field) = input.get_untracked()
        {
            ev.prevent_default();
            // Fails only for a field that cannot take focus, which this one always can.
            let _ = field.focus();
            // Selected, so a new query replaces the one shown rather than running on from it.
            field.select();
        }
    });
    on_cleanup(move || shortcut.remove());
    view! {
        <form class="top-search" role="search" on:submit=submit>
            <label for="top-search" class="visually-hidden">"Search records"</label>
            <span class="top-search-icon"><SearchIcon/></span>
            <input id="top-search" node_ref=input type="search" enterkeyhint="search" autocomplete="off"
                maxlength=MAX_QUERY_CHARS.to_string() placeholder="Search"
                title="Search (press / to start)" prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))/>
        </form>
    }
}

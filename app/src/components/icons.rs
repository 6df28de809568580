//! Inline SVG icons (no icon font to download, and they inherit the text colour).

use leptos::prelude::*;

/// Two arrows passing a baton: technology transfers.
#[component]
pub fn TransfersIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2"
            stroke-linecap="round" stroke-linejoin="round">
            <path d="M4 7h13l-3-3M20 17H7l3 3"/>
        </svg>
    }
}

/// A door with an arrow: log out.
#[component]
pub fn LogoutIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2"
            stroke-linecap="round" stroke-linejoin="round">
            <path d="M15 4h3a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2h-3M10 17l-5-5 5-5M5 12h11"/>
        </svg>
    }
}

/// Two chain links: copy a link.
#[component]
pub fn LinkIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2"
            stroke-linecap="round" stroke-linejoin="round">
            <path d="M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1"/>
        </svg>
    }
}

/// A circle with a bar: access refused.
#[component]
pub fn BlockedIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2.2"
            stroke-linecap="round">
            <circle cx="12" cy="12" r="9"/>
            <path d="M5.6 5.6l12.8 12.8"/>
        </svg>
    }
}

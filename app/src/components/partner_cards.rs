//! The caller's partners as cards, each with the ways into that partnership a page offers.

use baton_domain::agreement::Partner;
use leptos::prelude::*;
use leptos_router::components::A;

/// A way into a partnership from its card: the page under `/partnerships/{id}` or `/partners/{id}`, and its label.
#[derive(Clone, Copy, Debug)]
pub struct PartnerLink {
    /// The address, with `{id}` standing for the partnership's id.
    pub href: &'static str,
    /// What the button says.
    pub label: &'static str,
    /// Whether it is the card's main action.
    pub primary: bool,
}

/// One card per partner, by name, each with `links`.
#[component]
pub fn PartnerCards(partners: Vec<Partner>, links: &'static [PartnerLink]) -> impl IntoView {
    view! {
        <ul class="partner-cards" data-testid="partner-cards">
            {partners.into_iter().map(|p| view! {
                <li class="panel partner-card">
                    <strong>{p.organisation.name}</strong>
                    <span class="muted small">{p.organisation.kind.label()}</span>
                    {links.iter().map(|link| {
                        let class = if link.primary { "button primary" } else { "button" };
                        view! { <A href=link.href.replace("{id}", &p.partnership_id.to_string()) attr:class=class>{link.label}</A> }
                    }).collect_view()}
                </li>
            }).collect_view()}
        </ul>
    }
}

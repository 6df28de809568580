//! `/agreements`: the data-sharing agreements the user's organisation is party to.

use crate::api;
use crate::auth::RequireAuth;
use crate::components::error_panel::ErrorPanel;
use crate::components::loading::SkeletonRows;
use crate::components::partner_cards::{PartnerCards, PartnerLink};
use crate::components::shell::Shell;
use crate::components::table_wrap::TableWrap;
use crate::format;
use baton_domain::access::Action;
use baton_domain::agreement::AgreementState;
use baton_domain::endpoints::{ListAgreements, ListPartners};
use leptos::prelude::*;
use leptos_router::components::A;

/// The chip for an agreement's state: colour, dot and word.
pub fn state_chip(state: AgreementState) -> impl IntoView {
    let class = match state {
        AgreementState::Active => "chip chip-done",
        AgreementState::AwaitingSignatures | AgreementState::Scheduled => "chip chip-warn",
        AgreementState::Draft => "chip chip-grey",
        AgreementState::Expired | AgreementState::Revoked => "chip chip-bad",
    };
    view! { <span class=class data-testid="agreement-state"><span class="chip-dot" aria-hidden="true"></span>{state.label()}</span> }
}

/// Each partner's quality agreement and scorecard.
const PARTNER_LINKS: &[PartnerLink] = &[
    PartnerLink { href: "/partners/{id}", label: "Quality agreement", primary: false },
    PartnerLink { href: "/partnerships/{id}/scorecard", label: "KPI scorecard", primary: false },
];

/// `/agreements`
#[component]
pub fn AgreementsPage() -> impl IntoView {
    let agreements = LocalResource::new(|| api::call::<ListAgreements>([], &()));
    // Whether this user may grant a partner access to their organisation's data is the server's answer.
    let may_draft =
        move || agreements.get().is_some_and(|r| r.is_ok_and(|list| list.actions.contains(&Action::DraftAgreement)));
    let partners = LocalResource::new(|| api::call::<ListPartners>([], &()));
    view! {
        <RequireAuth>
            <Shell>
                <header class="page-header">
                    <div>
                        <h1>"Data-sharing agreements"</h1>
                        <p class="muted">"What each partner may see of whose data, signed by both sides. Access follows these agreements."</p>
                    </div>
                    {move || may_draft().then(|| view! { <a class="button primary" href="/agreements/new">"Draft agreement"</a> })}
                </header>
                <section class="partners" aria-label="Partners">
                    <Suspense fallback=|| ()>
                        {move || partners.get().and_then(Result::ok).map(|list| view! {
                            <PartnerCards partners=list.items links=PARTNER_LINKS/>
                        })}
                    </Suspense>
                </section>
                <Suspense fallback=|| view! { <SkeletonRows rows=3/> }>
                    {move || agreements.get().map(|result| match result {
                        Err(e) => view! { <ErrorPanel message=e.message() on_retry=Callback::new(move |()| agreements.refetch())/> }.into_any(),
                        Ok(list) if list.items.is_empty() => view! {
                            <div class="panel empty-state">
                                <h2>"No agreements yet"</h2>
                                <p>"A data-sharing agreement lets a partner see agreed data from your transfers. \
                                    A sponsor's admin or tech-transfer lead drafts one; an admin of each side signs it."</p>
                            </div>
                        }.into_any(),
                        Ok(list) => view! {
                            <TableWrap>
                                <table class="data-table" data-testid="agreements-table">
                                    <thead><tr>
                                        <th scope="col">"Agreement"</th><th scope="col">"Grantor → grantee"</th>
                                        <th scope="col">"Permission"</th><th scope="col">"Valid until"</th><th scope="col">"State"</th>
                                    </tr></thead>
                                    <tbody>
                                        {list.items.into_iter().map(|a| view! {
                                            <tr>
                                                <td><A href=format!("/agreements/{}", a.id)>{a.title}</A></td>
                                                <td>{a.grantor.name} " → " {a.grantee.name}</td>
                                                <td>{a.permission.label()}</td>
                                                <td class="numeric">{format::date(a.valid_until.date_naive())}</td>
                                                <td>{state_chip(a.state)}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </TableWrap>
                        }.into_any(),
                    })}
                </Suspense>
            </Shell>
        </RequireAuth>
    }
}

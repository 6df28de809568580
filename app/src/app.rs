//! The root component: session context and routes.

use crate::auth::Auth;
use crate::pages::login::LoginPage;
use crate::pages::not_found::NotFoundPage;
use crate::pages::transfer::TransferPage;
use crate::pages::transfers::TransfersPage;
use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::path;

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    Auth::provide();
    view! {
        <Router>
            <Routes fallback=|| view! { <NotFoundPage/> }>
                <Route path=path!("/") view=|| view! { <Redirect path="/transfers"/> }/>
                <Route path=path!("/login") view=LoginPage/>
                <Route path=path!("/transfers") view=TransfersPage/>
                <Route path=path!("/transfers/:id") view=TransferPage/>
            </Routes>
        </Router>
    }
}

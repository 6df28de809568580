//! The root component: session context and routes.

use crate::auth::Auth;
use crate::live::Live;
use crate::pages::agreement::AgreementPage;
use crate::pages::agreement_new::NewAgreementPage;
use crate::pages::agreements::AgreementsPage;
use crate::pages::audit::AuditPage;
use crate::pages::batch::BatchPage;
use crate::pages::batch_new::NewBatchPage;
use crate::pages::batches::BatchesPage;
use crate::pages::capa::CapaPage;
use crate::pages::capa_new::NewCapaPage;
use crate::pages::capas::CapasPage;
use crate::pages::change_control::ChangeControlPage;
use crate::pages::change_control_new::NewChangeControlPage;
use crate::pages::change_controls::ChangeControlsPage;
use crate::pages::deliverable::DeliverablePage;
use crate::pages::deliveries::DeliveriesPage;
use crate::pages::delivery::DeliveryPage;
use crate::pages::delivery_new::NewDeliveryPage;
use crate::pages::deviation::DeviationPage;
use crate::pages::deviation_new::NewDeviationPage;
use crate::pages::deviations::DeviationsPage;
use crate::pages::document::DocumentPage;
use crate::pages::kpi_targets::KpiTargetsPage;
use crate::pages::kpis::KpisPage;
use crate::pages::login::LoginPage;
use crate::pages::methods::MethodsPage;
use crate::pages::not_found::NotFoundPage;
use crate::pages::notifications::NotificationsPage;
use crate::pages::parameters::ParametersPage;
use crate::pages::partner::PartnerPage;
use crate::pages::risks::RisksPage;
use crate::pages::scorecard::ScorecardPage;
use crate::pages::search::SearchPage;
use crate::pages::stage::StagePage;
use crate::pages::stage_template::StageTemplatePage;
use crate::pages::transfer::TransferPage;
use crate::pages::transfer_new::NewTransferPage;
use crate::pages::transfers::TransfersPage;
use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::path;

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    Auth::provide();
    Live::provide();
    view! {
        <Router>
            <Routes fallback=|| view! { <NotFoundPage/> }>
                <Route path=path!("/") view=|| view! { <Redirect path="/transfers"/> }/>
                <Route path=path!("/login") view=LoginPage/>
                <Route path=path!("/transfers") view=TransfersPage/>
                <Route path=path!("/transfers/new") view=NewTransferPage/>
                <Route path=path!("/transfers/:id") view=TransferPage/>
                <Route path=path!("/transfers/:id/stages/:number") view=StagePage/>
                <Route path=path!("/transfers/:id/methods") view=MethodsPage/>
                <Route path=path!("/transfers/:id/methods/:method") view=MethodsPage/>
                <Route path=path!("/transfers/:id/risks") view=RisksPage/>
                <Route path=path!("/transfers/:id/risks/:risk") view=RisksPage/>
                <Route path=path!("/transfers/:id/parameters") view=ParametersPage/>
                <Route path=path!("/transfers/:id/parameters/:row") view=ParametersPage/>
                <Route path=path!("/deliverables/:id") view=DeliverablePage/>
                <Route path=path!("/documents/:id") view=DocumentPage/>
                <Route path=path!("/stage-template") view=StageTemplatePage/>
                <Route path=path!("/agreements") view=AgreementsPage/>
                <Route path=path!("/agreements/new") view=NewAgreementPage/>
                <Route path=path!("/agreements/:id") view=AgreementPage/>
                <Route path=path!("/audit") view=AuditPage/>
                <Route path=path!("/notifications") view=NotificationsPage/>
                <Route path=path!("/batches") view=BatchesPage/>
                <Route path=path!("/batches/new") view=NewBatchPage/>
                <Route path=path!("/batches/:id") view=BatchPage/>
                <Route path=path!("/deliveries") view=DeliveriesPage/>
                <Route path=path!("/deliveries/new") view=NewDeliveryPage/>
                <Route path=path!("/deliveries/:id") view=DeliveryPage/>
                <Route path=path!("/capas") view=CapasPage/>
                <Route path=path!("/capas/new") view=NewCapaPage/>
                <Route path=path!("/capas/:id") view=CapaPage/>
                <Route path=path!("/change-controls") view=ChangeControlsPage/>
                <Route path=path!("/change-controls/new") view=NewChangeControlPage/>
                <Route path=path!("/change-controls/:id") view=ChangeControlPage/>
                <Route path=path!("/deviations") view=DeviationsPage/>
                <Route path=path!("/deviations/new") view=NewDeviationPage/>
                <Route path=path!("/deviations/:id") view=DeviationPage/>
                <Route path=path!("/partners/:id") view=PartnerPage/>
                <Route path=path!("/kpis") view=KpisPage/>
                <Route path=path!("/search") view=SearchPage/>
                <Route path=path!("/partnerships/:id/scorecard") view=ScorecardPage/>
                <Route path=path!("/partnerships/:id/targets") view=KpiTargetsPage/>
            </Routes>
        </Router>
    }
}

//! Every operation of the JSON API, defined once: method, path template, what the client sends and what it gets
//! back. The app's client calls through these definitions, and a server test checks that they and the routes in
//! the OpenAPI document are the same set, with the same request and response types.

use crate::access::Action;
use crate::agreement::{
    AgreementChange, AgreementList, AgreementTerms, AgreementView, AmendRequest, DataClass, PartnerList, RevokeRequest,
};
use crate::audit::AuditEntry;
use crate::audit_trail::{AuditActor, AuditPage, AuditQuery};
use crate::batch::{
    BatchChange, BatchInput, BatchList, BatchQuery, BatchSetup, BatchView, DispositionRequest, ResultCorrection,
    ResultInput,
};
use crate::capa::{CapaChange, CapaClosure, CapaInput, CapaList, CapaView};
use crate::change_control::{
    ChangeControlAssessment, ChangeControlClosure, ChangeControlImplementation, ChangeControlInput, ChangeControlList,
    ChangeControlQuery, ChangeControlSetup, ChangeControlView, ChangeDecisionRequest,
};
use crate::comment::{CommentEdit, CommentInput, CommentView, Discussion, Person, ThreadResolution};
use crate::deliverable::{Deliverable, DeliverableChange, DeliverableInput};
use crate::delivery::{DeliveryChange, DeliveryInput, DeliveryList, DeliveryView};
use crate::deviation::{DeviationClosure, DeviationInput, DeviationInvestigation, DeviationList, DeviationView};
use crate::document::{DocumentInput, DocumentList, DocumentSignature, DocumentView, VersionQuery};
use crate::kpi_targets::{KpiTargetChange, KpiTargetDraft, KpiTargets};
use crate::live::LiveEvent;
use crate::method_record::{MethodList, MethodView, SiteResults};
use crate::method_transfer::AnalyticalMethod;
use crate::notification::{MarkRead, NotificationList};
use crate::parameter::{RuProposal, SuParameter};
use crate::parameter_table::{ImportOutcome, ParameterImport, ParameterTable, RuChange, StoredRu, StoredSu, SuChange};
use crate::quality::{QualityAgreement, QualityAgreementDraft};
use crate::record::RecordType;
use crate::record_query::RecordQuery;
use crate::risk_register::{RiskChange, RiskInput, RiskRegister, StoredRisk};
use crate::scorecard::{ScorecardQuery, ScorecardView};
use crate::search::{SearchQuery, SearchResults};
use crate::session::{LoginRequest, SessionInfo};
use crate::signature::{Meaning, SignRequest};
use crate::stage::{ReopenRequest, StageDates, StagePlan, StageView};
use crate::stage_template::{StageTemplate, TemplateChange};
use crate::transfer::{TransferDetail, TransferDraft, TransferList, TransferSetup};
use crate::url_encoding::{self, TargetError, placeholders};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Where the API is mounted; endpoint paths are relative to it.
pub const BASE: &str = "/api/v1";

/// An HTTP method the API uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    /// Reads; never changes anything.
    Get,
    /// Creates or acts.
    Post,
    /// Replaces.
    Put,
    /// Ends (a session).
    Delete,
}

impl Method {
    /// The method's name as sent on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    /// True when the request is sent as a JSON body; otherwise it is sent as the query string.
    pub const fn has_body(self) -> bool {
        matches!(self, Method::Post | Method::Put)
    }
}

/// What an operation touches and what the access rule is asked about it: declared with the endpoint, published in
/// the OpenAPI document (`x-baton-access`), and the source from which the access matrices generate their cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Access {
    /// The kind of record the path's `{id}` names, or that the operation lists or creates; `None` for the caller's
    /// own session and for `/history/{record_type}/{id}`, whose record type is in the path.
    pub record: Option<RecordType>,
    /// What the access rule is asked; `None` when no rule applies (logging in, the caller's own session).
    pub action: Option<Action>,
    /// The class of data it reads or writes, for operations on data inside a transfer.
    pub data_class: Option<DataClass>,
    /// It lists records (each filtered by the rule) rather than acting on the one named.
    pub list: bool,
    /// Which party of the transfer owns the data it touches: the sponsor (its overview, the sending unit's data)
    /// or the CMO (the receiving unit's data).
    pub owner: Party,
    /// For the CMO's data: the sponsor's data of this class that the operation reads as well (entering results
    /// against the sponsor's method reads the method), so the rule must let the caller read that too.
    pub also_reads: Option<DataClass>,
}

/// A party to a transfer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    /// The brand owner.
    Sponsor,
    /// The contract manufacturer.
    Cmo,
}

impl Access {
    /// `action` on the record of kind `record` that the path names (or that is created).
    pub const fn on(record: RecordType, action: Action) -> Access {
        Access {
            record: Some(record),
            action: Some(action),
            data_class: None,
            list: false,
            owner: Party::Sponsor,
            also_reads: None,
        }
    }

    /// `action` on data of class `class`, owned by `owner`, in the record of kind `record` the path names.
    pub const fn data(record: RecordType, action: Action, class: DataClass, owner: Party) -> Access {
        Access {
            record: Some(record),
            action: Some(action),
            data_class: Some(class),
            list: false,
            owner,
            also_reads: None,
        }
    }

    /// The same operation on data `owner` owns (a list of the CMO's records).
    pub const fn owned_by(self, owner: Party) -> Access {
        Access { owner, ..self }
    }

    /// The same operation, reading the sponsor's data of `class` as well.
    pub const fn also_reading(self, class: DataClass) -> Access {
        Access { also_reads: Some(class), ..self }
    }

    /// A list of records of kind `record`, each as the rule lets the caller read it.
    pub const fn listing(record: RecordType) -> Access {
        Access {
            record: Some(record),
            action: Some(Action::Read),
            data_class: None,
            list: true,
            owner: Party::Sponsor,
            also_reads: None,
        }
    }

    /// `action` on a list's records (e.g. exporting them).
    pub const fn listing_for(record: RecordType, action: Action) -> Access {
        Access {
            record: Some(record),
            action: Some(action),
            data_class: None,
            list: true,
            owner: Party::Sponsor,
            also_reads: None,
        }
    }

    /// Records of every kind that a search finds, each read only if the rule lets the caller read it, as its own
    /// list would decide.
    pub const SEARCH: Access = Access {
        record: None,
        action: Some(Action::Read),
        data_class: None,
        list: true,
        owner: Party::Sponsor,
        also_reads: None,
    };

    /// The caller's own session: no record of anyone else's.
    pub const SESSION: Access = Access {
        record: Some(RecordType::Session),
        action: None,
        data_class: None,
        list: false,
        owner: Party::Sponsor,
        also_reads: None,
    };

    /// `action` on the record the path's record type and id name.
    pub const fn by_path(action: Action) -> Access {
        Access {
            record: None,
            action: Some(action),
            data_class: None,
            list: false,
            owner: Party::Sponsor,
            also_reads: None,
        }
    }
}

/// One operation of the API.
pub trait Endpoint {
    /// Its method.
    const METHOD: Method;
    /// Its path under [`BASE`], with `{name}` for each path parameter.
    const PATH: &'static str;
    /// The path parameters, in the template's order.
    type Params<'a>: AsRef<[&'a str]>;
    /// The JSON body (for POST and PUT) or the query (otherwise); `()` when there is none.
    type Request: Serialize + DeserializeOwned;
    /// The success response's body; `()` when there is none.
    type Response: Serialize + DeserializeOwned;
    /// What it touches and what the access rule is asked.
    const ACCESS: Access;
}

/// The request target (path and query, under [`BASE`]) for `E` with these parameters and request.
pub fn target<E: Endpoint>(params: E::Params<'_>, request: &E::Request) -> Result<String, TargetError> {
    let path = url_encoding::fill(E::PATH, params.as_ref())?;
    if E::METHOD.has_body() {
        return Ok(path);
    }
    let query = url_encoding::query(request)?;
    Ok(if query.is_empty() { path } else { format!("{path}?{query}") })
}

/// An endpoint described as data, for comparing the definitions with the server's routes.
#[derive(Clone, Copy, Debug)]
pub struct Description {
    /// The endpoint type's name.
    pub name: &'static str,
    /// Its method.
    pub method: Method,
    /// Its path template.
    pub path: &'static str,
    /// The Rust type name of its request (`std::any::type_name`).
    pub request: fn() -> &'static str,
    /// The Rust type name of its response.
    pub response: fn() -> &'static str,
    /// Its access declaration.
    pub access: Access,
}

impl Description {
    const fn of<E: Endpoint>(name: &'static str) -> Description {
        Description {
            name,
            method: E::METHOD,
            path: E::PATH,
            request: std::any::type_name::<E::Request>,
            response: std::any::type_name::<E::Response>,
            access: E::ACCESS,
        }
    }
}

macro_rules! endpoints {
    ($($(#[$doc:meta])* $name:ident: $method:ident $path:literal, $request:ty => $response:ty, $access:expr;)*) => {
        $(
            $(#[$doc])*
            #[derive(Clone, Copy, Debug)]
            pub struct $name;

            impl Endpoint for $name {
                const METHOD: Method = Method::$method;
                const PATH: &'static str = $path;
                type Params<'a> = [&'a str; placeholders($path)];
                type Request = $request;
                type Response = $response;
                const ACCESS: Access = $access;
            }
        )*

        /// Every endpoint of the API.
        pub const ALL: &[Description] = &[$(Description::of::<$name>(stringify!($name))),*];
    };
}

endpoints! {
    /// Who is logged in (401 when nobody is).
    GetSession: Get "/session", () => SessionInfo, Access::SESSION;
    /// Logs in.
    Login: Post "/session", LoginRequest => SessionInfo, Access::SESSION;
    /// Logs out.
    Logout: Delete "/session", () => (), Access::SESSION;
    /// The caller's inbox, newest first, with its unread count (each item only while its record is readable).
    ListNotifications: Get "/notifications", () => NotificationList, Access::SESSION;
    /// Marks items of the caller's inbox read, or all of them.
    MarkNotificationsRead: Post "/notifications/read", MarkRead => NotificationList, Access::SESSION;
    /// The caller's live updates: a server-sent events stream that never ends by itself (`change` events, each a
    /// `LiveEvent` the caller may read when it is delivered; `reset`, a `LiveReset`), resuming after `Last-Event-ID`.
    StreamEvents: Get "/events", () => LiveEvent, Access::SESSION;
    /// Transfers, batches, deviations, CAPAs and change controls the caller may read whose number, title or product
    /// has every word of the query.
    Search: Get "/search", SearchQuery => SearchResults, Access::SEARCH;
    /// The transfers the caller's organisation takes part in.
    ListTransfers: Get "/transfers", () => TransferList, Access::listing(RecordType::Transfer);
    /// Starts a transfer from the organisation's stage template.
    CreateTransfer: Post "/transfers", TransferDraft => TransferDetail, Access::on(RecordType::Transfer, Action::Plan);
    /// One transfer.
    GetTransfer: Get "/transfers/{id}", () => TransferDetail, Access::on(RecordType::Transfer, Action::Read);
    /// What the "start a transfer" form offers the caller's organisation.
    GetTransferSetup: Get "/transfer-setup", () => TransferSetup, Access::on(RecordType::StageTemplates, Action::Read);
    /// The latest changes to a transfer and its plan, newest first.
    GetTransferChanges: Get "/transfers/{id}/changes", () => Vec<AuditEntry>, Access::on(RecordType::Transfer, Action::Read);
    /// A transfer's stages, gates and deliverables.
    GetStagePlan: Get "/transfers/{id}/stages", () => StagePlan, Access::on(RecordType::Transfer, Action::Read);
    /// Changes a stage's dates.
    ChangeStage: Put "/stages/{id}", StageDates => StageView, Access::on(RecordType::Stage, Action::Plan);
    /// Adds a deliverable to a stage.
    AddDeliverable: Post "/stages/{id}/deliverables", DeliverableInput => Deliverable, Access::on(RecordType::Stage, Action::Plan);
    /// QA approval of a stage's gate.
    ApproveGate: Post "/stages/{id}/approvals", SignRequest => StageView, Access::on(RecordType::Stage, Action::Sign(Meaning::Approved));
    /// Re-opens a passed gate.
    ReopenGate: Post "/stages/{id}/reopening", ReopenRequest => StageView, Access::on(RecordType::Stage, Action::Sign(Meaning::Revoked));
    /// One deliverable.
    GetDeliverable: Get "/deliverables/{id}", () => Deliverable, Access::on(RecordType::Deliverable, Action::Read);
    /// Changes a deliverable.
    ChangeDeliverable: Put "/deliverables/{id}", DeliverableChange => Deliverable, Access::on(RecordType::Deliverable, Action::Contribute);
    /// A transfer's parameters, side by side, with their gaps.
    GetParameterTable: Get "/transfers/{id}/parameters", () => ParameterTable, Access::on(RecordType::Transfer, Action::Read);
    /// Adds a sending-unit parameter.
    AddSuParameter: Post "/transfers/{id}/su-parameters", SuParameter => StoredSu, Access::data(RecordType::Transfer, Action::Contribute, DataClass::ProcessParameters, Party::Sponsor);
    /// One sending-unit parameter.
    GetSuParameter: Get "/su-parameters/{id}", () => StoredSu, Access::data(RecordType::Parameter, Action::Read, DataClass::ProcessParameters, Party::Sponsor);
    /// Changes a sending-unit parameter.
    ChangeSuParameter: Put "/su-parameters/{id}", SuChange => StoredSu, Access::data(RecordType::Parameter, Action::Contribute, DataClass::ProcessParameters, Party::Sponsor);
    /// Replaces a transfer's sending-unit parameters with a CSV file's.
    ImportSuParameters: Post "/transfers/{id}/su-parameters/import", ParameterImport => ImportOutcome, Access::data(RecordType::Transfer, Action::Contribute, DataClass::ProcessParameters, Party::Sponsor);
    /// The sending-unit parameters as CSV.
    ExportSuParameters: Get "/transfers/{id}/su-parameters/export.csv", () => String, Access::data(RecordType::Transfer, Action::Download, DataClass::ProcessParameters, Party::Sponsor);
    /// Adds a receiving-unit proposal.
    AddRuProposal: Post "/transfers/{id}/ru-proposals", RuProposal => StoredRu, Access::data(RecordType::Transfer, Action::Contribute, DataClass::ProcessParameters, Party::Cmo);
    /// Changes a receiving-unit proposal.
    ChangeRuProposal: Put "/ru-proposals/{id}", RuChange => StoredRu, Access::data(RecordType::Parameter, Action::Contribute, DataClass::ProcessParameters, Party::Cmo);
    /// One receiving-unit proposal.
    GetRuProposal: Get "/ru-proposals/{id}", () => StoredRu, Access::data(RecordType::Parameter, Action::Read, DataClass::ProcessParameters, Party::Cmo);
    /// A transfer's risk register, highest risk first.
    GetRiskRegister: Get "/transfers/{id}/risks", () => RiskRegister, Access::on(RecordType::Transfer, Action::Read);
    /// Adds a failure mode to a transfer's risk register.
    AddRisk: Post "/transfers/{id}/risks", RiskInput => StoredRisk, Access::on(RecordType::Transfer, Action::Contribute);
    /// One failure mode.
    GetRisk: Get "/risks/{id}", () => StoredRisk, Access::on(RecordType::Risk, Action::Read);
    /// Changes a failure mode.
    ChangeRisk: Put "/risks/{id}", RiskChange => StoredRisk, Access::on(RecordType::Risk, Action::Contribute);
    /// A transfer's documents that the caller may read, newest first.
    ListDocuments: Get "/transfers/{id}/documents", () => DocumentList, Access::listing(RecordType::Document);
    /// A batch's documents that the caller may read, newest first.
    ListBatchDocuments: Get "/batches/{id}/documents", () => DocumentList, Access::listing(RecordType::Document);
    /// A method's documents that the caller may read, newest first.
    ListMethodDocuments: Get "/methods/{id}/documents", () => DocumentList, Access::listing(RecordType::Document);
    /// A deviation's documents (its photos) that the caller may read, newest first.
    ListDeviationDocuments: Get "/deviations/{id}/documents", () => DocumentList, Access::listing(RecordType::Document);
    /// Starts a document in a transfer, owned by the caller's organisation; its file is uploaded next.
    CreateDocument: Post "/documents", DocumentInput => DocumentView, Access::data(RecordType::Document, Action::Contribute, DataClass::RegulatoryDocuments, Party::Sponsor);
    /// One document with its versions and signatures.
    GetDocument: Get "/documents/{id}", () => DocumentView, Access::data(RecordType::Document, Action::Read, DataClass::RegulatoryDocuments, Party::Sponsor);
    /// Uploads a new version: the body is the file itself, its type in `Content-Type`, its name in `X-File-Name`.
    UploadDocumentVersion: Post "/documents/{id}/versions", String => DocumentView, Access::data(RecordType::Document, Action::Contribute, DataClass::RegulatoryDocuments, Party::Sponsor);
    /// A version's file shown in the browser (PDF, images): needs only view permission.
    ViewDocument: Get "/documents/{id}/view", VersionQuery => String, Access::data(RecordType::Document, Action::Read, DataClass::RegulatoryDocuments, Party::Sponsor);
    /// A version's file as a download, stamped with the recipient and time, on the audit trail.
    DownloadDocument: Get "/documents/{id}/download", VersionQuery => String, Access::data(RecordType::Document, Action::Download, DataClass::RegulatoryDocuments, Party::Sponsor);
    /// The author submits the latest draft for review, signed.
    SubmitDocument: Post "/documents/{id}/review", DocumentSignature => DocumentView, Access::data(RecordType::Document, Action::Sign(Meaning::Authored), DataClass::RegulatoryDocuments, Party::Sponsor);
    /// The owner's QA approves the version in review, signed: it becomes effective and supersedes the one before.
    ApproveDocument: Post "/documents/{id}/approval", DocumentSignature => DocumentView, Access::data(RecordType::Document, Action::Sign(Meaning::Approved), DataClass::RegulatoryDocuments, Party::Sponsor);
    /// A transfer's analytical methods with their results and evaluations.
    ListMethods: Get "/transfers/{id}/methods", () => MethodList, Access::on(RecordType::Transfer, Action::Read);
    /// Adds an analytical method with its acceptance criteria.
    AddMethod: Post "/transfers/{id}/methods", AnalyticalMethod => MethodView, Access::data(RecordType::Transfer, Action::Contribute, DataClass::AnalyticalMethods, Party::Sponsor);
    /// One analytical method.
    GetMethod: Get "/methods/{id}", () => MethodView, Access::data(RecordType::Method, Action::Read, DataClass::AnalyticalMethods, Party::Sponsor);
    /// The sending unit's results for a method.
    SaveSuResults: Put "/methods/{id}/su-results", SiteResults => MethodView, Access::data(RecordType::Method, Action::Contribute, DataClass::AnalyticalMethods, Party::Sponsor);
    /// The receiving unit's results for a method.
    SaveRuResults: Put "/methods/{id}/ru-results", SiteResults => MethodView, Access::data(RecordType::Method, Action::Contribute, DataClass::AnalyticalMethods, Party::Cmo).also_reading(DataClass::AnalyticalMethods);
    /// The batches of the caller's partnerships that the rule lets them see.
    ListBatches: Get "/batches", BatchQuery => BatchList, Access::listing(RecordType::Batch).owned_by(Party::Cmo);
    /// What the batch form offers the caller: its sites, partners' products and transfers.
    GetBatchSetup: Get "/batch-setup", () => BatchSetup, Access::on(RecordType::StageTemplates, Action::Read);
    /// Records a batch.
    RecordBatch: Post "/batches", BatchInput => BatchView, Access::data(RecordType::Batch, Action::Contribute, DataClass::BatchRecords, Party::Cmo);
    /// One batch with its results, deviations and disposition.
    GetBatch: Get "/batches/{id}", () => BatchView, Access::data(RecordType::Batch, Action::Read, DataClass::BatchRecords, Party::Cmo);
    /// Changes a batch's recorded values.
    ChangeBatch: Put "/batches/{id}", BatchChange => BatchView, Access::data(RecordType::Batch, Action::Contribute, DataClass::BatchRecords, Party::Cmo);
    /// Records a result of a batch.
    AddBatchResult: Post "/batches/{id}/results", ResultInput => BatchView, Access::data(RecordType::Batch, Action::Contribute, DataClass::BatchRecords, Party::Cmo);
    /// Corrects a recorded result of a batch, with a reason.
    CorrectBatchResult: Put "/batches/{id}/results", ResultCorrection => BatchView, Access::data(RecordType::Batch, Action::Contribute, DataClass::BatchRecords, Party::Cmo);
    /// QA's signed disposition of a batch.
    DisposeBatch: Post "/batches/{id}/disposition", DispositionRequest => BatchView, Access::data(RecordType::Batch, Action::Sign(Meaning::Rejected), DataClass::BatchRecords, Party::Cmo);
    /// The deliveries of the caller's partnerships that the rule lets them see, newest promise first.
    ListDeliveries: Get "/deliveries", RecordQuery => DeliveryList, Access::listing(RecordType::Delivery).owned_by(Party::Cmo);
    /// Records a delivery promised to a sponsor (the CMO's record).
    RecordDelivery: Post "/deliveries", DeliveryInput => DeliveryView, Access::data(RecordType::Delivery, Action::Contribute, DataClass::Commercial, Party::Cmo);
    /// One delivery.
    GetDelivery: Get "/deliveries/{id}", () => DeliveryView, Access::data(RecordType::Delivery, Action::Read, DataClass::Commercial, Party::Cmo);
    /// Changes a delivery: records it as delivered, or corrects it with a reason.
    ChangeDelivery: Put "/deliveries/{id}", DeliveryChange => DeliveryView, Access::data(RecordType::Delivery, Action::Contribute, DataClass::Commercial, Party::Cmo);
    /// A partnership's KPI scorecard over a range of months.
    GetScorecard: Get "/partnerships/{id}/scorecard", ScorecardQuery => ScorecardView, Access::on(RecordType::Partnership, Action::Read);
    /// A partnership's KPI numbers as CSV.
    ExportScorecard: Get "/partnerships/{id}/scorecard.csv", ScorecardQuery => String, Access::on(RecordType::Partnership, Action::Download);
    /// The deviations of the caller's partnerships that the rule lets them see, newest first.
    ListDeviations: Get "/deviations", RecordQuery => DeviationList, Access::listing(RecordType::Deviation);
    /// Raises a deviation: the caller's organisation owns it.
    RaiseDeviation: Post "/deviations", DeviationInput => DeviationView, Access::data(RecordType::Deviation, Action::Contribute, DataClass::QualityEvents, Party::Cmo);
    /// One deviation with its investigation, closure and CAPAs.
    GetDeviation: Get "/deviations/{id}", () => DeviationView, Access::data(RecordType::Deviation, Action::Read, DataClass::QualityEvents, Party::Cmo);
    /// Records a deviation's investigation (classification, findings, impact, root cause).
    InvestigateDeviation: Put "/deviations/{id}/investigation", DeviationInvestigation => DeviationView, Access::data(RecordType::Deviation, Action::Contribute, DataClass::QualityEvents, Party::Cmo);
    /// QA's signed closure of a deviation.
    CloseDeviation: Post "/deviations/{id}/closure", DeviationClosure => DeviationView, Access::data(RecordType::Deviation, Action::Sign(Meaning::Approved), DataClass::QualityEvents, Party::Cmo);
    /// The CAPAs of the caller's partnerships that the rule lets them see, newest first.
    ListCapas: Get "/capas", RecordQuery => CapaList, Access::listing(RecordType::Capa);
    /// Raises a CAPA: the caller's organisation owns it.
    RaiseCapa: Post "/capas", CapaInput => CapaView, Access::data(RecordType::Capa, Action::Contribute, DataClass::QualityEvents, Party::Cmo);
    /// One CAPA with the deviations it answers.
    GetCapa: Get "/capas/{id}", () => CapaView, Access::data(RecordType::Capa, Action::Read, DataClass::QualityEvents, Party::Cmo);
    /// Changes a CAPA (its actions, their progress, the effectiveness check, further deviations).
    ChangeCapa: Put "/capas/{id}", CapaChange => CapaView, Access::data(RecordType::Capa, Action::Contribute, DataClass::QualityEvents, Party::Cmo);
    /// QA's signed closure of a CAPA.
    CloseCapa: Post "/capas/{id}/closure", CapaClosure => CapaView, Access::data(RecordType::Capa, Action::Sign(Meaning::Approved), DataClass::QualityEvents, Party::Cmo);
    /// The change controls of the caller's partnerships, newest first, optionally in one status.
    ListChangeControls: Get "/change-controls", ChangeControlQuery => ChangeControlList, Access::listing(RecordType::ChangeControl);
    /// What the "raise a change control" form offers the caller: its partnerships, their products, transfers and sites.
    GetChangeControlSetup: Get "/change-control-setup", () => ChangeControlSetup, Access::on(RecordType::StageTemplates, Action::Read);
    /// Raises a change control: the caller's organisation owns it; both parties of the partnership see it.
    RaiseChangeControl: Post "/change-controls", ChangeControlInput => ChangeControlView, Access::on(RecordType::ChangeControl, Action::Contribute);
    /// One change control with its assessments, decision, implementation and closure.
    GetChangeControl: Get "/change-controls/{id}", () => ChangeControlView, Access::on(RecordType::ChangeControl, Action::Read);
    /// Records (or revises) the caller's organisation's impact assessment of a change control.
    AssessChangeControl: Put "/change-controls/{id}/assessment", ChangeControlAssessment => ChangeControlView, Access::on(RecordType::ChangeControl, Action::Contribute);
    /// The accountable party's QA approves or rejects a change control, signed.
    DecideChangeControl: Post "/change-controls/{id}/decision", ChangeDecisionRequest => ChangeControlView, Access::on(RecordType::ChangeControl, Action::Sign(Meaning::Approved));
    /// The owner records a change control's implementation.
    ImplementChangeControl: Post "/change-controls/{id}/implementation", ChangeControlImplementation => ChangeControlView, Access::on(RecordType::ChangeControl, Action::Contribute);
    /// The owner's QA closes a change control, signed, with its evaluation.
    CloseChangeControl: Post "/change-controls/{id}/closure", ChangeControlClosure => ChangeControlView, Access::on(RecordType::ChangeControl, Action::Sign(Meaning::Approved));
    /// The organisation's stage template.
    GetStageTemplate: Get "/stage-template", () => StageTemplate, Access::on(RecordType::StageTemplates, Action::Read);
    /// Replaces the organisation's stage template.
    ChangeStageTemplate: Put "/stage-template", TemplateChange => StageTemplate, Access::on(RecordType::StageTemplates, Action::Plan);
    /// The caller's partner organisations.
    ListPartners: Get "/partners", () => PartnerList, Access::listing(RecordType::Partnership);
    /// The agreements the caller's organisation is party to.
    ListAgreements: Get "/agreements", () => AgreementList, Access::listing(RecordType::Agreement);
    /// Drafts an agreement.
    CreateAgreement: Post "/agreements", AgreementTerms => AgreementView, Access::on(RecordType::Agreement, Action::DraftAgreement);
    /// One agreement.
    GetAgreement: Get "/agreements/{id}", () => AgreementView, Access::on(RecordType::Agreement, Action::Read);
    /// Changes a draft agreement's terms.
    ChangeAgreement: Put "/agreements/{id}", AgreementChange => AgreementView, Access::on(RecordType::Agreement, Action::DraftAgreement);
    /// Approves an agreement's terms.
    SignAgreement: Post "/agreements/{id}/signatures", SignRequest => AgreementView, Access::on(RecordType::Agreement, Action::SignAgreement);
    /// Revokes an agreement.
    RevokeAgreement: Post "/agreements/{id}/revocation", RevokeRequest => AgreementView, Access::on(RecordType::Agreement, Action::RevokeAgreement);
    /// Starts an amendment of an agreement in force.
    AmendAgreement: Post "/agreements/{id}/amendments", AmendRequest => AgreementView, Access::on(RecordType::Agreement, Action::DraftAgreement);
    /// A partnership's quality agreement, every version.
    GetQualityAgreement: Get "/partnerships/{id}/quality-agreement", () => QualityAgreement, Access::on(RecordType::Partnership, Action::Read);
    /// Proposes a new version of a partnership's quality agreement.
    ProposeQualityAgreement: Post "/partnerships/{id}/quality-agreement", QualityAgreementDraft => QualityAgreement, Access::on(RecordType::Partnership, Action::DraftAgreement);
    /// QA approval of one version of a quality agreement.
    SignQualityAgreement: Post "/quality-agreements/{id}/signatures", SignRequest => QualityAgreement, Access::on(RecordType::QualityAgreement, Action::SignAgreement);
    /// A partnership's KPI targets, every version, and the limits in use.
    GetKpiTargets: Get "/partnerships/{id}/kpi-targets", () => KpiTargets, Access::on(RecordType::Partnership, Action::Read);
    /// Proposes a new version of a partnership's KPI targets.
    ProposeKpiTargets: Post "/partnerships/{id}/kpi-targets", KpiTargetDraft => KpiTargets, Access::on(RecordType::Partnership, Action::DraftAgreement);
    /// Edits a version of KPI targets that nobody has signed yet.
    ChangeKpiTargets: Put "/kpi-targets/{id}", KpiTargetChange => KpiTargets, Access::on(RecordType::KpiTargets, Action::DraftAgreement);
    /// QA approval of one version of KPI targets.
    SignKpiTargets: Post "/kpi-targets/{id}/signatures", SignRequest => KpiTargets, Access::on(RecordType::KpiTargets, Action::SignAgreement);
    /// A page of the organisation's audit trail.
    ListAudit: Get "/audit", AuditQuery => AuditPage, Access::listing(RecordType::AuditTrail);
    /// The same entries as CSV text.
    ExportAudit: Get "/audit/export.csv", AuditQuery => String, Access::listing_for(RecordType::AuditTrail, Action::Download);
    /// The people in the organisation's audit trail.
    ListAuditActors: Get "/audit/actors", () => Vec<AuditActor>, Access::listing(RecordType::AuditTrail);
    /// One record's history (record type, then id), oldest first.
    GetHistory: Get "/history/{record_type}/{id}", () => Vec<AuditEntry>, Access::by_path(Action::Read);
    /// One record's discussion (record type, then id): every comment, oldest first.
    GetComments: Get "/comments/{record_type}/{id}", () => Discussion, Access::by_path(Action::Read);
    /// Comments on a record, or replies in one of its threads.
    AddComment: Post "/comments/{record_type}/{id}", CommentInput => CommentView, Access::by_path(Action::Comment);
    /// The people who can see a record, whom its comments may mention.
    GetCommentPeople: Get "/comments/{record_type}/{id}/people", () => Vec<Person>, Access::by_path(Action::Read);
    /// Edits one's own comment on the version shown; the earlier text is kept.
    EditComment: Put "/comments/{record_type}/{id}/{comment}", CommentEdit => CommentView, Access::by_path(Action::Comment);
    /// Resolves a thread (named by its first comment) or opens it again.
    ResolveThread: Post "/comments/{record_type}/{id}/{comment}/resolution", ThreadResolution => CommentView, Access::by_path(Action::Comment);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn each_operation_is_defined_once() {
        let operations: BTreeSet<_> = ALL.iter().map(|d| (d.method, d.path)).collect();
        assert_eq!(operations.len(), ALL.len());
        let names: BTreeSet<_> = ALL.iter().map(|d| d.name).collect();
        assert_eq!(names.len(), ALL.len());
    }

    #[test]
    fn targets_encode_parameters_and_queries() {
        assert_eq!(target::<SignAgreement>(["a/b?c"], &sign()), Ok("/agreements/a%2Fb%3Fc/signatures".into()));
        assert_eq!(target::<GetHistory>(["agreement", "x#y"], &()), Ok("/history/agreement/x%23y".into()));
        assert_eq!(target::<ListTransfers>([], &()), Ok("/transfers".into()));
        assert_eq!(target::<GetTransfer>([".."], &()), Err(TargetError::Segment("id")));
        let query = AuditQuery { record_id: Some("a&b".into()), limit: Some(5), ..AuditQuery::default() };
        assert_eq!(target::<ListAudit>([], &query), Ok("/audit?limit=5&record_id=a%26b".into()));
        assert_eq!(target::<ListAudit>([], &AuditQuery::default()), Ok("/audit".into()));
    }

    fn sign() -> SignRequest {
        SignRequest { password: "p".into(), meaning: crate::signature::Meaning::Approved, content_hash: "h".into() }
    }

    #[test]
    fn body_requests_ignore_the_query() {
        assert!(Method::Post.has_body() && Method::Put.has_body());
        assert!(!Method::Get.has_body() && !Method::Delete.has_body());
        assert_eq!(Logout::METHOD.as_str(), "DELETE");
    }
}

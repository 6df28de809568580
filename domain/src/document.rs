//! Versioned documents inside a transfer: each version's file is kept with its SHA-256, and the document moves
//! draft → in review → effective → superseded, each step signed on the content hash. A new version of an effective
//! document starts in draft; when it becomes effective, the version before it is superseded.

use crate::access::Action;
use crate::agreement::DataClass;
use crate::error::ApiError;
use crate::ids::{BatchId, DeliverableId, DeviationId, DocumentId, DocumentVersionId, MethodId, StageId, TransferId};
use crate::org::OrgRef;
use crate::signature::Signature;
use crate::stored_enum::stored_enum;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

stored_enum!(
    /// Where a document version stands.
    DocumentStatus {
        /// Being written; a new upload may follow.
        Draft = "draft", "Draft";
        /// Submitted for QA's approval, signed by its author.
        InReview = "in_review", "In review";
        /// Approved by the owner's QA: the version in force.
        Effective = "effective", "Effective";
        /// Replaced by a later version.
        Superseded = "superseded", "Superseded";
    }
);

/// Longest title accepted.
pub const MAX_TITLE: usize = 200;
/// Longest original file name accepted.
pub const MAX_FILE_NAME: usize = 255;

/// The file types a document version may be, by declared content type; the server checks the first bytes agree.
pub const ACCEPTED_TYPES: &[(&str, &str)] = &[
    ("application/pdf", "PDF"),
    ("image/png", "PNG image"),
    ("image/jpeg", "JPEG image"),
    ("image/webp", "WebP image"),
    ("image/tiff", "TIFF image"),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document"),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel workbook"),
];

/// A document to start: its transfer, title and class, optionally for a stage or deliverable, and attached to at
/// most one method, batch or deviation. A document on a batch or deviation outside any transfer (a commercial batch)
/// names no transfer: it belongs to that record's partnership and product, as the record itself does, so only
/// agreements covering all of the product's transfers reach it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentInput {
    /// The transfer it belongs to; `None` only for a document on a batch or deviation outside any transfer.
    #[serde(default)]
    pub transfer: Option<TransferId>,
    /// Its title, 1–200 characters.
    pub title: String,
    /// The class of data it is: an agreement shares it by this class.
    pub data_class: DataClass,
    /// The stage of the transfer it belongs to, if any.
    #[serde(default)]
    pub stage: Option<StageId>,
    /// The deliverable it fulfils, if any.
    #[serde(default)]
    pub deliverable: Option<DeliverableId>,
    /// The analytical method it is about, if any (one of the transfer's).
    // Left out when empty, so a document's content hash (and the signatures on it) is what it was before
    // documents were attached to records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<MethodId>,
    /// The batch it is about, if any (in the same transfer, or outside any with the document).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<BatchId>,
    /// The deviation it is about (a photo of what was found), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deviation: Option<DeviationId>,
}

impl DocumentInput {
    /// A document titled `title` of class `data_class` in `transfer`, on no stage, deliverable or record.
    pub fn new(transfer: Option<TransferId>, title: String, data_class: DataClass) -> DocumentInput {
        DocumentInput {
            transfer,
            title,
            data_class,
            stage: None,
            deliverable: None,
            method: None,
            batch: None,
            deviation: None,
        }
    }

    /// The record it is attached to besides its transfer, if any: its field name and id.
    pub fn attached(&self) -> Option<(&'static str, String)> {
        (self.method.map(|m| ("method", m.to_string())))
            .or_else(|| self.batch.map(|b| ("batch", b.to_string())))
            .or_else(|| self.deviation.map(|d| ("deviation", d.to_string())))
    }
}

/// One uploaded version of a document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentVersion {
    /// Its id.
    pub id: DocumentVersionId,
    /// 1 for the first upload, then 2, 3, …
    pub number: u32,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Its content type, as declared and checked.
    pub content_type: String,
    /// The file's name as uploaded.
    pub file_name: String,
    /// Who uploaded it.
    pub uploaded_by: String,
    /// When (UTC, server clock).
    pub uploaded_at: DateTime<Utc>,
    /// Where it stands.
    pub status: DocumentStatus,
}

/// A document as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentView {
    /// Its id; its deep link is `/documents/{id}`.
    pub id: DocumentId,
    /// Its transfer, title, class, stage and deliverable.
    pub input: DocumentInput,
    /// The organisation that owns it (the uploader's).
    pub owner: OrgRef,
    /// The latest version's status; `None` before the first upload.
    pub status: Option<DocumentStatus>,
    /// Every version, newest first.
    pub versions: Vec<DocumentVersion>,
    /// Signatures on its steps, oldest first; `valid` is false for one on an older version.
    pub signatures: Vec<Signature>,
    /// What a step's signature is bound to: the document and its latest version's file.
    pub content_hash: String,
    /// When it was started.
    pub created_at: DateTime<Utc>,
    /// What the caller may do with it.
    #[serde(default)]
    pub actions: Vec<Action>,
}

impl DocumentView {
    /// The latest version, if one was uploaded.
    pub fn latest(&self) -> Option<&DocumentVersion> {
        self.versions.first()
    }
}

/// A transfer's documents that the caller may read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentList {
    /// Newest first.
    pub items: Vec<DocumentView>,
    /// What the caller may do in the transfer's documents: `contribute` when they may start one.
    #[serde(default)]
    pub actions: Vec<Action>,
}

/// A signed step of a document (submitting for review, approving).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentSignature {
    /// The signer's password, re-entered.
    pub password: String,
    /// The document's content hash as shown.
    pub content_hash: String,
}

/// Which version of a document to view or download.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct VersionQuery {
    /// The version's number; the latest when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
}

/// Checks a document's title, and that it names a transfer or a record outside one, and at most one record.
pub fn validate_input(input: &DocumentInput) -> Result<(), ApiError> {
    let attached = [input.method.is_some(), input.batch.is_some(), input.deviation.is_some()];
    if attached.iter().filter(|a| **a).count() > 1 {
        let field = if input.method.is_some() { "batch" } else { "deviation" };
        return Err(ApiError::invalid(field, "A document is attached to one method, batch or deviation at most."));
    }
    if input.transfer.is_none() && input.batch.is_none() && input.deviation.is_none() {
        let message = "Name the transfer the document belongs to (or the batch or deviation outside any transfer).";
        return Err(ApiError::invalid("transfer", message));
    }
    if input.transfer.is_none() && input.method.is_some() {
        return Err(ApiError::invalid("transfer", "A method belongs to a transfer: name the transfer as well."));
    }
    if input.transfer.is_none() && (input.stage.is_some() || input.deliverable.is_some()) {
        let field = if input.stage.is_some() { "stage" } else { "deliverable" };
        return Err(ApiError::invalid(
            field,
            "A stage or deliverable belongs to a transfer: name the transfer as well.",
        ));
    }
    let title = input.title.trim();
    if title.is_empty() {
        return Err(ApiError::invalid("title", "Give the document a title."));
    }
    if title.chars().count() > MAX_TITLE || title.contains('\0') {
        return Err(ApiError::invalid("title", format!("A title is at most {MAX_TITLE} characters of text.")));
    }
    Ok(())
}

/// The accepted type `declared` names (parameters such as `; charset` ignored), with its label.
pub fn accepted_type(declared: &str) -> Option<(&'static str, &'static str)> {
    let essence = declared.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    ACCEPTED_TYPES.iter().copied().find(|(t, _)| *t == essence)
}

/// The accepted type a file name's extension suggests, for files the browser gives no type.
pub fn type_for_name(name: &str) -> Option<&'static str> {
    let extension = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match extension.as_str() {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "tif" | "tiff" => "image/tiff",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => return None,
    })
}

/// Whether a browser shows this type itself (PDF and images): what viewing without downloading offers.
pub fn viewable_inline(content_type: &str) -> bool {
    content_type == "application/pdf" || matches!(content_type, "image/png" | "image/jpeg" | "image/webp")
}

/// Whether this type is a photo a page shows as a thumbnail (and the browser shows itself): PNG, JPEG or WebP.
pub fn is_photo(content_type: &str) -> bool {
    content_type.starts_with("image/") && viewable_inline(content_type)
}

/// Why a file picked as a photo (its declared type, else the one its name suggests; its size) is not one, if it is
/// not: what the quick report says beside its photo field before anything is sent.
pub fn photo_refusal(declared: &str, name: &str, size: u64) -> Option<String> {
    let declared = accepted_type(declared).map(|(t, _)| t).or_else(|| type_for_name(name));
    if !declared.is_some_and(is_photo) {
        return Some(format!("“{name}” is not a photo: choose a PNG, JPEG or WebP image."));
    }
    (size == 0).then(|| format!("“{name}” is empty: take the photo again."))
}

/// Checks an uploaded file's name: present, not too long, no path, no control characters.
pub fn validate_file_name(name: &str) -> Result<(), ApiError> {
    if name.trim().is_empty() {
        return Err(ApiError::invalid("file_name", "Name the file (header X-File-Name)."));
    }
    if name.chars().count() > MAX_FILE_NAME || name.chars().any(|c| c.is_control() || c == '/' || c == '\\') {
        let message =
            format!("A file name is at most {MAX_FILE_NAME} characters, without a path or control characters.");
        return Err(ApiError::invalid("file_name", message));
    }
    Ok(())
}

/// Why a new version may not be uploaded now, if it may not: not while the latest is in review.
pub fn upload_refusal(latest: Option<DocumentStatus>) -> Option<String> {
    (latest == Some(DocumentStatus::InReview))
        .then(|| "The latest version is in review: QA approves it before a new version is uploaded.".into())
}

/// Why the latest version may not be submitted for review now, if it may not.
pub fn review_refusal(latest: Option<DocumentStatus>) -> Option<String> {
    match latest {
        None => Some("Upload a file before submitting the document for review.".into()),
        Some(DocumentStatus::Draft) => None,
        Some(s) => Some(format!("Only a draft is submitted for review; the latest version is {}.", s.label())),
    }
}

/// Why the latest version may not be approved now, if it may not.
pub fn approval_refusal(latest: Option<DocumentStatus>) -> Option<String> {
    match latest {
        Some(DocumentStatus::InReview) => None,
        _ => Some("Only a version in review is approved: submit it for review first.".into()),
    }
}

/// A file size for people, in decimal units: "200 MB", "100 KB", "512 bytes".
pub fn size_label(bytes: u64) -> String {
    match bytes {
        b if b >= 1_000_000 && b % 100_000 == 0 && b % 1_000_000 != 0 => format!("{:.1} MB", b as f64 / 1e6),
        b if b >= 1_000_000 => format!("{} MB", (b + 500_000) / 1_000_000),
        b if b >= 1_000 => format!("{} KB", (b + 500) / 1_000),
        b => format!("{b} bytes"),
    }
}

/// Why a file of `size` bytes cannot be uploaded under a limit of `max_bytes`, or `None` when it fits. Checked
/// before sending, since the server refuses a file that is too large only once that much of it has arrived.
pub fn oversize(size: u64, max_bytes: u64) -> Option<String> {
    if size <= max_bytes {
        return None;
    }
    let (mut is, mut limit) = (size_label(size), size_label(max_bytes));
    // Rounded alike, the two sizes would read as equal: give them exactly.
    if is == limit {
        (is, limit) = (format!("{size} bytes"), format!("{max_bytes} bytes"));
    }
    Some(format!("it is {is}, and files up to {limit} are accepted."))
}

/// The name a downloaded copy carries: the original name stamped with the recipient organisation and the time
/// (UTC), so a copy found later says whose it was and when it left Baton.
pub fn stamped_file_name(original: &str, recipient: &str, at: DateTime<Utc>) -> String {
    let (stem, extension) = match original.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && !ext.is_empty() => (stem, format!(".{ext}")),
        _ => (original, String::new()),
    };
    format!("{stem} - {recipient} {}{extension}", at.format("%Y-%m-%d %H%M UTC"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_the_recipient_and_time_before_the_extension() {
        let at = DateTime::from_timestamp(1_795_000_000, 0).expect("valid");
        assert_eq!(
            stamped_file_name("protocol.v2.pdf", "Norvia CDMO", at),
            "protocol.v2 - Norvia CDMO 2026-11-18 1106 UTC.pdf"
        );
        assert_eq!(stamped_file_name("README", "Helix", at), "README - Helix 2026-11-18 1106 UTC");
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size_label(200_000_000), "200 MB");
        assert_eq!(size_label(2_500_000), "2.5 MB");
        assert_eq!(size_label(100_000), "100 KB");
        assert_eq!(size_label(512), "512 bytes");
    }

    #[test]
    fn a_file_up_to_the_limit_fits_and_one_byte_more_does_not() {
        assert_eq!(oversize(100_000, 100_000), None);
        assert_eq!(oversize(0, 100_000), None);
        assert_eq!(
            oversize(100_001, 100_000).as_deref(),
            Some("it is 100001 bytes, and files up to 100000 bytes are accepted.")
        );
        assert_eq!(
            oversize(250_000_000, 200_000_000).as_deref(),
            Some("it is 250 MB, and files up to 200 MB are accepted.")
        );
    }

    #[test]
    fn steps_follow_the_lifecycle() {
        use DocumentStatus::*;
        assert!(review_refusal(None).is_some());
        assert!(review_refusal(Some(Draft)).is_none());
        assert!(review_refusal(Some(Effective)).is_some());
        assert!(approval_refusal(Some(InReview)).is_none());
        assert!(approval_refusal(Some(Draft)).is_some());
        assert!(upload_refusal(Some(InReview)).is_some());
        assert!(upload_refusal(Some(Effective)).is_none() && upload_refusal(None).is_none());
    }

    #[test]
    fn a_document_names_a_transfer_or_a_record_outside_one_and_one_record_at_most() {
        let field = |input: &DocumentInput| validate_input(input).err().and_then(|e| e.field);
        let nil = uuid::Uuid::nil();
        let base = DocumentInput::new(None, "Photo".into(), DataClass::QualityEvents);
        assert_eq!(field(&base), Some("transfer".into()));
        let commercial = DocumentInput { batch: Some(BatchId(nil)), ..base.clone() };
        assert_eq!(field(&commercial), None);
        let method = DocumentInput { method: Some(MethodId(nil)), ..base.clone() };
        assert_eq!(field(&method), Some("transfer".into()));
        let two = DocumentInput { transfer: Some(TransferId(nil)), deviation: Some(DeviationId(nil)), ..commercial };
        assert_eq!(field(&two), Some("deviation".into()));
        let staged = DocumentInput { deviation: Some(DeviationId(nil)), stage: Some(StageId(nil)), ..base };
        assert_eq!(field(&staged), Some("stage".into()));
    }

    #[test]
    fn accepts_listed_types_and_names_only() {
        assert_eq!(accepted_type("Application/PDF; charset=binary").map(|t| t.0), Some("application/pdf"));
        assert!(accepted_type("application/x-msdownload").is_none());
        assert!(validate_file_name("a/b.pdf").is_err() && validate_file_name(" ").is_err());
        assert!(validate_file_name("Transfer protocol.pdf").is_ok());
        let transfer = TransferId(uuid::Uuid::nil());
        let input = DocumentInput::new(Some(transfer), " ".into(), DataClass::RegulatoryDocuments);
        assert_eq!(validate_input(&input).map_err(|e| e.field), Err(Some("title".into())));
        assert!(viewable_inline("application/pdf") && !viewable_inline("image/tiff"));
        assert!(is_photo("image/jpeg") && !is_photo("application/pdf") && !is_photo("image/tiff"));
        assert!(photo_refusal("image/png", "drum.png", 120).is_none());
        assert!(photo_refusal("", "drum.JPG", 120).is_none());
        assert!(photo_refusal("application/pdf", "report.pdf", 120).is_some_and(|m| m.contains("not a photo")));
        assert!(photo_refusal("image/png", "drum.png", 0).is_some_and(|m| m.contains("empty")));
        assert_eq!(type_for_name("Scan.JPG"), Some("image/jpeg"));
        assert_eq!(type_for_name("setup.exe"), None);
    }
}

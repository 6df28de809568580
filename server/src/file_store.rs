//! Where documents' files are kept: an `object_store` store (a local directory under the data directory by default;
//! an S3-compatible bucket fits the same trait). Uploads stream through a multipart upload, which the local store
//! stages beside the target and renames only on completion, so a cut or refused upload leaves nothing under its key.

use crate::error::AppError;
use axum::body::Bytes;
use baton_domain::document;
use baton_domain::error::{ApiError, ErrorCode};
use futures_util::{Stream, StreamExt};
use object_store::local::LocalFileSystem;
use object_store::path::Path as StorePath;
use object_store::{ObjectStore, WriteMultipart};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;

/// Default largest file accepted: 200 MB.
pub const DEFAULT_MAX_BYTES: u64 = 200 * 1000 * 1000;
/// How many leading bytes the content check reads (Office files name their parts a little way in).
const HEAD_BYTES: usize = 8 * 1024;
/// Size of the parts written to the store: memory held per upload is about this much, not the file.
const PART_BYTES: usize = 1024 * 1024;

/// The document store and its upload limit.
#[derive(Clone, Debug)]
pub struct FileStore {
    store: Arc<dyn ObjectStore>,
    /// Largest file accepted, in bytes.
    pub max_bytes: u64,
}

/// What a complete upload left in the store.
#[derive(Clone, Debug)]
pub struct Stored {
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// Number of bytes.
    pub size: u64,
}

impl FileStore {
    /// A store in directory `dir` (created if missing).
    pub fn local(dir: &Path, max_bytes: u64) -> anyhow::Result<FileStore> {
        std::fs::create_dir_all(dir)?;
        Ok(FileStore { store: Arc::new(LocalFileSystem::new_with_prefix(dir)?), max_bytes })
    }

    /// Streams `body` under `key`, hashing it as it goes and checking its first bytes are `content_type` (and no
    /// program). Nothing is left under `key` unless the whole body arrived and passed.
    pub async fn put<S, E>(&self, key: &str, content_type: &str, mut body: S) -> Result<Stored, AppError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let upload = self.store.put_multipart(&StorePath::from(key)).await.map_err(anyhow::Error::from)?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        let mut head: Vec<u8> = Vec::new();
        let mut checked = false;
        while let Some(chunk) = body.next().await {
            let refusal = match chunk {
                Err(e) => Some(AppError::new(ErrorCode::MalformedRequest, format!("The upload broke off: {e}"))),
                Ok(chunk) => {
                    size += chunk.len() as u64;
                    if size > self.max_bytes {
                        Some(too_large(self.max_bytes))
                    } else {
                        hasher.update(&chunk);
                        if !checked && head.len() < HEAD_BYTES {
                            let take = chunk.len().min(HEAD_BYTES - head.len());
                            head.extend_from_slice(&chunk[..take]);
                        }
                        let mut refusal = None;
                        if !checked && head.len() >= HEAD_BYTES {
                            refusal = check_content(content_type, &head).err();
                            checked = true;
                        }
                        if refusal.is_none() {
                            writer.write(&chunk);
                            if let Err(e) = writer.wait_for_capacity(2).await {
                                refusal = Some(AppError::Internal(e.into()));
                            }
                        }
                        refusal
                    }
                }
            };
            if let Some(refusal) = refusal {
                // Best effort: the staged parts are removed; nothing was ever visible under the key.
                let _aborted = writer.abort().await;
                return Err(refusal);
            }
        }
        let end = if size == 0 {
            Err(ApiError::invalid("file", "The file is empty.").into())
        } else if checked {
            Ok(())
        } else {
            check_content(content_type, &head)
        };
        if let Err(refusal) = end {
            let _aborted = writer.abort().await;
            return Err(refusal);
        }
        writer.finish().await.map_err(anyhow::Error::from)?;
        Ok(Stored { sha256: hex::encode(hasher.finalize()), size })
    }

    /// The file under `key`, as a stream of bytes (never read whole).
    pub async fn get(
        &self,
        key: &str,
    ) -> anyhow::Result<impl Stream<Item = Result<Bytes, object_store::Error>> + Send + 'static> {
        Ok(self.store.get(&StorePath::from(key)).await?.into_stream())
    }

    /// Removes a file that no record names (an upload overtaken by another before it was recorded).
    pub async fn discard(&self, key: &str) {
        if let Err(e) = self.store.delete(&StorePath::from(key)).await {
            tracing::warn!(key, error = %e, "an unrecorded upload could not be removed");
        }
    }
}

/// 413 naming the limit.
pub fn too_large(max_bytes: u64) -> AppError {
    let limit = document::size_label(max_bytes);
    AppError::new(
        ErrorCode::PayloadTooLarge,
        format!("The file is larger than the limit of {limit}. Nothing was stored."),
    )
}

/// Checks the first bytes of a file declared as `content_type`: programs are refused whatever they claim to be, and
/// the bytes must be of the declared type.
pub fn check_content(content_type: &str, head: &[u8]) -> Result<(), AppError> {
    let Some((declared, label)) = document::accepted_type(content_type) else {
        return Err(unsupported(content_type));
    };
    let found = infer::get(head);
    if infer::is_app(head) || found.is_some_and(|t| t.matcher_type() == infer::MatcherType::App) {
        return Err(
            ApiError::invalid("file", "The file is a program (an executable); programs are not accepted.").into()
        );
    }
    let matches = match found.map(|t| t.mime_type()) {
        Some(mime) if mime == declared => true,
        // A JPEG may be recognised as such under either name.
        Some("image/jpeg") => declared == "image/jpeg",
        _ => false,
    };
    if !matches {
        let message = format!("The file's content is not a {label}, although it was sent as one. Nothing was stored.");
        return Err(ApiError::invalid("file", message).into());
    }
    Ok(())
}

/// 415 naming what is accepted.
pub fn unsupported(content_type: &str) -> AppError {
    let accepted: Vec<&str> = document::ACCEPTED_TYPES.iter().map(|(_, label)| *label).collect();
    let shown = if content_type.is_empty() { "no type" } else { content_type };
    AppError::new(
        ErrorCode::UnsupportedMediaType,
        format!("Files of type {shown} are not accepted; upload one of: {}.", accepted.join(", ")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_programs_and_mismatched_bytes() {
        let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n";
        assert!(check_content("application/pdf", pdf).is_ok());
        let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00";
        assert!(check_content("application/pdf", exe).is_err());
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
        assert!(check_content("application/pdf", png).is_err());
        assert!(check_content("image/png", png).is_ok());
        assert!(check_content("application/x-msdownload", exe).is_err());
    }
}

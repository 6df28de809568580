//! Where documents' files are kept: an `object_store` store, a local directory under the data directory by default or
//! an S3-compatible bucket by setting. Uploads stream through a multipart upload, which the local store stages
//! beside the target and renames only on completion and S3 assembles only on completion, so a cut or refused upload
//! leaves nothing under its key.

use crate::error::AppError;
use anyhow::Context;
use axum::body::Bytes;
use baton_domain::document;
use baton_domain::error::{ApiError, ErrorCode};
use futures_util::{Stream, StreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as StorePath;
use object_store::prefix::PrefixStore;
use object_store::{ClientOptions, ObjectStore, RetryConfig, WriteMultipart};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Default largest file accepted: 200 MB.
pub const DEFAULT_MAX_BYTES: u64 = 200 * 1000 * 1000;
/// How many leading bytes the content check reads (Office files name their parts a little way in).
const HEAD_BYTES: usize = 8 * 1024;
/// Size of the parts written to a local store: memory held per upload is a few times this, not the file.
const LOCAL_PART_BYTES: usize = 1024 * 1024;
/// Size of the parts written to S3, whose parts (all but the last) must be at least 5 MiB.
const S3_PART_BYTES: usize = 5 * 1024 * 1024;
/// Longest an S3 request may take, body included.
const S3_REQUEST_TIMEOUT: Duration = Duration::from_secs(600);
/// How long the start-up check waits for the bucket to answer.
const PROBE_TIMEOUT: Duration = Duration::from_secs(20);

/// Where the document store is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// A directory on this machine.
    Local(PathBuf),
    /// A bucket of an S3-compatible service.
    S3(S3Settings),
}

/// An S3-compatible bucket and how to reach it; credentials come from the usual `AWS_*` environment variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Settings {
    /// The bucket's name.
    pub bucket: String,
    /// Key prefix under which documents are kept (no leading or trailing slash; may be empty).
    pub prefix: String,
    /// The service's URL, for services other than AWS.
    pub endpoint: Option<String>,
    /// The bucket's region.
    pub region: Option<String>,
    /// Whether a plain-HTTP endpoint is allowed.
    pub allow_http: bool,
}

impl S3Settings {
    /// Reads `s3://BUCKET[/PREFIX]`.
    pub fn parse(url: &str) -> anyhow::Result<S3Settings> {
        let usage = "use s3://BUCKET or s3://BUCKET/PREFIX, or leave it unset for the data directory";
        let Some(rest) = url.strip_prefix("s3://") else {
            anyhow::bail!("the document store (--document-store) {url:?} is not an S3 URL: {usage}");
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let valid_bucket = (3..=63).contains(&bucket.len())
            && bucket.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        anyhow::ensure!(
            valid_bucket,
            "the document store (--document-store) {url:?}: {bucket:?} is not a bucket name (3 to 63 lower-case letters, digits, '-' or '.'); {usage}"
        );
        Ok(S3Settings {
            bucket: bucket.to_owned(),
            prefix: prefix.trim_matches('/').to_owned(),
            endpoint: None,
            region: None,
            allow_http: false,
        })
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Local(dir) => write!(f, "{}", dir.display()),
            Location::S3(s3) => {
                write!(f, "s3://{}/{}", s3.bucket, s3.prefix)?;
                match &s3.endpoint {
                    Some(endpoint) => write!(f, " at {endpoint}"),
                    None => Ok(()),
                }
            }
        }
    }
}

/// The document store and its upload limit.
#[derive(Clone, Debug)]
pub struct FileStore {
    store: Arc<dyn ObjectStore>,
    /// Size of the multipart upload's parts.
    part_bytes: usize,
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
    /// The store at `location`, checked to be reachable: a local directory is created if missing; a bucket must
    /// answer a listing (so a wrong name, endpoint or credentials stop the start with the service's reason).
    pub async fn open(location: &Location, max_bytes: u64) -> anyhow::Result<FileStore> {
        match location {
            Location::Local(dir) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating the document directory {}", dir.display()))?;
                let store = LocalFileSystem::new_with_prefix(dir)?;
                Ok(FileStore { store: Arc::new(store), part_bytes: LOCAL_PART_BYTES, max_bytes })
            }
            Location::S3(s3) => {
                let store = s3_store(s3).with_context(|| format!("document store {location}"))?;
                // The first page of a listing: a missing bucket, refused credentials or a wrong endpoint fail it.
                let mut listing = store.list(None);
                match tokio::time::timeout(PROBE_TIMEOUT, listing.next()).await {
                    Ok(None | Some(Ok(_))) => {}
                    Ok(Some(Err(e))) => anyhow::bail!("the document store {location} cannot be used: {e}"),
                    Err(_) => anyhow::bail!(
                        "the document store {location} did not answer within {} s",
                        PROBE_TIMEOUT.as_secs()
                    ),
                }
                Ok(FileStore { store, part_bytes: S3_PART_BYTES, max_bytes })
            }
        }
    }

    /// Streams `body` under `key`, hashing it as it goes and checking its first bytes are `content_type` (and no
    /// program). Nothing is left under `key` unless the whole body arrived and passed.
    pub async fn put<S, E>(&self, key: &str, content_type: &str, mut body: S) -> Result<Stored, AppError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let upload = self.store.put_multipart(&StorePath::from(key)).await.map_err(anyhow::Error::from)?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, self.part_bytes);
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

/// The bucket from `s3`'s settings and the `AWS_*` environment, under its prefix.
fn s3_store(s3: &S3Settings) -> anyhow::Result<Arc<dyn ObjectStore>> {
    let mut builder = AmazonS3Builder::from_env()
        .with_bucket_name(&s3.bucket)
        // A request's timeout covers its whole body, and a 200 MB file streams to a slow tablet at the tablet's pace:
        // ten minutes, not object_store's 30 s (a cut-off download resumes from where it stopped, up to 3 times).
        .with_client_options(ClientOptions::new().with_allow_http(s3.allow_http).with_timeout(S3_REQUEST_TIMEOUT))
        // A few quick retries, not object_store's default of minutes: an upload waits on them.
        .with_retry(RetryConfig { max_retries: 3, retry_timeout: Duration::from_secs(30), ..RetryConfig::default() });
    if let Some(endpoint) = &s3.endpoint {
        // A service other than AWS has no instance metadata to take credentials from: say so rather than ask it.
        let keyed =
            std::env::var_os("AWS_ACCESS_KEY_ID").is_some() && std::env::var_os("AWS_SECRET_ACCESS_KEY").is_some();
        anyhow::ensure!(
            keyed || std::env::var("AWS_SKIP_SIGNATURE").is_ok_and(|v| v == "true"),
            "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for the service at {endpoint} (or AWS_SKIP_SIGNATURE=true \
             for a bucket that takes unsigned requests)"
        );
        builder = builder.with_endpoint(endpoint);
    }
    if let Some(region) = &s3.region {
        builder = builder.with_region(region);
    }
    let bucket: Arc<dyn ObjectStore> = Arc::new(builder.build()?);
    Ok(if s3.prefix.is_empty() { bucket } else { Arc::new(PrefixStore::new(bucket, s3.prefix.as_str())) })
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
    fn reads_s3_urls() {
        let s3 = S3Settings::parse("s3://baton-docs/prod/documents/").expect("valid");
        assert_eq!((s3.bucket.as_str(), s3.prefix.as_str()), ("baton-docs", "prod/documents"));
        assert_eq!(S3Settings::parse("s3://baton-docs").expect("valid").prefix, "");
        assert!(S3Settings::parse("/var/lib/baton").is_err());
        assert!(S3Settings::parse("s3://").is_err());
        assert!(S3Settings::parse("s3://Bad_Bucket/x").is_err());
    }

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

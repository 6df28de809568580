//! `baton precompress`: writes a brotli (`.br`, quality 11) and a gzip (`.gz`, level 9) copy beside every
//! compressible file of the built front end, once at build time, so that the server sends the smallest encoding
//! without spending CPU on every response (on-the-fly compression has to use fast, weaker settings).

use anyhow::Context;
use std::fs::{self, File};
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Brotli's best (and slowest) quality: worth it when compressing once per build.
const BROTLI_QUALITY: i32 = 11;
/// The largest window RFC 7932 allows (16 MiB); browsers decode it, and the wasm module gains from it.
const BROTLI_WINDOW_BITS: i32 = 24;

/// Extensions worth compressing; images and fonts in modern formats are compressed already.
const COMPRESSIBLE: &[&str] = &["wasm", "js", "mjs", "css", "html", "svg", "json", "map", "txt", "xml", "ico"];

/// What happened to one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// New compressed copies were written.
    Compressed {
        /// Size of the original.
        raw: u64,
        /// Size of the `.br` copy, if it is smaller than the original (otherwise none is kept).
        brotli: Option<u64>,
        /// Size of the `.gz` copy, if it is smaller than the original.
        gzip: Option<u64>,
    },
    /// Both copies exist and are newer than the original: nothing to do.
    UpToDate,
}

/// One file of the dist directory and what was done to it.
#[derive(Clone, Debug)]
pub struct Report {
    /// Path relative to the dist directory.
    pub file: PathBuf,
    /// What was done.
    pub outcome: Outcome,
}

/// Compresses every compressible file under `dist` (recursively) whose copies are missing or older than it.
pub fn precompress_dir(dist: &Path) -> anyhow::Result<Vec<Report>> {
    let mut files = Vec::new();
    collect(dist, &mut files).with_context(|| format!("reading {}", dist.display()))?;
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let outcome = precompress_file(&path).with_context(|| format!("compressing {}", path.display()))?;
            let file = path.strip_prefix(dist).unwrap_or(&path).to_path_buf();
            Ok(Report { file, outcome })
        })
        .collect()
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            collect(&path, files)?;
        } else if is_compressible(&path) {
            files.push(path);
        }
    }
    Ok(())
}

/// Whether a file's extension marks it as worth compressing (never a `.br` or `.gz` copy itself).
pub fn is_compressible(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|ext| COMPRESSIBLE.contains(&ext.to_ascii_lowercase().as_str()))
}

/// The path of a compressed copy: `name.ext` → `name.ext.br`.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Compresses one file unless both copies are at least as new as it.
pub fn precompress_file(path: &Path) -> anyhow::Result<Outcome> {
    let (br_path, gz_path) = (sibling(path, ".br"), sibling(path, ".gz"));
    let source_time = modified(path).context("reading the modification time")?;
    let fresh = |copy: &Path| modified(copy).is_some_and(|t| t >= source_time);
    if fresh(&br_path) && fresh(&gz_path) {
        return Ok(Outcome::UpToDate);
    }
    let raw = fs::read(path)?;
    let brotli = keep_if_smaller(&br_path, raw.len(), &brotli_bytes(&raw)?)?;
    let gzip = keep_if_smaller(&gz_path, raw.len(), &gzip_bytes(&raw)?)?;
    Ok(Outcome::Compressed { raw: raw.len() as u64, brotli, gzip })
}

/// Writes the copy (through a temporary file and a rename, so a server never serves half of it) if it saves
/// bytes; otherwise removes any stale copy so the original is served.
fn keep_if_smaller(copy: &Path, raw_len: usize, compressed: &[u8]) -> anyhow::Result<Option<u64>> {
    if compressed.len() >= raw_len {
        match fs::remove_file(copy) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => return Ok(None),
        }
    }
    let temporary = sibling(copy, ".tmp");
    let mut file = File::create(&temporary)?;
    file.write_all(compressed)?;
    file.sync_all()?;
    fs::rename(&temporary, copy)?;
    Ok(Some(compressed.len() as u64))
}

/// Brotli at quality 11 with the largest standard window.
pub fn brotli_bytes(raw: &[u8]) -> anyhow::Result<Vec<u8>> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: BROTLI_QUALITY,
        lgwin: BROTLI_WINDOW_BITS,
        size_hint: raw.len(),
        ..Default::default()
    };
    let mut out = Vec::with_capacity(raw.len() / 3);
    brotli::BrotliCompress(&mut BufReader::new(raw), &mut out, &params)?;
    Ok(out)
}

/// Gzip at level 9.
pub fn gzip_bytes(raw: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::with_capacity(raw.len() / 3), flate2::Compression::best());
    encoder.write_all(raw)?;
    Ok(encoder.finish()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_text_and_wasm_are_compressible() {
        for name in ["app-1a2b_bg.wasm", "app.js", "style.CSS", "index.html", "favicon.svg"] {
            assert!(is_compressible(Path::new(name)), "{name}");
        }
        for name in ["app.js.br", "app.js.gz", "photo.png", "font.woff2", "README"] {
            assert!(!is_compressible(Path::new(name)), "{name}");
        }
    }

    #[test]
    fn copies_decompress_to_the_original_and_a_second_run_does_nothing() {
        let dir = tempfile_dir("roundtrip");
        let text = "body { color: black; }\n".repeat(200);
        fs::write(dir.join("style-0123456789abcdef.css"), &text).expect("write");
        fs::write(dir.join("tiny.js"), "x").expect("write");

        let first = precompress_dir(&dir).expect("precompress");
        assert_eq!(first.len(), 2);
        let br = fs::read(dir.join("style-0123456789abcdef.css.br")).expect("br copy");
        let mut unbr = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut unbr).expect("valid brotli");
        assert_eq!(unbr, text.as_bytes());
        let gz = fs::read(dir.join("style-0123456789abcdef.css.gz")).expect("gz copy");
        let mut ungz = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut ungz).expect("valid gzip");
        assert_eq!(ungz, text);
        assert!(!dir.join("tiny.js.br").exists(), "a copy that saves nothing is not kept");

        let second = precompress_dir(&dir).expect("precompress again");
        let css = second.iter().find(|r| r.file.ends_with("style-0123456789abcdef.css")).expect("css reported");
        assert_eq!(css.outcome, Outcome::UpToDate);
        fs::remove_dir_all(&dir).ok();
    }

    fn tempfile_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("baton-precompress-{name}-{}", std::process::id()));
        fs::create_dir_all(&dir).expect("dir");
        dir
    }
}

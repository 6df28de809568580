//! A real S3-protocol server for the document store's tests and bench: `s3s-fs` (the S3 API over a directory,
//! speaking SigV4 and multipart uploads) on a free loopback port, in its own thread and runtime so that it outlives
//! any one test's runtime. Objects are files under `<root>/<bucket>/<key>`; multipart parts are staged outside the
//! bucket until the upload completes.

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;
use std::path::PathBuf;
use std::thread::JoinHandle;
use tempfile::TempDir;

/// The bucket every test server has.
pub const BUCKET: &str = "baton-documents";
const ACCESS_KEY: &str = "baton-test-access-key";
const SECRET_KEY: &str = "baton-test-secret-key";

/// A running S3-protocol server; stopped when dropped.
pub struct S3Server {
    /// `http://127.0.0.1:PORT`
    pub endpoint: String,
    root: TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl S3Server {
    /// Starts a server with one empty bucket, [`BUCKET`].
    pub fn start() -> S3Server {
        let root = tempfile::tempdir().expect("temporary directory");
        std::fs::create_dir(root.path().join(BUCKET)).expect("bucket directory");
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
        listener.set_nonblocking(true).expect("non-blocking listener");
        let endpoint = format!("http://{}", listener.local_addr().expect("address"));
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let dir = root.path().to_path_buf();
        let thread = std::thread::spawn(move || {
            let runtime =
                tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
            runtime.block_on(serve(listener, dir, stopped));
        });
        S3Server { endpoint, root, stop: Some(stop), thread: Some(thread) }
    }

    /// The settings that make `baton` keep its documents in this server's bucket, under `prefix`.
    pub fn settings(&self, prefix: &str) -> Vec<(String, String)> {
        self.settings_for(&format!("s3://{BUCKET}/{prefix}"))
    }

    /// The settings naming store `url` (any bucket) on this server, with its credentials.
    pub fn settings_for(&self, url: &str) -> Vec<(String, String)> {
        [
            ("BATON_DOCUMENT_STORE", url),
            ("AWS_ENDPOINT_URL", self.endpoint.as_str()),
            ("AWS_ALLOW_HTTP", "true"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    /// Where the object with key `key` (in [`BUCKET`]) is kept on disk.
    pub fn object_path(&self, key: &str) -> PathBuf {
        self.root.path().join(BUCKET).join(key)
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _stopping = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _joined = thread.join();
        }
    }
}

async fn serve(listener: std::net::TcpListener, root: PathBuf, mut stopped: tokio::sync::oneshot::Receiver<()>) {
    let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
    let fs = s3s_fs::FileSystem::new(&root).expect("s3s-fs over the root");
    let mut builder = S3ServiceBuilder::new(fs);
    builder.set_auth(SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
    let service = builder.build();
    let http = ConnBuilder::new(TokioExecutor::new());
    loop {
        let socket = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((socket, _)) => socket,
                Err(_) => continue,
            },
            _ = &mut stopped => return,
        };
        let connection = http.serve_connection(TokioIo::new(socket), service.clone()).into_owned();
        tokio::spawn(async move {
            let _served = connection.await;
        });
    }
}

//! Running the server until SIGINT or SIGTERM, finishing requests in flight.

use crate::app::{HttpOptions, router};
use crate::db::Backend;
use crate::live;
use crate::live::retention::{self, Retention};
use crate::state::AppState;
use crate::store::sessions::DbSessionStore;
use anyhow::Context;
use std::net::SocketAddr;
use tower_sessions::session_store::ExpiredDeletion;

/// Serves until a shutdown signal, then drains connections.
pub async fn run(
    state: AppState,
    addr: SocketAddr,
    options: &HttpOptions<'_>,
    retention: Retention,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
    let bound = listener.local_addr()?;
    let sweeper = DbSessionStore::new(state.db.pool.clone());
    let sweep = tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            every.tick().await;
            if let Err(e) = sweeper.delete_expired().await {
                tracing::warn!(error = %e, "deleting expired sessions");
            }
        }
    });

    let prune = tokio::spawn(retention::prune_forever(state.db.pool.clone(), retention));

    // On PostgreSQL, changes written through other instances reach this one's streams and read cache through
    // LISTEN/NOTIFY, and the cache is on while it listens; on SQLite this process is the only writer.
    if state.db.backend == Backend::Sqlite {
        crate::read_cache::enable(true);
    }
    let listen = (state.db.backend == Backend::Postgres)
        .then(|| tokio::spawn(live::listen(state.db.pool.connect_options().database_url.to_string())));

    let app = router(state.clone(), options).into_make_service_with_connect_info::<SocketAddr>();
    tracing::info!(%bound, "listening");
    println!("Baton is running at http://{bound}/");
    // Open event streams never end by themselves: stopping them lets the graceful shutdown finish.
    let shutdown = async {
        shutdown_signal().await;
        live::stop();
    };
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await?;
    sweep.abort();
    prune.abort();
    if let Some(listen) = listen {
        listen.abort();
    }
    state.db.pool.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

//! Running the server until SIGINT or SIGTERM, finishing requests in flight.

use crate::app::{HttpOptions, router};
use crate::state::AppState;
use crate::store::sessions::DbSessionStore;
use anyhow::Context;
use std::net::SocketAddr;
use tower_sessions::session_store::ExpiredDeletion;

/// Serves until a shutdown signal, then drains connections.
pub async fn run(state: AppState, addr: SocketAddr, options: &HttpOptions<'_>) -> anyhow::Result<()> {
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

    let app = router(state.clone(), options).into_make_service_with_connect_info::<SocketAddr>();
    tracing::info!(%bound, "listening");
    println!("Baton is running at http://{bound}/");
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await?;
    sweep.abort();
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

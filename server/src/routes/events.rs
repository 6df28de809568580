//! `GET /api/v1/events`: one server-sent events stream per browser tab, carrying the changes to records its user may
//! read — decided per event when it is delivered, so an agreement revoked a second ago stops the flow.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::kernel;
use crate::live::window::Since;
use crate::live::{self, Subscription};
use crate::state::AppState;
use crate::store;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use baton_domain::error::ErrorBody;
use baton_domain::ids::OrgId;
use baton_domain::live::{EVENT_NAME, LiveEvent, LiveReset, RESET_EVENT_NAME, parse_last_event_id};
use baton_domain::org::Role;
use baton_domain::org::UserProfile;
use chrono::Utc;
use futures_util::Stream;
use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;

/// Events taken at a time: what bounds a stream's memory however far behind it is.
const PAGE: usize = 100;
/// How often an idle stream sends a comment, so proxies and the browser keep the connection open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// What a stream sends next.
enum Next {
    /// A change its user may read.
    Change(Arc<LiveEvent>),
    /// Changes since its last id may have been pruned: the page reloads, and the stream goes on from this id.
    Reset(i64),
}

/// One open stream: where it is, what it has taken but not yet delivered, and its wake-ups.
struct Feed {
    state: AppState,
    user: UserProfile,
    session: String,
    session_checked: Instant,
    last: i64,
    pending: VecDeque<Arc<LiveEvent>>,
    wake: Subscription,
}

impl Feed {
    /// The next event its user may read, waiting for one; `None` ends the stream (the server is stopping, the
    /// session ended, or the database failed: the browser reconnects with the last id it received and misses nothing).
    async fn next(&mut self) -> Option<Next> {
        loop {
            while let Some(event) = self.pending.pop_front() {
                match readable(&self.state, &self.user, &event).await {
                    Ok(true) => return Some(Next::Change(event)),
                    Ok(false) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "deciding an event's delivery");
                        return None;
                    }
                }
            }
            if self.wake.stopping() {
                return None;
            }
            // A session logged out or expired since the stream opened receives nothing more (checked every 30 s at
            // most, not on every wake: a thousand streams must not cost a thousand queries per change).
            let every = self.state.sessions.stream_check_every().to_std().unwrap_or_default();
            if self.session_checked.elapsed() >= every {
                let mut conn = self.state.db.pool.acquire().await.ok()?;
                if !store::events::session_alive(&mut conn, &self.session, Utc::now().timestamp()).await.ok()? {
                    return None;
                }
                self.session_checked = Instant::now();
            }
            let window = &self.state.live;
            if let Err(e) = window.refresh(&self.state.db.pool, live::generation()).await {
                tracing::warn!(error = %e, "reading events");
                return None;
            }
            let taken = match window.after(self.last, PAGE) {
                Since::Events(events) => events,
                // Further behind than the window: this stream reads the table itself.
                Since::Behind => {
                    let mut conn = self.state.db.pool.acquire().await.ok()?;
                    let page = store::events::after(&mut conn, self.last, PAGE as i64).await;
                    // Asked after the page was read: pruning raises the mark before it deletes, so a page that
                    // misses pruned events is always followed by a mark above the stream's last id.
                    let pruned = store::events::pruned_through(&mut conn).await;
                    match (page, pruned) {
                        (Ok(_), Ok(pruned)) if pruned > self.last => {
                            drop(conn);
                            let head = window.refresh(&self.state.db.pool, live::generation()).await.ok()?;
                            self.last = head.max(pruned);
                            return Some(Next::Reset(self.last));
                        }
                        (Ok(page), Ok(_)) => page.into_iter().map(Arc::new).collect(),
                        (Err(e), _) | (_, Err(e)) => {
                            tracing::warn!(error = %e, "reading events");
                            return None;
                        }
                    }
                }
            };
            match taken.last() {
                Some(newest) => {
                    self.last = newest.id;
                    self.pending.extend(taken);
                }
                None => {
                    if !self.wake.woken().await {
                        return None;
                    }
                }
            }
        }
    }
}

/// A decision the rule made a moment ago for an event and a kind of subscriber.
struct Shared {
    made: Instant,
    decision: Arc<OnceCell<bool>>,
}

/// How long a decision is shared. Events after a revocation are new events, decided afresh; this only lets the
/// streams woken together by one event share its decision.
const SHARED_FOR: Duration = Duration::from_secs(1);

type Decisions = Mutex<HashMap<(i64, OrgId, Role), Shared>>;

fn decisions() -> &'static Decisions {
    static DECISIONS: OnceLock<Decisions> = OnceLock::new();
    DECISIONS.get_or_init(Decisions::default)
}

/// Whether `user` may read the record `event` names, now. The rule depends only on the subscriber's organisation
/// and role, so the streams of one process woken by an event decide it once per (organisation, role), not once per
/// stream: a thousand subscribers cost a handful of decisions.
async fn readable(state: &AppState, user: &UserProfile, event: &LiveEvent) -> anyhow::Result<bool> {
    let key = (event.id, user.organisation.id, user.role);
    let decision = {
        let mut shared = decisions().lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        shared.retain(|_, s| now.duration_since(s.made) < SHARED_FOR);
        shared.entry(key).or_insert_with(|| Shared { made: now, decision: Arc::new(OnceCell::new()) }).decision.clone()
    };
    let decided = decision
        .get_or_try_init(|| async {
            let mut conn = state.db.pool.acquire().await?;
            kernel::can_read(&mut conn, user, event.record_type, &event.record_id, Utc::now()).await
        })
        .await?;
    Ok(*decided)
}

/// Streams the changes its user may read, from after `Last-Event-ID` when the browser resumes, else from now.
#[utoipa::path(get, path = "/events", tag = "events", security(("session" = [])),
    params(("Last-Event-ID" = Option<String>, Header,
        description = "The id of the last event received: the stream resumes after it (a browser's EventSource sends it \
            when it reconnects). Anything but a non-negative integer counts as none, and the stream starts from now.")),
    responses(
        (status = 200, content_type = "text/event-stream", body = LiveEvent,
            description = "A stream that never ends by itself (a comment every 15 s keeps it open). Each `change` \
                event's data is a `LiveEvent` the caller may read when it is delivered, its SSE id the event's id. A \
                `reset` event's data is a `LiveReset`: the stream resumed from before the events the server keeps, so \
                changes may have been missed; reload what is shown. The stream ends when the session does."),
        (status = 401, body = ErrorBody)))]
pub async fn stream(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    // Subscribed before the table is read, so no change committed in between goes unnoticed.
    let wake = live::subscribe();
    let resume = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(parse_last_event_id);
    let last = match resume {
        Some(id) => id,
        None => state.live.refresh(&state.db.pool, live::generation()).await?,
    };
    let session = user.session.id().map(|id| id.to_string()).unwrap_or_default();
    let (pending, session_checked) = (VecDeque::new(), Instant::now());
    let feed = Feed { state, user: user.profile, session, session_checked, last, pending, wake };
    let events = futures_util::stream::unfold(feed, |mut feed| async move {
        let sse = match feed.next().await? {
            Next::Change(event) => Event::default().id(event.id.to_string()).event(EVENT_NAME).json_data(&*event),
            Next::Reset(id) => Event::default().id(id.to_string()).event(RESET_EVENT_NAME).json_data(LiveReset { id }),
        };
        Some((Ok(sse.ok()?), feed))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_stream_is_in_the_api_document() {
        let (_, doc) = super::super::api();
        let doc = serde_json::to_value(&doc).expect("the document serialises");
        let operation = &doc["paths"]["/events"]["get"];
        let ok = &operation["responses"]["200"]["content"]["text/event-stream"]["schema"]["$ref"];
        assert_eq!(ok, "#/components/schemas/LiveEvent");
        assert!(operation["responses"]["401"].is_object(), "401 documented");
        let header = &operation["parameters"][0];
        assert_eq!((&header["name"], &header["in"]), (&"Last-Event-ID".into(), &"header".into()));
        assert_eq!(operation["x-baton-access"]["record"], "session");
        for schema in ["LiveEvent", "LiveReset"] {
            assert!(doc["components"]["schemas"][schema].is_object(), "{schema} described");
        }
    }
}

//! A server-sent events reader for the API tests: opens `/api/v1/events` with a client's session and yields the
//! events as JSON, with a timeout, as a browser's EventSource would receive them.

use crate::client::ApiClient;
use serde_json::Value;
use std::time::Duration;

/// An open event stream.
pub struct EventStream {
    response: reqwest::Response,
    buffer: String,
}

/// One event received.
#[derive(Clone, Debug)]
pub struct Received {
    /// Its id (`Last-Event-ID` on resume).
    pub id: String,
    /// Its name.
    pub event: String,
    /// Its data, parsed.
    pub data: Value,
}

impl EventStream {
    /// Opens the stream for `client`'s session, resuming after `last_event_id` if given; panics unless it opens.
    pub async fn open(client: &ApiClient, last_event_id: Option<&str>) -> EventStream {
        let mut request = client.http.get(client.api("/events")).header("accept", "text/event-stream");
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        let response = request.send().await.expect("event stream request");
        assert_eq!(response.status(), 200, "event stream refused");
        let kind = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(kind.starts_with("text/event-stream"), "content type {kind}");
        EventStream { response, buffer: String::new() }
    }

    /// The next event within `wait`, or `None` if none came (keep-alive comments are skipped).
    pub async fn next_within(&mut self, wait: Duration) -> Option<Received> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(event) = self.take_event() {
                return Some(event);
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk()).await.ok()?.ok()??;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// Whether the server ends the stream within `wait`; panics if it delivers an event instead.
    pub async fn ends_within(&mut self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(event) = self.take_event() {
                panic!("an event arrived instead of the end: {event:?}");
            }
            match tokio::time::timeout_at(deadline, self.response.chunk()).await {
                Err(_) => return false,
                Ok(Ok(Some(chunk))) => self.buffer.push_str(&String::from_utf8_lossy(&chunk)),
                Ok(_) => return true,
            }
        }
    }

    /// The next event, within ten seconds; panics if none comes.
    pub async fn next(&mut self) -> Received {
        self.next_within(Duration::from_secs(10)).await.expect("an event within 10 s")
    }

    /// Events until one names record `id`, which it returns; panics if none does within ten seconds. The events
    /// before it are returned too, so a test can check what it must not have received.
    pub async fn until_record(&mut self, id: &str) -> (Vec<Received>, Received) {
        let mut before = Vec::new();
        loop {
            let event = self.next().await;
            if event.data["record_id"] == id {
                return (before, event);
            }
            before.push(event);
        }
    }

    fn take_event(&mut self) -> Option<Received> {
        loop {
            let normalised = self.buffer.replace("\r\n", "\n");
            self.buffer = normalised;
            let end = self.buffer.find("\n\n")?;
            let block: String = self.buffer.drain(..end + 2).collect();
            let (mut id, mut event, mut data) = (String::new(), String::from("message"), String::new());
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("id:") {
                    id = v.trim_start().to_owned();
                } else if let Some(v) = line.strip_prefix("event:") {
                    event = v.trim_start().to_owned();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim_start());
                }
            }
            if !data.is_empty() {
                let data = serde_json::from_str(&data).expect("event data is JSON");
                return Some(Received { id, event, data });
            }
        }
    }
}

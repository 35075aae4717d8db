//! GraphQL over a WebSocket on `GET /graphql`, by the `graphql-transport-ws` protocol (the one of the `graphql-ws`
//! library): subscriptions, and queries and mutations as well. A GET without `Upgrade: websocket` is the plain
//! GraphQL-over-HTTP GET of `graphql.rs`.
//!
//! The protocol is small and written here, so that every `subscribe` goes through the same checks as an HTTP
//! request (`graphql::check`: nesting and tokens before parsing, field counts, lists, the operation, non-null
//! variables) and every error carries `extensions.code`. Limits: `connection_init` within `INIT_TIMEOUT` (else
//! close 4408), messages of at most `Settings::max_body_bytes` (else close 1009), at most `MAX_OPERATIONS`
//! operations running on one connection (more are answered with a `RATE_LIMITED` error).
//!
//! An operation refused before it runs (a check, validation, a resolver's error such as `WATCH_NOT_FOUND`) is
//! answered with an `error` message; a running one with `next` messages and then `complete`.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_graphql::parser::types::OperationType;
use async_graphql::{Response as GqlResponse, ServerError};
use axum::extract::rejection::QueryRejection;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use super::HttpState;
use super::graphql::{self as http_graphql, Checked, MediaType, Params, refusal};
use crate::context::{ClientAddr, Warnings};
use crate::error::Code;
use crate::graphql::guard::{self, Refusal};
use crate::graphql::phases;
use crate::graphql::shape::{self, SchemaShape};
use crate::graphql::subscriptions::{Live, Started};

/// The WebSocket subprotocol spoken.
pub const PROTOCOL: &str = "graphql-transport-ws";
/// How long a client has to send `connection_init`.
pub const INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// Most operations running at once on one connection.
pub const MAX_OPERATIONS: usize = 20;
/// How long the next message waits for a subscription to start listening.
const START_WAIT: Duration = Duration::from_secs(10);
/// Messages queued from operations to the socket before they wait.
const OUT_QUEUE: usize = 64;

/// GET `/graphql`: a WebSocket when asked for one, else a query over HTTP.
pub async fn get(
    State(s): State<HttpState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    rid: axum::Extension<crate::operate::RequestId>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    let wants_socket = headers
        .get_all(header::UPGRADE)
        .iter()
        .any(|v| v.to_str().is_ok_and(|v| v.trim().eq_ignore_ascii_case("websocket")));
    if !wants_socket {
        return http_graphql::get(State(s), ConnectInfo(peer), rid, headers, query).await;
    }
    let upgrade = match upgrade {
        Ok(u) => u,
        Err(e) => {
            return refusal(
                Code::InvalidRequest,
                format!("the WebSocket upgrade cannot be made: {e}"),
                MediaType::Json,
            );
        }
    };
    if !upgrade
        .requested_protocols()
        .any(|p| p.as_bytes() == PROTOCOL.as_bytes())
    {
        return refusal(
            Code::InvalidRequest,
            format!("a WebSocket on /graphql speaks `{PROTOCOL}`: ask for it in `Sec-WebSocket-Protocol`"),
            MediaType::Json,
        );
    }
    // The socket's own fence; a message over `max_body` (but under this) is refused with a reason below.
    let fence = s.max_body.saturating_add(64 * 1024);
    upgrade
        .protocols([PROTOCOL])
        .max_message_size(fence)
        .max_frame_size(fence)
        .on_upgrade(move |socket| Connection::new(s, ClientAddr(peer.ip())).serve(socket))
}

/// What an operation sends to the socket; `generation` tells an operation from a later one with the same id.
enum Out {
    /// The payload as JSON text: a `serde_json::Value` would not keep the order of the fields.
    Next(String, u64, String),
    Error(String, u64, String),
    Complete(String, u64),
}

/// What to do after a client's message.
enum Flow {
    Go,
    Close(u16, String),
}

/// An operation of the connection: which one (`generation`), its task, and whether it has said its last word.
struct Running {
    generation: u64,
    task: AbortHandle,
    done: Arc<AtomicBool>,
}

struct Connection {
    s: HttpState,
    client: ClientAddr,
    initialised: bool,
    operations: HashMap<String, Running>,
    generation: u64,
    out: mpsc::Sender<Out>,
    out_rx: Option<mpsc::Receiver<Out>>,
    /// The schema's shape with `Subscription` as the root, for putting events in the query's order.
    subscription_shape: Arc<SchemaShape>,
}

async fn send_json(socket: &mut WebSocket, v: Value) -> bool {
    send_text(socket, v.to_string()).await
}

async fn send_text(socket: &mut WebSocket, text: String) -> bool {
    socket.send(Message::Text(text.into())).await.is_ok()
}

/// A message with an id and a payload given as JSON text.
fn with_payload(kind: &str, id: &str, payload: &str) -> String {
    format!(
        r#"{{"id":{},"type":"{kind}","payload":{payload}}}"#,
        Value::String(id.to_string())
    )
}

fn errors_json(errors: &[ServerError]) -> String {
    serde_json::to_string(errors)
        .unwrap_or_else(|_| json!([{"message": "internal error", "extensions": {"code": "INTERNAL"}}]).to_string())
}

async fn close(socket: &mut WebSocket, code: u16, reason: &str) {
    // A close reason is at most 123 bytes.
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code,
            reason: reason[..end].into(),
        })))
        .await;
}

fn coded(r: Refusal, locations: Vec<async_graphql::Pos>) -> String {
    let mut e = ServerError::new(r.message, None);
    e.locations = locations;
    errors_json(&[phases::with_code(e, r.code)])
}

impl Connection {
    fn new(s: HttpState, client: ClientAddr) -> Connection {
        let (out, out_rx) = mpsc::channel(OUT_QUEUE);
        let mut sub = (*s.shape).clone();
        sub.query_type = "Subscription".into();
        Connection {
            s,
            client,
            initialised: false,
            operations: HashMap::new(),
            generation: 0,
            out,
            out_rx: Some(out_rx),
            subscription_shape: Arc::new(sub),
        }
    }

    async fn serve(mut self, mut socket: WebSocket) {
        let mut out_rx = self.out_rx.take().expect("taken once");
        let mut shutdown = self.s.schema.data::<Live>().map(Live::shutdown);
        let init_deadline = tokio::time::sleep(INIT_TIMEOUT);
        tokio::pin!(init_deadline);
        loop {
            tokio::select! {
                _ = &mut init_deadline, if !self.initialised => {
                    close(&mut socket, 4408, "Connection initialisation timeout").await;
                    break;
                }
                r = async { shutdown.as_mut().expect("guarded").changed().await }, if shutdown.is_some() => {
                    if r.is_err() || shutdown.as_ref().is_some_and(|s| *s.borrow()) {
                        close(&mut socket, 1001, "the server is stopping").await;
                        break;
                    }
                }
                msg = socket.recv() => {
                    let flow = match msg {
                        None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
                        Some(Ok(Message::Text(t))) => self.on_text(t.as_str(), &mut socket).await,
                        Some(Ok(Message::Binary(_))) => {
                            Flow::Close(4400, "binary messages are not part of graphql-transport-ws".into())
                        }
                        Some(Ok(Message::Ping(_) | Message::Pong(_))) => Flow::Go,
                    };
                    if let Flow::Close(code, reason) = flow {
                        close(&mut socket, code, &reason).await;
                        break;
                    }
                }
                Some(out) = out_rx.recv() => {
                    let (id, generation, message, last) = match out {
                        Out::Next(id, g, payload) => {
                            let m = with_payload("next", &id, &payload);
                            (id, g, m, false)
                        }
                        Out::Error(id, g, payload) => {
                            let m = with_payload("error", &id, &payload);
                            (id, g, m, true)
                        }
                        Out::Complete(id, g) => {
                            let m = json!({"id": id, "type": "complete"}).to_string();
                            (id, g, m, true)
                        }
                    };
                    // An operation the client completed (or replaced) says nothing more.
                    if self.operations.get(&id).is_none_or(|r| r.generation != generation) {
                        continue;
                    }
                    if last {
                        self.operations.remove(&id);
                    }
                    if !send_text(&mut socket, message).await {
                        break;
                    }
                }
            }
        }
        for (_, r) in self.operations.drain() {
            r.task.abort();
        }
    }

    async fn on_text(&mut self, text: &str, socket: &mut WebSocket) -> Flow {
        if text.len() > self.s.max_body {
            return Flow::Close(1009, format!("a message may be at most {} bytes", self.s.max_body));
        }
        if guard::scan_json(text.as_bytes()).is_err() {
            return Flow::Close(4400, "the message nests JSON too deep".into());
        }
        let Ok(Value::Object(mut msg)) = serde_json::from_str::<Value>(text) else {
            return Flow::Close(4400, "the message is not a JSON object".into());
        };
        let kind = msg.get("type").and_then(Value::as_str).unwrap_or("").to_string();
        match kind.as_str() {
            "connection_init" => {
                if self.initialised {
                    return Flow::Close(4429, "Too many initialisation requests".into());
                }
                self.initialised = true;
                if !send_json(socket, json!({"type": "connection_ack"})).await {
                    return Flow::Close(1011, "the acknowledgement could not be sent".into());
                }
                Flow::Go
            }
            "ping" => {
                let _ = send_json(socket, json!({"type": "pong"})).await;
                Flow::Go
            }
            "pong" => Flow::Go,
            "subscribe" => {
                if !self.initialised {
                    return Flow::Close(4401, "Unauthorized".into());
                }
                let id = match msg.remove("id") {
                    Some(Value::String(id)) if !id.is_empty() => id,
                    _ => return Flow::Close(4400, "`subscribe` needs a non-empty string `id`".into()),
                };
                let payload = match msg.remove("payload") {
                    Some(Value::Object(p)) => p,
                    _ => return Flow::Close(4400, "`subscribe` needs an object `payload`".into()),
                };
                if self.operations.contains_key(&id) {
                    return Flow::Close(4409, format!("Subscriber for {id} already exists"));
                }
                let params = match http_graphql::params_from_object(payload) {
                    Ok(p) => p,
                    Err(r) => return Flow::Close(4400, r.message),
                };
                self.subscribe(id, params, socket).await
            }
            "complete" => {
                if let Some(Value::String(id)) = msg.get("id")
                    && let Some(r) = self.operations.remove(id)
                {
                    r.task.abort();
                }
                Flow::Go
            }
            _ => Flow::Close(4400, "Invalid message received".into()),
        }
    }

    async fn subscribe(&mut self, id: String, params: Params, socket: &mut WebSocket) -> Flow {
        let refuse = |r: Refusal, locations| with_payload("error", &id, &coded(r, locations));
        // An operation that has sent its last message no longer counts, though the socket has not yet carried it.
        let running = self
            .operations
            .values()
            .filter(|r| !r.done.load(Ordering::SeqCst))
            .count();
        if running >= MAX_OPERATIONS {
            let r = Refusal {
                code: Code::RateLimited,
                message: format!(
                    "at most {MAX_OPERATIONS} operations run at once on one connection; complete one first"
                ),
            };
            let _ = send_text(socket, refuse(r, vec![])).await;
            return Flow::Go;
        }
        let checked = match http_graphql::check(&params) {
            Ok(c) => c,
            Err((r, locations)) => {
                let _ = send_text(socket, refuse(r, locations)).await;
                return Flow::Go;
            }
        };
        // The same rate limits as over HTTP (no key is read on the socket: the client's address counts).
        let who = crate::operate::Who::of(None, self.client.0);
        if let Some((wait, what)) =
            http_graphql::over_limit(&self.s, &checked.doc, params.operation_name.as_deref(), who)
        {
            let r = Refusal {
                code: Code::RateLimited,
                message: format!("too many {what}; try again in {wait} s"),
            };
            let _ = send_text(socket, refuse(r, vec![])).await;
            return Flow::Go;
        }
        self.generation += 1;
        let generation = self.generation;
        let (started, listening) = Started::new();
        let done = Arc::new(AtomicBool::new(false));
        let op = Operation {
            done: done.clone(),
            s: self.s.clone(),
            client: self.client,
            id: id.clone(),
            generation,
            out: self.out.clone(),
            started,
            shape: if checked.ty == OperationType::Subscription {
                self.subscription_shape.clone()
            } else {
                self.s.shape.clone()
            },
        };
        let is_subscription = checked.ty == OperationType::Subscription;
        let task = tokio::spawn(op.run(params, checked));
        self.operations.insert(
            id,
            Running {
                generation,
                task: task.abort_handle(),
                done,
            },
        );
        if is_subscription {
            // The next message is read once this subscription listens: an operation sent after it (a query, say)
            // is answered only when it would hear what happens next.
            let _ = tokio::time::timeout(START_WAIT, listening).await;
        }
        Flow::Go
    }
}

/// One operation of a connection, run in a task of its own.
struct Operation {
    s: HttpState,
    client: ClientAddr,
    id: String,
    generation: u64,
    out: mpsc::Sender<Out>,
    started: Arc<Started>,
    shape: Arc<SchemaShape>,
    /// Set before the last message is queued (and before `started`, for one that failed to start).
    done: Arc<AtomicBool>,
}

impl Operation {
    async fn run(self, p: Params, checked: Checked) {
        let Checked {
            mut doc, variables, ty, ..
        } = checked;
        shape::add_type_fields(&mut doc);
        let warnings = Arc::new(Warnings::default());
        let mut req = async_graphql::Request::new(p.query)
            .variables(variables.clone())
            .data(warnings.clone())
            .data(self.client)
            .data(self.started.clone());
        req.operation_name = p.operation_name.clone();
        req.set_parsed_query(doc.clone());
        let Ok(op) = http_graphql::pick_operation(&doc, p.operation_name.as_deref()) else {
            return;
        };
        let id = || self.id.clone();
        let g = self.generation;
        // Codes the errors; `None` when the operation did not get to run (the errors go in an `error` message).
        let finish = |resp: &mut GqlResponse, running: bool| {
            for e in &mut resp.errors {
                let has_code = e.extensions.as_ref().is_some_and(|x| x.get("code").is_some());
                if !has_code {
                    let code = if running {
                        phases::execution_code(&e.message)
                    } else {
                        phases::validation_code(&e.message)
                    };
                    *e = phases::with_code(e.clone(), code);
                }
            }
            if !running {
                return None;
            }
            let list = warnings.take();
            if !list.is_empty() {
                resp.extensions.insert(
                    "warnings".to_string(),
                    async_graphql::Value::List(list.into_iter().map(async_graphql::Value::String).collect()),
                );
            }
            shape::order_response(&doc, &op.node, &self.shape, &variables, &mut resp.data);
            Some(serde_json::to_string(&*resp).unwrap_or_else(|_| {
                json!({"errors": [{"message": "internal error", "extensions": {"code": "INTERNAL"}}]}).to_string()
            }))
        };
        if ty == OperationType::Subscription {
            let mut stream = self.s.schema.execute_stream(req);
            while let Some(mut resp) = stream.next().await {
                let running = self.started.is_set();
                match finish(&mut resp, running) {
                    Some(payload) => {
                        if self.out.send(Out::Next(id(), g, payload)).await.is_err() {
                            return;
                        }
                    }
                    None => {
                        self.done.store(true, Ordering::SeqCst);
                        let _ = self.out.send(Out::Error(id(), g, errors_json(&resp.errors))).await;
                        self.started.set();
                        return;
                    }
                }
            }
            self.done.store(true, Ordering::SeqCst);
            self.started.set();
        } else {
            let mut resp = self.s.schema.execute(req).await;
            let running = phases::executed(&resp);
            match finish(&mut resp, running) {
                Some(payload) => {
                    if self.out.send(Out::Next(id(), g, payload)).await.is_err() {
                        return;
                    }
                }
                None => {
                    self.done.store(true, Ordering::SeqCst);
                    let _ = self.out.send(Out::Error(id(), g, errors_json(&resp.errors))).await;
                    return;
                }
            }
        }
        self.done.store(true, Ordering::SeqCst);
        let _ = self.out.send(Out::Complete(id(), g)).await;
    }
}

//! The sans-IO sync engine: one round is "push everything pending, then pull until caught up".
//!
//! ```text
//! Start{outbox, cursor} ─▶ for each batch: photos it needs (status, upload from offset) ─▶ push
//!                          ─▶ pull pages until `more` is false ─▶ Done
//! ```
//!
//! The engine keeps one request in flight. A reply to any other request (a duplicate, a late
//! one) is ignored. Network failures, 5xx, 408 and 429 retry the same step after an exponential
//! backoff with jitter from the seeded generator it was given; a 4xx that names one event parks
//! that event and the round goes on; a 4xx that names none ends the round with its error (a
//! revoked token, say). The engine never forgets an event until the driver has been told to
//! record its acknowledgement or its refusal, and it is safe to drop at any point: a new engine
//! started from the device's store carries on, and the hub's idempotent push makes the repeat
//! harmless.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use gridpatrol_core::model::Photo;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::wire::{ErrorBody, PhotoStatus, PullResponse, PushRequest, PushResponse, WireEvent, MAX_BATCH, PROTOCOL};

/// How the engine paces itself.
#[derive(Debug, Clone)]
pub struct Config {
    /// Events per push (at most [`MAX_BATCH`]).
    pub batch_size: usize,
    /// Events per pull page.
    pub pull_limit: usize,
    /// The first retry delay; each further failure doubles it, up to `backoff_max`.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// Failed attempts of one step before the round gives up (None: never, for a background task).
    pub max_attempts: Option<u32>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            batch_size: 200,
            pull_limit: 1000,
            backoff_base: Duration::milliseconds(500),
            backoff_max: Duration::seconds(60),
            max_attempts: Some(6),
        }
    }
}

/// One outbox entry: the event and the photos the hub must hold before it.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub event: WireEvent,
    pub photos: Vec<Photo>,
}

pub type RequestId = u64;

/// What the driver is asked to send.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Push(PushRequest),
    Pull {
        since: i64,
        limit: usize,
    },
    /// `HEAD /photos/{sha256}`: how much of the photo the hub holds.
    PhotoStatus {
        sha256: String,
    },
    /// `PUT /photos/{sha256}?offset=&total=` with the file's bytes from `offset` on.
    PhotoUpload {
        photo: Photo,
        offset: u64,
    },
}

/// What came back for a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Pushed(PushResponse),
    Pulled(PullResponse),
    Photo(PhotoStatus),
    /// A 4xx (other than 408 and 429) with the hub's error body.
    Refused {
        status: u16,
        body: ErrorBody,
    },
    /// No usable answer: a network error, a timeout, a cut connection, a 5xx, 408 or 429.
    Failed {
        status: Option<u16>,
        detail: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Begin a round with the device's outbox (oldest first) and its pull cursor.
    Start {
        outbox: Vec<Item>,
        cursor: i64,
    },
    Reply {
        id: RequestId,
        reply: Reply,
    },
    /// The time asked for by [`Output::Wait`] has come.
    Timeout,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    Send {
        id: RequestId,
        /// Shared with the engine, which keeps it until the reply: a push of 200 events is not
        /// copied to be sent. Drop it before handing the reply back.
        request: Arc<Request>,
    },
    /// Record these acknowledgements durably before anything else.
    Ack(Vec<(String, i64)>),
    /// Record this refusal: the event stays on the device, marked with the hub's reason.
    Park { event_id: String, code: String, message: String },
    /// Apply these pulled events and store the cursor, in one transaction.
    Apply { events: Vec<WireEvent>, cursor: i64 },
    /// Call [`Engine::handle`] with [`Input::Timeout`] at this time.
    Wait(DateTime<Utc>),
    /// The round is over.
    Done(RoundReport),
}

/// How a round went.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoundReport {
    pub pushed: usize,
    pub parked: usize,
    pub pulled: usize,
    pub photos_uploaded: usize,
    /// Photo files of pulled findings fetched after the round (by the driver, not the engine).
    pub photos_downloaded: usize,
    /// Pulled events the device could not decode or apply and set aside (counted by the driver,
    /// which applies pages; the engine never reads them).
    pub set_aside: usize,
    /// Events still waiting when the round ended (0 after a good round).
    pub left: usize,
    /// Why the round ended early, if it did.
    pub error: Option<ErrorBody>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    Push,
    Pull,
}

pub struct Engine {
    config: Config,
    rng: StdRng,
    phase: Phase,
    queue: VecDeque<Item>,
    /// Photos the hub has confirmed whole.
    photos_at_hub: HashSet<String>,
    /// Events whose photos were uploaded again after the hub said one was missing.
    reuploaded: HashSet<String>,
    /// Photos to ask the hub about (HEAD) before uploading: it holds part of them.
    ask_offset: HashSet<String>,
    cursor: i64,
    batch_size: usize,
    next_id: RequestId,
    in_flight: Option<(RequestId, Arc<Request>)>,
    /// A failed step waits until then, and is then sent again.
    retry_at: Option<DateTime<Utc>>,
    attempts: u32,
    report: RoundReport,
    out: VecDeque<Output>,
}

impl Engine {
    /// An idle engine. `seed` drives the backoff jitter (the driver seeds it from the OS, tests
    /// from the schedule's seed).
    pub fn new(config: Config, seed: u64) -> Engine {
        let batch_size = config.batch_size.clamp(1, MAX_BATCH);
        Engine {
            config,
            rng: StdRng::seed_from_u64(seed),
            phase: Phase::Idle,
            queue: VecDeque::new(),
            photos_at_hub: HashSet::new(),
            reuploaded: HashSet::new(),
            ask_offset: HashSet::new(),
            cursor: 0,
            batch_size,
            next_id: 1,
            in_flight: None,
            retry_at: None,
            attempts: 0,
            report: RoundReport::default(),
            out: VecDeque::new(),
        }
    }

    pub fn is_idle(&self) -> bool {
        self.phase == Phase::Idle
    }

    /// Events still waiting in this round.
    pub fn waiting(&self) -> usize {
        self.queue.len()
    }

    /// The next thing for the driver to do, if any.
    pub fn poll(&mut self) -> Option<Output> {
        self.out.pop_front()
    }

    pub fn handle(&mut self, input: Input, now: DateTime<Utc>) {
        match input {
            Input::Start { outbox, cursor } => {
                if self.phase != Phase::Idle {
                    return;
                }
                self.queue = outbox.into();
                self.cursor = cursor;
                self.report = RoundReport::default();
                self.attempts = 0;
                self.retry_at = None;
                self.phase = Phase::Push;
                self.step();
            }
            Input::Timeout => {
                if let Some(at) = self.retry_at {
                    if now >= at {
                        self.retry_at = None;
                        self.step();
                    } else {
                        self.out.push_back(Output::Wait(at));
                    }
                }
            }
            Input::Reply { id, reply } => {
                let Some((current, request)) = self.in_flight.take() else {
                    return;
                };
                if current != id {
                    // A duplicate or late reply to a request we no longer wait for.
                    self.in_flight = Some((current, request));
                    return;
                }
                self.on_reply(Arc::unwrap_or_clone(request), reply, now);
            }
        }
    }

    fn send(&mut self, request: Request) {
        let id = self.next_id;
        self.next_id += 1;
        let request = Arc::new(request);
        self.in_flight = Some((id, request.clone()));
        self.out.push_back(Output::Send { id, request });
    }

    /// Works out the next request from the state alone, so a retry after a failure is simply
    /// `step` again.
    fn step(&mut self) {
        match self.phase {
            Phase::Idle => {}
            Phase::Push => {
                if self.queue.is_empty() {
                    self.phase = Phase::Pull;
                    return self.step();
                }
                let n = self.batch_size.min(self.queue.len());
                let missing = self
                    .queue
                    .iter()
                    .take(n)
                    .flat_map(|item| item.photos.iter())
                    .find(|p| !self.photos_at_hub.contains(&p.sha256))
                    .map(|p| p.sha256.clone());
                match missing {
                    // Most photos are new to the hub: upload from the start, and ask where to
                    // resume only when the hub says it already holds some of it.
                    Some(sha256) if !self.ask_offset.remove(&sha256) => {
                        let photo = self.queue.iter().flat_map(|i| i.photos.iter()).find(|p| p.sha256 == sha256);
                        // `missing` was found in the queue just above.
                        let photo = photo.cloned().expect("the missing photo is in the queue");
                        self.send(Request::PhotoUpload { photo, offset: 0 })
                    }
                    Some(sha256) => self.send(Request::PhotoStatus { sha256 }),
                    None => {
                        let events = self.queue.iter().take(n).map(|i| i.event.clone()).collect();
                        self.send(Request::Push(PushRequest { protocol: PROTOCOL, events }))
                    }
                }
            }
            Phase::Pull => self.send(Request::Pull { since: self.cursor, limit: self.config.pull_limit }),
        }
    }

    fn finish(&mut self, error: Option<ErrorBody>) {
        self.phase = Phase::Idle;
        self.in_flight = None;
        self.retry_at = None;
        let mut report = std::mem::take(&mut self.report);
        report.left = self.queue.len();
        report.error = error;
        self.out.push_back(Output::Done(report));
    }

    fn park(&mut self, event_id: &str, body: &ErrorBody) {
        if let Some(pos) = self.queue.iter().position(|i| i.event.id == event_id) {
            self.queue.remove(pos);
            self.report.parked += 1;
            self.out.push_back(Output::Park {
                event_id: event_id.to_string(),
                code: body.code.clone(),
                message: body.message.clone(),
            });
        }
    }

    fn on_reply(&mut self, request: Request, reply: Reply, now: DateTime<Utc>) {
        match reply {
            Reply::Failed { status, detail } => {
                self.attempts += 1;
                if let Request::PhotoUpload { photo, .. } = &request {
                    // Part of it may have arrived: ask where to resume.
                    self.ask_offset.insert(photo.sha256.clone());
                }
                if self.config.max_attempts.is_some_and(|max| self.attempts >= max) {
                    let code = if status.is_some() { "hub_error" } else { "hub_unreachable" };
                    return self.finish(Some(ErrorBody { code: code.into(), message: detail, event_id: None }));
                }
                let at = now + self.backoff();
                self.retry_at = Some(at);
                self.out.push_back(Output::Wait(at));
                return;
            }
            Reply::Refused { status, body } => {
                self.attempts = 0;
                match &request {
                    Request::Push(_) => match body.event_id.clone() {
                        // The hub lost a photo it had confirmed (restored from a backup, say):
                        // upload it again once before giving up on the event.
                        Some(id) if body.code == "photo_missing" && self.reuploaded.insert(id.clone()) => {
                            if let Some(item) = self.queue.iter().find(|i| i.event.id == id) {
                                for p in &item.photos {
                                    self.photos_at_hub.remove(&p.sha256);
                                }
                            }
                        }
                        Some(id) if self.queue.iter().any(|i| i.event.id == id) => self.park(&id, &body),
                        None if status == 413 && self.batch_size > 1 => {
                            self.batch_size = (self.batch_size / 2).max(1);
                        }
                        _ => return self.finish(Some(body)),
                    },
                    Request::Pull { .. } => return self.finish(Some(body)),
                    Request::PhotoStatus { sha256 } | Request::PhotoUpload { photo: Photo { sha256, .. }, .. } => {
                        if status == 401 {
                            return self.finish(Some(body));
                        }
                        // A resumed upload that started at the wrong offset asks again where to
                        // start; any other refusal means the hub will never take this photo (too
                        // large, not an image, not what its name says), so every event that
                        // needs it is parked with that reason.
                        if body.code == "offset_mismatch" {
                            self.ask_offset.insert(sha256.clone());
                        } else {
                            let sha256 = sha256.clone();
                            self.park_needing(&sha256, &body);
                        }
                    }
                }
                self.step();
            }
            Reply::Photo(status) => {
                self.attempts = 0;
                if status.complete {
                    if matches!(request, Request::PhotoUpload { .. }) {
                        self.report.photos_uploaded += 1;
                    }
                    self.photos_at_hub.insert(status.sha256);
                    return self.step();
                }
                let photo =
                    self.queue.iter().flat_map(|i| i.photos.iter()).find(|p| p.sha256 == status.sha256).cloned();
                match photo {
                    Some(photo) => self.send(Request::PhotoUpload { photo, offset: status.received }),
                    None => self.step(),
                }
            }
            Reply::Pushed(response) => {
                self.attempts = 0;
                let acked: HashSet<&str> = response.acks.iter().map(|a| a.id.as_str()).collect();
                let before = self.queue.len();
                // The acks answer the batch taken from the front of the queue: take them off there,
                // and look through the whole queue only for an ack found elsewhere (the queue holds
                // each event once).
                let mut at_front = 0;
                while self.queue.front().is_some_and(|i| acked.contains(i.event.id.as_str())) {
                    self.queue.pop_front();
                    at_front += 1;
                }
                if at_front < acked.len() {
                    self.queue.retain(|i| !acked.contains(i.event.id.as_str()));
                }
                self.report.pushed += before - self.queue.len();
                if !response.acks.is_empty() {
                    self.out.push_back(Output::Ack(response.acks.into_iter().map(|a| (a.id, a.hub_seq)).collect()));
                }
                if before == self.queue.len() {
                    // A reply that acknowledged nothing we sent would loop forever.
                    return self.finish(Some(ErrorBody {
                        code: "hub_error".into(),
                        message: "the hub acknowledged none of the events pushed".into(),
                        event_id: None,
                    }));
                }
                self.step();
            }
            Reply::Pulled(page) => {
                self.attempts = 0;
                let more = page.more && page.cursor > self.cursor;
                self.report.pulled += page.events.len();
                self.cursor = page.cursor.max(self.cursor);
                self.out.push_back(Output::Apply { events: page.events, cursor: self.cursor });
                if more {
                    self.step();
                } else {
                    self.finish(None);
                }
            }
        }
    }

    fn park_needing(&mut self, sha256: &str, body: &ErrorBody) {
        let ids: Vec<String> = self
            .queue
            .iter()
            .filter(|i| i.photos.iter().any(|p| p.sha256 == sha256))
            .map(|i| i.event.id.clone())
            .collect();
        for id in ids {
            self.park(&id, body);
        }
    }

    /// Exponential backoff with "equal jitter": half the delay fixed, half drawn at random, so
    /// devices that failed together do not all come back at the same instant.
    fn backoff(&mut self) -> Duration {
        let base = self.config.backoff_base.num_milliseconds().max(1);
        let max = self.config.backoff_max.num_milliseconds().max(base);
        let exp = self.attempts.saturating_sub(1).min(30);
        let delay = base.saturating_mul(1i64 << exp).min(max);
        let half = delay / 2;
        Duration::milliseconds(half + self.rng.random_range(0..=half.max(0)))
    }
}

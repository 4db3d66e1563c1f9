//! The reqwest driver (feature `client`): a short loop around the [`Engine`] that speaks HTTP to
//! the hub and records what the engine says in the core [`Store`]. This is the one module of the
//! crate that reads the clock and opens sockets.

use std::time::Duration as StdDuration;

use chrono::Utc;
use gridpatrol_core::remote;
use gridpatrol_core::store::SyncError;
use gridpatrol_core::Store;
use reqwest::StatusCode;

use crate::engine::{Config, Engine, Input, Item, Output, Reply, Request, RoundReport};
use crate::error::{Error, Result};
use crate::wire::{
    ErrorBody, PhotoStatus, PullResponse, PushResponse, ReferenceDocument, SignInRequest, SignInResponse, API,
    UPLOAD_COMPLETE, UPLOAD_OFFSET,
};
use gridpatrol_core::model::User;
use gridpatrol_core::store::ReferenceApplied;

/// The most bytes of a photo one upload request carries. A larger photo goes up in several requests
/// (the protocol resumes by offset), so a slow link shows progress and a cut loses at most this much.
pub const UPLOAD_CHUNK: u64 = 1024 * 1024;

/// How far a photo upload has got, reported after each request of it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UploadProgress {
    pub sha256: String,
    /// Bytes the hub holds.
    pub sent: u64,
    pub total: u64,
}

/// How a round advances, for a progress line: the reference data taken, each request of a photo
/// upload, each page of pulled events applied.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Progress {
    /// The hub's reference data was taken (a new version; nothing is said when it is unchanged).
    Reference {
        grids: usize,
        categories: usize,
        units: usize,
        roster: usize,
    },
    Upload(UploadProgress),
    /// A page of pulled events was applied: how many this round has applied, and the cursor reached.
    Pulled {
        events: usize,
        cursor: i64,
    },
}

/// An HTTP client for one hub.
#[derive(Clone)]
pub struct HubClient {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
    /// The hub's `Date` at its last answer: the device measures its own clock against it.
    hub_date: std::sync::Arc<std::sync::Mutex<Option<chrono::DateTime<Utc>>>>,
}

/// The environment variable naming a PEM file of extra root certificates (a city's own certificate
/// authority) that the device trusts besides the system's and the bundled public ones.
pub const CA_CERT_ENV: &str = "GRIDPATROL_CA_CERT";

/// The certificates of `GRIDPATROL_CA_CERT`, when it is set: every `CERTIFICATE` block of the PEM
/// file. A file that cannot be read or holds none is an error naming the file (never ignored: a
/// device that silently lacked the city's root would only fail later, less clearly).
pub fn extra_roots() -> Result<Vec<reqwest::Certificate>> {
    use rustls_pki_types::pem::PemObject;
    let Some(path) = std::env::var_os(CA_CERT_ENV).filter(|p| !p.is_empty()) else { return Ok(Vec::new()) };
    let shown = std::path::Path::new(&path).display().to_string();
    let problem = |problem: String| Error::CaCert { path: shown.clone(), problem };
    let pem = std::fs::read(&path).map_err(|e| problem(format!("cannot be read ({e})")))?;
    let certs = rustls_pki_types::CertificateDer::pem_slice_iter(&pem)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| problem(format!("is not a PEM certificate file ({e})")))?;
    if certs.is_empty() {
        return Err(problem("holds no certificate (a PEM block -----BEGIN CERTIFICATE-----)".into()));
    }
    certs
        .iter()
        .map(|der| {
            reqwest::Certificate::from_der(der).map_err(|e| problem(format!("holds an unusable certificate ({e})")))
        })
        .collect()
}

/// A request that failed before any answer, told apart: a certificate the device does not trust
/// ([`Error::Untrusted`]) or a hub that does not answer ([`Error::Unreachable`]).
pub fn send_error(e: reqwest::Error) -> Error {
    match untrusted_certificate(&e) {
        Some(why) => Error::Untrusted(why),
        None => Error::Unreachable(e.to_string()),
    }
}

/// The certificate error under `e`, if that is why it failed. rustls's error arrives inside an
/// `io::Error` somewhere in the chain (whose `source` skips it), so each is opened with `get_ref`.
fn untrusted_certificate(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(error) = next {
        if let Some(rustls::Error::InvalidCertificate(why)) = error.downcast_ref::<rustls::Error>() {
            return Some(format!("{why:?}"));
        }
        // An io::Error's own `source` is its inner error's source: step into the inner error itself.
        next = match error.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => error.source(),
        };
    }
    None
}

impl HubClient {
    /// A client for the hub at `base` (e.g. `https://hub.example.org`), with a per-request timeout.
    /// It trusts the system's root certificates, the bundled public ones, and those of
    /// `GRIDPATROL_CA_CERT` ([`extra_roots`]).
    pub fn new(base: &str, token: Option<String>, timeout: StdDuration) -> Result<HubClient> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(StdDuration::from_secs(10))
            .timeout(timeout)
            .gzip(true)
            .user_agent(concat!("gridpatrol/", env!("CARGO_PKG_VERSION")));
        for root in extra_roots()? {
            builder = builder.add_root_certificate(root);
        }
        let http = builder.build().map_err(|e| Error::Unreachable(e.to_string()))?;
        Ok(HubClient { http, base: base.trim_end_matches('/').to_string(), token, hub_date: Default::default() })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{API}{path}", self.base)
    }

    fn authed(&self, rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        }
    }

    /// The hub's epoch (the [`crate::wire::EPOCH_HEADER`] of its version answer), or None when it
    /// does not answer or sends none (a hub from before epochs). A hub whose certificate this
    /// device does not trust is an error: retrying cannot help, and nothing must be sent to it.
    pub async fn epoch(&self) -> Result<Option<String>> {
        let response = match self.http.get(format!("{}/api/version", self.base)).send().await {
            Ok(response) => response,
            Err(e) => {
                return match send_error(e) {
                    untrusted @ Error::Untrusted(_) => Err(untrusted),
                    _ => Ok(None),
                }
            }
        };
        let Some(epoch) = response.headers().get(crate::wire::EPOCH_HEADER).and_then(|v| v.to_str().ok()) else {
            return Ok(None);
        };
        Ok(Some(epoch.to_string()).filter(|e| !e.is_empty() && e.len() <= 64))
    }

    /// Whether the hub answers its health check: `Untrusted` when its certificate is not one the
    /// device trusts (a different fault from a hub that is away, and said so), else `Unreachable`.
    pub async fn health(&self) -> Result<()> {
        let response = self.http.get(format!("{}/api/health", self.base)).send().await.map_err(send_error)?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(Error::Unreachable(format!("the health check answered {}", response.status())))
        }
    }

    pub async fn sign_in(&self, user: &str, password: &str, device: &str) -> Result<SignInResponse> {
        let request = SignInRequest { user: user.into(), password: password.into(), device: device.into() };
        let response = self.http.post(self.url("/sign-in")).json(&request).send().await.map_err(send_error)?;
        let status = response.status();
        if status.is_success() {
            return response.json().await.map_err(|e| Error::Unreachable(e.to_string()));
        }
        let retry_after = response.headers().get(reqwest::header::RETRY_AFTER).and_then(|v| v.to_str().ok());
        let retry_after = retry_after.and_then(|v| v.trim().parse::<u64>().ok()).unwrap_or(60);
        let body = error_body(status, response).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Err(Error::Throttled { body, retry_after });
        }
        if status.is_client_error() {
            Err(Error::Refused(body))
        } else {
            Err(Error::Unreachable(body.message))
        }
    }

    /// The hub's reference data, unless the device holds its version already (`held`: then `None`,
    /// from a `304 Not Modified` without a body).
    pub async fn reference(&self, held: Option<&str>) -> Result<Option<ReferenceDocument>> {
        let mut request = self.authed(self.http.get(self.url("/reference")));
        if let Some(version) = held {
            request = request.header(reqwest::header::IF_NONE_MATCH, format!("\"{version}\""));
        }
        let response = request.send().await.map_err(|e| Error::Unreachable(e.to_string()))?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(None);
        }
        if !status.is_success() {
            let body = error_body(status, response).await;
            return Err(if status.is_client_error() { Error::Refused(body) } else { Error::Unreachable(body.message) });
        }
        let bytes = response.bytes().await.map_err(|e| Error::Unreachable(e.to_string()))?;
        // A body that is not the document is the hub's reference data broken: an error, nothing taken.
        let doc: ReferenceDocument = serde_json::from_slice(&bytes)
            .map_err(|e| gridpatrol_core::Error::ReferenceData { part: "document".into(), reason: e.to_string() })?;
        Ok(Some(doc))
    }

    /// Performs one request the engine asked for and turns whatever happened into a [`Reply`].
    pub async fn perform(&self, store: &Store, request: &Request) -> Reply {
        let sent = match request {
            Request::Push(push) => self.authed(self.http.post(self.url("/push"))).json(push).send().await,
            Request::Pull { since, limit } => {
                self.authed(self.http.get(self.url(&format!("/pull?since={since}&limit={limit}")))).send().await
            }
            Request::PhotoStatus { sha256 } => {
                self.authed(self.http.head(self.url(&format!("/photos/{sha256}")))).send().await
            }
            Request::PhotoUpload { photo, offset } => {
                let path = store.photos_dir().join(&photo.file);
                let bytes = match tokio::fs::read(&path).await {
                    Ok(b) => b,
                    Err(e) => {
                        return Reply::Refused {
                            status: 400,
                            body: ErrorBody {
                                code: "photo_file_missing".into(),
                                message: format!("The photo file {} cannot be read: {e}", path.display()),
                                event_id: None,
                            },
                        }
                    }
                };
                let total = bytes.len() as u64;
                let from = (*offset).min(total);
                let to = (from + UPLOAD_CHUNK).min(total);
                let url = self.url(&format!("/photos/{}?offset={from}&total={total}", photo.sha256));
                self.authed(self.http.put(url))
                    .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                    .body(bytes[from as usize..to as usize].to_vec())
                    .send()
                    .await
            }
        };
        let response = match sent {
            Ok(r) => r,
            Err(e) => return Reply::Failed { status: None, detail: e.to_string() },
        };
        let date = response.headers().get(reqwest::header::DATE).and_then(|v| v.to_str().ok());
        if let Some(t) = date.and_then(|d| chrono::DateTime::parse_from_rfc2822(d).ok()) {
            *self.hub_date.lock().unwrap_or_else(|e| e.into_inner()) = Some(t.with_timezone(&Utc));
        }
        let status = response.status();
        if status.is_server_error() || status == StatusCode::REQUEST_TIMEOUT || status == StatusCode::TOO_MANY_REQUESTS
        {
            return Reply::Failed { status: Some(status.as_u16()), detail: error_body(status, response).await.message };
        }
        if status.is_client_error() {
            return Reply::Refused { status: status.as_u16(), body: error_body(status, response).await };
        }
        let failed = |e: reqwest::Error| Reply::Failed { status: None, detail: e.to_string() };
        match request {
            Request::Push(_) => response.json::<PushResponse>().await.map(Reply::Pushed).unwrap_or_else(failed),
            Request::Pull { .. } => response.json::<PullResponse>().await.map(Reply::Pulled).unwrap_or_else(failed),
            Request::PhotoUpload { .. } => {
                response.json::<PhotoStatus>().await.map(Reply::Photo).unwrap_or_else(failed)
            }
            Request::PhotoStatus { sha256 } => {
                let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(String::from);
                Reply::Photo(PhotoStatus {
                    sha256: sha256.clone(),
                    received: header(UPLOAD_OFFSET).and_then(|v| v.parse().ok()).unwrap_or(0),
                    complete: header(UPLOAD_COMPLETE).as_deref() == Some("true"),
                })
            }
        }
    }
}

async fn error_body(status: StatusCode, response: reqwest::Response) -> ErrorBody {
    let text = response.text().await.unwrap_or_default();
    serde_json::from_str(&text).unwrap_or(ErrorBody {
        code: format!("http_{}", status.as_u16()),
        message: if text.is_empty() { status.to_string() } else { text.chars().take(200).collect() },
        event_id: None,
    })
}

/// The most photo files one round fetches; the rest come in the next rounds.
pub const PHOTOS_PER_ROUND: usize = 200;

/// Fetches the photo files of pulled findings this device does not hold yet. A photo that cannot be
/// fetched now stays wanted for a later round; fetching never fails the round (the events are in).
pub async fn fetch_photos(store: &mut Store, client: &HubClient, limit: usize) -> usize {
    let Ok(wanted) = store.wanted_photos(limit) else { return 0 };
    let mut fetched = 0;
    for w in wanted {
        let url = client.url(&format!("/photos/{}", w.sha256));
        let Ok(response) = client.authed(client.http.get(url)).send().await else { break };
        if !response.status().is_success() {
            continue;
        }
        let Ok(bytes) = response.bytes().await else { break };
        if store.save_fetched_photo(&w, bytes.to_vec()).is_ok() {
            fetched += 1;
        }
    }
    fetched
}

/// The outbox as the engine takes it: each pending event with the photos it needs.
pub fn outbox(store: &mut Store) -> Result<Vec<Item>> {
    store.settle_local_events()?;
    Ok(store
        .outbox(usize::MAX >> 1)?
        .iter()
        .map(|e| Item { event: crate::wire::WireEvent::from_event(e), photos: remote::photos_needed(e) })
        .collect())
}

/// Takes a reference document whole: checked by core's loaders ([`gridpatrol_core::refdata::Document::check`],
/// the same checks the hub's imports run), then written in one store transaction. A bad document
/// is an error and changes nothing.
pub fn take_reference(store: &mut Store, doc: &ReferenceDocument) -> Result<ReferenceApplied> {
    let checked = doc.check()?;
    Ok(store.apply_reference(&checked)?)
}

/// Fetches the hub's reference data when its version differs from the one `store` holds, and takes
/// it ([`take_reference`]); `None` when the device is up to date.
pub async fn refresh_reference(store: &mut Store, client: &HubClient) -> Result<Option<ReferenceApplied>> {
    let held = store.reference_version()?;
    match client.reference(held.as_deref()).await? {
        None => Ok(None),
        Some(doc) => Ok(Some(take_reference(store, &doc)?)),
    }
}

/// A sign-in the hub granted, with its reference data, not yet recorded on the device: the one
/// sign-in flow of the command line and the desktop app is [`SignIn::request`] (the network part,
/// which needs no store) then [`SignIn::record`] (the store part), or [`sign_in`] for both.
pub struct SignIn {
    pub hub: String,
    pub granted: SignInResponse,
    pub reference: ReferenceDocument,
}

/// What a recorded sign-in did.
pub struct SignedIn {
    pub profile: User,
    pub grids: Vec<String>,
    pub token_home: crate::token::TokenHome,
    /// The device token (saved already; the desktop's sync task is handed it).
    pub token: String,
    pub reference: ReferenceApplied,
}

impl SignIn {
    /// Signs in to the hub at `hub` as `user` and fetches its reference data with the new token.
    pub async fn request(hub: &str, user: &str, password: &str, device: &str) -> Result<SignIn> {
        let hub = hub.trim().trim_end_matches('/').to_string();
        let client = HubClient::new(&hub, None, StdDuration::from_secs(30))?;
        let granted = client.sign_in(user.trim(), password, device).await?;
        let client = HubClient::new(&hub, Some(granted.token.clone()), StdDuration::from_secs(120))?;
        let reference = client
            .reference(None)
            .await?
            .ok_or_else(|| Error::Unreachable("the hub answered 304 to a request that named no version".into()))?;
        Ok(SignIn { hub, granted, reference })
    }

    /// Records the sign-in on the device: the reference data checked and taken whole first (the
    /// hub's units, which a liaison's profile names, and its grids), then the token saved (in the OS
    /// keyring, else a file only the user reads) and the hub's user made the local profile. A bad
    /// reference document refuses the sign-in and changes nothing.
    pub fn record(self, store: &mut Store, dir: &std::path::Path) -> Result<SignedIn> {
        let checked = self.reference.check()?;
        let reference = store.apply_reference(&checked)?;
        let token_home = crate::token::save_token(dir, &self.granted.token)?;
        let g = &self.granted;
        let profile = store.sign_in_as(
            &self.hub,
            &User { name: g.user.clone(), role: g.role, unit: g.scope.unit.clone() },
            &g.scope,
        )?;
        Ok(SignedIn { profile, grids: g.grids.clone(), token_home, token: g.token.clone(), reference })
    }
}

/// [`SignIn::request`] then [`SignIn::record`].
pub async fn sign_in(
    store: &mut Store,
    dir: &std::path::Path,
    hub: &str,
    user: &str,
    password: &str,
    device: &str,
) -> Result<SignedIn> {
    SignIn::request(hub, user, password, device).await?.record(store, dir)
}

/// One full round — push everything pending, pull until caught up — recording every ack, refusal
/// and pulled page in `store` as it happens, and the outcome (success or the error) at the end.
pub async fn sync_round(store: &mut Store, client: &HubClient, config: Config, seed: u64) -> Result<RoundReport> {
    sync_round_with(store, client, config, seed, &|_| {}).await
}

/// [`sync_round`], telling `progress` how the round advances.
///
/// The round begins with the hub's reference data: when the hub's version differs from the one the
/// device holds, the document is fetched and taken whole before anything is pushed or pulled (so a
/// pulled finding names grids and categories the device knows). A document that cannot be taken
/// ends the round with its error (recorded as the last sync error, shown in the sync area and by
/// `gridpatrol status`) and changes nothing.
pub async fn sync_round_with(
    store: &mut Store,
    client: &HubClient,
    config: Config,
    seed: u64,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<RoundReport> {
    // A hub restored from a backup has a new epoch and may have lost what this device pushed after
    // the backup: before anything is pushed, the device's acknowledged events go back into the
    // outbox and the cursor to 0 (core's `Store::note_hub_epoch`), so this round sends them again.
    match client.epoch().await {
        Ok(Some(epoch)) => {
            store.note_hub_epoch(&epoch)?;
        }
        Ok(None) => {}
        Err(e) => {
            // Recorded like any failed round, so `status` and the app show it.
            store.record_sync(
                Utc::now(),
                Some(&SyncError { code: e.code(), message: e.message(gridpatrol_core::Lang::En) }),
            )?;
            return Err(e);
        }
    }
    match refresh_reference(store, client).await {
        Ok(None) => {}
        Ok(Some(a)) => {
            progress(Progress::Reference { grids: a.grids, categories: a.categories, units: a.units, roster: a.roster })
        }
        Err(e @ (Error::Io(_) | Error::Core(gridpatrol_core::Error::Io(_)))) => return Err(e),
        Err(e) => {
            let error = ErrorBody { code: e.code(), message: e.message(gridpatrol_core::Lang::En), event_id: None };
            store.record_sync(
                Utc::now(),
                Some(&SyncError { code: error.code.clone(), message: error.message.clone() }),
            )?;
            let left = store.outbox(usize::MAX >> 1)?.len();
            return Ok(RoundReport { left, error: Some(error), ..Default::default() });
        }
    }
    let items = outbox(store)?;
    let cursor = store.pull_cursor()?;
    let mut engine = Engine::new(config, seed);
    let mut set_aside = 0;
    let mut pulled = 0;
    engine.handle(Input::Start { outbox: items, cursor }, Utc::now());
    while let Some(output) = engine.poll() {
        match output {
            Output::Send { id, request } => {
                let reply = client.perform(store, &request).await;
                if let (Request::PhotoUpload { photo, .. }, Reply::Photo(status)) = (&*request, &reply) {
                    progress(Progress::Upload(UploadProgress {
                        sha256: status.sha256.clone(),
                        sent: status.received,
                        total: photo.bytes.max(status.received),
                    }));
                }
                // The engine holds the other reference and takes the request back without a copy.
                drop(request);
                engine.handle(Input::Reply { id, reply }, Utc::now());
            }
            Output::Ack(acks) => {
                store.ack(&acks)?;
            }
            Output::Park { event_id, code, message } => {
                store.park(&event_id, &code, &message)?;
            }
            Output::Apply { events, cursor } => {
                let events: Vec<_> = events.into_iter().map(crate::wire::WireEvent::into_event).collect();
                set_aside += store.apply_remote(&events, cursor)?.set_aside;
                pulled += events.len();
                progress(Progress::Pulled { events: pulled, cursor });
            }
            Output::Wait(at) => {
                let wait = (at - Utc::now()).to_std().unwrap_or_default();
                tokio::time::sleep(wait).await;
                engine.handle(Input::Timeout, Utc::now());
            }
            Output::Done(mut report) => {
                report.set_aside = set_aside;
                if report.error.is_none() {
                    report.photos_downloaded = fetch_photos(store, client, PHOTOS_PER_ROUND).await;
                }
                let error =
                    report.error.as_ref().map(|e| SyncError { code: e.code.clone(), message: e.message.clone() });
                store.record_sync(Utc::now(), error.as_ref())?;
                let hub_date = *client.hub_date.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(hub) = hub_date {
                    store.record_hub_time(hub, Utc::now())?;
                }
                return Ok(report);
            }
        }
    }
    // The engine always ends a started round with Done; reaching here would be a bug in it.
    Err(Error::Unreachable("the sync engine stopped without finishing the round".into()))
}

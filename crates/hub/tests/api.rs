//! The hub's API through `app(state)` and `oneshot`, no port: sign-in, idempotent push, pull by
//! scope, resumable photos, the lifecycle in hub order, and every security refusal with its status
//! and code and nothing stored. Device events are made by a real core store, as on a laptop.

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use chrono::{TimeZone, Utc};
use gridpatrol_core::clock::{FixedClock, SeededIds};
use gridpatrol_core::model::{Event, Role};
use gridpatrol_core::{MoveRequest, NewFinding, PhotoSource, Status, Store};
use gridpatrol_hub::auth::{hash_password, UserRecord};
use gridpatrol_hub::{app, AppState, HubStore, Limits, SqliteStore};
use gridpatrol_sync::wire::{PushRequest, WireEvent, PROTOCOL};
use serde_json::{json, Value};
use tower::ServiceExt;

const GRID_A: &str = "37160200100101";
const GRID_B: &str = "37160200100102";
const GRID_OTHER_LARGE: &str = "37160200200101";

struct Hub {
    _dir: tempfile::TempDir,
    store: Arc<SqliteStore>,
    router: axum::Router,
}

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 3, 4, 9, 0, 0).unwrap()))
}

fn hub_with(limits: Limits) -> Hub {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::init(dir.path(), clock(), true).expect("hub init");
    for (name, role, grids) in [
        ("admin", Role::Admin, vec![]),
        ("lead", Role::Lead, vec!["371602001".to_string()]),
        ("li", Role::Officer, vec![GRID_A.to_string(), GRID_B.to_string()]),
        ("zhang", Role::Officer, vec![GRID_A.to_string()]),
    ] {
        store
            .add_user(&UserRecord {
                unit: None,
                name: name.into(),
                role,
                grids,
                password_hash: hash_password("password-123").unwrap(),
            })
            .unwrap();
    }
    let store = Arc::new(store);
    let state = AppState::new(
        store.clone(),
        Arc::new(gridpatrol_hub::photos::PhotoVault::new(dir.path().join("photos")).unwrap()),
        limits,
        clock(),
    );
    Hub { router: app(state), store, _dir: dir }
}

fn hub() -> Hub {
    hub_with(Limits::default())
}

async fn call(
    hub: &Hub,
    method: Method,
    uri: &str,
    token: Option<&str>,
    body: Body,
    json_type: bool,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut req = Request::builder().method(method.clone()).uri(uri);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    if json_type {
        req = req.header("content-type", "application/json");
    }
    let response = hub.router.clone().oneshot(req.body(body).unwrap()).await.expect("the router answers");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    check_documented(&method, uri, status, &bytes);
    (status, headers, bytes.to_vec())
}

/// Every answer these tests provoke must be in the OpenAPI document: an error's status and code among
/// those its route declares (`refusals!` beside the handler). Unknown routes and methods are the
/// router's fallbacks and HEAD answers carry no body, so those are left out.
fn check_documented(method: &Method, uri: &str, status: StatusCode, body: &[u8]) {
    static DOC: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    let doc = DOC.get_or_init(|| gridpatrol_hub::router::document(&Limits::default()));
    let path = uri.split('?').next().unwrap_or(uri);
    let template = match path.strip_prefix("/api/v1/photos/") {
        Some(_) => "/api/v1/photos/{sha256}",
        None => path,
    };
    let Some(operation) = doc["paths"].get(template).and_then(|item| item.get(method.as_str().to_lowercase())) else {
        return;
    };
    let documented = &operation["responses"][status.as_str()];
    assert!(documented.is_object(), "{method} {template} answered {status}, which its documentation does not list");
    if status.is_success() || status == StatusCode::NOT_MODIFIED || method == Method::HEAD {
        return;
    }
    let code = serde_json::from_slice::<Value>(body).ok().and_then(|b| b["code"].as_str().map(String::from));
    let codes = documented.pointer("/content/application~1json/schema/properties/code/enum").and_then(Value::as_array);
    assert!(
        code.as_ref().is_some_and(|c| codes.is_some_and(|codes| codes.contains(&json!(c)))),
        "{method} {template} answered {status} {code:?}, which its refusals! list does not declare"
    );
}

async fn json_call(hub: &Hub, method: Method, uri: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
    let (status, _, bytes) = call(hub, method, uri, token, Body::from(body.to_string()), true).await;
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn sign_in(hub: &Hub, user: &str) -> String {
    let (status, body) =
        json_call(hub, Method::POST, "/api/v1/sign-in", None, json!({"user": user, "password": "password-123"})).await;
    assert_eq!(status, StatusCode::OK, "sign-in with the right password succeeds: {body}");
    body["token"].as_str().unwrap().to_string()
}

async fn push(hub: &Hub, token: &str, events: &[WireEvent]) -> (StatusCode, Value) {
    let body = serde_json::to_value(PushRequest { protocol: PROTOCOL, events: events.to_vec() }).unwrap();
    json_call(hub, Method::POST, "/api/v1/push", Some(token), body).await
}

/// A device store acting as `user` with `role`, scoped like the hub would scope it.
fn device(dir: &Path, user: &str, role: Role, seed: u64) -> Store {
    let mut store = Store::create(dir, clock(), Arc::new(SeededIds::new(seed))).unwrap();
    store.import_sample_registry().unwrap();
    store.set_profile(user, role).unwrap();
    store
}

fn outbox(store: &mut Store) -> Vec<WireEvent> {
    store.settle_local_events().unwrap();
    store.outbox(1000).unwrap().iter().map(WireEvent::from_event).collect()
}

fn finding_in(store: &mut Store, grid: &str, text: &str) -> WireEvent {
    store.add_finding(NewFinding::new(grid, "10101", text)).unwrap();
    outbox(store).pop().unwrap()
}

fn assert_error(status: StatusCode, body: &Value, want_status: StatusCode, want_code: &str, why: &str) {
    assert_eq!(status, want_status, "{why}: status (body {body})");
    assert_eq!(body["code"], want_code, "{why}: code (body {body})");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{why}: every error carries a message");
}

#[tokio::test]
async fn sign_in_refuses_a_wrong_password_and_malformed_json() {
    let hub = hub();
    let (s, b) =
        json_call(&hub, Method::POST, "/api/v1/sign-in", None, json!({"user": "li", "password": "nope-nope"})).await;
    assert_error(s, &b, StatusCode::UNAUTHORIZED, "bad_credentials", "a wrong password is refused");
    let (s, b) =
        json_call(&hub, Method::POST, "/api/v1/sign-in", None, json!({"user": "nobody", "password": "x"})).await;
    assert_error(s, &b, StatusCode::UNAUTHORIZED, "bad_credentials", "an unknown user looks like a wrong password");
    let (s, _, bytes) = call(&hub, Method::POST, "/api/v1/sign-in", None, Body::from("{not json"), true).await;
    let b: Value = serde_json::from_slice(&bytes).unwrap();
    assert_error(s, &b, StatusCode::BAD_REQUEST, "malformed_json", "a body that is not JSON is refused as JSON");
    let (s, body) =
        json_call(&hub, Method::POST, "/api/v1/sign-in", None, json!({"user": "lead", "password": "password-123"}))
            .await;
    assert_eq!(s, StatusCode::OK);
    let scope: Vec<String> = serde_json::from_value(body["scope"]["grids"].clone()).unwrap();
    assert!(
        scope.contains(&GRID_A.to_string()) && scope.len() > 10,
        "a lead's scope is the large grid and its small grids"
    );
}

#[tokio::test]
async fn a_push_is_idempotent_and_a_reused_id_with_other_content_is_a_conflict() {
    let hub = hub();
    let token = sign_in(&hub, "li").await;
    let dir = tempfile::tempdir().unwrap();
    let mut dev = device(dir.path(), "li", Role::Officer, 1);
    let event = finding_in(&mut dev, GRID_A, "井盖破损");
    let (s, first) = push(&hub, &token, &[event.clone()]).await;
    assert_eq!(s, StatusCode::OK, "a good finding is accepted: {first}");
    let (s, again) = push(&hub, &token, &[event.clone()]).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(first, again, "a replayed push returns the same acknowledgement (sync invariant 1)");
    assert_eq!(hub.store.event_count().unwrap(), 1, "a replay stores nothing new");

    let mut changed = event.clone();
    changed.payload["description"] = json!("别的内容");
    let (s, b) = push(&hub, &token, &[changed]).await;
    assert_error(s, &b, StatusCode::CONFLICT, "event_conflict", "the same id with other content is a conflict");
    assert_eq!(b["event_id"], event.id.as_str(), "the refusal names the event, so the device parks that one");
    assert_eq!(hub.store.event_count().unwrap(), 1, "a conflict stores nothing");
}

#[tokio::test]
async fn the_hubs_stored_version_of_an_event_replays_as_the_same_event() {
    // A device adopts the hub's version of its report when it pulls it back (with the deadline the
    // hub derived) and, after the hub is restored from a backup, sends that version again.
    let hub = hub();
    let token = sign_in(&hub, "li").await;
    let dir = tempfile::tempdir().unwrap();
    let mut dev = device(dir.path(), "li", Role::Officer, 1);
    let mut event = finding_in(&mut dev, GRID_A, "井盖破损");
    // A deadline the device got wrong: the hub stores the one it derives instead.
    event.payload["due_at"] = json!("2026-03-20T09:00:00Z");
    let (_, first) = push(&hub, &token, &[event.clone()]).await;
    let (_, page) = json_call(&hub, Method::GET, "/api/v1/pull?since=0", Some(&token), Value::Null).await;
    let mut stored: WireEvent = serde_json::from_value(page["events"][0].clone()).unwrap();
    assert_ne!(stored.payload, event.payload, "the hub stores its own version (with the derived deadline)");
    stored.hub_seq = None;
    stored.accepted_at = None;
    let (s, again) = push(&hub, &token, &[stored.clone()]).await;
    assert_eq!(s, StatusCode::OK, "the hub's version of the event is the same event: {again}");
    assert_eq!(first, again, "and is acknowledged with its first acknowledgement");
    assert_eq!(hub.store.event_count().unwrap(), 1, "nothing new is stored");
    let mut forged = stored;
    forged.payload["description"] = json!("别的内容");
    let (s, b) = push(&hub, &token, &[forged]).await;
    assert_error(s, &b, StatusCode::CONFLICT, "event_conflict", "other content than either version is a conflict");
}

#[tokio::test]
async fn security_refusals_store_nothing() {
    let hub = hub_with(Limits { max_push_bytes: 64 * 1024, max_batch: 3, ..Limits::default() });
    let token = sign_in(&hub, "zhang").await;
    let dir = tempfile::tempdir().unwrap();
    // The device thinks it may write anywhere (no scope stored), as a tampered client would.
    let mut dev = device(dir.path(), "zhang", Role::Officer, 2);

    let outside = finding_in(&mut dev, GRID_B, "越界记录");
    let (s, b) = push(&hub, &token, &[outside.clone()]).await;
    assert_error(
        s,
        &b,
        StatusCode::FORBIDDEN,
        "out_of_scope",
        "a push into a grid outside the token's scope (sync invariant 3)",
    );
    assert_eq!(b["event_id"], outside.id.as_str());

    let far = finding_in(&mut dev, GRID_OTHER_LARGE, "另一个大网格");
    let good = finding_in(&mut dev, GRID_A, "本网格");
    let (s, b) = push(&hub, &token, &[good.clone(), far]).await;
    assert_error(s, &b, StatusCode::FORBIDDEN, "out_of_scope", "one bad event refuses the whole batch");

    let mut twin = good.clone();
    twin.payload["description"] = json!("同一编号不同内容");
    let (s, b) = push(&hub, &token, &[good.clone(), twin]).await;
    assert_error(s, &b, StatusCode::CONFLICT, "duplicate_event", "a batch with one id twice and different content");

    let mut forged_actor = good.clone();
    forged_actor.actor = "li".into();
    let (s, b) = push(&hub, &token, &[forged_actor]).await;
    assert_error(s, &b, StatusCode::FORBIDDEN, "actor_mismatch", "an event claiming another author");

    let (s, b) = push(&hub, &"0".repeat(64), &[good.clone()]).await;
    assert_error(s, &b, StatusCode::UNAUTHORIZED, "unauthorized", "a forged token");
    let (s, b) = push(&hub, "not-even-hex", &[good.clone()]).await;
    assert_error(s, &b, StatusCode::UNAUTHORIZED, "unauthorized", "a malformed token");

    let big = "x".repeat(70 * 1024);
    let (s, b) =
        json_call(&hub, Method::POST, "/api/v1/push", Some(&token), json!({"protocol": 1, "events": [], "pad": big}))
            .await;
    assert_error(s, &b, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "an oversized body");
    let (s, b) = push(&hub, &token, &[good.clone(), good.clone(), good.clone(), good.clone()]).await;
    assert_error(s, &b, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "a batch over the batch limit");

    let (s, _, bytes) =
        call(&hub, Method::POST, "/api/v1/push", Some(&token), Body::from("{\"protocol\": 1, \"events\": ["), true)
            .await;
    let b: Value = serde_json::from_slice(&bytes).unwrap();
    assert_error(s, &b, StatusCode::BAD_REQUEST, "malformed_json", "a push body that is not JSON");
    let (s, b) =
        json_call(&hub, Method::POST, "/api/v1/push", Some(&token), json!({"protocol": 99, "events": []})).await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "unsupported_protocol", "a protocol the hub does not speak");

    assert_eq!(hub.store.event_count().unwrap(), 0, "no refused request stored anything");

    hub.store.revoke_tokens("zhang").unwrap();
    let (s, b) = push(&hub, &token, &[good]).await;
    assert_error(s, &b, StatusCode::UNAUTHORIZED, "unauthorized", "a revoked token");
    assert_eq!(hub.store.event_count().unwrap(), 0, "a revoked token stores nothing");
}

#[tokio::test]
async fn a_move_no_longer_legal_when_it_arrives_is_refused_with_its_reason() {
    let hub = hub();
    let (li, lead, admin) = (sign_in(&hub, "li").await, sign_in(&hub, "lead").await, sign_in(&hub, "admin").await);
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let mut officer = device(dirs[0].path(), "li", Role::Officer, 3);
    let report = finding_in(&mut officer, GRID_A, "占道经营");
    assert_eq!(push(&hub, &li, &[report.clone()]).await.0, StatusCode::OK);

    // Both the lead and an administrator, offline, act on the reported finding.
    let mut moves = Vec::new();
    for (dir, user, role, to, seed) in
        [(&dirs[1], "lead", Role::Lead, Status::Accepted, 4), (&dirs[2], "admin", Role::Admin, Status::Rejected, 5)]
    {
        let mut d = device(dir.path(), user, role, seed);
        d.apply_remote(&[Event { hub_seq: Some(1), ..report.to_event() }], 1).unwrap();
        d.move_finding(MoveRequest {
            unit: None,
            id: report.entity_id.clone(),
            to,
            note: "核查后决定".into(),
            photos: vec![],
        })
        .unwrap();
        moves.push(outbox(&mut d).pop().unwrap());
    }
    assert_eq!(push(&hub, &lead, &[moves[0].clone()]).await.0, StatusCode::OK, "the first move in hub order wins");
    let (s, b) = push(&hub, &admin, &[moves[1].clone()]).await;
    assert_error(s, &b, StatusCode::CONFLICT, "illegal_move", "the later move is no longer legal (sync invariant 5)");
    assert!(b["message"].as_str().unwrap().contains("accepted"), "the reason names the status it met: {b}");

    // An officer may not accept at all, whatever the order.
    let mut own = device(dirs[0].path(), "li", Role::Officer, 6);
    let mine = finding_in(&mut own, GRID_A, "另一个");
    assert_eq!(push(&hub, &li, &[mine.clone()]).await.0, StatusCode::OK);
    let mut forged = moves[0].clone();
    forged.id = "0190aaaa-0000-7000-8000-000000000001".into();
    forged.entity_id = mine.entity_id.clone();
    forged.actor = "li".into();
    let (s, b) = push(&hub, &li, &[forged]).await;
    assert_error(s, &b, StatusCode::CONFLICT, "move_not_allowed", "the role table is core's, checked at the hub");
}

/// The bounds the OpenAPI document gives a pull's query are the hub's: outside them is a clear 400.
#[tokio::test]
async fn pull_refuses_a_cursor_or_page_size_outside_its_documented_bounds() {
    let hub = hub_with(Limits { max_pull: 50, ..Limits::default() });
    let li = sign_in(&hub, "li").await;
    for query in ["since=-1", "limit=0", "limit=51", "since=abc", "limit=-3"] {
        let (s, b) = json_call(&hub, Method::GET, &format!("/api/v1/pull?{query}"), Some(&li), Value::Null).await;
        assert_error(s, &b, StatusCode::BAD_REQUEST, "invalid_query", &format!("pull?{query} is outside the bounds"));
    }
    for query in ["", "since=0&limit=1", "limit=50"] {
        let (s, b) = json_call(&hub, Method::GET, &format!("/api/v1/pull?{query}"), Some(&li), Value::Null).await;
        assert_eq!(s, StatusCode::OK, "pull?{query} is within the bounds: {b}");
    }
}

#[tokio::test]
async fn pull_returns_only_the_callers_scope_in_hub_order() {
    let hub = hub();
    let li = sign_in(&hub, "li").await;
    let dir = tempfile::tempdir().unwrap();
    let mut dev = device(dir.path(), "li", Role::Officer, 7);
    let a = finding_in(&mut dev, GRID_A, "网格一");
    let b = finding_in(&mut dev, GRID_B, "网格二");
    assert_eq!(push(&hub, &li, &[a.clone(), b.clone()]).await.0, StatusCode::OK);

    let zhang = sign_in(&hub, "zhang").await;
    let (s, page) = json_call(&hub, Method::GET, "/api/v1/pull?since=0", Some(&zhang), Value::Null).await;
    assert_eq!(s, StatusCode::OK);
    let ids: Vec<&str> = page["events"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![a.id.as_str()], "an officer pulls only their own grids' events");
    assert_eq!(page["cursor"], 1, "the cursor is the last event given: it tells nothing of events outside the scope");

    let lead = sign_in(&hub, "lead").await;
    let (_, page) = json_call(&hub, Method::GET, "/api/v1/pull?since=0&limit=1", Some(&lead), Value::Null).await;
    assert_eq!(page["events"][0]["hub_seq"], 1);
    assert_eq!(page["more"], true, "a full page says more are waiting");
    let (_, page) = json_call(&hub, Method::GET, "/api/v1/pull?since=1&limit=1", Some(&lead), Value::Null).await;
    assert_eq!(
        page["events"][0]["id"],
        b.id.as_str(),
        "the lead sees every small grid of the large grid, in hub order"
    );
    let (s, b) = json_call(&hub, Method::GET, "/api/v1/pull?since=abc", Some(&lead), Value::Null).await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "invalid_query", "a cursor that is not a number");
}

/// Every event `token` may pull, as core events, in hub order.
async fn pull_all(hub: &Hub, token: &str) -> Vec<Event> {
    let (_, page) = json_call(hub, Method::GET, "/api/v1/pull?since=0", Some(token), Value::Null).await;
    let events: Vec<WireEvent> = serde_json::from_value(page["events"].clone()).unwrap();
    events.iter().map(WireEvent::to_event).collect()
}

#[tokio::test]
async fn descriptive_edits_are_last_writer_wins_per_field_in_hub_order() {
    let hub = hub();
    let (li, lead) = (sign_in(&hub, "li").await, sign_in(&hub, "lead").await);
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let mut officer = device(dirs[0].path(), "li", Role::Officer, 21);
    let report = finding_in(&mut officer, GRID_A, "井盖破损");
    assert_eq!(push(&hub, &li, &[report.clone()]).await.0, StatusCode::OK);
    let mut boss = device(dirs[1].path(), "lead", Role::Lead, 22);
    let seen = pull_all(&hub, &lead).await;
    boss.apply_remote(&seen, seen.len() as i64).unwrap();

    // Offline, both edit the description; the lead also sets the urgency.
    let id = report.entity_id.clone();
    officer
        .edit_finding(
            &id,
            gridpatrol_core::projection::Edit {
                description: Some("井盖破损，已围挡".into()), ..Default::default()
            },
        )
        .unwrap();
    boss.edit_finding(
        &id,
        gridpatrol_core::projection::Edit {
            description: Some("井盖缺失".into()),
            urgency: Some(gridpatrol_core::Urgency::Urgent),
            ..Default::default()
        },
    )
    .unwrap();
    // The lead's edit reaches the hub first, the officer's second: the officer's description wins,
    // the lead's urgency stays (no one else wrote it).
    assert_eq!(push(&hub, &lead, &outbox(&mut boss)).await.0, StatusCode::OK);
    assert_eq!(push(&hub, &li, &outbox(&mut officer)).await.0, StatusCode::OK);
    for (store, token) in [(&mut officer, &li), (&mut boss, &lead)] {
        let events = pull_all(&hub, token).await;
        let cursor = events.last().and_then(|e| e.hub_seq).unwrap();
        store.apply_remote(&events, cursor).unwrap();
        let f = store.finding(&id).unwrap();
        assert_eq!(f.description, "井盖破损，已围挡", "the last writer in hub order wins the description");
        assert_eq!(f.urgency, gridpatrol_core::Urgency::Urgent, "a field only one person wrote keeps its value");
        let history = store.history(&id).unwrap();
        assert!(
            history.iter().any(|e| e.payload["description"] == "井盖缺失"),
            "the losing value is kept in the history"
        );
    }

    // An edit of a finding outside the scope, or by someone who is neither author nor lead, is refused.
    let zhang = sign_in(&hub, "zhang").await;
    let mut forged = outbox(&mut officer).pop().unwrap_or_else(|| report.clone());
    forged.id = "0190aaaa-0000-7000-8000-000000000010".into();
    forged.kind = "finding.edited".into();
    forged.actor = "zhang".into();
    forged.payload = json!({"description": "乱改"});
    let (s, b) = push(&hub, &zhang, &[forged]).await;
    assert_error(s, &b, StatusCode::CONFLICT, "edit_not_allowed", "only the author or a lead edits");
}

#[tokio::test]
async fn weekly_log_reviews_are_judged_in_hub_order_and_pulled_by_the_officers_grid() {
    let hub = hub();
    hub.store
        .add_user(&UserRecord {
            unit: None,
            name: "lead2".into(),
            role: Role::Lead,
            grids: vec!["371602002".into()],
            password_hash: hash_password("password-123").unwrap(),
        })
        .unwrap();
    let (li, lead, admin, lead2, zhang) = (
        sign_in(&hub, "li").await,
        sign_in(&hub, "lead").await,
        sign_in(&hub, "admin").await,
        sign_in(&hub, "lead2").await,
        sign_in(&hub, "zhang").await,
    );
    let dirs: Vec<_> = (0..4).map(|_| tempfile::tempdir().unwrap()).collect();
    let mut officer = device(dirs[0].path(), "li", Role::Officer, 11);
    officer.submit_log("2026-W10", "").unwrap();
    let submitted = outbox(&mut officer).pop().unwrap();
    assert_eq!(push(&hub, &li, &[submitted.clone()]).await.0, StatusCode::OK);

    // The lead over li's grids pulls the log; an officer of the same grid and a lead elsewhere do not.
    let pulled = |token: String| {
        let hub = &hub;
        async move {
            let (_, page) = json_call(hub, Method::GET, "/api/v1/pull?since=0", Some(&token), Value::Null).await;
            page["events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["kind"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(pulled(lead.clone()).await, vec!["log.submitted"]);
    assert_eq!(pulled(li.clone()).await, vec!["log.submitted"], "the officer pulls their own log's events");
    assert!(pulled(lead2.clone()).await.is_empty(), "a lead of another large grid does not see it");
    assert!(pulled(zhang.clone()).await.is_empty(), "another officer of the same grid does not see li's log");

    // Two reviewers act offline on the same submitted log: the first in hub order wins.
    let mut decisions = Vec::new();
    for (dir, user, role, decision, seed) in [
        (&dirs[1], "lead", Role::Lead, gridpatrol_core::review::Decision::Return, 12),
        (&dirs[2], "admin", Role::Admin, gridpatrol_core::review::Decision::Approve, 13),
        (&dirs[3], "lead2", Role::Lead, gridpatrol_core::review::Decision::Approve, 14),
    ] {
        let mut d = device(dir.path(), user, role, seed);
        d.apply_remote(&[Event { hub_seq: Some(1), ..submitted.to_event() }], 1).unwrap();
        d.review_log("li", "2026-W10", decision, "请补充周六的巡查").unwrap();
        decisions.push(outbox(&mut d).pop().unwrap());
    }
    let (s, b) = push(&hub, &lead2, &[decisions[2].clone()]).await;
    assert_error(s, &b, StatusCode::FORBIDDEN, "out_of_scope", "a lead reviews only their own officers' logs");
    assert_eq!(push(&hub, &lead, &[decisions[0].clone()]).await.0, StatusCode::OK, "the lead returns it first");
    let (s, b) = push(&hub, &admin, &[decisions[1].clone()]).await;
    assert_error(s, &b, StatusCode::CONFLICT, "illegal_review", "the later review meets a returned log");

    // zhang may not submit li's log, nor review it.
    let mut forged = submitted.clone();
    forged.id = "0190aaaa-0000-7000-8000-000000000002".into();
    forged.actor = "zhang".into();
    let (s, b) = push(&hub, &zhang, &[forged]).await;
    assert_error(s, &b, StatusCode::FORBIDDEN, "not_your_log", "an officer submits only their own log");
    let mut forged = decisions[0].clone();
    forged.id = "0190aaaa-0000-7000-8000-000000000003".into();
    forged.actor = "zhang".into();
    let (s, b) = push(&hub, &zhang, &[forged]).await;
    assert_error(s, &b, StatusCode::CONFLICT, "review_not_allowed", "an officer does not review");
    assert_eq!(hub.store.event_count().unwrap(), 2, "refused reviews store nothing");
}

#[tokio::test]
async fn pull_pages_are_gzipped_for_clients_that_accept_it() {
    let hub = hub();
    let li = sign_in(&hub, "li").await;
    let dir = tempfile::tempdir().unwrap();
    let mut dev = device(dir.path(), "li", Role::Officer, 31);
    let events: Vec<WireEvent> = (0..40).map(|i| finding_in(&mut dev, GRID_A, &format!("第{i}个井盖破损"))).collect();
    assert_eq!(push(&hub, &li, &events).await.0, StatusCode::OK);
    let request = |gzip: bool| {
        let mut r = Request::builder().uri("/api/v1/pull?since=0").header("authorization", format!("Bearer {li}"));
        if gzip {
            r = r.header("accept-encoding", "gzip");
        }
        r.body(Body::empty()).unwrap()
    };
    let plain = hub.router.clone().oneshot(request(false)).await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none(), "no gzip unless asked for");
    let plain = axum::body::to_bytes(plain.into_body(), usize::MAX).await.unwrap();
    let zipped = hub.router.clone().oneshot(request(true)).await.unwrap();
    assert_eq!(zipped.headers().get("content-encoding").map(|v| v.to_str().unwrap()), Some("gzip"));
    let zipped = axum::body::to_bytes(zipped.into_body(), usize::MAX).await.unwrap();
    assert!(zipped.len() * 3 < plain.len(), "a page of events shrinks: {} -> {} bytes", plain.len(), zipped.len());
}

fn png() -> Vec<u8> {
    let mut bytes = Vec::new();
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 3, y as u8 * 5, 90]));
    img.write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png).unwrap();
    bytes
}

#[tokio::test]
async fn photos_upload_resumably_and_come_before_the_event() {
    let hub = hub();
    let li = sign_in(&hub, "li").await;
    let dir = tempfile::tempdir().unwrap();
    let mut dev = device(dir.path(), "li", Role::Officer, 8);
    let photo = png();
    let mut new = NewFinding::new(GRID_A, "10101", "带照片");
    new.photos = vec![PhotoSource::Bytes { name: "p.png".into(), bytes: photo.clone() }];
    dev.add_finding(new).unwrap();
    let event = outbox(&mut dev).pop().unwrap();
    let sha = event.payload["photos"][0]["sha256"].as_str().unwrap().to_string();

    let (s, b) = push(&hub, &li, &[event.clone()]).await;
    assert_error(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "photo_missing",
        "an event before its photo (sync invariant 4)",
    );

    let uri = |offset: usize| format!("/api/v1/photos/{sha}?offset={offset}&total={}", photo.len());
    let half = photo.len() / 2;
    let (s, _, bytes) = call(&hub, Method::PUT, &uri(0), Some(&li), Body::from(photo[..half].to_vec()), false).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&bytes));
    let (s, headers, _) =
        call(&hub, Method::HEAD, &format!("/api/v1/photos/{sha}"), Some(&li), Body::empty(), false).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(headers["upload-offset"], half.to_string().as_str(), "HEAD tells where to resume");
    assert_eq!(headers["upload-complete"], "false");
    let (s, _, bytes) = call(&hub, Method::PUT, &uri(0), Some(&li), Body::from(photo.clone()), false).await;
    let b: Value = serde_json::from_slice(&bytes).unwrap();
    assert_error(s, &b, StatusCode::CONFLICT, "offset_mismatch", "a resume from the wrong offset");
    let (s, _, bytes) = call(&hub, Method::PUT, &uri(half), Some(&li), Body::from(photo[half..].to_vec()), false).await;
    let b: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!((s, b["complete"].clone()), (StatusCode::OK, json!(true)), "the resumed upload completes: {b}");

    for query in ["offset=0&total=0", &format!("offset={}&total={}", photo.len() + 1, photo.len())] {
        let (s, _, bytes) =
            call(&hub, Method::PUT, &format!("/api/v1/photos/{sha}?{query}"), Some(&li), Body::empty(), false).await;
        let b: Value = serde_json::from_slice(&bytes).unwrap();
        assert_error(
            s,
            &b,
            StatusCode::BAD_REQUEST,
            "invalid_query",
            "a total of 0 or an offset past it, even on a whole photo",
        );
    }

    let (s, _) = push(&hub, &li, &[event]).await;
    assert_eq!(s, StatusCode::OK, "with its photo at the hub the event is accepted");
    let (s, _, bytes) =
        call(&hub, Method::GET, &format!("/api/v1/photos/{sha}"), Some(&li), Body::empty(), false).await;
    assert_eq!((s, bytes), (StatusCode::OK, photo), "the hub returns the photo it verified");

    let fake = "ab".repeat(32);
    let junk = b"not an image at all".to_vec();
    let (s, _, bytes) = call(
        &hub,
        Method::PUT,
        &format!("/api/v1/photos/{fake}?offset=0&total={}", junk.len()),
        Some(&li),
        Body::from(junk),
        false,
    )
    .await;
    let b: Value = serde_json::from_slice(&bytes).unwrap();
    assert_error(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "photo_hash_mismatch",
        "bytes that are not what the name says",
    );
    let (s, _, bytes) = call(
        &hub,
        Method::PUT,
        &format!("/api/v1/photos/{fake}?offset=0&total=999999999"),
        Some(&li),
        Body::empty(),
        false,
    )
    .await;
    let b: Value = serde_json::from_slice(&bytes).unwrap();
    assert_error(s, &b, StatusCode::PAYLOAD_TOO_LARGE, "photo_too_large", "a photo over the size limit");
}

/// The methods a route can have, in the OpenAPI document's spelling.
const METHODS: [&str; 7] = ["get", "put", "post", "delete", "patch", "head", "options"];

#[tokio::test]
async fn the_openapi_document_lists_every_route_and_only_those() {
    let hub = hub();
    let (s, headers, bytes) = call(&hub, Method::GET, "/api/openapi.json", None, Body::empty(), false).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/json", "the document is served as JSON");
    let doc: Value = serde_json::from_slice(&bytes).expect("the OpenAPI document is JSON");
    assert_eq!(
        doc,
        gridpatrol_hub::router::document(&Limits::default()),
        "the served document is the one generated from the router's handlers"
    );
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "an OpenAPI 3.1 document");
    let token = sign_in(&hub, "admin").await;
    let paths = doc["paths"].as_object().expect("the document has paths");
    assert!(paths.len() >= 6, "every route of the API is documented: {:?}", paths.keys());
    for (path, item) in paths {
        let uri = path.replace("{sha256}", &"0".repeat(64));
        for method in METHODS {
            let documented = item.get(method).is_some();
            let verb = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let (s, _, _) = call(&hub, verb.clone(), &uri, Some(&token), Body::empty(), false).await;
            if documented {
                assert!(
                    s != StatusCode::METHOD_NOT_ALLOWED && !(s == StatusCode::NOT_FOUND && !uri.contains("photos")),
                    "{method} {path} is documented, so the router must serve it (got {s})"
                );
            } else if !(method == "head" && item.get("get").is_some()) {
                // HTTP serves HEAD wherever GET is served; any other undocumented method is refused.
                assert_eq!(
                    s,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path} is not documented, so the router must not serve it"
                );
            }
        }
    }
    assert!(
        !include_str!("../src/router.rs").contains(".route("),
        "router.rs registers every handler with routes!, never with a bare .route( that the document would miss"
    );
    let (s, _, bytes) = call(&hub, Method::GET, "/api/v1/nothing-here", None, Body::empty(), false).await;
    let b: Value = serde_json::from_slice(&bytes).unwrap();
    assert_error(s, &b, StatusCode::NOT_FOUND, "not_found", "an unknown route still answers {code, message}");
    let (s, _, bytes) = call(&hub, Method::DELETE, "/api/v1/push", None, Body::empty(), false).await;
    let b: Value = serde_json::from_slice(&bytes).unwrap();
    assert_error(
        s,
        &b,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "a wrong method still answers {code, message}",
    );
    let (s, b) = json_call(&hub, Method::GET, "/api/version", None, Value::Null).await;
    assert_eq!((s, b["protocol"].clone()), (StatusCode::OK, json!(PROTOCOL)));
}

#[test]
fn the_openapi_document_bounds_numbers_by_the_hubs_limits_and_lists_each_routes_refusals() {
    let limits = Limits { max_batch: 7, max_pull: 11, max_photo_bytes: 13, ..Limits::default() };
    let doc = gridpatrol_hub::router::document(&limits);
    assert_eq!(
        doc.pointer("/components/schemas/PushRequest/properties/events/maxItems"),
        Some(&json!(7)),
        "a push's batch is bounded by Limits::max_batch"
    );
    let param = |op: &str, name: &str| -> Value {
        doc.pointer(op).and_then(|o| o["parameters"].as_array()).unwrap().iter().find(|p| p["name"] == name).unwrap()
            ["schema"]
            .clone()
    };
    let limit = param("/paths/~1api~1v1~1pull/get", "limit");
    assert_eq!((&limit["minimum"], &limit["maximum"]), (&json!(1), &json!(11)), "a pull page is 1..=max_pull");
    assert_eq!(param("/paths/~1api~1v1~1pull/get", "since")["minimum"], json!(0), "a cursor is never negative");
    let put = "/paths/~1api~1v1~1photos~1{sha256}/put";
    assert_eq!(param(put, "total")["maximum"], json!(13), "a photo is bounded by Limits::max_photo_bytes");
    assert_eq!(param(put, "offset")["maximum"], json!(13), "an offset is bounded by Limits::max_photo_bytes");
    // Every operation lists its refusals, each with the codes as an enum (what schemathesis checks).
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.contains_key("200"), "{method} {path} documents its success");
            if op.get("security").is_some() && method != "head" {
                let codes = responses
                    .get("401")
                    .and_then(|r| r.pointer("/content/application~1json/schema/properties/code/enum"));
                assert!(
                    codes.and_then(Value::as_array).is_some_and(|c| c.contains(&json!("unauthorized"))),
                    "{method} {path} is behind the device token, so it documents 401 unauthorized"
                );
            }
            for (status, response) in responses {
                // Successes and 304 Not Modified (a conditional GET's answer) carry no error body.
                if status.starts_with('2') || status == "304" || method == "head" {
                    continue;
                }
                let codes = response
                    .pointer("/content/application~1json/schema/properties/code/enum")
                    .and_then(Value::as_array)
                    .unwrap_or_else(|| panic!("{method} {path} {status} lists its error codes"));
                assert!(!codes.is_empty(), "{method} {path} {status} names at least one code");
            }
        }
    }
    let push = doc.pointer("/paths/~1api~1v1~1push/post/responses").unwrap();
    let codes_422 = push.pointer("/422/content/application~1json/schema/properties/code/enum").unwrap();
    for code in ["text_too_long", "photo_missing", "unsupported_event"] {
        assert!(codes_422.as_array().unwrap().contains(&json!(code)), "push's 422 lists {code} (merged lines)");
    }
}

#[test]
fn a_refusals_list_merges_a_status_named_twice_and_documents_retry_after_for_429() {
    let responses =
        gridpatrol_hub::openapi::responses(&[(429, &["too_many"]), (400, &["a"]), (400, &["b", "a"])], true);
    let responses = serde_json::to_value(responses).unwrap();
    assert_eq!(
        responses.pointer("/400/content/application~1json/schema/properties/code/enum"),
        Some(&json!(["a", "b"])),
        "codes of a status listed twice are merged, each once"
    );
    assert!(responses.pointer("/429/headers/retry-after").is_some(), "a 429 documents its retry-after header");
    assert!(responses.pointer("/400/headers").is_none(), "only 429 and 503 carry retry-after");
}

/// Pushes that arrive together share one commit (group commit): each batch still gets its own
/// answer, a refused batch among them stores nothing of its own and nothing of the others is lost,
/// and hub order stays gap-free. Sixteen threads push at once through the store, as the handlers do.
#[test]
fn pushes_arriving_together_are_each_answered_and_a_refused_one_stores_nothing() {
    use gridpatrol_core::User;
    use gridpatrol_hub::auth::Principal;
    use gridpatrol_hub::HubError;

    let hub = hub();
    let zhang = Principal {
        user: User::new("zhang", Role::Officer),
        scope: hub.store.scope_of(&User::new("zhang", Role::Officer), &[GRID_A.to_string()]).unwrap(),
    };
    let threads = 16;
    let dirs: Vec<_> = (0..threads).map(|_| tempfile::tempdir().unwrap()).collect();
    let batches: Vec<(bool, Vec<WireEvent>)> = dirs
        .iter()
        .enumerate()
        .map(|(k, dir)| {
            let mut dev = device(dir.path(), "zhang", Role::Officer, 100 + k as u64);
            let refused = k % 4 == 3;
            let mut events: Vec<WireEvent> =
                (0..3).map(|i| finding_in(&mut dev, GRID_A, &format!("第{k}批第{i}条"))).collect();
            if refused {
                events.insert(1, finding_in(&mut dev, GRID_B, "越界记录"));
            }
            (refused, events)
        })
        .collect();

    let start = std::sync::Barrier::new(threads);
    let answers: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = batches
            .iter()
            .map(|(_, events)| {
                let (store, zhang, start) = (&hub.store, &zhang, &start);
                s.spawn(move || {
                    start.wait();
                    store.push(zhang, events, &|_: &str| Ok(None))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });

    let mut seqs = Vec::new();
    for ((refused, events), answer) in batches.iter().zip(answers) {
        if *refused {
            match answer {
                Err(HubError::Event { code, event_id, .. }) => {
                    assert_eq!((code.as_str(), event_id.as_str()), ("out_of_scope", events[1].id.as_str()));
                }
                other => panic!("a batch with an event outside the scope is refused, got {other:?}"),
            }
        } else {
            let acks = answer.expect("a good batch is acknowledged whatever its neighbours carried");
            let ids: Vec<&str> = acks.iter().map(|a| a.id.as_str()).collect();
            assert_eq!(ids, events.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), "its own acks, in order");
            assert!(acks.windows(2).all(|w| w[1].hub_seq == w[0].hub_seq + 1), "a batch is applied as a whole");
            seqs.extend(acks.iter().map(|a| a.hub_seq));
        }
    }
    let good = batches.iter().filter(|(r, _)| !r).count();
    assert_eq!(hub.store.event_count().unwrap(), (good * 3) as i64, "the good batches, and nothing of the refused");
    seqs.sort();
    assert_eq!(seqs, (1..=(good * 3) as i64).collect::<Vec<_>>(), "hub order has no gaps");
    // A replay of every batch at once answers with the same acks and stores nothing more.
    let mut again: Vec<_> = batches
        .iter()
        .filter(|(r, _)| !r)
        .map(|(_, events)| hub.store.push(&zhang, events, &|_: &str| Ok(None)).unwrap())
        .flat_map(|acks| acks.into_iter().map(|a| a.hub_seq))
        .collect();
    again.sort();
    assert_eq!(again, seqs);
    assert_eq!(hub.store.event_count().unwrap(), (good * 3) as i64);
}

#[tokio::test]
async fn behind_a_trusted_proxy_sign_ins_are_throttled_by_the_forwarded_address() {
    let hub = hub_with(Limits {
        trust_forwarded_for: true,
        sign_in_address_burst: 2,
        sign_in_user_burst: 100,
        ..Limits::default()
    });
    let attempt = |forwarded: &'static str| {
        let router = hub.router.clone();
        async move {
            let request = Request::builder()
                .method(Method::POST)
                .uri("/api/v1/sign-in")
                .header("content-type", "application/json")
                // A client may send its own X-Forwarded-For; the proxy appends the real address last.
                .header("x-forwarded-for", format!("9.9.9.9, {forwarded}"))
                .body(Body::from(json!({"user": "li", "password": "wrong-password", "device": "d"}).to_string()))
                .unwrap();
            let response = router.oneshot(request).await.unwrap();
            (response.status(), response.headers().get("retry-after").cloned())
        }
    };
    assert_eq!(attempt("10.0.0.1").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(attempt("10.0.0.1").await.0, StatusCode::UNAUTHORIZED);
    let (status, retry) = attempt("10.0.0.1").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "an address out of attempts is throttled");
    assert!(retry.is_some(), "a 429 carries Retry-After");
    assert_eq!(
        attempt("10.0.0.2").await.0,
        StatusCode::UNAUTHORIZED,
        "another address behind the same proxy is not throttled by the first one's failures"
    );
}

#[tokio::test]
async fn the_reference_data_is_one_versioned_document_and_every_import_makes_a_new_version() {
    let hub = hub();
    let (s, _, _) = call(&hub, Method::GET, "/api/v1/reference", None, Body::empty(), false).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "only signed-in devices read the reference data");
    let token = sign_in(&hub, "li").await;
    let (s, headers, bytes) = call(&hub, Method::GET, "/api/v1/reference", Some(&token), Body::empty(), false).await;
    assert_eq!(s, StatusCode::OK);
    let doc: gridpatrol_sync::wire::ReferenceDocument = serde_json::from_slice(&bytes).expect("the document");
    let etag = headers["etag"].to_str().unwrap().to_string();
    assert_eq!(etag, format!("\"{}\"", doc.version), "the version is the ETag");
    let checked = doc.check().expect("the hub's document passes the device's checks");
    assert_eq!(checked.grids.len(), 250, "the whole registry");
    let names: Vec<&str> = doc.roster.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["admin", "lead", "li", "zhang"], "the roster");
    assert!(!String::from_utf8_lossy(&bytes).contains("argon2"), "no secret travels");

    let conditional = |tag: String| {
        let hub = &hub;
        let token = token.clone();
        async move {
            let req = Request::builder()
                .uri("/api/v1/reference")
                .header("authorization", format!("Bearer {token}"))
                .header("if-none-match", tag)
                .body(Body::empty())
                .unwrap();
            let response = hub.router.clone().oneshot(req).await.unwrap();
            let status = response.status();
            check_documented(&Method::GET, "/api/v1/reference", status, &[]);
            (status, axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap().len())
        }
    };
    assert_eq!(conditional(etag.clone()).await, (StatusCode::NOT_MODIFIED, 0), "the version held: 304, no body");

    let file = hub._dir.path().join("holidays-2027.json");
    std::fs::write(
        &file,
        r#"{"year": 2027, "holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-03"}]}"#,
    )
    .unwrap();
    gridpatrol_hub::admin::Admin::new(&hub.store, "test").import_holidays(&file).unwrap();
    let (status, length) = conditional(etag.clone()).await;
    assert_eq!(status, StatusCode::OK, "an import makes a new version");
    assert!(length > 0);
    let (_, headers, bytes) = call(&hub, Method::GET, "/api/v1/reference", Some(&token), Body::empty(), false).await;
    let doc: gridpatrol_sync::wire::ReferenceDocument = serde_json::from_slice(&bytes).unwrap();
    assert_ne!(headers["etag"].to_str().unwrap(), etag);
    assert_eq!(doc.holidays["year"], 2027, "next year's holidays are in it");
}

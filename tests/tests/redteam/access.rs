//! Photos, sign-in, sessions, privacy and administration: what a stranger or another user tries
//! (issue 10, items 4-7). Each test sends the hostile request over HTTP (or the admin CLI) to a
//! real hub process, checks the answer, and reads the hub's database or pulls as a device in
//! scope to check that nothing was stored or handed on.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use chrono::{Datelike, Utc};
use gridpatrol_core::clock::{FixedClock, SeededIds};
use gridpatrol_core::model::Role;
use gridpatrol_core::{NewFinding, Store};
use gridpatrol_sync::wire::{PushRequest, WireEvent, PROTOCOL};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::common::{http, png, png_claiming, Hub, GRID_A};

/// A small grid of another large grid than the sample users'.
const GRID_ELSEWHERE: &str = "37160200200101";

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Adds an officer of `GRID_ELSEWHERE` through the admin CLI while the hub serves.
fn add_stranger(hub: &Hub, name: &str) {
    let out = hub.admin(
        &["user", "add", name, "--role", "officer", "--grids", GRID_ELSEWHERE, "--password-stdin"],
        "stranger-pass\n",
    );
    assert!(out.status.success(), "user add {name}: {}", String::from_utf8_lossy(&out.stderr));
}

/// PUTs `bytes` at `offset` of a photo of `total` bytes; the status and the JSON body.
fn put(hub: &Hub, token: &str, sha256: &str, offset: u64, total: u64, bytes: &[u8]) -> (u16, Value) {
    let response = http()
        .put(format!("{}/api/v1/photos/{sha256}?offset={offset}&total={total}", hub.url()))
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body(bytes.to_vec())
        .send()
        .unwrap();
    (response.status().as_u16(), response.json().unwrap_or(Value::Null))
}

/// HEAD of a photo: the status, `upload-offset` and `upload-complete`.
fn head(hub: &Hub, token: &str, sha256: &str) -> (u16, String, String) {
    let response = http().head(format!("{}/api/v1/photos/{sha256}", hub.url())).bearer_auth(token).send().unwrap();
    let header = |n: &str| response.headers().get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (response.status().as_u16(), header("upload-offset"), header("upload-complete"))
}

/// GET of a photo: the status and the bytes.
fn get(hub: &Hub, token: &str, sha256: &str) -> (u16, Vec<u8>) {
    let response = http().get(format!("{}/api/v1/photos/{sha256}", hub.url())).bearer_auth(token).send().unwrap();
    (response.status().as_u16(), response.bytes().unwrap().to_vec())
}

fn push(hub: &Hub, token: &str, events: &[WireEvent]) -> (u16, Value) {
    let response = http()
        .post(format!("{}/api/v1/push", hub.url()))
        .bearer_auth(token)
        .json(&PushRequest { protocol: PROTOCOL, events: events.to_vec() })
        .send()
        .unwrap();
    let answer = (response.status().as_u16(), response.json().unwrap_or(Value::Null));
    crate::common::assert_documented(hub, "POST", "/api/v1/push", answer.0, &answer.1);
    answer
}

/// A device store acting as `user`, whose events are pushed by hand.
fn device(dir: &std::path::Path, user: &str, role: Role, seed: u64) -> Store {
    let clock = Arc::new(FixedClock::new(Utc::now()));
    let mut store = Store::create(dir, clock, Arc::new(SeededIds::new(seed))).unwrap();
    store.import_sample_registry().unwrap();
    store.set_profile(user, role).unwrap();
    store
}

fn outbox(store: &mut Store) -> Vec<WireEvent> {
    store.settle_local_events().unwrap();
    store.outbox(1000).unwrap().iter().map(WireEvent::from_event).collect()
}

#[test]
fn a_photo_is_served_only_to_its_uploader_and_the_scopes_of_findings_that_name_it() {
    let hub = Hub::start();
    add_stranger(&hub, "赵强");
    let li = hub.token("李明", "officer-sample", "li-laptop");
    let photo = png(8, 8, 1);
    let name = sha(&photo);
    assert_eq!(put(&hub, &li, &name, 0, photo.len() as u64, &photo).0, 200, "the uploader uploads");

    // Uploaded, not yet used by a finding: only the uploader may read it.
    let zhang = hub.token("张丽", "officer-sample", "zhang-laptop");
    let stranger = hub.token("赵强", "stranger-pass", "zhao-laptop");
    assert_eq!(get(&hub, &li, &name), (200, photo.clone()), "the uploader reads their own upload");
    assert_eq!(get(&hub, &zhang, &name).0, 404, "an unused upload is its uploader's alone");

    // A finding in GRID_A names it: the grid's officers and lead may read it now, a stranger never.
    let dir = tempfile::tempdir().unwrap();
    let mut d = device(dir.path(), "李明", Role::Officer, 1);
    d.add_finding(NewFinding {
        on_the_spot: false,
        after_photos: Vec::new(),
        photos: vec![gridpatrol_core::PhotoSource::Bytes { name: "before.png".into(), bytes: photo.clone() }],
        ..NewFinding::new(GRID_A, "10101", "井盖缺失")
    })
    .unwrap();
    let (s, b) = push(&hub, &li, &outbox(&mut d));
    assert_eq!(s, 200, "the finding naming the photo is accepted: {b}");
    let lead = hub.token("王建国", "lead-sample", "lead-laptop");
    assert_eq!(get(&hub, &zhang, &name), (200, photo.clone()), "an officer of the finding's grid reads its photo");
    assert_eq!(get(&hub, &lead, &name), (200, photo.clone()), "the lead over the finding's grid reads its photo");

    let (status, body) = get(&hub, &stranger, &name);
    assert_eq!(status, 404, "GET by a user outside every finding's scope is refused as if the photo did not exist");
    assert!(body.len() < 200 && !body.starts_with(b"\x89PNG"), "no photo bytes reach an out-of-scope user");
    assert_eq!(
        head(&hub, &stranger, &name),
        (200, "0".into(), "false".into()),
        "HEAD by an out-of-scope user tells only about their own (empty) upload, not that the photo exists"
    );
    assert_eq!(
        hub.count("SELECT count(*) FROM photo_uploads WHERE user = '赵强'"),
        0,
        "probing a photo gives the prober nothing"
    );
}

#[test]
fn nobody_can_append_to_or_see_another_users_partial_upload() {
    let hub = Hub::start();
    let li = hub.token("李明", "officer-sample", "li-laptop");
    let zhang = hub.token("张丽", "officer-sample", "zhang-laptop");
    let photo = png(64, 64, 2);
    let (name, total, half) = (sha(&photo), photo.len() as u64, photo.len() / 2);
    let (s, b) = put(&hub, &li, &name, 0, total, &photo[..half]);
    assert_eq!((s, b["complete"].as_bool()), (200, Some(false)), "李明's first half is kept: {b}");

    assert_eq!(head(&hub, &zhang, &name).1, "0", "another user does not see 李明's partial upload");
    let (s, b) = put(&hub, &zhang, &name, half as u64, total, &vec![0xee; photo.len() - half]);
    assert_eq!(
        (s, b["code"].as_str()),
        (409, Some("offset_mismatch")),
        "appending to another's upload is refused: {b}"
    );
    let (s, _) = put(&hub, &zhang, &name, 0, total, &vec![0xee; half]);
    assert_eq!(s, 200, "张丽's own bytes go to her own upload");
    assert_eq!(head(&hub, &li, &name).1, half.to_string(), "李明's upload is untouched by 张丽's bytes");

    let (s, b) = put(&hub, &li, &name, half as u64, total, &photo[half..]);
    assert_eq!((s, b["complete"].as_bool()), (200, Some(true)), "李明 completes his own upload intact: {b}");
    assert_eq!(get(&hub, &zhang, &name).0, 404, "a whole upload no finding uses is its uploader's alone");
    assert_eq!(
        hub.count("SELECT count(*) FROM photo_uploads"),
        1,
        "only the uploader is recorded as holding the photo"
    );
}

#[test]
fn a_small_file_claiming_ten_thousand_by_ten_thousand_pixels_is_refused_from_its_header() {
    let hub = Hub::start();
    let li = hub.token("李明", "officer-sample", "li-laptop");
    let bomb = png_claiming(10_000, 10_000);
    assert!(bomb.len() < 200, "the file itself is tiny");
    let name = sha(&bomb);
    let rss_before = hub.proc_kib("VmRSS");
    let (s, b) = put(&hub, &li, &name, 0, bomb.len() as u64, &bomb);
    assert_eq!(
        (s, b["code"].as_str()),
        (422, Some("photo_too_many_pixels")),
        "a photo whose header exceeds the pixel limits is refused before decoding: {b}"
    );
    assert!(b["message"].as_str().unwrap_or("").contains("10000×10000"), "the refusal says why: {b}");
    assert!(hub.proc_kib("VmHWM") < rss_before + 100 * 1024, "nothing near 300 MB was ever allocated for it (VmHWM)");
    assert_eq!(head(&hub, &li, &name), (200, "0".into(), "false".into()), "nothing of it is kept");
    assert!(!hub.dir.path().join("photos").join(&name).exists(), "the refused photo is not stored");
    assert_eq!(hub.count("SELECT count(*) FROM photo_uploads"), 0, "the refused photo is not recorded");
}

#[test]
fn a_stalled_upload_does_not_block_other_uploads_even_of_the_same_photo() {
    // A long body timeout: what lets the others through is the per-upload lock, not a timeout.
    let hub = Hub::start_with(&["--body-timeout-secs", "600"]);
    let li = hub.token("李明", "officer-sample", "li-laptop");
    let zhang = hub.token("张丽", "officer-sample", "zhang-laptop");
    let lead = hub.token("王建国", "lead-sample", "lead-laptop");
    let photo = png(32, 32, 3);
    let name = sha(&photo);

    let mut stalled = TcpStream::connect(&hub.addr).unwrap();
    write!(
        stalled,
        "PUT /api/v1/photos/{name}?offset=0&total={len} HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer {li}\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: {len}\r\nExpect: 100-continue\r\n\r\n",
        len = photo.len()
    )
    .unwrap();
    // The hub answers "100 Continue" when the upload first reads its body: it holds its lock by then.
    stalled.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut interim = [0u8; 25];
    stalled.read_exact(&mut interim).expect("the hub asks for the stalled upload's body");
    assert!(interim.starts_with(b"HTTP/1.1 100 Continue"), "{}", String::from_utf8_lossy(&interim));
    stalled.write_all(&photo[..10]).unwrap();
    stalled.flush().unwrap();

    let (s, b) = put(&hub, &zhang, &name, 0, photo.len() as u64, &photo);
    assert_eq!((s, b["complete"].as_bool()), (200, Some(true)), "the same photo uploads beside a stalled upload: {b}");
    let other = png(32, 32, 4);
    let (s, b) = put(&hub, &lead, &sha(&other), 0, other.len() as u64, &other);
    assert_eq!((s, b["complete"].as_bool()), (200, Some(true)), "another photo uploads beside a stalled upload: {b}");
    drop(stalled);
    // Cut off, the stalled upload keeps what arrived, so it resumes from there.
    crate::common::wait_until(Duration::from_secs(30), "the cut upload's first bytes", || {
        head(&hub, &li, &name).1 == "10"
    });
}

#[test]
fn a_connection_that_sends_half_a_request_head_is_closed() {
    let hub = Hub::start_with(&["--header-timeout-secs", "1"]);
    let mut half = TcpStream::connect(&hub.addr).unwrap();
    half.write_all(b"GET /api/health HTTP/1.1\r\nHost: hub\r\nX-Slow: ").unwrap();
    half.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut buf = [0u8; 256];
    let closed = match half.read(&mut buf) {
        Ok(0) => true,
        Ok(n) => String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 408"),
        Err(e) => matches!(e.kind(), std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted),
    };
    assert!(closed, "the hub closes a connection whose request head never completes (header read timeout)");
    let ok = http().get(format!("{}/api/health", hub.url())).send().unwrap();
    assert_eq!(ok.status().as_u16(), 200, "whole requests are still served");
}

#[test]
fn a_hundred_parallel_wrong_sign_ins_keep_the_hubs_memory_within_100_mib() {
    // Every attempt from this one address must reach argon2, so the address throttle is opened.
    let hub = Hub::start_with(&["--sign-in-address-burst", "10000"]);
    let rss_before = hub.proc_kib("VmRSS");
    let url = hub.url();
    let answers: Vec<u16> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..100)
            .map(|i| {
                let url = url.clone();
                s.spawn(move || {
                    http()
                        .post(format!("{url}/api/v1/sign-in"))
                        .json(&json!({"user": format!("nobody-{i}"), "password": "wrong-password", "device": "flood"}))
                        .send()
                        .unwrap()
                        .status()
                        .as_u16()
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let (rss_after, peak) = (hub.proc_kib("VmRSS"), hub.proc_kib("VmHWM"));
    eprintln!(
        "sign-in flood: VmRSS before {} MiB, after {} MiB, peak (VmHWM) {} MiB; answers 401×{} 429×{}",
        rss_before / 1024,
        rss_after / 1024,
        peak / 1024,
        answers.iter().filter(|&&s| s == 401).count(),
        answers.iter().filter(|&&s| s == 429).count()
    );
    assert!(
        answers.iter().all(|&s| s == 401 || s == 429),
        "a wrong sign-in is 401, or 429 when too many wait: {answers:?}"
    );
    assert!(answers.iter().filter(|&&s| s == 401).count() >= 2, "the flood did reach argon2: {answers:?}");
    assert!(
        peak.saturating_sub(rss_before) < 100 * 1024,
        "argon2 runs under a bound: the hub's peak RSS grew by {} MiB under 100 parallel wrong sign-ins (limit 100 MiB)",
        peak.saturating_sub(rss_before) / 1024
    );
    assert_eq!(hub.count("SELECT count(*) FROM tokens"), 0, "a wrong sign-in stores nothing");
}

#[test]
fn two_hundred_wrong_passwords_are_throttled_with_retry_after() {
    let hub = Hub::start();
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..200 {
        let (status, retry, _) = hub.sign_in("李明", "not-the-password", "guesser");
        if status == 429 && retry_after.is_none() {
            retry_after = retry;
        }
        statuses.push(status);
    }
    let first = statuses.iter().position(|&s| s == 429).expect("200 wrong passwords in a row are throttled (429)");
    assert!(first <= 10, "throttling starts within the first few failures, not after {first}");
    assert!(statuses[first..].iter().all(|&s| s == 429), "once throttled, every further attempt is 429: {statuses:?}");
    let seconds: u64 = retry_after.expect("a 429 says when to retry").parse().expect("Retry-After in seconds");
    assert!(seconds >= 1, "Retry-After names a wait");
    let (status, _, body) = hub.sign_in("李明", "officer-sample", "li-laptop");
    assert_eq!(
        (status, body["code"].as_str()),
        (429, Some("too_many_sign_ins")),
        "while throttled even the right password is not checked"
    );
    assert_eq!(hub.count("SELECT count(*) FROM tokens"), 0, "nothing was signed in");
    assert_eq!(hub.sign_in("张丽", "officer-sample", "zhang-laptop").0, 200, "another user is not locked out");

    // The CLI says so in words.
    let dir = tempfile::tempdir().unwrap();
    let init = crate::common::device_env(&mut std::process::Command::new(crate::common::bin("gridpatrol")))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["init", "--sample"])
        .output()
        .unwrap();
    assert!(init.status.success(), "gridpatrol init: {}", String::from_utf8_lossy(&init.stderr));
    let mut login = std::process::Command::new(crate::common::bin("gridpatrol"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--lang", "en", "login", "--hub", &hub.url(), "--user", "李明", "--password-stdin"])
        .env("GRIDPATROL_TOKEN_STORE", "file")
        .env("GRIDPATROL_PASSPHRASE", crate::common::PASSPHRASE)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    login.stdin.take().unwrap().write_all(b"officer-sample\n").unwrap();
    let out = login.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a throttled login fails");
    assert!(
        stderr.contains("Too many sign-in attempts") && stderr.contains("Try again in"),
        "the CLI explains a 429: {stderr}"
    );
}

#[test]
fn a_token_idle_for_longer_than_the_limit_is_refused() {
    let hub = Hub::start();
    let li = hub.token("李明", "officer-sample", "li-laptop");
    assert_eq!(hub.pull(&li, 0).0, 200, "a fresh token works");
    hub.db_rw().execute("UPDATE tokens SET last_used_at = '2020-01-01T00:00:00.000Z'", []).unwrap();
    let (status, body) = hub.pull(&li, 0);
    assert_eq!((status, body["code"].as_str()), (401, Some("unauthorized")), "an idle-expired token is refused");
    let dir = tempfile::tempdir().unwrap();
    let mut d = device(dir.path(), "李明", Role::Officer, 7);
    d.add_finding(NewFinding::new(GRID_A, "10101", "过期令牌")).unwrap();
    assert_eq!(push(&hub, &li, &outbox(&mut d)).0, 401, "an idle-expired token cannot push");
    assert_eq!(hub.count("SELECT count(*) FROM events"), 0, "nothing was stored with an idle-expired token");
}

#[test]
fn a_revoked_device_session_is_refused_while_the_users_other_device_keeps_working() {
    let hub = Hub::start();
    let laptop = hub.token("李明", "officer-sample", "laptop-a");
    let desktop = hub.token("李明", "officer-sample", "desktop-b");
    let out = hub.admin(&["user", "sessions", "李明", "--json"], "");
    assert!(out.status.success(), "user sessions: {}", String::from_utf8_lossy(&out.stderr));
    let sessions: Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["device"] == "laptop-a")
        .and_then(|s| s["id"].as_str())
        .expect("the sessions list names each device")
        .to_string();
    assert!(!id.is_empty() && !laptop.starts_with(&id), "a session id reveals nothing of the token");

    let out = hub.admin(&["token", "revoke", "李明", "--device", &id], "");
    assert!(out.status.success(), "token revoke --device while serving: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(hub.pull(&laptop, 0).0, 401, "the revoked device's token is refused at once");
    assert_eq!(hub.pull(&desktop, 0).0, 200, "the user's other device keeps working");
    let dir = tempfile::tempdir().unwrap();
    let mut d = device(dir.path(), "李明", Role::Officer, 8);
    d.add_finding(NewFinding::new(GRID_A, "10101", "吊销的设备")).unwrap();
    assert_eq!(push(&hub, &laptop, &outbox(&mut d)).0, 401, "a revoked session cannot push");
    assert_eq!(hub.count("SELECT count(*) FROM events"), 0, "nothing was stored through a revoked session");

    let out = hub.admin(&["token", "revoke", "李明", "--device", "zzzzzz"], "");
    assert!(!out.status.success(), "a malformed session id is refused");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--device"), "the refusal names the field");
}

/// The ISO week a week ago, in the hub's spelling (`2026-W48`): a week that has surely begun.
fn last_week() -> String {
    let w = (Utc::now() - chrono::Duration::days(7)).iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

fn kinds(page: &Value) -> Vec<String> {
    page["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap().to_string()).collect()
}

#[test]
fn a_return_comment_on_one_officers_log_does_not_reach_another_officer_of_the_same_grid() {
    let hub = Hub::start();
    let (li, zhang, lead) = (
        hub.token("李明", "officer-sample", "li"),
        hub.token("张丽", "officer-sample", "zhang"),
        hub.token("王建国", "lead-sample", "lead"),
    );
    let week = last_week();
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let mut officer = device(dirs[0].path(), "李明", Role::Officer, 21);
    officer.submit_log(&week, "").unwrap();
    let submitted = outbox(&mut officer).pop().unwrap();
    assert_eq!(push(&hub, &li, &[submitted.clone()]).0, 200, "李明 submits his log");
    let mut reviewer = device(dirs[1].path(), "王建国", Role::Lead, 22);
    let (s, page) = hub.pull(&lead, 0);
    assert_eq!(s, 200);
    let events: Vec<WireEvent> = serde_json::from_value(page["events"].clone()).unwrap();
    reviewer
        .apply_remote(&events.iter().map(WireEvent::to_event).collect::<Vec<_>>(), page["cursor"].as_i64().unwrap())
        .unwrap();
    reviewer
        .review_log("李明", &week, gridpatrol_core::review::Decision::Return, "周六巡查漏了两个网格，私下说明")
        .unwrap();
    let (s, b) = push(&hub, &lead, &outbox(&mut reviewer));
    assert_eq!(s, 200, "the lead returns 李明's log: {b}");

    assert_eq!(kinds(&hub.pull(&li, 0).1), ["log.submitted", "log.returned"], "the officer receives his log's review");
    assert_eq!(kinds(&hub.pull(&lead, 0).1), ["log.submitted", "log.returned"], "the lead over the grid receives it");
    let (_, page) = hub.pull(&zhang, 0);
    assert!(kinds(&page).is_empty(), "another officer of the same grid receives nothing of 李明's log: {page}");
    assert!(!page.to_string().contains("私下说明"), "the return comment does not reach another officer");
    assert_eq!(page["cursor"].as_i64(), Some(0), "nor does the cursor move past what she was not given");
}

#[test]
fn the_pull_cursor_reveals_nothing_about_other_scopes() {
    let hub = Hub::start();
    add_stranger(&hub, "赵强");
    let (li, stranger) = (hub.token("李明", "officer-sample", "li"), hub.token("赵强", "stranger-pass", "zhao"));
    let (_, first) = hub.pull(&li, 0);
    let cursor = first["cursor"].as_i64().unwrap();

    // Busy elsewhere in the city: 30 findings in a grid 李明 does not hold.
    let dir = tempfile::tempdir().unwrap();
    let mut d = device(dir.path(), "赵强", Role::Officer, 31);
    for i in 0..30 {
        d.add_finding(NewFinding::new(GRID_ELSEWHERE, "10101", &format!("别处的问题 {i}"))).unwrap();
    }
    assert_eq!(push(&hub, &stranger, &outbox(&mut d)).0, 200);
    assert_eq!(hub.count("SELECT count(*) FROM events"), 30);

    let (_, page) = hub.pull(&li, cursor);
    assert!(kinds(&page).is_empty(), "李明 receives nothing of another large grid");
    assert_eq!(
        page["cursor"].as_i64(),
        Some(cursor),
        "the cursor does not move with events outside 李明's view: {page}"
    );
    assert_eq!(page["more"].as_bool(), Some(false));

    // An event in his own grid moves the cursor to exactly that event.
    let zhang = hub.token("张丽", "officer-sample", "zhang");
    let dir = tempfile::tempdir().unwrap();
    let mut z = device(dir.path(), "张丽", Role::Officer, 32);
    z.add_finding(NewFinding::new(GRID_A, "10101", "本网格的问题")).unwrap();
    let (_, acks) = push(&hub, &zhang, &outbox(&mut z));
    let (_, page) = hub.pull(&li, cursor);
    assert_eq!(kinds(&page), ["finding.reported"], "李明 receives his grid's finding");
    assert_eq!(page["cursor"], acks["acks"][0]["hub_seq"], "the cursor is the last event he was given");
}

#[test]
fn user_add_refuses_grids_of_the_wrong_level_and_never_echoes_a_huge_value() {
    let hub = Hub::start();
    let users = || hub.count("SELECT count(*) FROM users");
    let before = users();
    let refused = |args: &[&str], code: &str, why: &str| {
        let out = hub.admin(args, "a-long-enough-password\n");
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(!out.status.success(), "{why}: refused");
        assert!(stderr.contains(code), "{why}: the error's code is {code}: {stderr}");
        assert!(
            stderr.chars().count() < 400,
            "{why}: the error is one short sentence, {} chars",
            stderr.chars().count()
        );
        stderr
    };
    let large = "371602001";
    let small = GRID_A;
    let e = refused(
        &["user", "add", "甲", "--role", "officer", "--grids", large, "--password-stdin"],
        "wrong_grid_level",
        "an officer given a large grid",
    );
    assert!(e.contains("grids"), "the error names the field: {e}");
    refused(
        &["user", "add", "乙", "--role", "lead", "--grids", small, "--password-stdin"],
        "wrong_grid_level",
        "a lead given a small grid",
    );
    refused(
        &["user", "add", "丙", "--role", "admin", "--grids", small, "--password-stdin"],
        "wrong_grid_level",
        "an administrator given a grid",
    );
    refused(&["user", "add", "丁", "--role", "officer", "--password-stdin"], "no_grids", "an officer given no grid");

    let huge = "9".repeat(10_000);
    let e = refused(
        &["user", "add", "戊", "--role", "officer", "--grids", &huge, "--password-stdin"],
        "unknown_grid",
        "a 10,000-char grid code",
    );
    assert!(!e.contains(&"9".repeat(100)), "the huge grid code is not echoed back");
    let e = refused(
        &["user", "add", &"名".repeat(10_000), "--role", "officer", "--grids", small, "--password-stdin"],
        "text_too_long",
        "a 10,000-char name",
    );
    assert!(!e.contains(&"名".repeat(100)), "the huge name is not echoed back");
    let e = refused(
        &["user", "add", "己", "--role", &"x".repeat(10_000), "--grids", small, "--password-stdin"],
        "invalid_value",
        "a 10,000-char role",
    );
    assert!(
        !e.contains(&"x".repeat(100)) && e.contains("role"),
        "the huge role is not echoed back and the field is named: {e}"
    );
    assert_eq!(users(), before, "no refused user was stored");

    // Through the API too: a 10,000-char name or device at sign-in is refused without an echo.
    let (status, _, body) = hub.sign_in(&"n".repeat(10_000), "whatever-password", "x");
    assert_eq!(status, 401, "a name no user can have is refused like any unknown name");
    assert!(body.to_string().chars().count() < 600, "no echo of the huge name");
    let (status, _, body) = hub.sign_in("李明", "officer-sample", &"d".repeat(10_000));
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("text_too_long")),
        "a 10,000-char device name is refused: {body}"
    );
    assert!(body.to_string().chars().count() < 600, "no echo of the huge device name");
    assert_eq!(hub.count("SELECT count(*) FROM tokens"), 0, "no session was stored");
}

#[test]
fn sigterm_stops_the_hub_gracefully_and_an_in_flight_push_finishes() {
    let mut hub = Hub::start();
    let li = hub.token("李明", "officer-sample", "li");
    let dir = tempfile::tempdir().unwrap();
    let mut d = device(dir.path(), "李明", Role::Officer, 41);
    d.add_finding(NewFinding::new(GRID_A, "10101", "停机前的推送")).unwrap();
    let body = serde_json::to_vec(&PushRequest { protocol: PROTOCOL, events: outbox(&mut d) }).unwrap();

    // The push is under way (head and half its body sent) when SIGTERM arrives.
    let mut push = TcpStream::connect(&hub.addr).unwrap();
    write!(
        push,
        "POST /api/v1/push HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer {li}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    push.write_all(&body[..body.len() / 2]).unwrap();
    push.flush().unwrap();
    // Connections are accepted in order: a health check answered on a later connection shows the
    // push's connection was accepted and is being served.
    assert_eq!(http().get(format!("{}/api/health", hub.url())).send().unwrap().status().as_u16(), 200);
    let pid = hub.pid();
    let sent = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap();
    assert!(sent.success());
    push.write_all(&body[body.len() / 2..]).unwrap();
    push.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut answer = String::new();
    let _ = push.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "the in-flight push is answered after SIGTERM: {answer}");
    let status = hub.wait_exit();
    assert!(status.success(), "SIGTERM stops the hub gracefully (exit 0), not by the signal: {status:?}");
    assert_eq!(hub.reported(), 1, "the in-flight push was committed before the hub stopped");
}

/// Every unfinished upload file under the hub's `photos/partial/`, with its size.
fn partial_files(hub: &Hub) -> Vec<(std::path::PathBuf, u64)> {
    let mut files = Vec::new();
    let root = hub.dir.path().join("photos").join("partial");
    for dir in std::fs::read_dir(&root).unwrap().flatten() {
        if dir.path().is_dir() {
            for f in std::fs::read_dir(dir.path()).unwrap().flatten() {
                files.push((f.path(), f.metadata().unwrap().len()));
            }
        }
    }
    files
}

#[test]
fn a_users_unfinished_uploads_stay_within_the_quota() {
    let hub = Hub::start_with(&["--partial-quota-mb", "1", "--photo-max-mb", "1"]);
    let li = hub.token("李明", "officer-sample", "li");
    let zhang = hub.token("张丽", "officer-sample", "zhang");
    let (a, b) = (png(520, 520, 5), png(520, 520, 6));
    assert!(a.len() < 1024 * 1024 && a.len() > 700 * 1024, "each photo is under the quota, two are over it");
    let half = 500 * 1024;
    assert_eq!(put(&hub, &zhang, &sha(&a), 0, a.len() as u64, &a[..half]).0, 200, "张丽 begins an upload");
    assert_eq!(put(&hub, &li, &sha(&a), 0, a.len() as u64, &a[..half]).0, 200, "李明 begins a first upload");
    assert_eq!(put(&hub, &li, &sha(&b), 0, b.len() as u64, &b[..half]).0, 200, "李明 begins a second upload");
    assert_eq!(head(&hub, &li, &sha(&a)).1, "0", "李明's oldest unfinished upload made room for the new one");
    assert_eq!(head(&hub, &li, &sha(&b)).1, half.to_string(), "the new upload is kept");
    assert_eq!(head(&hub, &zhang, &sha(&a)).1, half.to_string(), "another user's unfinished upload is untouched");
    let held: u64 = partial_files(&hub).iter().map(|(_, len)| len).sum();
    assert!(held <= 2 * 1024 * 1024, "the hub holds at most a quota per user: {held} bytes for two users");
    let big = png(700, 700, 7);
    let (s, body) = put(&hub, &li, &sha(&big), 0, big.len() as u64, &big[..1000]);
    assert_eq!(s, 413, "a photo larger than the quota (and the photo limit) is refused: {body}");
}

#[test]
fn abandoned_unfinished_uploads_are_swept_when_the_hub_starts() {
    let mut hub = Hub::start();
    let li = hub.token("李明", "officer-sample", "li");
    let photo = png(64, 64, 8);
    let name = sha(&photo);
    assert_eq!(put(&hub, &li, &name, 0, photo.len() as u64, &photo[..100]).0, 200);
    assert_eq!(head(&hub, &li, &name).1, "100", "the unfinished upload is kept for resuming");
    assert!(hub.signal_and_wait("TERM").success(), "the hub stops gracefully");

    // Three days untouched: older than the 48 hours an unfinished upload is kept.
    let old = std::time::SystemTime::now() - Duration::from_secs(3 * 24 * 3600);
    for (path, _) in partial_files(&hub) {
        std::fs::File::options().write(true).open(&path).unwrap().set_modified(old).unwrap();
    }
    hub.serve();
    assert!(partial_files(&hub).is_empty(), "an abandoned unfinished upload is removed at start");
    let li = hub.token("李明", "officer-sample", "li-again");
    assert_eq!(head(&hub, &li, &name).1, "0", "its bytes are gone; the device uploads it again from the start");
}

#[test]
fn a_stalled_upload_is_cut_after_the_body_timeout_and_keeps_what_arrived() {
    let hub = Hub::start_with(&["--body-timeout-secs", "1"]);
    let li = hub.token("李明", "officer-sample", "li");
    let photo = png(32, 32, 9);
    let name = sha(&photo);
    let mut stalled = TcpStream::connect(&hub.addr).unwrap();
    write!(
        stalled,
        "PUT /api/v1/photos/{name}?offset=0&total={len} HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer {li}\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: {len}\r\n\r\n",
        len = photo.len()
    )
    .unwrap();
    stalled.write_all(&photo[..10]).unwrap();
    stalled.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut answer = String::new();
    let _ = stalled.read_to_string(&mut answer);
    assert!(
        answer.starts_with("HTTP/1.1 400") && answer.contains("upload_interrupted"),
        "a body that stops sending is cut off with a clear error: {answer}"
    );
    assert_eq!(head(&hub, &li, &name).1, "10", "what arrived is kept, so the upload resumes from there");
    let (s, b) = put(&hub, &li, &name, 10, photo.len() as u64, &photo[10..]);
    assert_eq!((s, b["complete"].as_bool()), (200, Some(true)), "the cut upload resumes and completes: {b}");
}

#[test]
fn sigint_stops_the_hub_gracefully_too() {
    let mut hub = Hub::start();
    let status = hub.signal_and_wait("INT");
    assert!(status.success(), "SIGINT (Ctrl+C) stops the hub gracefully (exit 0): {status:?}");
}

#[test]
fn naming_another_users_upload_in_a_finding_does_not_give_it_away() {
    let hub = Hub::start();
    let li = hub.token("李明", "officer-sample", "li");
    let zhang = hub.token("张丽", "officer-sample", "zhang");
    let photo = png(16, 16, 10);
    let name = sha(&photo);
    assert_eq!(put(&hub, &li, &name, 0, photo.len() as u64, &photo).0, 200, "李明 uploads a photo");

    // 张丽 learnt the hash and names it in a finding of her own, without uploading the photo.
    let dir = tempfile::tempdir().unwrap();
    let mut d = device(dir.path(), "张丽", Role::Officer, 51);
    d.add_finding(NewFinding {
        on_the_spot: false,
        after_photos: Vec::new(),
        photos: vec![gridpatrol_core::PhotoSource::Bytes { name: "taken.png".into(), bytes: photo.clone() }],
        ..NewFinding::new(GRID_A, "10101", "借用别人的照片")
    })
    .unwrap();
    let (s, b) = push(&hub, &zhang, &outbox(&mut d));
    assert_eq!(
        (s, b["code"].as_str()),
        (422, Some("photo_missing")),
        "an event may name only photos its author may read: {b}"
    );
    assert_eq!(hub.count("SELECT count(*) FROM events"), 0, "the refused finding is not stored");
    assert_eq!(get(&hub, &zhang, &name).0, 404, "the photo stays 李明's alone");

    // Uploading her own copy of the bytes proves she holds them; then the finding goes through.
    assert_eq!(put(&hub, &zhang, &name, 0, photo.len() as u64, &photo).0, 200);
    assert_eq!(push(&hub, &zhang, &outbox(&mut d)).0, 200, "with her own upload the finding is accepted");
}

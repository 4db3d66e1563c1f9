//! Forged and malformed events: what a buggy or hostile device pushes (issue 10, items 1-4).
//!
//! Each test sends the hostile event over HTTP to a real `gridpatrol-hub` process, checks the answer
//! (status and stable code), that nothing was stored (hub.db is read directly) and that nothing was
//! redistributed (a second device in the same grid pulls and finds nothing new). The last test seeds
//! hub.db with poison around the API and shows that a device that pulls it keeps working.

use chrono::{DateTime, Duration, Utc};
use gridpatrol_core::clock::{IdSource, OsIds};
use serde_json::{json, Value};

use crate::common::{Client, Hub, GRID_A};

/// The officer 李明 and the lead 王建国 on a real hub, with one patrol and one finding of 李明's
/// synced, and 张丽 (an officer of the same grid) as the device that must receive nothing hostile.
struct Scene {
    hub: Hub,
    // Kept so its store outlives the scene; the tests act through the hub and the observer.
    _officer: Client,
    observer: Client,
    http: reqwest::blocking::Client,
    finding: Value,
    patrol: Value,
}

fn scene() -> Scene {
    let hub = Hub::start();
    let officer = Client::new(&hub.url(), "李明", "officer-sample");
    let observer = Client::new(&hub.url(), "张丽", "officer-sample");
    officer.ok(&["patrol", "start", "--grid", GRID_A]);
    officer.add("井盖破损，需要更换");
    officer.sync_until_clean(3);
    observer.sync_until_clean(3);
    let payload = |kind: &str| -> Value {
        let text: String = hub
            .db()
            .query_row("SELECT payload FROM events WHERE kind = ?1", [kind], |r| r.get(0))
            .expect("the officer's event is at the hub");
        serde_json::from_str(&text).unwrap()
    };
    let finding = payload("finding.reported");
    let patrol = payload("patrol.started")["patrol"].clone();
    Scene { hub, _officer: officer, observer, http: reqwest::blocking::Client::new(), finding, patrol }
}

fn new_id() -> String {
    OsIds.next_id(Utc::now()).to_string()
}

fn now() -> String {
    Utc::now().to_rfc3339()
}

fn event(kind: &str, entity: &str, entity_id: &str, actor: &str, payload: Value) -> Value {
    json!({
        "id": new_id(), "entity": entity, "entity_id": entity_id, "actor": actor,
        "kind": kind, "payload": payload, "device_time": now(),
    })
}

impl Scene {
    fn token(&self, user: &str, password: &str) -> String {
        let r = self
            .http
            .post(format!("{}/api/v1/sign-in", self.hub.url()))
            .json(&json!({"user": user, "password": password, "device": "redteam"}))
            .send()
            .unwrap();
        assert!(r.status().is_success(), "sign-in of {user}");
        r.json::<Value>().unwrap()["token"].as_str().unwrap().to_string()
    }

    fn push_as(&self, user: &str, password: &str, events: Vec<Value>) -> (u16, Value) {
        let token = self.token(user, password);
        let r = self
            .http
            .post(format!("{}/api/v1/push", self.hub.url()))
            .bearer_auth(token)
            .json(&json!({"protocol": 1, "events": events}))
            .send()
            .unwrap();
        let status = r.status().as_u16();
        let text = r.text().unwrap();
        assert!(text.len() < 4096, "an answer never echoes a huge value back ({} bytes)", text.len());
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        crate::common::assert_documented(&self.hub, "POST", "/api/v1/push", status, &body);
        (status, body)
    }

    fn hub_events(&self) -> i64 {
        self.hub.count("SELECT count(*) FROM events")
    }

    fn observer_events(&self) -> i64 {
        self.observer.sync_until_clean(3);
        self.observer.json(&["status", "--json"])["counts"]["events"].as_i64().unwrap()
    }

    /// Pushes `hostile` as `user` and checks the refusal, that hub.db is as it was, and that a device
    /// in the grid pulls nothing new.
    fn refused_as(&self, user: &str, password: &str, what: &str, hostile: Value, status: u16, code: &str) {
        let (hub_before, seen_before) = (self.hub_events(), self.observer_events());
        let (got, body) = self.push_as(user, password, vec![hostile]);
        assert_eq!((got, body["code"].as_str().unwrap_or("")), (status, code), "{what}: refused with {code} ({body})");
        assert!(body["event_id"].is_string(), "{what}: the refusal names the event so the device parks it");
        assert_eq!(self.hub_events(), hub_before, "{what}: the hub stored nothing");
        assert_eq!(self.observer_events(), seen_before, "{what}: no device in scope received anything");
    }

    fn refused(&self, what: &str, hostile: Value, status: u16, code: &str) {
        self.refused_as("李明", "officer-sample", what, hostile, status, code);
    }

    fn report(&self, edit: impl FnOnce(&mut Value)) -> Value {
        let mut f = self.finding.clone();
        f["id"] = json!(new_id());
        f["observed_at"] = json!(now());
        f["recorded_at"] = json!(now());
        f["updated_at"] = json!(now());
        edit(&mut f);
        let id = f["id"].as_str().unwrap().to_string();
        event("finding.reported", "finding", &id, "李明", f)
    }

    fn finding_id(&self) -> String {
        self.finding["id"].as_str().unwrap().to_string()
    }
}

#[test]
fn a_patrol_end_that_is_not_a_time_or_before_the_start_is_refused() {
    let s = scene();
    let patrol = s.patrol["id"].as_str().unwrap();
    s.refused(
        "patrol.ended with ended_at not a time",
        event("patrol.ended", "patrol", patrol, "李明", json!({"ended_at": "not a time"})),
        422,
        "malformed_event",
    );
    s.refused(
        "patrol.ended before the patrol started",
        event("patrol.ended", "patrol", patrol, "李明", json!({"ended_at": "2026-01-01T00:00:00Z"})),
        422,
        "time_out_of_order",
    );
    s.refused(
        "patrol.ended with an unknown field",
        event("patrol.ended", "patrol", patrol, "李明", json!({"ended_at": now(), "by": "x"})),
        422,
        "malformed_event",
    );
}

#[test]
fn a_forged_or_missing_due_at_is_replaced_by_the_one_the_hub_derives() {
    let s = scene();
    let forged = s.report(|f| f["due_at"] = json!("2099-01-01T00:00:00Z"));
    let missing = s.report(|f| {
        f.as_object_mut().unwrap().remove("due_at");
    });
    let (status, body) = s.push_as("李明", "officer-sample", vec![forged.clone(), missing.clone()]);
    assert_eq!(status, 200, "a due_at claim is neutralised, not a reason to refuse the report: {body}");
    let stored = |kind: &str, id: &str| -> (Value, Value) {
        let (payload, body): (String, String) = s
            .hub
            .db()
            .query_row(
                "SELECT e.payload, f.body FROM events e JOIN findings f ON f.id = e.entity_id
                 WHERE e.kind = ?1 AND e.entity_id = ?2 ORDER BY e.hub_seq DESC LIMIT 1",
                [kind, id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        (serde_json::from_str(&payload).unwrap(), serde_json::from_str(&body).unwrap())
    };
    for (what, e) in [("forged", &forged), ("missing", &missing)] {
        let id = e["entity_id"].as_str().unwrap();
        let (payload, record) = stored("finding.reported", id);
        assert!(payload["due_at"].is_null(), "{what}: a report carries no due time; the clock starts at dispatch");
        assert!(record["due_at"].is_null(), "{what}: nor does the hub's record");
    }
    // The lead dispatches one of them with a forged clock: the hub's own replaces it.
    let id = forged["entity_id"].as_str().unwrap();
    let lead = |to: &str, extra: Value| {
        let mut payload = json!({"from": if to == "accepted" { "reported" } else { "accepted" }, "to": to});
        for (k, v) in extra.as_object().unwrap() {
            payload[k] = v.clone();
        }
        let (status, body) =
            s.push_as("王建国", "lead-sample", vec![event("finding.moved", "finding", id, "王建国", payload)]);
        assert_eq!(status, 200, "the lead's {to}: {body}");
    };
    lead("accepted", json!({}));
    lead(
        "rectifying",
        json!({"unit": "WATER", "due_at": "2099-01-01T00:00:00Z", "dispatched_at": "2026-01-01T00:00:00Z"}),
    );
    let (payload, record) = stored("finding.moved", id);
    let due: DateTime<Utc> = payload["due_at"].as_str().expect("the hub derives a due time for 0101").parse().unwrap();
    assert!(due < Utc::now() + Duration::days(30), "the hub's own deadline, not 2099 ({due})");
    let started: DateTime<Utc> = payload["dispatched_at"].as_str().unwrap().parse().unwrap();
    assert!(started > Utc::now() - Duration::hours(1), "the clock starts when the hub accepted the dispatch");
    assert_eq!(payload["due_at"], record["due_at"], "the event redistributed says what the hub holds");
    s.observer.sync_until_clean(3);
    let seen = s.observer.json(&["finding", "show", id, "--json"]);
    assert_eq!(seen["due_at"], payload["due_at"], "a device in scope holds the hub's deadline ({seen})");
    assert_eq!(
        // The forged date itself: a bare "2099" also turns up by chance in a random id or hash.
        s.hub.count("SELECT count(*) FROM events WHERE payload LIKE '%2099-01-01%'"),
        0,
        "the forged time is stored nowhere at the hub"
    );
}

#[test]
fn times_in_2099_or_1970_are_refused() {
    let s = scene();
    for (field, time) in [
        ("observed_at", "2099-01-01T00:00:00Z"),
        ("observed_at", "1970-01-01T00:00:00Z"),
        ("recorded_at", "1970-01-01T00:00:00Z"),
    ] {
        let mut e = s.report(|f| f[field] = json!(time));
        if field == "recorded_at" {
            e["payload"]["observed_at"] = json!(time);
        }
        s.refused(&format!("{field} {time}"), e, 422, "time_out_of_bounds");
    }
    for time in ["2099-01-01T00:00:00Z", "1970-01-01T00:00:00Z"] {
        let mut e = s.report(|_| {});
        e["device_time"] = json!(time);
        s.refused(&format!("device_time {time}"), e, 422, "time_out_of_bounds");
    }
    let mut e = s.report(|_| {});
    e["device_time"] = json!("yesterday");
    let (status, body) = s.push_as("李明", "officer-sample", vec![e]);
    assert_eq!((status, body["code"].as_str()), (400, Some("invalid_body")), "a device_time that is no time: {body}");
}

#[test]
fn a_move_dated_before_the_report_is_refused() {
    let s = scene();
    let mut e = event(
        "finding.moved",
        "finding",
        &s.finding_id(),
        "王建国",
        json!({"from": "reported", "to": "accepted", "note": "", "photos": []}),
    );
    let recorded: DateTime<Utc> = s.finding["recorded_at"].as_str().unwrap().parse().unwrap();
    e["device_time"] = json!((recorded - Duration::hours(1)).to_rfc3339());
    s.refused_as("王建国", "lead-sample", "a move to accepted dated before the report", e, 422, "time_out_of_order");
}

#[test]
fn a_megabyte_unknown_field_is_refused() {
    let s = scene();
    let e = s.report(|f| f["padding"] = json!("x".repeat(1 << 20)));
    s.refused("a 1 MiB unknown field in a report", e, 413, "payload_too_large");
    let e = s.report(|f| f["color"] = json!("red"));
    s.refused("a small unknown field in a report", e, 422, "malformed_event");
    let e = event(
        "finding.moved",
        "finding",
        &s.finding_id(),
        "李明",
        json!({"from": "reported", "to": "accepted", "x": 1}),
    );
    s.refused("an unknown field in a move", e, 422, "malformed_event");
}

#[test]
fn empty_and_huge_ids_are_refused() {
    let s = scene();
    for (what, id) in [("empty", String::new()), ("10,000 characters", "a".repeat(10_000)), ("not v7", "x".into())] {
        let mut e = s.report(|_| {});
        e["id"] = json!(id);
        s.refused(&format!("an event id {what}"), e, 422, "invalid_id");
        let e = event("finding.edited", "finding", &id, "李明", json!({"description": "改"}));
        s.refused(&format!("an entity id {what}"), e, 422, "invalid_id");
    }
}

#[test]
fn a_move_or_edit_whose_entity_is_not_a_finding_is_refused() {
    let s = scene();
    let id = s.finding_id();
    let moved = json!({"from": "rectifying", "to": "rectified", "note": "", "photos": []});
    s.refused("a move about a patrol", event("finding.moved", "patrol", &id, "李明", moved), 422, "malformed_event");
    let edit = json!({"description": "改过的描述"});
    s.refused(
        "an edit about a weekly log",
        event("finding.edited", "weekly_log", &id, "李明", edit),
        422,
        "malformed_event",
    );
}

#[test]
fn photo_metadata_inconsistent_with_the_photo_is_refused() {
    let s = scene();
    let sha = "ab".repeat(32);
    let photo = json!({
        "sha256": sha, "role": "before", "file": format!("{sha}.jpg"), "thumbnail": format!("thumbs/{sha}.jpg"),
        "bytes": 1000, "width": 640, "height": 480,
    });
    let cases = [
        ("a file name that is not the hash", "file", json!("../../etc/passwd")),
        ("a thumbnail not derived from the hash", "thumbnail", json!("thumbs/other.jpg")),
        ("a size of zero bytes", "bytes", json!(0)),
        ("a width of zero", "width", json!(0)),
        ("an EXIF time in 2099", "exif_time", json!("2099-01-01T00:00:00Z")),
        ("an EXIF point off the globe", "exif_point", json!({"lat": 999.0, "lon": 0.0})),
    ];
    for (what, field, value) in cases {
        let mut p = photo.clone();
        p[field] = value;
        let e = s.report(|f| f["photos"] = json!([p]));
        let code = if field == "exif_time" { "time_out_of_bounds" } else { "photo_metadata" };
        s.refused(what, e, 422, code);
    }
    // Consistent metadata of a photo the hub does not hold is refused too, for another reason.
    let e = s.report(|f| f["photos"] = json!([photo]));
    s.refused("a photo never uploaded", e, 422, "photo_missing");
}

#[test]
fn photo_metadata_that_is_not_the_uploaded_photos_is_refused() {
    use sha2::{Digest, Sha256};
    let s = scene();
    // 李明 uploads a real 32×24 PNG whole.
    let png = crate::common::png(32, 24, 7);
    let sha = hex::encode(Sha256::digest(&png));
    let uploaded = s
        .http
        .put(format!("{}/api/v1/photos/{sha}?offset=0&total={}", s.hub.url(), png.len()))
        .bearer_auth(s.token("李明", "officer-sample"))
        .header("content-type", "application/octet-stream")
        .body(png.clone())
        .send()
        .unwrap();
    assert_eq!(uploaded.status().as_u16(), 200, "the photo is uploaded whole");
    let photo = json!({
        "sha256": sha, "role": "before", "file": format!("{sha}.png"), "thumbnail": format!("thumbs/{sha}.jpg"),
        "bytes": png.len(), "width": 32, "height": 24,
    });
    // Each claim is within the decoder's bounds; only the photo the hub holds can say it is false.
    let cases = [
        ("a size one byte larger than the uploaded photo", "bytes", json!(png.len() + 1)),
        ("a size of 10 MB for a photo of a few KB", "bytes", json!(10_000_000)),
        ("a width of 4000 for a 32-pixel-wide photo", "width", json!(4000)),
        ("a height of 3000 for a 24-pixel-high photo", "height", json!(3000)),
        ("width and height swapped", "width", json!(24)),
    ];
    for (what, field, value) in cases {
        let mut p = photo.clone();
        p[field] = value;
        let e = s.report(|f| f["photos"] = json!([p]));
        s.refused(what, e, 422, "photo_metadata");
    }
    // The same finding with the photo's true size, width and height is accepted and stored.
    let before = s.hub_events();
    let (status, body) = s.push_as("李明", "officer-sample", vec![s.report(|f| f["photos"] = json!([photo]))]);
    assert_eq!(status, 200, "metadata that matches the uploaded photo is accepted ({body})");
    assert_eq!(s.hub_events(), before + 1, "and the finding is stored");
}

#[test]
fn a_review_of_a_week_that_has_not_begun_and_an_unknown_kind_are_refused() {
    let s = scene();
    let payload = json!({"officer": "李明", "week": "2099-W01", "text": ""});
    s.refused(
        "log.submitted of a week in 2099",
        event("log.submitted", "weekly_log", "2099-W01/李明", "李明", payload),
        422,
        "week_not_started",
    );
    s.refused(
        "an event kind the hub does not take",
        event("finding.deleted", "finding", &s.finding_id(), "李明", json!({})),
        422,
        "unsupported_event",
    );
    let mut e = s.report(|_| {});
    e["actor"] = json!("张丽");
    s.refused("an event made in another's name", e, 403, "actor_mismatch");
}

#[test]
fn a_device_that_pulls_a_poison_event_keeps_working() {
    let hub = Hub::start();
    let officer = Client::new(&hub.url(), "李明", "officer-sample");
    let patrol = officer.json(&["patrol", "start", "--grid", GRID_A, "--json"]);
    let patrol = patrol["id"].as_str().expect("the patrol's id").to_string();
    let finding = officer.add("井盖破损，需要更换");
    officer.sync_until_clean(3);
    // Poison written straight into hub.db, as an older hub or a hand with sqlite3 could have.
    let poison = [
        ("patrol.ended", "patrol", patrol.as_str(), json!({"ended_at": "not a time"}).to_string(), now()),
        (
            "finding.moved",
            "finding",
            finding.as_str(),
            json!({"from": "reported", "to": "closed", "x": "y".repeat(100)}).to_string(),
            now(),
        ),
        ("finding.reported", "finding", "not-an-id", json!({"id": "not-an-id"}).to_string(), now()),
        ("patrol.ended", "patrol", patrol.as_str(), "{not json".to_string(), now()),
        ("patrol.ended", "patrol", patrol.as_str(), json!({"ended_at": now()}).to_string(), "not a time".to_string()),
    ];
    {
        let db = rusqlite::Connection::open(hub.dir.path().join("hub.db")).unwrap();
        db.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
        for (i, (kind, entity, entity_id, payload, device_time)) in poison.iter().enumerate() {
            db.execute(
                "INSERT INTO events (id, digest, grid, entity, entity_id, actor, kind, payload, device_time, received_at)
                 VALUES (?1, 'poison', ?2, ?3, ?4, '李明', ?5, ?6, ?7, ?8)",
                rusqlite::params![new_id(), GRID_A, entity, entity_id, kind, payload, device_time, now()],
            )
            .unwrap_or_else(|e| panic!("poison {i}: {e}"));
        }
    }
    // A lead's device over that grid pulls everything, the poison too.
    let lead = Client::new(&hub.url(), "王建国", "lead-sample");
    let round = lead.sync_until_clean(3);
    let status = lead.json(&["status", "--json"]);
    assert!(
        status["set_aside"].as_i64().unwrap_or(0) >= 3,
        "the poison the device received is set aside and counted (round {round}, status {status})"
    );
    let reasons = status["set_aside_events"].as_array().expect("set-aside events are listed with their reasons");
    assert!(
        reasons.iter().all(|r| r["code"].is_string() && r["message"].is_string()),
        "each with its reason: {status}"
    );
    let text = String::from_utf8(lead.run(&["status"]).stdout).unwrap();
    assert!(text.contains("set aside"), "`gridpatrol status` shows the set-aside changes: {text}");
    // Every read path still works.
    let list = lead.json(&["finding", "list", "--json"]);
    assert!(list.to_string().contains(&finding), "the good finding arrived beside the poison: {list}");
    lead.ok(&["finding", "show", &finding]);
    lead.ok(&["finding", "history", &finding]);
    let patrols = lead.json(&["patrol", "list", "--json"]);
    assert!(patrols.to_string().contains(&patrol), "patrol list works and shows the patrol: {patrols}");
    assert!(!patrols.to_string().contains("not a time"), "the poisoned end was not applied: {patrols}");
    let beijing = Utc::now() + Duration::hours(8);
    let week = beijing.format("%G-W%V").to_string();
    lead.ok(&["report", "week", "--week", &week]);
    lead.ok(&["report", "week", "--week", &week, "--json"]);
    lead.ok(&["status"]);
    // And the device keeps syncing: another round goes through and sets nothing aside twice.
    lead.sync_until_clean(3);
    let again = lead.json(&["status", "--json"]);
    assert_eq!(again["set_aside"], status["set_aside"], "a pulled page applied twice sets nothing aside twice");
}

//! The closed loop with responsible units (issue 12) under attack: a liaison moving another unit's
//! case, a deferral asked for a date before the due time, an officer dispatching, a dispatch to a
//! unit the hub does not know, a case "solved on the spot" without an after photo. Each hostile event
//! goes over HTTP to a real hub process, is refused with a documented code, and nothing is stored
//! (hub.db is read directly) or redistributed (the lead's device pulls nothing new).

use chrono::{DateTime, Duration, Utc};
use gridpatrol_core::clock::{IdSource, OsIds};
use serde_json::{json, Value};

use crate::common::{assert_documented, http, Client, Hub};

/// A hub with the sample users and a second liaison (孙工, of ROADS); one case of 李明's accepted
/// and dispatched by the lead to WATER (the default unit of 0101), one only accepted.
struct Scene {
    hub: Hub,
    lead: Client,
    dispatched: Value,
    accepted: Value,
}

fn scene() -> Scene {
    let hub = Hub::start();
    let added = hub.admin(
        &["user", "add", "孙工", "--role", "liaison", "--unit", "ROADS", "--password-stdin"],
        "liaison-sample\n",
    );
    assert!(added.status.success(), "a liaison of ROADS: {}", String::from_utf8_lossy(&added.stderr));
    let refused = hub.admin(&["user", "add", "钱工", "--role", "liaison", "--password-stdin"], "liaison-sample\n");
    assert!(!refused.status.success(), "a liaison without a unit is refused at the hub");
    let refused = hub
        .admin(&["user", "add", "钱工", "--role", "liaison", "--unit", "NOPE", "--password-stdin"], "liaison-sample\n");
    assert!(!refused.status.success(), "a liaison of an unknown unit is refused at the hub");
    let officer = Client::new(&hub.url(), "李明", "officer-sample");
    let first = officer.add("上水井盖破损");
    let second = officer.add("上水井盖松动");
    officer.sync_until_clean(3);
    let lead = Client::new(&hub.url(), "王建国", "lead-sample");
    lead.sync_until_clean(3);
    for id in [&first, &second] {
        lead.ok(&["finding", "move", id, "accepted"]);
    }
    lead.ok(&["finding", "move", &first, "rectifying"]);
    lead.sync_until_clean(3);
    let body = |id: &str| -> Value {
        let text: String =
            hub.db().query_row("SELECT body FROM findings WHERE id = ?1", [id], |r| r.get(0)).expect("at the hub");
        serde_json::from_str(&text).unwrap()
    };
    let (dispatched, accepted) = (body(&first), body(&second));
    assert_eq!(dispatched["unit"], "WATER", "the lead's dispatch reached the hub");
    assert!(dispatched["due_at"].is_string() && dispatched["dispatched_at"].is_string(), "with the hub's clock");
    Scene { hub, lead, dispatched, accepted }
}

fn event(kind: &str, finding: &Value, actor: &str, payload: Value) -> Value {
    json!({
        "id": OsIds.next_id(Utc::now()).to_string(), "entity": "finding",
        "entity_id": finding["id"], "actor": actor, "kind": kind, "payload": payload,
        "device_time": Utc::now().to_rfc3339(),
    })
}

impl Scene {
    /// Pushes `hostile` as `user` and checks the refusal, that hub.db is as it was, and that the
    /// lead's device pulls nothing new.
    fn refused(&self, what: &str, hostile: Value, user: &str, status: u16, code: &str) {
        let password = match user {
            "李明" => "officer-sample",
            "王建国" => "lead-sample",
            _ => "liaison-sample",
        };
        let count = || self.hub.count("SELECT count(*) FROM events");
        let bodies =
            || self.hub.count("SELECT count(*) FROM findings WHERE body LIKE '%deferral\"%' OR status = 'closed'");
        let seen = || {
            self.lead.sync_until_clean(3);
            self.lead.json(&["status", "--json"])["counts"]["events"].as_i64().unwrap()
        };
        let (events_before, bodies_before, seen_before) = (count(), bodies(), seen());
        let token = self.hub.token(user, password, "redteam");
        let r = http()
            .post(format!("{}/api/v1/push", self.hub.url()))
            .bearer_auth(token)
            .json(&json!({"protocol": 1, "events": [hostile]}))
            .send()
            .unwrap();
        let got = r.status().as_u16();
        let body: Value = r.json().unwrap_or(Value::Null);
        assert_documented(&self.hub, "POST", "/api/v1/push", got, &body);
        assert_eq!((got, body["code"].as_str().unwrap_or("")), (status, code), "{what}: refused with {code} ({body})");
        assert_eq!(count(), events_before, "{what}: the hub stored no event");
        assert_eq!(bodies(), bodies_before, "{what}: no finding changed at the hub");
        assert_eq!(seen(), seen_before, "{what}: no device received anything");
    }
}

#[test]
fn a_liaison_cannot_move_another_units_case() {
    let s = scene();
    let handled = json!({"from": "rectifying", "to": "rectified", "note": "已处理"});
    s.refused(
        "a ROADS liaison reports WATER's case handled",
        event("finding.moved", &s.dispatched, "孙工", handled.clone()),
        "孙工",
        403,
        "out_of_scope",
    );
    s.refused(
        "a ROADS liaison returns WATER's case",
        event(
            "finding.moved",
            &s.dispatched,
            "孙工",
            json!({"from": "rectifying", "to": "accepted", "note": "不归我们"}),
        ),
        "孙工",
        403,
        "out_of_scope",
    );
}

#[test]
fn a_deferral_before_the_due_time_is_refused() {
    let s = scene();
    let due: DateTime<Utc> = s.dispatched["due_at"].as_str().unwrap().parse().unwrap();
    let early = json!({"until": (due - Duration::hours(1)).to_rfc3339(), "reason": "材料未到"});
    s.refused(
        "a deferral an hour before the due time",
        event("finding.deferral_requested", &s.dispatched, "周联络", early),
        "周联络",
        422,
        "deferral_too_early",
    );
    let no_reason = json!({"until": (due + Duration::days(2)).to_rfc3339(), "reason": ""});
    s.refused(
        "a deferral without a reason",
        event("finding.deferral_requested", &s.dispatched, "周联络", no_reason),
        "周联络",
        422,
        "empty_text",
    );
    let decided = json!({"approved": true, "note": ""});
    s.refused(
        "a liaison deciding their own deferral",
        event("finding.deferral_decided", &s.dispatched, "周联络", decided),
        "周联络",
        409,
        "step_not_allowed",
    );
}

#[test]
fn an_officer_cannot_dispatch_and_a_dispatch_names_a_known_unit() {
    let s = scene();
    s.refused(
        "an officer dispatching",
        event("finding.moved", &s.accepted, "李明", json!({"from": "accepted", "to": "rectifying", "unit": "WATER"})),
        "李明",
        409,
        "move_not_allowed",
    );
    s.refused(
        "a dispatch to a unit the hub does not know",
        event("finding.moved", &s.accepted, "王建国", json!({"from": "accepted", "to": "rectifying", "unit": "NOPE"})),
        "王建国",
        422,
        "unknown_unit",
    );
    s.refused(
        "a first dispatch naming no unit",
        event("finding.moved", &s.accepted, "王建国", json!({"from": "accepted", "to": "rectifying"})),
        "王建国",
        422,
        "dispatch_needs_unit",
    );
}

#[test]
fn an_on_the_spot_record_without_an_after_photo_is_refused() {
    let s = scene();
    let sha = "a".repeat(64);
    let before = json!({"sha256": sha, "role": "before", "file": format!("{sha}.jpg"),
        "thumbnail": format!("thumbs/{sha}.jpg"), "bytes": 1000, "width": 64, "height": 48});
    let mut f = s.accepted.clone();
    let id = OsIds.next_id(Utc::now()).to_string();
    let now = Utc::now().to_rfc3339();
    for (k, v) in [
        ("id", json!(id)),
        ("status", json!("closed")),
        ("on_the_spot", json!(true)),
        ("photos", json!([before])),
        ("observed_at", json!(now)),
        ("recorded_at", json!(now)),
        ("updated_at", json!(now)),
    ] {
        f[k] = v;
    }
    let e = json!({
        "id": OsIds.next_id(Utc::now()).to_string(), "entity": "finding", "entity_id": id, "actor": "李明",
        "kind": "finding.reported", "payload": f, "device_time": Utc::now().to_rfc3339(),
    });
    s.refused("当场处置 with a before photo only", e, "李明", 422, "after_photo_required");
}

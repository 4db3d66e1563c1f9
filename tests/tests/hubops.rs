//! Operating a hub, against real processes: the administration commands run by a second
//! `gridpatrol-hub` process on the data folder a hub is serving (SQLite WAL) and take effect on the
//! next request; a backup taken while clients push restores into a fresh folder whose hub holds
//! every event and photo acknowledged before the backup began; and a device that is ahead of a
//! restored hub pushes again what the hub lost, without duplicating anything.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{http, png, wait_until, Client, Hub, GRID_A};
use serde_json::Value;
use sha2::{Digest, Sha256};

const GRID_B: &str = "37160200100102";

fn admin_ok(hub: &Hub, args: &[&str], stdin: &str) -> String {
    let out = hub.admin(args, stdin);
    assert!(out.status.success(), "gridpatrol-hub {args:?} while serving: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

#[test]
fn user_administration_while_the_hub_serves_takes_effect_on_the_next_request() {
    let hub = Hub::start();
    let li = hub.token("李明", "officer-sample", "laptop");
    assert_eq!(hub.pull(&li, 0).0, 200, "the token works before any change");

    // Disable: the token and sign-in are refused with a clear code, the data stays.
    let officer = Client::new(&hub.url(), "李明", "officer-sample");
    officer.add("停用前的发现");
    officer.sync_until_clean(3);
    admin_ok(&hub, &["user", "disable", "李明"], "");
    let (status, body) = hub.pull(&li, 0);
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("user_disabled")),
        "a disabled user's token is refused at once"
    );
    let (status, _, body) = hub.sign_in("李明", "officer-sample", "another");
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("user_disabled")),
        "a disabled user's sign-in is refused by name"
    );
    let (status, _, body) = hub.sign_in("李明", "wrong-password", "another");
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("bad_credentials")),
        "without the password nobody learns the user is disabled"
    );
    let out = officer.run(&["sync", "--json"]);
    assert!(!out.status.success(), "a disabled user's device cannot sync");
    assert_eq!(hub.reported(), 1, "disabling keeps the user's data");
    admin_ok(&hub, &["user", "enable", "李明"], "");
    assert_eq!(hub.pull(&li, 0).0, 200, "enabled again, the same device works on its next request");

    // Grids: 张丽 sees 李明's finding in GRID_A, then not once she is moved to GRID_B.
    let zhang = hub.token("张丽", "officer-sample", "zhang-laptop");
    let (_, page) = hub.pull(&zhang, 0);
    assert_eq!(page["events"].as_array().unwrap().len(), 1, "张丽 sees her grid's finding");
    admin_ok(&hub, &["user", "grids", "张丽", GRID_B], "");
    let (_, page) = hub.pull(&zhang, 0);
    assert_eq!(
        page["events"].as_array().unwrap().len(),
        0,
        "moved to another grid, 张丽's next pull has her new scope"
    );

    // Role: a lead over the large grid sees the finding again.
    admin_ok(&hub, &["user", "role", "张丽", "lead", "--grids", "371602001"], "");
    let (_, page) = hub.pull(&zhang, 0);
    assert_eq!(page["events"].as_array().unwrap().len(), 1, "made a lead, 张丽's next pull has the large grid's scope");

    // Password: every token is revoked, the new password signs in, the old one does not.
    admin_ok(&hub, &["user", "password", "李明", "--password-stdin"], "a-brand-new-password\n");
    assert_eq!(hub.pull(&li, 0).0, 401, "a password reset revokes the user's tokens at once");
    assert_eq!(hub.sign_in("李明", "officer-sample", "x").0, 401, "the old password is refused");
    assert_eq!(hub.sign_in("李明", "a-brand-new-password", "x").0, 200, "the new password signs in");

    // Sessions: listed per device and revoked one at a time.
    let sessions: Value = serde_json::from_str(&admin_ok(&hub, &["user", "sessions", "张丽", "--json"], "")).unwrap();
    let id = sessions[0]["id"].as_str().unwrap().to_string();
    admin_ok(&hub, &["user", "revoke", "张丽", "--session", &id], "");
    assert_eq!(hub.pull(&zhang, 0).0, 401, "a revoked session is refused on its next request");

    let audit: Value = serde_json::from_str(&admin_ok(&hub, &["audit", "--json"], "")).unwrap();
    let actions: Vec<&str> = audit.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for action in ["user.disable", "user.enable", "user.grids", "user.role", "user.password", "user.revoke"] {
        assert!(actions.contains(&action), "the audit trail records {action}: {actions:?}");
    }
    let refused = hub.admin(&["user", "disable", "无此人"], "");
    assert!(
        stderr(&refused).contains("unknown_user"),
        "an unknown user is refused while serving: {}",
        stderr(&refused)
    );
}

/// Adds a finding in GRID_A with one photo of its own (written to `dir`); its id.
fn add_with_photo(client: &Client, dir: &Path, text: &str, seed: u8) -> String {
    let file = dir.join(format!("photo-{seed}.png"));
    std::fs::write(&file, png(64, 48, seed)).unwrap();
    let args = ["finding", "add", "--grid", GRID_A, "--category", "0101", "--description", text, "--photo"];
    let mut args: Vec<&str> = args.to_vec();
    let path = file.to_str().unwrap().to_string();
    args.push(&path);
    args.push("--json");
    client.json(&args)["id"].as_str().unwrap().to_string()
}

fn strings(db: &rusqlite::Connection, sql: &str) -> BTreeSet<String> {
    let mut stmt = db.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
}

/// Every event id the hub at `hub` serves to an administrator, pulled page by page from 0.
fn pulled_ids(hub: &Hub, token: &str) -> Vec<String> {
    let (mut since, mut ids) = (0, Vec::new());
    loop {
        let (status, page) = hub.pull(token, since);
        assert_eq!(status, 200, "the restored hub serves pulls: {page}");
        for e in page["events"].as_array().unwrap() {
            ids.push(e["id"].as_str().unwrap().to_string());
        }
        since = page["cursor"].as_i64().unwrap();
        if !page["more"].as_bool().unwrap() {
            return ids;
        }
    }
}

#[test]
fn a_backup_under_load_restores_every_event_and_photo_acknowledged_before_it_began() {
    let hub = Hub::start();
    let photos = tempfile::tempdir().unwrap();
    let li = Client::new(&hub.url(), "李明", "officer-sample");
    for i in 0..8u8 {
        add_with_photo(&li, photos.path(), &format!("备份前的发现{i}"), i);
    }
    li.sync_until_clean(3);
    assert_eq!(li.pending(), 0, "everything before the backup is acknowledged");
    // Acknowledged before the backup began: an ack follows the commit, so the hub's committed log is it.
    let acked_events = strings(&hub.db(), "SELECT id FROM events");
    let acked_photos = strings(&hub.db(), "SELECT sha256 FROM photo_uploads");
    assert_eq!(acked_photos.len(), 8, "eight photos were uploaded before the backup");

    // The load: another officer records and pushes findings with photos without pause.
    let zhang = Client::new(&hub.url(), "张丽", "officer-sample");
    let stop = Arc::new(AtomicBool::new(false));
    let loader = {
        let stop = stop.clone();
        let dir = photos.path().to_path_buf();
        std::thread::spawn(move || {
            let mut rounds = 0u8;
            while !stop.load(Ordering::SeqCst) {
                add_with_photo(&zhang, &dir, &format!("备份中的发现{rounds}"), 100u8.wrapping_add(rounds));
                let _ = zhang.run(&["sync"]);
                rounds = rounds.wrapping_add(1);
            }
            zhang
        })
    };
    let before = hub.reported();
    wait_until(Duration::from_secs(60), "the load to push", || hub.reported() > before);

    // A slow backup (one page a step, 10 ms apart) so that pushes surely commit while it copies.
    let at_start = hub.reported();
    let backup = tempfile::tempdir().unwrap();
    let dest = backup.path().join("b");
    let args = ["backup", dest.to_str().unwrap(), "--pages-per-step", "1", "--pause-ms", "10"];
    let out = admin_ok(&hub, &args, "");
    let at_end = hub.reported();
    stop.store(true, Ordering::SeqCst);
    let zhang = loader.join().unwrap();
    assert!(at_end > at_start, "pushes were acknowledged while the backup ran ({at_start} → {at_end}): {out}");
    zhang.sync_until_clean(3);

    // A copy of a non-empty folder is refused, and restore refuses a non-empty folder.
    let refused = hub.admin(&["backup", dest.to_str().unwrap()], "");
    assert!(stderr(&refused).contains("backup_dir_not_empty"), "a backup never overwrites: {}", stderr(&refused));
    let out = common::bin("gridpatrol-hub");
    let restore = |target: &Path| {
        std::process::Command::new(&out)
            .arg("--data-dir")
            .arg(target)
            .args(["restore", dest.to_str().unwrap()])
            .output()
            .unwrap()
    };
    let refused = restore(hub.dir.path());
    assert!(stderr(&refused).contains("data_dir_not_empty"), "restore refuses a folder in use: {}", stderr(&refused));

    let fresh = tempfile::tempdir().unwrap();
    let restored = restore(fresh.path());
    assert!(restored.status.success(), "restore: {}", stderr(&restored));
    let restored = Hub::serve_folder(fresh, "127.0.0.1:0");
    let admin = restored.token("admin", "admin-sample", "restore-check");
    let ids: Vec<String> = pulled_ids(&restored, &admin);
    let held: BTreeSet<String> = ids.iter().cloned().collect();
    assert_eq!(held.len(), ids.len(), "no event is twice in the restored hub");
    let missing: Vec<&String> = acked_events.difference(&held).collect();
    assert!(missing.is_empty(), "every event acknowledged before the backup began is restored; missing {missing:?}");
    for sha in &acked_photos {
        let response =
            http().get(format!("{}/api/v1/photos/{sha}", restored.url())).bearer_auth(&admin).send().unwrap();
        assert_eq!(response.status().as_u16(), 200, "photo {sha} acknowledged before the backup is served");
        let body = response.bytes().unwrap();
        assert_eq!(hex::encode(Sha256::digest(&body)), *sha, "photo {sha} is restored whole");
    }
    // Consistent: every photo the restored database names is there.
    let named = strings(&restored.db(), "SELECT sha256 FROM photo_uses UNION SELECT sha256 FROM photo_uploads");
    for sha in named {
        assert!(
            restored.dir.path().join("photos").join(&sha).is_file(),
            "photo {sha} named by the restored database is restored"
        );
    }
    let epochs = strings(&restored.db(), "SELECT value FROM hub_meta WHERE key = 'epoch'");
    assert!(
        !epochs.contains(
            &strings(&hub.db(), "SELECT value FROM hub_meta WHERE key = 'epoch'").into_iter().next().unwrap()
        ),
        "the restored hub has a new epoch"
    );
}

#[test]
fn a_device_ahead_of_a_restored_hub_pushes_again_what_it_lost_without_duplicates() {
    let mut hub = Hub::start();
    let photos = tempfile::tempdir().unwrap();
    let li = Client::new(&hub.url(), "李明", "officer-sample");
    for i in 0..3 {
        li.add(&format!("备份前{i}"));
    }
    li.sync_until_clean(3);
    // Signed in before the backup, so the restored hub knows its token (a device that signed in
    // after the backup signs in again: its token is among what the restored hub lost).
    let zhang = Client::new(&hub.url(), "张丽", "officer-sample");
    let backup = tempfile::tempdir().unwrap();
    let dest = backup.path().join("b");
    admin_ok(&hub, &["backup", dest.to_str().unwrap()], "");

    // After the backup: two more findings (one with a photo) and a move, all acknowledged.
    let lost = li.add("备份后丢失的发现");
    add_with_photo(&li, photos.path(), "备份后带照片", 7);
    li.sync_until_clean(3);
    hub.assert_exactly_once(5);
    // Another device pulled everything, including what the restored hub will lack.
    zhang.sync_until_clean(3);

    // The hub is lost and restored from the backup on the same address.
    let addr = hub.addr.clone();
    hub.kill();
    let fresh = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(common::bin("gridpatrol-hub"))
        .arg("--data-dir")
        .arg(fresh.path())
        .args(["restore", dest.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "restore: {}", stderr(&out));
    let restored = Hub::serve_folder(fresh, &addr);
    assert_eq!(restored.reported(), 3, "the restored hub lacks what came after the backup");

    // 李明's device sees the new epoch and sends again what it had acknowledged.
    li.sync_until_clean(3);
    assert_eq!(li.pending(), 0, "nothing is left pending");
    restored.assert_exactly_once(5);
    assert!(restored.entity_ids("finding.reported").contains(&lost), "the lost finding is back at the hub");
    assert_eq!(restored.count("SELECT count(*) FROM photo_uploads"), 1, "the lost photo is uploaded again");
    assert_eq!(li.json(&["status", "--json"])["parked"].as_i64().unwrap(), 0, "no event was refused on the way");

    // The other device re-reads the restored log: still five findings, none twice.
    zhang.sync_until_clean(3);
    let db = common::device_db(zhang.dir.path(), true).unwrap();
    let (findings, reports): (i64, i64) = db
        .query_row(
            "SELECT (SELECT count(*) FROM findings), (SELECT count(*) FROM events WHERE kind = 'finding.reported')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((findings, reports), (5, 5), "the other device holds each finding once after the restore");
    assert_eq!(zhang.json(&["status", "--json"])["pending"], 0);
}

/// The hub's events as `(id, digest, accepted time)` in hub order.
fn event_log(dir: &Path) -> Vec<(String, String, String)> {
    let db =
        rusqlite::Connection::open_with_flags(dir.join("hub.db"), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut stmt = db.prepare("SELECT id, digest, received_at FROM events ORDER BY hub_seq").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().collect::<Result<_, _>>().unwrap()
}

#[test]
fn the_start_command_opens_on_a_lived_in_sample_city() {
    use chrono::{DateTime, Datelike, Utc, Weekday};
    use gridpatrol_core::calendar::CITY_TZ;

    let hub = Hub::start();
    // Written while the hub serves, as scripts/start.sh does before it serves.
    let summary: Value = serde_json::from_str(&admin_ok(&hub, &["sample", "--seed", "7", "--json"], "")).unwrap();
    assert_eq!(summary["weeks"].as_array().unwrap().len(), 4, "four weeks, the last the current one: {summary}");

    // Patrols only on the rhythm's days (Wednesday and Saturday, Beijing time), and many of them.
    let db = hub.db();
    let starts: Vec<String> = db
        .prepare("SELECT json_extract(body, '$.started_at') FROM patrols")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(starts.len() >= 25, "five officers patrol twice a week: {} patrols", starts.len());
    for s in &starts {
        let day = s.parse::<DateTime<Utc>>().unwrap().with_timezone(&CITY_TZ).weekday();
        assert!(matches!(day, Weekday::Wed | Weekday::Sat), "a patrol on {day} ({s}) is off the rhythm");
    }
    // The history went through the hub's judge at the sample city's clock: accepted times spread
    // over the weeks, and the offline patrol's reports accepted days after they were observed.
    let offline: i64 = hub.count(
        "SELECT count(*) FROM events WHERE kind = 'finding.reported'
           AND julianday(received_at) - julianday(json_extract(payload, '$.observed_at')) > 1.5",
    );
    assert!(offline >= 1, "a patrol walked offline on Wednesday is synced on Friday, keeping its observed times");
    let span: f64 = db
        .query_row("SELECT julianday(max(received_at)) - julianday(min(received_at)) FROM events", [], |r| r.get(0))
        .unwrap();
    assert!(span > 14.0, "the hub accepted the history over weeks, not at once ({span:.1} days)");
    assert!(hub.count("SELECT count(*) FROM events WHERE kind = 'finding.deferral_requested'") >= 2);
    assert!(
        hub.count("SELECT count(*) FROM events WHERE kind = 'finding.deferral_decided'") >= 1,
        "a deferral was asked and decided"
    );

    // The lead's device signs in and pulls the city: every state of the loop, and a queue to work.
    let lead = Client::new(&hub.url(), "王建国", "lead-sample");
    lead.sync_until_clean(3);
    let findings = lead.json(&["finding", "list", "--json"]);
    let statuses: BTreeSet<String> =
        findings.as_array().unwrap().iter().map(|f| f["status"].as_str().unwrap().to_string()).collect();
    for status in gridpatrol_core::Status::ALL {
        assert!(statuses.contains(status.as_str()), "no finding is {status} in the sample city: {statuses:?}");
    }
    assert!(findings.as_array().unwrap().iter().any(|f| f["overdue"] == true), "some cases are overdue");
    let status = lead.json(&["status", "--json"]);
    assert_eq!(status["sample"], true, "the device says its data is sample data");
    for item in status["queue"]["items"].as_array().unwrap() {
        assert!(item["count"].as_u64().unwrap() > 0, "the lead's queue has work under every card: {item}");
    }
    let plain = lead.ok(&["status"]);
    assert!(plain.contains("Sample data"), "status says the data is sample data: {plain}");

    // Weekly logs: submitted, most approved, one returned with the lead's comment, some waiting.
    let reviews: Vec<Value> = db
        .prepare("SELECT body FROM log_reviews")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|b| serde_json::from_str(&b.unwrap()).unwrap())
        .collect();
    let state = |s: &str| reviews.iter().filter(|r| r["state"] == s).count();
    assert!(state("approved") >= 5 && state("submitted") >= 1, "logs approved and waiting: {reviews:?}");
    let returned: Vec<&Value> = reviews.iter().filter(|r| r["state"] == "returned").collect();
    assert_eq!(returned.len(), 1, "one log is returned");
    assert!(!returned[0]["comment"].as_str().unwrap().is_empty(), "the returned log carries the lead's comment");

    // The unit's liaison has cases to handle, a rework and an overdue one.
    let liaison = Client::new(&hub.url(), "周联络", "liaison-sample");
    liaison.sync_until_clean(3);
    let queue = liaison.json(&["status", "--json"])["queue"]["items"].clone();
    for item in queue.as_array().unwrap() {
        assert!(item["count"].as_u64().unwrap() > 0, "the liaison's queue has work under every card: {item}");
    }

    // Written once: a hub that holds events is refused, nothing changed.
    let before = hub.count("SELECT count(*) FROM events");
    let out = hub.admin(&["sample"], "");
    assert!(!out.status.success() && stderr(&out).contains("sample_needs_empty_hub"), "{}", stderr(&out));
    assert_eq!(hub.count("SELECT count(*) FROM events"), before, "a refused sample changes nothing");
}

#[test]
fn the_sample_city_is_the_same_for_the_same_seed() {
    let dirs: Vec<tempfile::TempDir> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    for dir in &dirs {
        for args in
            [&["init", "--sample"][..], &["sample", "--seed", "3", "--weeks", "2", "--until", "2026-11-29T04:00:00Z"]]
        {
            let out = std::process::Command::new(common::bin("gridpatrol-hub"))
                .arg("--data-dir")
                .arg(dir.path())
                .args(args)
                .output()
                .unwrap();
            assert!(out.status.success(), "gridpatrol-hub {args:?}: {}", stderr(&out));
        }
    }
    let (a, b) = (event_log(dirs[0].path()), event_log(dirs[1].path()));
    assert!(a.len() > 50, "two weeks of activity: {} events", a.len());
    assert!(a == b, "the same seed and end give the same events, digests and accepted times");
}

//! Issue 13, item 1: the hub is the source of reference data. Real processes on loopback: a
//! `gridpatrol-hub` holding a registry no device has seen (made here, not the sample), and bare
//! `gridpatrol` devices (initialised without `--sample`) that sign in, take the registry, record,
//! move and pull findings in it; a registry imported at the hub while it serves reaches a device on
//! its next sync; a broken reference document changes nothing on the device and is shown as the
//! sync error; a device that never signs in shows nothing waiting to sync.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::{bin, Client, Hub};
use serde_json::{json, Value};

/// A small city no device has seen: one large grid with two small grids, far from the sample city.
fn registry(second_name: &str, second_east: f64) -> Value {
    let square = |w: f64, s: f64, e: f64, n: f64| json!({"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]});
    json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "990001", "name": "测试大网格", "parent": null, "owners": ["赵六"]},
         "geometry": square(120.0, 30.0, 120.02, 30.01)},
        {"type": "Feature", "properties": {"code": "99000101", "name": "测试小网格一", "parent": "990001", "owners": ["孙七"]},
         "geometry": square(120.0, 30.0, 120.01, 30.01)},
        {"type": "Feature", "properties": {"code": "99000102", "name": second_name, "parent": "990001", "owners": ["孙七"]},
         "geometry": square(120.01, 30.0, second_east, 30.01)},
    ]})
}

fn hub_cmd(dir: &Path, args: &[&str], stdin: &str) {
    use std::io::Write;
    let mut child = Command::new(bin("gridpatrol-hub"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "gridpatrol-hub {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A hub initialised without the sample, given the test city's registry and two users.
fn city_hub() -> Hub {
    let dir = tempfile::tempdir().unwrap();
    hub_cmd(dir.path(), &["init"], "");
    let file = dir.path().join("city.geojson");
    std::fs::write(&file, registry("测试小网格二", 120.02).to_string()).unwrap();
    hub_cmd(dir.path(), &["import", "registry", file.to_str().unwrap()], "");
    hub_cmd(
        dir.path(),
        &["user", "add", "孙七", "--role", "officer", "--grids", "99000101,99000102", "--password-stdin"],
        "officer-pass-7\n",
    );
    hub_cmd(
        dir.path(),
        &["user", "add", "赵六", "--role", "lead", "--grids", "990001", "--password-stdin"],
        "lead-pass-66\n",
    );
    Hub::serve_folder(dir, "127.0.0.1:0")
}

/// A device initialised without `--sample`, signed in to `hub`.
fn bare_device(hub: &Hub, user: &str, password: &str) -> Client {
    let c = Client { dir: tempfile::tempdir().unwrap() };
    c.ok(&["init"]);
    assert_eq!(c.device_count("SELECT count(*) FROM grids"), 0, "a bare device holds no registry");
    login(&c, hub, user, password);
    c
}

/// Signs `c` in to `hub` as `user`.
fn login(c: &Client, hub: &Hub, user: &str, password: &str) {
    let mut child = c
        .command(&["login", "--hub", &hub.url(), "--user", user, "--password-stdin"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), format!("{password}\n").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "login as {user}: {}", String::from_utf8_lossy(&out.stderr));
}

trait Device {
    fn db(&self) -> rusqlite::Connection;
    fn device_count(&self, sql: &str) -> i64;
    fn text(&self, sql: &str) -> String;
}

impl Device for Client {
    fn db(&self) -> rusqlite::Connection {
        common::device_db(self.dir.path(), false).expect("the device's store, keyed")
    }
    fn device_count(&self, sql: &str) -> i64 {
        self.db().query_row(sql, [], |r| r.get(0)).unwrap()
    }
    fn text(&self, sql: &str) -> String {
        self.db().query_row(sql, [], |r| r.get(0)).unwrap()
    }
}

#[test]
fn a_bare_device_signs_in_takes_the_hubs_registry_and_works_in_it() {
    let hub = city_hub();
    let officer = bare_device(&hub, "孙七", "officer-pass-7");
    assert_eq!(officer.device_count("SELECT count(*) FROM grids"), 3, "the hub's registry arrived with the sign-in");
    assert!(officer.device_count("SELECT count(*) FROM categories") > 0, "and the category tree");
    assert_eq!(
        officer.device_count("SELECT count(*) FROM users WHERE name = '赵六' AND role = 'lead'"),
        1,
        "and the roster"
    );
    assert_eq!(officer.pending(), 0, "signing in leaves nothing waiting to sync");

    let id = officer.json(&[
        "finding",
        "add",
        "--grid",
        "99000101",
        "--category",
        "10101",
        "--description",
        "新城区井盖破损",
        "--json",
    ])["id"]
        .as_str()
        .unwrap()
        .to_string();
    let report = officer.sync_until_clean(3);
    assert_eq!(report["pushed"], 1, "the finding in the hub's grid is accepted: {report}");

    // The lead's bare laptop pulls it, in a grid it learnt from the hub, and accepts it.
    let lead = bare_device(&hub, "赵六", "lead-pass-66");
    let report = lead.sync_until_clean(3);
    assert_eq!(report["set_aside"], 0, "nothing pulled is set aside: {report}");
    assert_eq!(
        lead.device_count(&format!("SELECT count(*) FROM findings WHERE id = '{id}'")),
        1,
        "the lead sees the finding"
    );
    lead.ok(&["finding", "move", &id, "accepted"]);
    assert_eq!(lead.sync_until_clean(3)["pending"], 0);

    // The officer pulls the move.
    officer.sync_until_clean(3);
    assert_eq!(
        officer.text(&format!("SELECT status FROM findings WHERE id = '{id}'")),
        "accepted",
        "the lead's move reached the officer"
    );

    // A registry change at the hub, imported while it serves, reaches the device on its next sync.
    let version_before = officer.text("SELECT value FROM settings WHERE key = 'reference.version'");
    let file = hub.dir.path().join("city-2.geojson");
    std::fs::write(&file, registry("测试小网格二（调整）", 120.015).to_string()).unwrap();
    hub_cmd(hub.dir.path(), &["import", "registry", file.to_str().unwrap()], "");
    officer.sync_until_clean(3);
    assert_eq!(
        officer.text("SELECT name FROM grids WHERE code = '99000102'"),
        "测试小网格二（调整）",
        "the renamed grid reached the device"
    );
    assert!(
        officer.text("SELECT boundary FROM grids WHERE code = '99000102'").contains("120.015"),
        "the redrawn boundary reached the device"
    );
    assert_ne!(
        officer.text("SELECT value FROM settings WHERE key = 'reference.version'"),
        version_before,
        "a new version"
    );

    // A grid added while the hub serves: the hub scopes users with it at once, no restart, so the
    // lead over the large grid, signing in again, is given it, records a finding in it and the hub
    // accepts it. (A device learns its scope when it signs in.)
    let mut split = registry("测试小网格二（调整）", 120.015);
    split["features"].as_array_mut().unwrap().push(json!({"type": "Feature",
        "properties": {"code": "99000103", "name": "测试小网格三", "parent": "990001", "owners": ["赵六"]},
        "geometry": {"type": "Polygon", "coordinates": [[[120.015, 30.0], [120.02, 30.0], [120.02, 30.01], [120.015, 30.01], [120.015, 30.0]]]}}));
    let file = hub.dir.path().join("city-3.geojson");
    std::fs::write(&file, split.to_string()).unwrap();
    hub_cmd(hub.dir.path(), &["import", "registry", file.to_str().unwrap()], "");
    lead.sync_until_clean(3);
    assert_eq!(
        lead.device_count("SELECT count(*) FROM grids WHERE code = '99000103'"),
        1,
        "the new grid reached the lead"
    );
    login(&lead, &hub, "赵六", "lead-pass-66");
    lead.ok(&["finding", "add", "--grid", "99000103", "--category", "10101", "--description", "新网格里的井盖破损"]);
    let report = lead.sync_until_clean(3);
    assert_eq!(report["pushed"], 1, "the serving hub scopes the lead with the grid imported while it served: {report}");

    // A broken document (a holiday table the loader refuses, written into the hub's reference store
    // by hand, with a new version) changes nothing on the device and is shown as the sync error.
    let version = officer.text("SELECT value FROM settings WHERE key = 'reference.version'");
    let reference =
        rusqlite::Connection::open(hub.dir.path().join("reference").join(gridpatrol_core::store::DB_FILE)).unwrap();
    reference
        .execute(
            "INSERT INTO settings (key, value) VALUES ('deadline.holidays', '{\"holidays\": \"not a list\"}')
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [],
        )
        .unwrap();
    hub.db_rw()
        .execute("INSERT INTO audit (at, os_user, action, target) VALUES ('2026-12-01T00:00:00.000Z', 'test', 'test.break', 'holidays')", [])
        .unwrap();
    let grids_before = officer.text("SELECT group_concat(code || name || boundary) FROM grids ORDER BY code");
    let out = officer.run(&["sync", "--json"]);
    assert!(!out.status.success(), "a round that could not take the reference data fails");
    let status = officer.json(&["status", "--json"]);
    assert_eq!(status["sync"]["last_error"]["code"], "reference_data", "the person sees why: {status}");
    assert_eq!(
        officer.text("SELECT value FROM settings WHERE key = 'reference.version'"),
        version,
        "the version held is unchanged"
    );
    assert_eq!(
        officer.text("SELECT group_concat(code || name || boundary) FROM grids ORDER BY code"),
        grids_before,
        "the registry is unchanged"
    );
}

#[test]
fn a_device_that_never_signs_in_keeps_the_sample_and_has_nothing_to_sync() {
    let c = Client { dir: tempfile::tempdir().unwrap() };
    c.ok(&["init", "--sample", "--user", "李明", "--role", "officer"]);
    assert_eq!(c.device_count("SELECT count(*) FROM grids WHERE level = 'small'"), 239, "the sample registry is there");
    assert_eq!(c.pending(), 0, "its profile and registry import never travel, so nothing waits to sync");
    let status = String::from_utf8(c.run(&["status"]).stdout).unwrap();
    assert!(!status.contains("changes waiting"), "the status line shows no phantom work: {status}");
}

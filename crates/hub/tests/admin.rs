//! The administration commands of `gridpatrol-hub` on a data folder: each change is made and
//! recorded in the audit trail, and each bad input is refused with a clear zh/en error naming the
//! field and its stable code, changing nothing (neither the users nor the audit trail). The effect
//! of a change on a serving hub is tested against a real hub process in tests/tests/hubops.rs.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const SMALL_A: &str = "37160200100101";
const SMALL_B: &str = "37160200100102";
const LARGE: &str = "371602001";

fn hub(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gridpatrol-hub"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn ok(dir: &Path, args: &[&str], stdin: &str) -> String {
    let out = hub(dir, args, stdin);
    assert!(out.status.success(), "gridpatrol-hub {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn sample() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["init", "--sample"], "");
    dir
}

/// Everything an administrative command could change: the users, the tokens, the audit trail.
fn snapshot(dir: &Path) -> (String, i64, i64) {
    let db = rusqlite::Connection::open(dir.join("hub.db")).unwrap();
    let users: String = db
        .query_row(
            "SELECT group_concat(name || role || grids || password_hash || coalesce(disabled_at, '-'), ';') FROM users",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let revoked: i64 =
        db.query_row("SELECT count(*) FROM tokens WHERE revoked_at IS NOT NULL", [], |r| r.get(0)).unwrap();
    let audit: i64 = db.query_row("SELECT count(*) FROM audit", [], |r| r.get(0)).unwrap();
    (users, revoked, audit)
}

/// Runs a command that must be refused with `code`, naming `field`, in both languages, changing nothing.
fn refused(dir: &Path, args: &[&str], stdin: &str, code: &str, field: &str, why: &str) {
    let before = snapshot(dir);
    let out = hub(dir, args, stdin);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(1), "{why}: refused with exit code 1: {stderr}");
    assert!(stderr.contains(&format!("({code})")), "{why}: the error's stable code is {code}: {stderr}");
    assert!(stderr.contains(field), "{why}: the error names the field {field}: {stderr}");
    assert!(stderr.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{why}: a Chinese sentence: {stderr}");
    assert!(stderr.contains(" / "), "{why}: Chinese and English: {stderr}");
    assert_eq!(snapshot(dir), before, "{why}: a refused command changes nothing, not even the audit trail");
}

fn audit(dir: &Path) -> Vec<Value> {
    let out = ok(dir, &["audit", "--json"], "");
    serde_json::from_str::<Value>(&out).unwrap().as_array().unwrap().clone()
}

#[test]
fn every_user_command_changes_the_user_and_writes_one_audit_row_with_before_and_after() {
    let dir = sample();
    let d = dir.path();
    let start = audit(d).len();
    assert_eq!(start, 5, "init --sample's four users and its sample liaison are in the audit trail");

    ok(d, &["user", "add", "赵六", "--role", "officer", "--grids", SMALL_A, "--password-stdin"], "password-123\n");
    ok(d, &["user", "disable", "赵六"], "");
    ok(d, &["user", "enable", "赵六"], "");
    ok(d, &["user", "grids", "赵六", &format!("{SMALL_A},{SMALL_B}")], "");
    ok(d, &["user", "role", "赵六", "lead", "--grids", LARGE], "");
    ok(d, &["user", "role", "赵六", "admin"], "");
    ok(d, &["user", "role", "赵六", "liaison", "--unit", "WATER"], "");
    ok(d, &["user", "role", "赵六", "admin"], "");
    ok(d, &["user", "password", "赵六", "--password-stdin"], "another-password\n");
    ok(d, &["user", "revoke", "赵六"], "");

    let users: Value = serde_json::from_str(&ok(d, &["user", "list", "--json"], "")).unwrap();
    let zhao = users.as_array().unwrap().iter().find(|u| u["name"] == "赵六").expect("the new user is listed");
    assert_eq!(zhao["role"], "admin", "the role change stuck");
    assert_eq!(zhao["grids"], serde_json::json!([]), "an administrator holds no grids (core's rule)");
    assert!(zhao["disabled_at"].is_null(), "enabled again");
    let liaison = &audit(d)[start + 6];
    assert_eq!(liaison["after"]["unit"], "WATER", "a liaison's unit is in the audit trail");
    let bad = hub(d, &["user", "role", "赵六", "liaison"], "");
    assert_eq!(bad.status.code(), Some(1), "a liaison without a unit is refused");
    let bad = hub(d, &["user", "role", "赵六", "lead", "--grids", LARGE, "--unit", "WATER"], "");
    assert_eq!(bad.status.code(), Some(1), "a unit for a lead is refused");

    let rows = audit(d);
    let actions: Vec<&str> = rows[start..].iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "user.add",
            "user.disable",
            "user.enable",
            "user.grids",
            "user.role",
            "user.role",
            "user.role",
            "user.role",
            "user.password",
            "user.revoke"
        ],
        "one audit row per change, in order"
    );
    let grids = &rows[start + 3];
    assert_eq!(grids["target"], "赵六");
    assert_eq!(grids["before"]["grids"], serde_json::json!([SMALL_A]), "the state before is recorded");
    assert_eq!(grids["after"]["grids"], serde_json::json!([SMALL_A, SMALL_B]), "the state after is recorded");
    assert!(grids["os_user"].as_str().is_some_and(|u| u.contains("uid")), "who ran it: the OS user and uid");
    assert!(grids["at"].as_str().is_some_and(|t| t.starts_with("20")), "when");
    let text = serde_json::to_string(&rows).unwrap();
    assert!(!text.contains("another-password") && !text.contains("argon2"), "no password or hash in the audit trail");

    let later = ok(d, &["audit", "--since", "2999-01-01"], "");
    assert!(later.trim().is_empty(), "--since filters the trail: {later}");
}

#[test]
fn a_password_reset_revokes_every_token_of_the_user() {
    let dir = sample();
    let d = dir.path();
    let db = rusqlite::Connection::open(d.join("hub.db")).unwrap();
    for (hash, device) in [("a".repeat(64), "laptop"), ("b".repeat(64), "desktop")] {
        db.execute(
            "INSERT INTO tokens (hash, user, device, created_at, last_used_at) VALUES (?1, '李明', ?2, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
            [hash, device.to_string()],
        )
        .unwrap();
    }
    let out = ok(d, &["user", "password", "李明", "--password-stdin"], "a-new-password\n");
    assert!(out.contains("2 token(s) revoked"), "the reset says what it revoked: {out}");
    let live: i64 = db
        .query_row("SELECT count(*) FROM tokens WHERE user = '李明' AND revoked_at IS NULL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(live, 0, "a password reset revokes every token of the user");
}

#[test]
fn each_bad_input_is_refused_naming_its_field_and_changes_nothing() {
    let dir = sample();
    let d = dir.path();
    let pw = "password-123\n";
    refused(d, &["user", "disable", "无名"], "", "unknown_user", "无名", "disabling an unknown user");
    refused(d, &["user", "enable", "无名"], "", "unknown_user", "无名", "enabling an unknown user");
    refused(d, &["user", "grids", "无名", SMALL_A], "", "unknown_user", "无名", "grids of an unknown user");
    refused(d, &["user", "role", "无名", "lead"], "", "unknown_user", "无名", "the role of an unknown user");
    refused(
        d,
        &["user", "password", "无名", "--password-stdin"],
        pw,
        "unknown_user",
        "无名",
        "a password of an unknown user",
    );
    refused(d, &["user", "revoke", "无名"], "", "unknown_user", "无名", "revoking an unknown user");
    refused(d, &["user", "sessions", "无名"], "", "unknown_user", "无名", "sessions of an unknown user");

    refused(d, &["user", "grids", "李明", LARGE], "", "wrong_grid_level", "grids", "an officer given a large grid");
    refused(d, &["user", "grids", "王建国", SMALL_A], "", "wrong_grid_level", "grids", "a lead given a small grid");
    refused(d, &["user", "grids", "李明", "99999999999999"], "", "unknown_grid", "99999999999999", "an unknown grid");
    refused(
        d,
        &["user", "role", "李明", "lead"],
        "",
        "wrong_grid_level",
        "grids",
        "an officer made lead keeping small grids",
    );
    refused(
        d,
        &["user", "role", "李明", "admin", "--grids", SMALL_A],
        "",
        "wrong_grid_level",
        "grids",
        "an admin given a grid",
    );
    refused(d, &["user", "role", "李明", "officer"], "", "role_unchanged", "role", "a role changed to itself");
    refused(d, &["user", "role", "李明", "boss"], "", "invalid_value", "role", "an unknown role");
    refused(
        d,
        &["user", "add", "钱七", "--role", "boss", "--grids", SMALL_A],
        pw,
        "invalid_value",
        "role",
        "adding with an unknown role",
    );

    refused(
        d,
        &["user", "password", "李明", "--password-stdin"],
        "\n",
        "empty_password",
        "password",
        "an empty password",
    );
    refused(
        d,
        &["user", "password", "李明", "--password-stdin"],
        "short\n",
        "weak_password",
        "password",
        "a short password",
    );
    refused(
        d,
        &["user", "add", "钱七", "--role", "officer", "--grids", SMALL_A],
        "\n",
        "empty_password",
        "password",
        "adding with an empty password",
    );
    refused(
        d,
        &["user", "add", "李明", "--role", "officer", "--grids", SMALL_A],
        pw,
        "user_exists",
        "李明",
        "adding a user twice",
    );

    ok(d, &["user", "disable", "张丽"], "");
    refused(d, &["user", "disable", "张丽"], "", "already_disabled", "张丽", "disabling twice");
    refused(d, &["user", "enable", "李明"], "", "not_disabled", "李明", "enabling a user who is not disabled");

    refused(
        d,
        &["user", "revoke", "李明", "--session", "zz"],
        "",
        "invalid_session",
        "--session",
        "a malformed session id",
    );
    refused(
        d,
        &["user", "revoke", "李明", "--session", "abcdef"],
        "",
        "unknown_session",
        "--session",
        "an unknown session",
    );
    refused(d, &["audit", "--since", "yesterday"], "", "invalid_since", "--since", "an unreadable --since");
}

#[test]
fn an_import_with_one_bad_row_refuses_the_whole_file_and_changes_nothing() {
    let dir = sample();
    let d = dir.path();
    let grids = |d: &Path| -> i64 {
        let db = rusqlite::Connection::open(d.join("reference").join("gridpatrol.db")).unwrap();
        db.query_row("SELECT count(*) FROM grids", [], |r| r.get(0)).unwrap()
    };
    let before_grids = grids(d);
    let files = tempfile::tempdir().unwrap();
    // Two new grids, the second one's parent unknown: the first must not be imported either.
    let registry = files.path().join("new.geojson");
    let square = |x: f64| serde_json::json!({"type": "Polygon", "coordinates": [[[x, 1.0], [x + 0.01, 1.0], [x + 0.01, 1.01], [x, 1.01], [x, 1.0]]]});
    let feature = |code: &str, parent: Option<&str>, x: f64| {
        serde_json::json!({"type": "Feature", "geometry": square(x),
            "properties": {"code": code, "name": format!("网格{code}"), "parent": parent, "owners": ["某人"]}})
    };
    let bad = serde_json::json!({"type": "FeatureCollection", "features": [
        feature("999000001", None, 1.0),
        feature("99900000100101", Some("888000001"), 1.0),
    ]});
    std::fs::write(&registry, bad.to_string()).unwrap();
    let before = snapshot(d);
    let out = hub(d, &["import", "registry", registry.to_str().unwrap()], "");
    assert_eq!(
        out.status.code(),
        Some(1),
        "a registry with a bad row is refused: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(grids(d), before_grids, "a refused registry import changes no grid, not even the good rows");
    assert_eq!(snapshot(d), before, "a refused import writes no audit row");

    let holidays = files.path().join("holidays.json");
    std::fs::write(&holidays, r#"{"holidays": [{"from": "2027-10-07", "to": "2027-10-01"}]}"#).unwrap();
    let out = hub(d, &["import", "holidays", holidays.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1), "a holiday table with a backwards range is refused");
    assert_eq!(snapshot(d), before, "a refused holiday import changes nothing");

    let categories = files.path().join("categories.json");
    std::fs::write(
        &categories,
        r#"{"majors": [{"kind": "event", "code": "1", "name_zh": "甲", "name_en": "A", "minors": []}]}"#,
    )
    .unwrap();
    let out = hub(d, &["import", "categories", categories.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1), "a category tree with a bad code is refused");
    assert_eq!(snapshot(d), before, "a refused category import changes nothing");

    let good = serde_json::json!({"type": "FeatureCollection", "features": [
        feature("999000001", None, 1.0),
        feature("99900000100101", Some("999000001"), 1.0),
    ]});
    std::fs::write(&registry, good.to_string()).unwrap();
    ok(d, &["import", "registry", registry.to_str().unwrap()], "");
    assert_eq!(grids(d), before_grids + 2, "a good registry is imported whole");
    std::fs::write(
        &holidays,
        r#"{"holidays": [{"from": "2027-10-01", "to": "2027-10-07"}], "workdays": ["2027-09-26"]}"#,
    )
    .unwrap();
    ok(d, &["import", "holidays", holidays.to_str().unwrap()], "");
    let rows = audit(d);
    let actions: Vec<&str> = rows.iter().rev().take(2).map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["import.holidays", "import.registry"], "each import is in the audit trail");
    assert_eq!(rows.last().unwrap()["after"]["holidays"], 7, "the holiday table's size after the import");

    // A city's own tree: the bundled one with a minor renamed is stored in the reference store whole.
    let mut tree: serde_json::Value = serde_json::from_str(gridpatrol_core::categories::BUNDLED).unwrap();
    tree["majors"][0]["minors"][0]["name_zh"] = "本市自来水井盖".into();
    std::fs::write(&categories, tree.to_string()).unwrap();
    ok(d, &["import", "categories", categories.to_str().unwrap()], "");
    let db = rusqlite::Connection::open(d.join("reference").join("gridpatrol.db")).unwrap();
    let renamed: i64 =
        db.query_row("SELECT count(*) FROM categories WHERE name_zh = '本市自来水井盖'", [], |r| r.get(0)).unwrap();
    assert_eq!(renamed, 1, "the imported tree is the hub's reference tree");
    let rows = audit(d);
    assert_eq!(rows.last().unwrap()["action"], "import.categories", "a category import is in the audit trail");

    // The responsible units: checked whole against the tree in force and the hub's liaisons.
    let unit_names = |d: &Path| -> String {
        let db = rusqlite::Connection::open(d.join("reference").join("gridpatrol.db")).unwrap();
        db.query_row("SELECT group_concat(code || name_zh, ';') FROM units", [], |r| r.get(0)).unwrap()
    };
    let units_before = unit_names(d);
    let liaison_unit: String = rusqlite::Connection::open(d.join("hub.db"))
        .unwrap()
        .query_row("SELECT unit FROM users WHERE role = 'liaison' LIMIT 1", [], |r| r.get(0))
        .unwrap();
    let units = files.path().join("units.json");
    let mut list: serde_json::Value = serde_json::from_str(gridpatrol_core::units::BUNDLED).unwrap();
    list["units"][0]["categories"].as_array_mut().unwrap().push("19999".into());
    std::fs::write(&units, list.to_string()).unwrap();
    let before = snapshot(d);
    let out = hub(d, &["import", "units", units.to_str().unwrap()], "");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(1), "a unit naming a category the tree lacks is refused: {stderr}");
    assert!(stderr.contains("19999"), "the error names the category: {stderr}");
    let mut list: serde_json::Value = serde_json::from_str(gridpatrol_core::units::BUNDLED).unwrap();
    list["units"].as_array_mut().unwrap().retain(|u| u["code"] != liaison_unit.as_str());
    std::fs::write(&units, list.to_string()).unwrap();
    let out = hub(d, &["import", "units", units.to_str().unwrap()], "");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(1), "a list without the liaison's unit is refused: {stderr}");
    assert!(stderr.contains(&liaison_unit), "the error names the unit: {stderr}");
    assert_eq!((snapshot(d), unit_names(d)), (before, units_before), "a refused unit import changes nothing");

    let mut list: serde_json::Value = serde_json::from_str(gridpatrol_core::units::BUNDLED).unwrap();
    list["units"][0]["name_zh"] = "本市供水集团".into();
    list["units"].as_array_mut().unwrap().push(serde_json::json!(
        {"code": "LIGHTING", "name_zh": "路灯管理所", "name_en": "Street lighting office", "categories": []}));
    std::fs::write(&units, list.to_string()).unwrap();
    ok(d, &["import", "units", units.to_str().unwrap()], "");
    let now = unit_names(d);
    assert!(now.contains("本市供水集团") && now.contains("LIGHTING路灯管理所"), "the list is the hub's units: {now}");
    let rows = audit(d);
    assert_eq!(rows.last().unwrap()["action"], "import.units", "a unit import is in the audit trail");
}

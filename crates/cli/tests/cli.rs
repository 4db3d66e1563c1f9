//! The real `gridpatrol` binary against a real data folder: what an administrator or a script sees.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

#[path = "cli/survival.rs"]
mod survival;

const GRID: &str = "37160200100101";

/// The store's passphrase every test's `gridpatrol` is given: tests run where no keyring answers
/// (and keep off a developer's real keyring: `GRIDPATROL_TOKEN_STORE=file`), as a script would.
const PASSPHRASE: &str = "测试口令 test passphrase";

/// The environment every test's `gridpatrol` runs in: no keyring, the passphrase by variable.
fn keyed(cmd: &mut Command) -> &mut Command {
    cmd.env("GRIDPATROL_TOKEN_STORE", "file").env("GRIDPATROL_PASSPHRASE", PASSPHRASE)
}
const OTHER_GRID: &str = "37160200100102";

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env { dir: tempfile::tempdir().expect("temp dir") }
    }

    /// A store with the sample registry and officer 李明 acting.
    fn sample() -> Env {
        let env = Env::new();
        env.ok(&["init", "--sample", "--user", "李明", "--role", "officer"]);
        env
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn run(&self, args: &[&str]) -> Output {
        keyed(&mut Command::new(env!("CARGO_BIN_EXE_gridpatrol")))
            .arg("--data-dir")
            .arg(self.data())
            .args(args)
            .env_remove("GRIDPATROL_LANG")
            .env("LANG", "C.UTF-8")
            .output()
            .expect("run gridpatrol")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "gridpatrol {args:?} should succeed, stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        serde_json::from_str(&self.ok(&all)).expect("valid JSON output")
    }

    /// Runs a command that must be refused: non-zero exit, one sentence on stderr, and every count
    /// in the store exactly as before. Returns the message.
    fn refused(&self, args: &[&str]) -> String {
        let before = self.counts();
        let files_before = photo_files(&self.data());
        let out = self.run(args);
        assert!(!out.status.success(), "gridpatrol {args:?} must be refused");
        let stderr = String::from_utf8(out.stderr).expect("utf-8 stderr");
        assert_eq!(stderr.trim().lines().count(), 1, "an error is one sentence on one line, got: {stderr}");
        assert!(out.stdout.is_empty(), "a refused command prints nothing on stdout");
        assert_eq!(self.counts(), before, "a refused command ({args:?}) changes nothing in the store");
        assert_eq!(photo_files(&self.data()), files_before, "a refused command writes no photo file");
        stderr.trim().to_string()
    }

    fn counts(&self) -> Value {
        self.json(&["status"])["counts"].clone()
    }

    fn add(&self, description: &str, extra: &[&str]) -> String {
        let mut args = vec!["finding", "add", "--grid", GRID, "--category", "10101", "--description", description];
        args.extend_from_slice(extra);
        let finding = self.json(&args);
        finding["id"].as_str().expect("a new finding has an id").to_string()
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).expect("write test file");
        path
    }
}

fn photo_files(data: &Path) -> usize {
    let count = |dir: PathBuf| {
        std::fs::read_dir(dir).map(|d| d.filter_map(Result::ok).filter(|e| e.path().is_file()).count()).unwrap_or(0)
    };
    count(data.join("photos")) + count(data.join("photos").join("thumbs"))
}

/// A PNG of noise, so it does not compress below its pixel count.
fn png(width: u32, height: u32) -> Vec<u8> {
    let mut state: u32 = 12345;
    let img = image::RgbImage::from_fn(width, height, |_, _| {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let [a, b, c, _] = state.to_le_bytes();
        image::Rgb([a, b, c])
    });
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png)
        .expect("encode png");
    bytes
}

#[test]
fn init_sample_lists_11_large_and_239_small_grids() {
    let env = Env::sample();
    let grids = env.json(&["grids", "list"]);
    let grids = grids.as_array().expect("a list of grids");
    let large: Vec<&Value> = grids.iter().filter(|g| g["parent"].is_null()).collect();
    let small: Vec<&Value> = grids.iter().filter(|g| !g["parent"].is_null()).collect();
    assert_eq!(large.len(), 11, "the reference city has 11 large grids");
    assert_eq!(small.len(), 239, "the reference city has 239 small grids");
    for g in &small {
        let parent = g["parent"].as_str().unwrap();
        assert!(large.iter().any(|l| l["code"] == parent), "small grid {} names a known large grid", g["code"]);
        assert!(g["name"].as_str().is_some_and(|n| !n.is_empty()), "every grid has a name");
    }
    // Running init again neither duplicates nor loses anything.
    env.ok(&["init", "--sample"]);
    assert_eq!(env.json(&["grids", "list"]).as_array().unwrap().len(), 250, "init is idempotent");
}

#[test]
fn categories_cover_what_the_city_patrols_for() {
    let env = Env::sample();
    let tree = env.json(&["categories", "list"]);
    assert_eq!(tree["standard"], "GB/T 30428.2-2013 gridpatrol-2026.12", "the list names the tree's standard");
    let minors = tree["minors"].as_array().unwrap();
    for m in minors {
        let code = m["code"].as_str().unwrap();
        let (kind, major, minor) =
            (m["kind"].as_str().unwrap(), m["major"].as_str().unwrap(), m["minor"].as_str().unwrap());
        let digit = if kind == "component" { "1" } else { "2" };
        assert_eq!(code, format!("{digit}{major}{minor}"), "a code is the kind's digit and the standard's MMmm");
        assert!(m["name"]["zh"].as_str().is_some_and(|n| !n.is_empty()), "{code} has a Chinese name");
        assert!(m["name"]["en"].as_str().is_some_and(|n| !n.is_empty()), "{code} has an English name");
        assert!(m["source"].as_str().is_some_and(|s| !s.is_empty()), "{code} names its source");
        assert_eq!(m["city_addition"], minor >= "90", "{code}: 90–99 are the city's additions");
    }
    let find = |code: &str| minors.iter().find(|m| m["code"] == code).unwrap_or_else(|| panic!("{code} is listed"));
    assert_eq!(find("10104")["name"]["zh"], "雨水箅子", "the standard's 0104 is 雨水箅子");
    assert_eq!(find("20507")["name"]["zh"], "乱堆物堆料");
    let bare = find("20104");
    assert_eq!(
        bare["deadline"]["normal"],
        serde_json::json!({"unit": "working_hours", "amount": 5}),
        "道路不洁 has the sample's 5 工作时"
    );
    assert!(bare["deadline"]["source"].as_str().unwrap().contains("济源"), "the deadline names its source");
    for needed in [
        "绿地",
        "井盖",
        "路面",
        "路灯",
        "护栏",
        "施工",
        "渣土",
        "广告",
        "私搭乱建",
        "占道经营",
        "机动车乱停放",
        "垃圾分类",
        "公共厕所",
        "架空线路",
        "景观灯",
        "交通信号灯",
        "沿街晾挂",
        "无照经营游商",
    ] {
        assert!(
            minors.iter().any(|m| m["name"]["zh"].as_str().unwrap().contains(needed)),
            "the category tree covers {needed}"
        );
    }
    let kinds: Vec<&str> = minors.iter().map(|m| m["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"component") && kinds.contains(&"event"), "both 部件 and 事件 minors");
    let text = env.ok(&["categories", "list"]);
    assert!(text.contains("10104 雨水箅子"), "the plain listing shows code and name");
    assert!(text.contains("5 工作时"), "and the deadline in its unit");
}

#[test]
fn a_city_loads_its_own_category_tree_or_nothing_changes() {
    let env = Env::sample();
    let dir = tempfile::tempdir().unwrap();
    let mut tree: Value = serde_json::from_str(gridpatrol_core::categories::BUNDLED).unwrap();
    tree["version"] = "city-2027.1".into();
    let good = dir.path().join("tree.json");
    std::fs::write(&good, tree.to_string()).unwrap();
    let loaded = env.json(&["categories", "load", good.to_str().unwrap()]);
    assert_eq!(loaded["version"], "city-2027.1", "the city's tree is loaded");
    tree["majors"][0]["minors"][0]["source"] = "NOWHERE".into();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, tree.to_string()).unwrap();
    env.refused(&["categories", "load", bad.to_str().unwrap()]);
    assert_eq!(
        env.json(&["categories", "list"])["standard"],
        "GB/T 30428.2-2013 city-2027.1",
        "a refused tree changes nothing"
    );
}

#[test]
fn a_finding_goes_round_the_whole_loop_by_the_roles_allowed() {
    let env = Env::sample();
    env.ok(&["patrol", "start", "--grid", GRID, OTHER_GRID]);
    let id = env.add("黄河五路与渤海七路交叉口井盖破损", &["--address", "黄河五路 88 号", "--urgency", "urgent"]);
    let patrols = env.json(&["patrol", "list"]);
    assert_eq!(patrols[0]["grids"].as_array().unwrap().len(), 2, "the patrol records its grids");
    assert_eq!(
        env.json(&["finding", "show", &id])["patrol"],
        patrols[0]["id"],
        "a finding during a patrol belongs to it"
    );
    env.ok(&["patrol", "end"]);

    let officer = || env.ok(&["init", "--user", "李明", "--role", "officer"]);
    let lead = || env.ok(&["init", "--user", "王建国", "--role", "lead"]);
    let step = |to: &str| env.json(&["finding", "move", &id, to, "--note", &format!("to {to}")]);

    assert!(env.run(&["finding", "move", &id, "accepted"]).status.code() == Some(1), "an officer may not accept");
    lead();
    assert_eq!(step("accepted")["status"], "accepted");
    assert_eq!(step("rectifying")["status"], "rectifying");
    officer();
    let after = env.file("after.png", &png(64, 48));
    let rectified = env.json(&["finding", "move", &id, "rectified", "--photo", after.to_str().unwrap()]);
    assert_eq!(rectified["status"], "rectified", "the officer records the rectification");
    assert_eq!(rectified["photos"][0]["role"], "after", "with an after photo");
    lead();
    assert_eq!(step("rework")["status"], "rework", "a failed re-check sends it back");
    officer();
    env.refused(&["finding", "move", &id, "rectified"]);
    let again = env.json(&["finding", "move", &id, "rectified", "--photo", after.to_str().unwrap()]);
    assert_eq!(again["status"], "rectified", "already handled: again with an after photo");
    lead();
    assert_eq!(step("closed")["status"], "closed");
    assert_eq!(step("reopened")["status"], "reopened", "an unsatisfied return visit reopens it");

    let history = env.json(&["finding", "history", &id]);
    let kinds: Vec<String> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{}:{}", e["kind"].as_str().unwrap(), e["payload"]["to"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        kinds,
        [
            "finding.reported:",
            "finding.moved:accepted",
            "finding.moved:rectifying",
            "finding.moved:rectified",
            "finding.moved:rework",
            "finding.moved:rectified",
            "finding.moved:closed",
            "finding.moved:reopened"
        ],
        "the history shows every event, in order"
    );
    assert!(history.as_array().unwrap().iter().all(|e| e["sync"] == "pending"), "every event waits in the outbox");
    let human = env.ok(&["--lang", "zh", "finding", "history", &id]);
    assert!(human.contains("已整改 → 返工") && human.contains("王建国"), "the history reads in Chinese: {human}");
}

#[test]
fn chinese_search_finds_findings_by_two_and_more_characters() {
    let env = Env::sample();
    let cover = env.add("黄河五路井盖破损", &[]);
    let stall = env.add("渤海七路占道经营水果摊", &["--address", "渤海七路菜市场东门"]);
    let ids = |q: &str| -> Vec<String> {
        env.json(&["finding", "list", "--search", q])
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids("井盖破损"), vec![cover.clone()], "a 4-character phrase finds the finding");
    assert_eq!(ids("井盖"), vec![cover.clone()], "a 2-character word finds it too");
    assert_eq!(ids("菜市场"), vec![stall.clone()], "search covers the address");
    assert!(ids("路灯不亮").is_empty(), "unrelated text finds nothing");
    assert_eq!(ids("\"AND OR *"), Vec::<String>::new(), "search operators typed by a person are plain text");
    let listed = env.json(&["finding", "list", "--grid", GRID, "--status", "reported"]);
    assert_eq!(listed.as_array().unwrap().len(), 2, "list filters by grid and status");
    assert!(listed[0]["grid"] == GRID && listed[0]["id"].is_string(), "each row has id and grid");
}

#[test]
fn a_photo_is_stored_by_hash_with_a_thumbnail() {
    let env = Env::sample();
    let photo = env.file("before.png", &png(800, 600));
    let id = env.add("护栏倒伏", &["--photo", photo.to_str().unwrap()]);
    let shown = env.json(&["finding", "show", &id]);
    let sha = shown["photos"][0]["sha256"].as_str().expect("the photo is listed").to_string();
    assert!(
        env.data().join("photos").join(format!("{sha}.png")).is_file(),
        "the photo is stored under its SHA-256 name"
    );
    assert!(env.data().join("photos/thumbs").join(format!("{sha}.jpg")).is_file(), "with a thumbnail");
    assert_eq!(shown["photos"][0]["width"], 800);
}

#[test]
fn bad_input_is_refused_with_a_clear_message_and_changes_nothing() {
    let env = Env::sample();
    env.add("an existing finding", &[]);
    let not_image = env.file("notes.jpg", b"this is not a picture");
    let big = env.file("big.png", &png(400, 400));
    let long = "井".repeat(2001);
    let add = |extra: &[&str]| -> Vec<String> {
        let mut args: Vec<String> = ["finding", "add"].iter().map(|s| s.to_string()).collect();
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (add(&["--grid", "999", "--category", "10101", "--description", "x"]), "999"),
        (add(&["--grid", "371602001", "--category", "10101", "--description", "x"]), "大网格"),
        (add(&["--grid", GRID, "--category", "9999", "--description", "x"]), "9999"),
        (add(&["--grid", GRID, "--category", "10101", "--description", ""]), "不能为空"),
        (add(&["--grid", GRID, "--category", "10101", "--description", "   "]), "不能为空"),
        (add(&["--grid", GRID, "--category", "10101", "--description", &long]), "2001"),
        (
            add(&["--grid", GRID, "--category", "10101", "--description", "x", "--lat", "37.3", "--lon", "117.0"]),
            "不在网格",
        ),
        (
            add(&["--grid", GRID, "--category", "10101", "--description", "x", "--lat", "95", "--lon", "117.0"]),
            "坐标无效",
        ),
        (add(&["--grid", GRID, "--category", "10101", "--description", "x", "--lat", "37.3"]), "纬度和经度"),
        (
            add(&["--grid", GRID, "--category", "10101", "--description", "x", "--photo", not_image.to_str().unwrap()]),
            "不是图片",
        ),
        (
            add(&["--grid", GRID, "--category", "10101", "--description", "x", "--photo", "/nonexistent/p.jpg"]),
            "无法读取",
        ),
        (
            add(&[
                "--grid",
                GRID,
                "--category",
                "10101",
                "--description",
                "x",
                "--observed-at",
                "2099-01-01T00:00:00+08:00",
            ]),
            "将来",
        ),
        (add(&["--grid", GRID, "--category", "10101", "--description", "x", "--observed-at", "yesterday"]), "时间格式"),
        (add(&["--grid", GRID, "--category", "10101", "--description", "x", "--urgency", "high"]), "high"),
        (vec!["finding".into(), "move".into(), "ffff0000".into(), "accepted".into()], "ffff0000"),
        (vec!["finding".into(), "move".into(), "nonsense".into(), "accepted".into()], "nonsense"),
        (vec!["patrol".into(), "start".into(), "--grid".into(), "nope".into()], "nope"),
        (vec!["patrol".into(), "end".into()], "巡查"),
    ];
    for (args, expected) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let message = env.refused(&args);
        assert!(message.contains(expected), "the message for {args:?} says what is wrong ({expected}): {message}");
    }
    // A description of exactly 2,000 characters is fine.
    env.add(&"井".repeat(2000), &[]);

    // Oversized photo: lower the limit, then try.
    env.ok(&["config", "set", "photo-max-mb", "0.1"]);
    let message = env.refused(&[
        "finding",
        "add",
        "--grid",
        GRID,
        "--category",
        "10101",
        "--description",
        "x",
        "--photo",
        big.to_str().unwrap(),
    ]);
    assert!(message.contains("过大"), "an oversized photo is refused: {message}");
    let twenty_one_mb = env.file("huge.jpg", &vec![0u8; 21 * 1024 * 1024]);
    env.ok(&["config", "set", "photo-max-mb", "20"]);
    let message = env.refused(&[
        "--lang",
        "en",
        "finding",
        "add",
        "--grid",
        GRID,
        "--category",
        "10101",
        "--description",
        "x",
        "--photo",
        twenty_one_mb.to_str().unwrap(),
    ]);
    assert!(message.contains("too large"), "the 20 MB default refuses a 21 MB file: {message}");
}

#[test]
fn messages_follow_lang_and_locale() {
    let env = Env::sample();
    let zh = env.refused(&["finding", "add", "--grid", "999", "--category", "10101", "--description", "x"]);
    let en =
        env.refused(&["--lang", "en", "finding", "add", "--grid", "999", "--category", "10101", "--description", "x"]);
    assert!(zh.contains("网格"), "Chinese by default: {zh}");
    assert!(en.starts_with("There is no grid"), "English with --lang en: {en}");
    let out = keyed(&mut Command::new(env!("CARGO_BIN_EXE_gridpatrol")))
        .args(["--data-dir", env.data().to_str().unwrap(), "finding", "show", "nope"])
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("There is no finding"), "an English locale gives English");
    let usage = env.run(&["finding", "add", "--bogus"]);
    assert_eq!(usage.status.code(), Some(2), "a malformed command line exits 2");
    assert_eq!(String::from_utf8_lossy(&usage.stderr).trim().lines().count(), 1, "in one line");
}

#[test]
fn a_store_must_exist_before_use() {
    let env = Env::new();
    let out = env.run(&["grids", "list"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("init"), "the message says to run init");
    assert!(!env.data().join("gridpatrol.db").exists(), "a read command does not create a store");
}

#[test]
fn malformed_registry_files_are_refused_whole() {
    let env = Env::sample();
    let geojson = |features: &str| format!(r#"{{"type":"FeatureCollection","features":[{features}]}}"#);
    let square =
        r#"{"type":"Polygon","coordinates":[[[118.1,37.5],[118.2,37.5],[118.2,37.6],[118.1,37.6],[118.1,37.5]]]}"#;
    let bowtie =
        r#"{"type":"Polygon","coordinates":[[[118.1,37.5],[118.2,37.6],[118.2,37.5],[118.1,37.6],[118.1,37.5]]]}"#;
    let good_large = format!(r#"{{"type":"Feature","properties":{{"code":"N1","name":"新区"}},"geometry":{square}}}"#);
    let cases = [
        ("bad.geojson", "{not json".to_string(), "JSON"),
        ("bad.geojson", r#"{"type":"Feature"}"#.to_string(), "FeatureCollection"),
        ("dup.geojson", geojson(&format!("{good_large},{good_large}")), "feature 2"),
        ("orphan.geojson", geojson(&format!(r#"{{"type":"Feature","properties":{{"code":"N2","name":"x","parent":"NOPE"}},"geometry":{square}}}"#)), "NOPE"),
        ("empty.geojson", geojson(r#"{"type":"Feature","properties":{"code":"N3","name":"x"},"geometry":{"type":"Polygon","coordinates":[]}}"#), "N3"),
        ("bowtie.geojson", geojson(&format!(r#"{good_large},{{"type":"Feature","properties":{{"code":"N4","name":"x","parent":"N1"}},"geometry":{bowtie}}}"#)), "feature 2 (code N4)"),
        ("bad.csv", "code,name\nA,b\n".to_string(), "boundary"),
        ("bad.csv", "code,name,parent,owners,boundary\nC1,大,,,\"POLYGON((118.1 37.5, 118.2 37.5, 118.2 37.6, 118.1 37.5))\"\nC2,小,C9,,\"POLYGON((118.1 37.5, 118.2 37.5, 118.2 37.6, 118.1 37.5))\"\n".to_string(), "row 3"),
        ("wkt.csv", "code,name,parent,owners,boundary\nC1,大,,,\"POLYGON((118.1 37.5, oops))\"\n".to_string(), "row 2"),
    ];
    for (name, text, expected) in cases {
        let file = env.file(name, text.as_bytes());
        let message = env.refused(&["--lang", "en", "grids", "import", file.to_str().unwrap()]);
        assert!(message.contains(expected), "{name}: the refusal names the place ({expected}): {message}");
    }
    let csv = "code,name,parent,owners,boundary\nC1,新城大网格,,张三,\"POLYGON((118.1 37.5, 118.2 37.5, 118.2 37.6, 118.1 37.6, 118.1 37.5))\"\nC1-01,新城第01网格,C1,李四;王五,\"POLYGON((118.1 37.5, 118.15 37.5, 118.15 37.6, 118.1 37.6, 118.1 37.5))\"\n";
    let file = env.file("ok.csv", csv.as_bytes());
    let summary = env.json(&["grids", "import", file.to_str().unwrap()]);
    assert_eq!((summary["large"].as_u64(), summary["small"].as_u64()), (Some(1), Some(1)), "a valid CSV imports");
    let small =
        env.json(&["grids", "list"]).as_array().unwrap().iter().find(|g| g["code"] == "C1-01").cloned().unwrap();
    assert_eq!(small["owners"], serde_json::json!(["李四", "王五"]), "owners are split");
}

#[test]
fn report_week_prints_the_weekly_logs_as_json_and_exports_files() {
    let env = Env::sample();
    env.add("井盖缺失（第10周）", &["--observed-at", "2026-03-04 10:00"]);
    env.add("井盖松动（第10周，周日深夜）", &["--observed-at", "2026-03-08 23:30"]);
    env.add("井盖破损（第11周）", &["--observed-at", "2026-03-09 00:10"]);
    let xlsx = env.dir.path().join("w10.xlsx");
    let csv = env.dir.path().join("w10.csv");
    let logs = env.json(&[
        "report",
        "week",
        "--week",
        "2026-W10",
        "--xlsx",
        xlsx.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
    ]);
    let logs = logs.as_array().expect("a list of logs");
    assert_eq!(logs.len(), 1, "one officer has a log: {logs:?}");
    let log = &logs[0];
    assert_eq!(log["officer"], "李明");
    assert_eq!(log["week"], "2026-W10");
    assert_eq!(log["patrols"], 0);
    assert_eq!(log["findings_recorded"], 2, "Sunday 23:30 Beijing time still counts in week 10");
    assert_eq!(log["by_category"]["10101"], 2);
    assert_eq!((log["valid_reports"].as_u64(), log["on_the_spot"].as_u64()), (Some(2), Some(0)));
    assert_eq!(
        (log["due"].as_u64(), log["closed"].as_u64(), log["closed_on_time"].as_u64()),
        (Some(0), Some(0), Some(0))
    );
    assert!(log["overdue"].is_number() && log["closure_rate"].is_null() && log["on_time_rate"].is_null());
    for rate in ["on_time_closure_rate", "rework_rate", "deferral_rate"] {
        assert!(log[rate].is_null(), "no finding is due in week 10, so {rate} is null");
    }
    assert_eq!(log["on_the_spot_rate"].as_f64(), Some(0.0), "自处置率 is over the reports: 0 of 2");
    let grids = env.json(&["report", "week", "--week", "2026-W10", "--by", "large-grid"]);
    let grids = grids.as_array().expect("a list of large grids");
    let busy: Vec<&serde_json::Value> = grids.iter().filter(|g| g["findings_recorded"] != 0).collect();
    assert_eq!(busy.len(), 1, "both findings lie in one large grid: {grids:?}");
    assert_eq!((busy[0]["findings_recorded"].as_u64(), busy[0]["week"].as_str()), (Some(2), Some("2026-W10")));
    let units = env.json(&["report", "week", "--week", "2026-W10", "--by", "unit"]);
    assert_eq!(units, serde_json::json!([]), "nothing is due in week 10, so no unit has a case");
    let text = env.ok(&["report", "week", "--week", "2026-W10", "--by", "large-grid"]);
    assert!(text.contains("各大网格") && text.contains("按期结案率"), "the groups for people: {text}");
    assert!(std::fs::read(&xlsx).expect("the workbook is written").starts_with(b"PK"), "an XLSX is a zip file");
    let csv_bytes = std::fs::read(&csv).expect("the CSV is written");
    assert!(csv_bytes.starts_with("\u{feff}网格员".as_bytes()), "UTF-8 with a BOM and Chinese headers");

    let one = env.json(&["report", "week", "--week", "2026-W11", "--officer", "李明"]);
    assert_eq!(one[0]["findings_recorded"], 1, "Monday 00:10 is week 11");
    let text = env.ok(&["report", "week", "--week", "2026-W10"]);
    assert!(text.contains("李明") && text.contains("2026-W10"), "a readable summary: {text}");

    let zh = env.refused(&["report", "week", "--week", "2026-48"]);
    assert!(zh.contains("周次无效") && zh.contains("2026-48"), "one Chinese sentence: {zh}");
    let en = env.refused(&["--lang", "en", "report", "week", "--week", "2027-W53"]);
    assert!(en.starts_with("Invalid week 2027-W53"), "2027 has 52 weeks; one English sentence: {en}");

    // The rhythm is the city's setting: Monday, Wednesday and Friday make three patrols expected.
    assert_eq!(env.json(&["config", "show"])["patrol_days"], "wed,sat", "Wednesday and Saturday by default");
    env.ok(&["config", "set", "patrol-days", "周一、周三、周五"]);
    assert_eq!(env.json(&["config", "show"])["patrol_days"], "mon,wed,fri");
    assert_eq!(env.json(&["report", "week", "--week", "2026-W10"])[0]["patrols_expected"], 3);
    for bad in ["", "wed,wed", "someday", "8"] {
        let message = env.refused(&["config", "set", "patrol-days", bad]);
        assert!(message.contains("patrol-days"), "{bad:?} is refused in a sentence: {message}");
    }
    assert_eq!(env.json(&["config", "show"])["patrol_days"], "mon,wed,fri", "a refusal changes nothing");
}

#[test]
fn the_holiday_table_can_be_edited() {
    let env = Env::sample();
    assert_eq!(env.json(&["config", "show"])["holidays"]["days_off"], 33, "the bundled 2026 table");
    let table =
        env.file("holidays.json", br#"{"holidays": [{"from": "2026-11-30", "to": "2026-12-01"}], "workdays": []}"#);
    env.ok(&["config", "set", "holidays", table.to_str().unwrap()]);
    assert_eq!(env.json(&["config", "show"])["holidays"]["days_off"], 2);
    for bad in [&br#"{"holidays": [{"from": "2026-12-05", "to": "2026-12-01"}]}"#[..], b"not json", b"{}"] {
        let file = env.file("bad.json", bad);
        let message = env.refused(&["config", "set", "holidays", file.to_str().unwrap()]);
        assert!(message.contains("holidays"), "a bad table is refused in a sentence: {message}");
    }
    assert_eq!(env.json(&["config", "show"])["holidays"]["days_off"], 2, "a refusal changes nothing");
}

/// The closed loop with responsible units from the command line: units, a liaison's profile, a
/// dispatch (default unit, unknown unit refused), a deferral asked and approved, 缓办 and 恢复, the
/// after-photo rule, 回退, 当场处置, each with bad input on purpose.
#[test]
fn units_dispatch_deferral_suspension_and_on_the_spot_from_the_command_line() {
    let env = Env::sample();
    let units = env.json(&["units", "list"]);
    let water = units.as_array().unwrap().iter().find(|u| u["code"] == "WATER").expect("the sample has WATER");
    assert!(water["categories"].as_array().unwrap().iter().any(|c| c == "10101"), "WATER handles 10101 上水井盖");
    assert!(env.ok(&["--lang", "zh", "units", "list"]).contains("示例"), "the list says it is a sample");

    // A liaison's profile needs a known unit, and no one else has one.
    env.refused(&["init", "--user", "周联络", "--role", "liaison"]);
    env.refused(&["init", "--user", "周联络", "--role", "liaison", "--unit", "NOPE"]);
    env.refused(&["init", "--user", "李明", "--role", "officer", "--unit", "WATER"]);

    let id = env.add("上水井盖破损", &[]);
    assert!(env.json(&["finding", "show", &id])["due_at"].is_null(), "no deadline before the dispatch");
    let lead = || env.ok(&["init", "--user", "王建国", "--role", "lead"]);
    let liaison = || env.ok(&["init", "--user", "周联络", "--role", "liaison", "--unit", "WATER"]);
    lead();
    env.json(&["finding", "move", &id, "accepted"]);
    env.refused(&["finding", "move", &id, "rectifying", "--unit", "NOPE"]);
    env.refused(&["finding", "move", &id, "rectifying", "--unit", "水 务"]);
    let dispatched = env.json(&["finding", "move", &id, "rectifying"]);
    assert_eq!(dispatched["unit"], "WATER", "dispatched to the category's unit");
    assert!(dispatched["dispatched_at"].is_string() && dispatched["due_at"].is_string(), "the clock starts");
    let due = dispatched["due_at"].as_str().unwrap().to_string();

    // The unit asks for a deferral; bad dates and reasons are refused.
    liaison();
    env.refused(&["finding", "move", &id, "rectified"]);
    env.refused(&["finding", "defer", &id, "--until", "not a time", "--reason", "材料未到"]);
    env.refused(&["finding", "defer", &id, "--until", "2000-01-01T00:00:00Z", "--reason", "材料未到"]);
    env.refused(&["finding", "defer", &id, "--until", "2099-01-01T00:00:00Z", "--reason", " "]);
    let until = (chrono::DateTime::parse_from_rfc3339(&due).unwrap() + chrono::Duration::days(3)).to_rfc3339();
    let asked = env.json(&["finding", "defer", &id, "--until", &until, "--reason", "管材未到货"]);
    assert_eq!(asked["deferral"]["reason"], "管材未到货");
    env.refused(&["finding", "deferral", &id, "approve"]);
    lead();
    let decided = env.json(&["finding", "deferral", &id, "approve", "--note", "同意"]);
    assert_eq!(decided["deferrals"], 1, "one approved deferral");
    assert!(decided["deferral"].is_null(), "no request waits");
    env.refused(&["finding", "deferral", &id, "refuse"]);

    // 缓办 needs a reason; 恢复 gives the clock back.
    env.refused(&["finding", "move", &id, "suspended"]);
    assert_eq!(env.json(&["finding", "move", &id, "suspended", "--note", "等待管线迁改"])["status"], "suspended");
    assert_eq!(env.json(&["finding", "move", &id, "rectifying"])["status"], "rectifying");

    // The unit reports it handled with an after photo.
    liaison();
    let after = env.file("after.png", &png(32, 24));
    let handled = env.json(&["finding", "move", &id, "rectified", "--photo", after.to_str().unwrap()]);
    assert_eq!(handled["status"], "rectified");
    let mine = env.json(&["finding", "list", "--unit", "WATER"]);
    assert_eq!(mine.as_array().unwrap().len(), 1, "the unit's list");

    // 回退: a mis-sent case goes back to the lead with a reason.
    lead();
    let other = env.add("井盖缺失", &[]);
    env.json(&["finding", "move", &other, "accepted"]);
    env.json(&["finding", "move", &other, "rectifying", "--unit", "WATER"]);
    liaison();
    env.refused(&["finding", "move", &other, "accepted"]);
    let back = env.json(&["finding", "move", &other, "accepted", "--note", "属燃气井盖"]);
    assert!(back["unit"].is_null() && back["dispatched_at"].is_string(), "returned: no unit, clock kept");
    env.refused(&["finding", "add", "--grid", GRID, "--category", "0101", "--description", "联络员不上报"]);

    // 当场处置: closed at once, with before and after photos.
    env.ok(&["init", "--user", "李明", "--role", "officer"]);
    let before = env.file("before.png", &png(30, 20));
    let b = before.to_str().unwrap();
    let a = after.to_str().unwrap();
    env.refused(&[
        "finding",
        "add",
        "--grid",
        GRID,
        "--category",
        "0101",
        "--description",
        "井盖复位",
        "--on-the-spot",
        "--photo",
        b,
    ]);
    let flag_alone =
        env.run(&["finding", "add", "--grid", GRID, "--category", "0101", "--description", "x", "--after-photo", a]);
    assert_eq!(flag_alone.status.code(), Some(2), "--after-photo without --on-the-spot is a usage error");
    let spot = env.json(&[
        "finding",
        "add",
        "--grid",
        GRID,
        "--category",
        "0101",
        "--description",
        "井盖复位",
        "--on-the-spot",
        "--photo",
        b,
        "--after-photo",
        a,
    ]);
    assert_eq!((spot["status"].as_str(), spot["on_the_spot"].as_bool()), (Some("closed"), Some(true)));
    assert!(spot["unit"].is_null() && spot["due_at"].is_null(), "never dispatched");
}

/// The weekly log's review from the command line: submit, return with a comment, submit again with
/// a reply, approve; bad weeks and a return without a comment are refused.
#[test]
fn a_weekly_log_is_submitted_returned_and_approved_from_the_command_line() {
    let env = Env::sample();
    let week = gridpatrol_core::calendar::IsoWeek::of(chrono::Utc::now()).to_string();
    env.refused(&["log", "submit", "--week", "2026-W99"]);
    env.refused(&["log", "submit", "--week", "next week"]);
    let submitted = env.json(&["log", "submit", "--week", &week]);
    assert_eq!(submitted["state"], "submitted");
    env.refused(&["log", "approve", "--officer", "李明", "--week", &week]);
    env.ok(&["init", "--user", "王建国", "--role", "lead"]);
    env.refused(&["log", "return", "--officer", "李明", "--week", &week, "--comment", " "]);
    let returned = env.json(&["log", "return", "--officer", "李明", "--week", &week, "--comment", "巡查次数不足"]);
    assert_eq!(returned["state"], "returned");
    env.ok(&["init", "--user", "李明", "--role", "officer"]);
    env.json(&["log", "submit", "--week", &week, "--reply", "已补充巡查"]);
    env.ok(&["init", "--user", "王建国", "--role", "lead"]);
    assert_eq!(env.json(&["log", "approve", "--officer", "李明", "--week", &week])["state"], "approved");
}

/// The store is encrypted (issue 13.4): its file is no plain SQLite file, a wrong passphrase is one
/// clear sentence and changes nothing, `--passphrase-stdin` gives the right one without a variable,
/// and with no keyring, no variable and no terminal nobody can be asked.
#[test]
fn the_store_is_encrypted_and_opens_only_with_its_passphrase() {
    use std::io::Write;
    let env = Env::sample();
    env.add("市民反映井盖缺失，电话13800001234", &[]);
    let db = env.data().join("gridpatrol.db");
    let bytes = std::fs::read(&db).unwrap();
    assert!(!bytes.starts_with(b"SQLite format 3\0"), "the store file is encrypted");
    assert!(!bytes.windows(11).any(|w| w == b"13800001234"), "no phone number in the clear");
    let before = env.counts();
    let stamp = std::fs::metadata(&db).unwrap().modified().unwrap();
    let run_with = |passphrase: Option<&str>, stdin: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gridpatrol"));
        cmd.arg("--data-dir").arg(env.data()).env("GRIDPATROL_TOKEN_STORE", "file").env("LANG", "C.UTF-8");
        cmd.env_remove("GRIDPATROL_PASSPHRASE").env_remove("GRIDPATROL_LANG");
        if let Some(p) = passphrase {
            cmd.env("GRIDPATROL_PASSPHRASE", p);
        }
        if stdin.is_some() {
            cmd.arg("--passphrase-stdin");
        }
        cmd.args(["status", "--json"]).stdin(std::process::Stdio::piped());
        cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        child.stdin.take().unwrap().write_all(stdin.unwrap_or("").as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let wrong = run_with(Some("not the passphrase"), None);
    assert!(!wrong.status.success(), "a wrong passphrase opens nothing");
    let message = String::from_utf8_lossy(&wrong.stderr);
    assert!(message.contains("口令") && message.trim().lines().count() == 1, "one sentence says so: {message}");
    let none = run_with(None, None);
    let message = String::from_utf8_lossy(&none.stderr);
    assert!(!none.status.success() && message.contains("GRIDPATROL_PASSPHRASE"), "nobody to ask: {message}");
    assert_eq!(std::fs::metadata(&db).unwrap().modified().unwrap(), stamp, "the refused opens wrote nothing");
    let piped = run_with(None, Some(&format!("{PASSPHRASE}\n")));
    assert!(piped.status.success(), "--passphrase-stdin opens it: {}", String::from_utf8_lossy(&piped.stderr));
    assert_eq!(env.counts(), before, "and nothing changed");
}

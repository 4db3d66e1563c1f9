//! The harness every whole-system test shares: the workspace's binaries, waiting on a condition with a
//! deadline, a `gridpatrol-hub` process on a free loopback port, `gridpatrol` CLI clients on their
//! own data folders, and ([`window`]) the desktop app's real window under Xvfb. One place to fix when
//! a process quirk appears.
#![allow(dead_code)]

pub mod window;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const GRID_A: &str = "37160200100101";

/// The workspace binary `name` (`cargo test --workspace` builds them); GRIDPATROL_BIN_DIR names others.
pub fn bin(name: &str) -> PathBuf {
    let dir = std::env::var_os("GRIDPATROL_BIN_DIR").map(PathBuf::from).unwrap_or_else(|| {
        // target/debug/deps/sync-HASH → target/debug
        let exe = std::env::current_exe().expect("test executable path");
        exe.parent().and_then(Path::parent).expect("target dir").to_path_buf()
    });
    let path = dir.join(name);
    assert!(
        path.is_file(),
        "{} is missing: build the workspace's binaries first (cargo test --workspace)",
        path.display()
    );
    path
}

/// Polls `check` until it holds or `limit` passes.
pub fn wait_until(limit: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::yield_now();
        std::thread::sleep(Duration::from_millis(5));
    }
}

pub struct Hub {
    pub dir: tempfile::TempDir,
    child: Option<Child>,
    pub addr: String,
}

impl Hub {
    pub fn start() -> Hub {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new(bin("gridpatrol-hub"))
            .arg("--data-dir")
            .arg(dir.path())
            .args(["init", "--sample"])
            .output()
            .unwrap();
        assert!(out.status.success(), "hub init: {}", String::from_utf8_lossy(&out.stderr));
        let mut hub = Hub { dir, child: None, addr: "127.0.0.1:0".into() };
        hub.serve();
        hub
    }

    /// Starts serving on the hub's address (a free port the first time, the same port after a kill).
    pub fn serve(&mut self) {
        let mut child = Command::new(bin("gridpatrol-hub"))
            .arg("--data-dir")
            .arg(self.dir.path())
            .args(["serve", "--listen", &self.addr])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let url = line.trim().rsplit("http://").next().expect("the hub prints its address").to_string();
        assert!(url.starts_with("127.0.0.1:"), "the hub listens on loopback only: {line}");
        self.addr = url;
        self.child = Some(child);
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open_with_flags(
            self.dir.path().join("hub.db"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap()
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.db().query_row(sql, [], |r| r.get(0)).unwrap_or(0)
    }

    /// The entity ids of the hub's events of `kind`, in hub order.
    pub fn entity_ids(&self, kind: &str) -> Vec<String> {
        let db = self.db();
        let mut stmt = db.prepare("SELECT entity_id FROM events WHERE kind = ?1 ORDER BY hub_seq").unwrap();
        stmt.query_map([kind], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
    }

    pub fn reported(&self) -> i64 {
        self.count("SELECT count(*) FROM events WHERE kind = 'finding.reported'")
    }

    /// Each finding's report is at the hub once, and there are `n` of them.
    pub fn assert_exactly_once(&self, n: i64) {
        let (all, distinct): (i64, i64) = self
            .db()
            .query_row(
                "SELECT count(*), count(DISTINCT entity_id) FROM events WHERE kind = 'finding.reported'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(all, distinct, "no finding may be at the hub twice (sync invariant 1)");
        assert_eq!(all, n, "every finding recorded must be at the hub (sync invariants 1, 2)");
        assert_eq!(self.count("SELECT count(*) FROM findings"), n, "the hub's projection holds each finding once");
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `gridpatrol ARGS` on the data folder `dir` (an app's, say), which must succeed; its stdout.
pub fn cli(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(bin("gridpatrol"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("GRIDPATROL_TOKEN_STORE", "file")
        .output()
        .unwrap();
    assert!(out.status.success(), "gridpatrol {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

pub struct Client {
    pub dir: tempfile::TempDir,
}

impl Client {
    pub fn new(hub: &str, user: &str, password: &str) -> Client {
        let c = Client { dir: tempfile::tempdir().unwrap() };
        c.ok(&["init", "--sample"]);
        let mut child = c
            .command(&["login", "--hub", hub, "--user", user, "--password-stdin"])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "login as {user}: {}", String::from_utf8_lossy(&out.stderr));
        c
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(bin("gridpatrol"));
        cmd.arg("--data-dir").arg(self.dir.path()).args(["--lang", "en"]).args(args);
        // The token in a file: these tests must not leave entries in a developer's own keyring.
        cmd.env("GRIDPATROL_TOKEN_STORE", "file");
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "gridpatrol {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    pub fn add(&self, text: &str) -> String {
        self.json(&["finding", "add", "--grid", GRID_A, "--category", "0101", "--description", text, "--json"])["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub fn pending(&self) -> i64 {
        self.json(&["status", "--json"])["pending"].as_i64().unwrap()
    }

    /// Syncs until a round leaves nothing pending (a bounded number of rounds).
    pub fn sync_until_clean(&self, rounds: usize) -> Value {
        for _ in 0..rounds {
            let out = self.run(&["sync", "--json"]);
            if out.status.success() {
                return serde_json::from_slice(&out.stdout).unwrap();
            }
        }
        panic!("sync never finished cleanly in {rounds} rounds");
    }
}

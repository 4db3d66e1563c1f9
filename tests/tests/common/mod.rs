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

/// The device stores' passphrase: these tests run where no keyring answers (and keep off a
/// developer's own keyring with `GRIDPATROL_TOKEN_STORE=file`), so every `gridpatrol` and app they
/// start is given it by `GRIDPATROL_PASSPHRASE`, as a script would (issue 13.4).
pub const PASSPHRASE: &str = "测试口令 e2e passphrase";

/// The variables every device process of these tests runs with: no keyring, the passphrase.
pub fn device_env(cmd: &mut Command) -> &mut Command {
    cmd.env("GRIDPATROL_TOKEN_STORE", "file").env("GRIDPATROL_PASSPHRASE", PASSPHRASE)
}

/// A device's store database opened directly, keyed with [`PASSPHRASE`] (read-only unless `write`).
pub fn device_db(data_dir: &Path, write: bool) -> rusqlite::Result<rusqlite::Connection> {
    let flags = if write { rusqlite::OpenFlags::default() } else { rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY };
    let db = rusqlite::Connection::open_with_flags(data_dir.join("gridpatrol.db"), flags)?;
    let key = gridpatrol_core::store::StoreKey::passphrase(PASSPHRASE).expect("a passphrase long enough");
    gridpatrol_core::store::cipher::apply_key(&db, &key)
        .map_err(|e| rusqlite::Error::UserFunctionError(Box::new(e)))?;
    Ok(db)
}

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
    /// `http`, or `https` for a hub serving with `--tls-cert` (as it printed when it started).
    pub scheme: String,
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
        let mut hub = Hub { dir, child: None, addr: "127.0.0.1:0".into(), scheme: "http".into() };
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
        let url = line.trim().rsplit(' ').next().expect("the hub prints its address");
        let (scheme, addr) = url.split_once("://").expect("the hub prints its address as a URL");
        assert!(addr.starts_with("127.0.0.1:"), "the hub listens on loopback only: {line}");
        self.addr = addr.to_string();
        self.scheme = scheme.to_string();
        self.child = Some(child);
    }

    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
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
    let out = device_env(Command::new(bin("gridpatrol")).arg("--data-dir").arg(dir).args(args)).output().unwrap();
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
        device_env(&mut cmd);
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
        self.json(&["finding", "add", "--grid", GRID_A, "--category", "10101", "--description", text, "--json"])["id"]
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

// ---- Additions for the red-team suite (issue 10): flags, signals, memory, the admin CLI, HTTP. ----

impl Hub {
    /// A hub serving with extra `serve` flags (e.g. `--header-timeout-secs 1`).
    pub fn start_with(flags: &[&str]) -> Hub {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new(bin("gridpatrol-hub"))
            .arg("--data-dir")
            .arg(dir.path())
            .args(["init", "--sample"])
            .output()
            .unwrap();
        assert!(out.status.success(), "hub init: {}", String::from_utf8_lossy(&out.stderr));
        let mut hub = Hub { dir, child: None, addr: "127.0.0.1:0".into(), scheme: "http".into() };
        hub.serve_with(flags);
        hub
    }

    /// Starts serving with extra flags on the hub's address.
    pub fn serve_with(&mut self, flags: &[&str]) {
        let mut child = Command::new(bin("gridpatrol-hub"))
            .arg("--data-dir")
            .arg(self.dir.path())
            .args(["serve", "--listen", &self.addr])
            .args(flags)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let url = line.trim().rsplit(' ').next().expect("the hub prints its address");
        let (scheme, addr) = url.split_once("://").expect("the hub prints its address as a URL");
        assert!(addr.starts_with("127.0.0.1:"), "the hub listens on loopback only: {line}");
        self.addr = addr.to_string();
        self.scheme = scheme.to_string();
        self.child = Some(child);
    }

    /// A hub serving the data folder `dir` (one a restore filled, say) on `addr` (`127.0.0.1:0`
    /// for a free port, or a stopped hub's address so its clients find the new one).
    pub fn serve_folder(dir: tempfile::TempDir, addr: &str) -> Hub {
        let mut hub = Hub { dir, child: None, addr: addr.to_string(), scheme: "http".into() };
        hub.serve();
        hub
    }

    /// The serving process's id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("the hub serves").id()
    }

    /// Sends `signal` (e.g. "TERM") to the serving hub and waits for it to exit; its exit status.
    pub fn signal_and_wait(&mut self, signal: &str) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("the hub serves");
        let sent = Command::new("kill").arg(format!("-{signal}")).arg(child.id().to_string()).status().unwrap();
        assert!(sent.success(), "kill -{signal} {}", child.id());
        child.wait().unwrap()
    }

    /// Waits for the serving hub to exit (after a signal sent elsewhere); its exit status.
    pub fn wait_exit(&mut self) -> std::process::ExitStatus {
        self.child.take().expect("the hub serves").wait().unwrap()
    }

    /// A field of /proc/<hub pid>/status in KiB (`VmRSS`, `VmHWM`).
    pub fn proc_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{field}:")))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("{field} in /proc/{}/status", self.pid()))
    }

    /// Runs the hub's administration CLI on its data folder (while it serves), with `stdin`.
    pub fn admin(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = Command::new(bin("gridpatrol-hub"))
            .arg("--data-dir")
            .arg(self.dir.path())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    }

    /// A writable connection to the hub's database, for setting up a state the API cannot reach
    /// (a token last used long ago).
    pub fn db_rw(&self) -> rusqlite::Connection {
        let db = rusqlite::Connection::open(self.dir.path().join("hub.db")).unwrap();
        db.busy_timeout(Duration::from_secs(10)).unwrap();
        db
    }

    /// Signs in over HTTP; the status, the Retry-After header and the JSON body.
    pub fn sign_in(&self, user: &str, password: &str, device: &str) -> (u16, Option<String>, Value) {
        let response = http()
            .post(format!("{}/api/v1/sign-in", self.url()))
            .json(&serde_json::json!({"user": user, "password": password, "device": device}))
            .send()
            .unwrap();
        let status = response.status().as_u16();
        let retry = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(String::from);
        (status, retry, response.json().unwrap_or(Value::Null))
    }

    /// A device token of `user` (the sample password), or a panic naming the refusal.
    pub fn token(&self, user: &str, password: &str, device: &str) -> String {
        let (status, _, body) = self.sign_in(user, password, device);
        assert_eq!(status, 200, "sign-in as {user}: {body}");
        body["token"].as_str().unwrap().to_string()
    }

    /// Pulls from `since` with `token`: the status and the JSON body.
    pub fn pull(&self, token: &str, since: i64) -> (u16, Value) {
        let response =
            http().get(format!("{}/api/v1/pull?since={since}", self.url())).bearer_auth(token).send().unwrap();
        let answer = (response.status().as_u16(), response.json().unwrap_or(Value::Null));
        assert_documented(self, "GET", "/api/v1/pull", answer.0, &answer.1);
        answer
    }
}

/// Checks an answer against the document the hub serves: its status is listed for the route, and an
/// error's code is one the route's `refusals!` declares. The red-team suite calls it on every push
/// and pull, so a refusal the document does not describe fails here, not only under schemathesis.
pub fn assert_documented(hub: &Hub, method: &str, template: &str, status: u16, body: &Value) {
    let doc: Value = http().get(format!("{}/api/openapi.json", hub.url())).send().unwrap().json().unwrap();
    let operation = &doc["paths"][template][method.to_lowercase()];
    assert!(operation.is_object(), "{method} {template} is in the hub's document");
    let documented = &operation["responses"][status.to_string()];
    assert!(documented.is_object(), "{method} {template} answered {status}, which its documentation does not list");
    if (200..300).contains(&status) {
        return;
    }
    let codes = documented.pointer("/content/application~1json/schema/properties/code/enum").and_then(Value::as_array);
    assert!(
        codes.is_some_and(|codes| codes.contains(&body["code"])),
        "{method} {template} answered {status} {}, which its refusals! list does not declare",
        body["code"]
    );
}

/// A blocking HTTP client for hostile requests, with a generous overall timeout (never a timed
/// assertion: a request that hangs fails the test instead of hanging it).
pub fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder().timeout(Duration::from_secs(120)).build().unwrap()
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

fn ihdr(width: u32, height: u32) -> Vec<u8> {
    let mut d = Vec::new();
    d.extend_from_slice(&width.to_be_bytes());
    d.extend_from_slice(&height.to_be_bytes());
    d.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, deflate, no filter method, no interlace
    d
}

/// A real, decodable RGB PNG of `width`×`height`, its pixels varied by `seed` (so each seed is a
/// different photo), written by hand: stored (uncompressed) deflate blocks.
pub fn png(width: u32, height: u32, seed: u8) -> Vec<u8> {
    let mut raw = Vec::new();
    for y in 0..height {
        raw.push(0); // filter: none
        for x in 0..width {
            raw.extend_from_slice(&[seed, (x % 251) as u8, (y % 241) as u8]);
        }
    }
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        z.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    png_chunk(&mut out, b"IHDR", &ihdr(width, height));
    png_chunk(&mut out, b"IDAT", &z);
    png_chunk(&mut out, b"IEND", &[]);
    out
}

/// A small file whose PNG header claims `width`×`height` (10,000×10,000 decodes to 300 MB), with a
/// few bytes of image data: only its header can be read cheaply.
pub fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    png_chunk(&mut out, b"IHDR", &ihdr(width, height));
    png_chunk(&mut out, b"IDAT", &[0x78, 0x01, 0x00, 0x00, 0x00, 0xff, 0xff]);
    png_chunk(&mut out, b"IEND", &[]);
    out
}

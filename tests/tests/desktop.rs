//! The desktop app's real window under Xvfb, driven over WebDriver (tauri-driver → WebKitWebDriver):
//! what an officer does on a patrol day, and that it survives a restart.
//!
//! Needs the app built with its UI (`scripts/test.sh` does it: `npm --prefix ui run build`, then
//! `cargo build -p gridpatrol-desktop`), `tauri-driver` on PATH or in ~/.cargo/bin, and Xvfb.
//! Screenshots go to `target/e2e-screenshots/`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::actions::InputSource;
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(20);

/// One window at a time: two WebKitWebDriver sessions starting at once can stall each other.
static ONE_WINDOW: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_window() -> std::sync::MutexGuard<'static, ()> {
    ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner())
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

/// The folder the workspace's debug binaries are in: this test's own `target/debug` (whatever
/// `CARGO_TARGET_DIR` says), found from the test executable (`target/debug/deps/desktop-HASH`).
fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    exe.parent().and_then(Path::parent).expect("target dir").to_path_buf()
}

fn app_binary() -> PathBuf {
    let bin = std::env::var_os("GRIDPATROL_DESKTOP_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| bin_dir().join("gridpatrol-desktop"));
    assert!(bin.is_file(), "the desktop app must be built first (scripts/test.sh does): {} is missing", bin.display());
    bin
}

/// Two distinct free loopback ports (both held until both are chosen, so they cannot coincide).
fn free_ports() -> (u16, u16) {
    let a = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    let b = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    (a.local_addr().unwrap().port(), b.local_addr().unwrap().port())
}

/// A child process killed when the test ends, whatever happens.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// tauri-driver, and the WebKitWebDriver it started (which tauri-driver leaves behind when killed).
struct Driver {
    _proc: Proc,
    native_port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let pattern = format!("WebKitWebDriver --port={} ", self.native_port);
        let _ = Command::new("pkill").args(["-KILL", "-f", &pattern]).status();
    }
}

/// Waits for a condition with a deadline: no fixed sleeps.
fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !ready() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// An X display: the one we run in, or a private Xvfb.
fn display() -> (String, Option<Proc>) {
    if let Ok(d) = std::env::var("DISPLAY") {
        if !d.is_empty() {
            return (d, None);
        }
    }
    // Xvfb picks a free display itself and writes its number on the descriptor we give it.
    let mut child = Command::new("Xvfb")
        .args(["-displayfd", "1", "-screen", "0", "1366x768x24", "-nolisten", "tcp"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb must be installed (apt-get install xvfb; scripts/setup.sh does it)");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("Xvfb's stdout");
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line).expect("Xvfb reports its display");
    let display = format!(":{}", line.trim());
    assert!(line.trim().parse::<u32>().is_ok(), "Xvfb should report a display number, got {line:?}");
    (display, Some(Proc(child)))
}

/// tauri-driver, and through it WebKitWebDriver and the app, with their own home folders so the
/// webview's storage (drafts, recent categories) and the window state start empty every run.
fn tauri_driver(display: &str, home: &Path) -> (u16, Driver) {
    let (port, native) = free_ports();
    let exe = which_tauri_driver();
    let child = Command::new(exe)
        .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
        .env("DISPLAY", display)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        // The hub token in the data folder: a test must not write into a developer's own keyring.
        .env("GRIDPATROL_TOKEN_STORE", "file")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("tauri-driver must be installed (cargo install tauri-driver --locked; scripts/setup.sh does it)");
    // tauri-driver forwards to WebKitWebDriver: a session asked for before both listen is cut off.
    wait_until("tauri-driver to listen", || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
    wait_until("WebKitWebDriver to listen", || std::net::TcpStream::connect(("127.0.0.1", native)).is_ok());
    (port, Driver { _proc: Proc(child), native_port: native })
}

fn which_tauri_driver() -> PathBuf {
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
    let in_cargo = home.join(".cargo/bin/tauri-driver");
    if in_cargo.is_file() {
        return in_cargo;
    }
    PathBuf::from("tauri-driver")
}

struct App {
    client: Client,
    shots: PathBuf,
    data_dir: PathBuf,
}

/// The refused events in a device's store, with the hub's reasons (for a failing test's message).
fn parked(data_dir: &Path) -> Vec<(String, String)> {
    let Ok(db) = rusqlite::Connection::open_with_flags(
        data_dir.join("gridpatrol.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    ) else {
        return Vec::new();
    };
    let Ok(mut stmt) = db.prepare("SELECT kind, coalesce(parked_reason, '') FROM events WHERE sync_state = 'parked'")
    else {
        return Vec::new();
    };
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map(|rows| rows.flatten().collect()).unwrap_or_default()
}

impl App {
    async fn launch(port: u16, data_dir: &Path) -> App {
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert("tauri:options".into(), json!({"application": app_binary(), "args": ["--data-dir", data_dir]}));
        let mut builder = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
        builder.capabilities(caps);
        let url = format!("http://127.0.0.1:{port}");
        let connect = builder.connect(&url);
        let client = tokio::time::timeout(Duration::from_secs(90), connect)
            .await
            .expect("the app's window should open within 90 s")
            .expect("a WebDriver session with the app");
        eprintln!("e2e: session open");
        let shots = workspace().join("target/e2e-screenshots");
        std::fs::create_dir_all(&shots).expect("screenshot folder");
        App { client, shots, data_dir: data_dir.to_path_buf() }
    }

    async fn el(&self, css: &str) -> Element {
        match self.client.wait().at_most(WAIT).for_element(Locator::Css(css)).await {
            Ok(element) => element,
            Err(e) => {
                self.shot("timeout").await;
                panic!("the element {css} should appear: {e}; the window shows:\n{}", self.body_text().await)
            }
        }
    }

    async fn testid(&self, id: &str) -> Element {
        self.el(&format!("[data-testid=\"{id}\"]")).await
    }

    async fn click(&self, id: &str) {
        self.testid(id).await.click().await.unwrap_or_else(|e| panic!("click {id}: {e}"));
    }

    /// Clicks a table row: WebKitWebDriver refuses to click a `<tr>` (it has no single box to aim
    /// at), so the row's first cell is clicked, as a person would.
    async fn click_row(&self, id: &str) {
        let cell = self.el(&format!("[data-testid=\"{id}\"] td")).await;
        cell.click().await.unwrap_or_else(|e| panic!("click row {id}: {e}"));
    }

    /// What the window shows as text (innerText: WebKitWebDriver's element text skips some cells).
    async fn body_text(&self) -> String {
        let value = self.client.execute("return document.body.innerText", vec![]).await.expect("body text");
        value.as_str().unwrap_or_default().to_string()
    }

    /// Waits until the page's text contains `needle`.
    async fn wait_text(&self, needle: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let text = self.body_text().await;
            if text.contains(needle) {
                return;
            }
            if Instant::now() > deadline {
                self.shot("timeout").await;
                panic!("the window should show {needle:?}; it shows:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// An element's innerText (WebKitWebDriver's element text skips clamped lines).
    async fn inner_text(&self, css: &str) -> String {
        let value = self
            .client
            .execute("const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", vec![json!(css)])
            .await
            .expect("innerText");
        value.as_str().unwrap_or_default().to_string()
    }

    /// Waits until a script returns true.
    async fn wait_script(&self, what: &str, script: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let value = self.client.execute(script, vec![]).await.expect("script runs");
            if value.as_bool() == Some(true) {
                return;
            }
            if Instant::now() > deadline {
                self.shot("timeout").await;
                panic!("timed out waiting for {what}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn shot(&self, name: &str) {
        // Let the window paint what the last step changed, then take the picture. A screenshot is for
        // people to look at; it must never hang the test. The app draws without GPU compositing, and
        // then WebKitGTK's WebDriver screenshot waits for the page's next repaint, which an idle page
        // never makes: an invisible change (a transparent outline, toggled) keeps repainting while
        // the screenshot is taken.
        let painted = self.client.execute_async(
            "const done = arguments[arguments.length - 1]; const root = document.documentElement.style; \
             window.__shotTick = setInterval(() => { root.outline = root.outline ? '' : '1px solid transparent'; }, 20); \
             requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            vec![],
        );
        let _ = tokio::time::timeout(Duration::from_secs(5), painted).await;
        if let Ok(Ok(png)) = tokio::time::timeout(Duration::from_secs(10), self.client.screenshot()).await {
            let _ = std::fs::write(self.shots.join(format!("{name}.png")), png);
        }
        let _ = self
            .client
            .execute("clearInterval(window.__shotTick); document.documentElement.style.outline = '';", vec![])
            .await;
    }

    /// First start as someone new: load the sample registry, wait until it is in (the form's buttons
    /// are disabled while it loads, and a click on them then does nothing), then name and role.
    async fn first_start_as_lead(&self, name: &str) {
        self.click("load-sample").await;
        self.wait_script(
            "the sample registry to load",
            "const save = document.querySelector('[data-testid=\"profile-save\"]'); \
             return !!save && !save.disabled && document.body.innerText.includes('黄河第01网格');",
        )
        .await;
        self.testid("profile-name").await.send_keys(name).await.unwrap();
        self.testid("profile-role").await.select_by_value("lead").await.unwrap();
        self.click("profile-save").await;
        self.testid("patrol-start").await;
    }

    /// Signs in to the hub from the sync area's settings and waits until the app is online.
    async fn sign_in_to_hub(&self, url: &str, user: &str, password: &str) {
        self.click("hub-settings").await;
        let field = self.testid("hub-url").await;
        field.clear().await.unwrap();
        field.send_keys(url).await.unwrap();
        self.testid("hub-user").await.send_keys(user).await.unwrap();
        self.testid("hub-password").await.send_keys(password).await.unwrap();
        self.click("hub-sign-in").await;
        self.wait_script(
            "the app to be online",
            "return document.querySelector('[data-testid=\"sync-status\"]')?.dataset.online === 'true';",
        )
        .await;
    }

    /// Presses "sync now" on Today until `arrived` (checked on the weekly-log screen) holds: what
    /// another device sent reaches this one.
    async fn sync_until(&self, what: &str, arrived: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            self.click("nav-today").await;
            self.click("sync-now").await;
            tokio::time::sleep(Duration::from_millis(700)).await;
            self.click("nav-logs").await;
            tokio::time::sleep(Duration::from_millis(300)).await;
            let value = self.client.execute(arrived, vec![]).await.expect("script runs");
            if value.as_bool() == Some(true) {
                return;
            }
            if Instant::now() > deadline {
                self.shot("timeout").await;
                panic!("{what} should arrive after sync; the window shows:\n{}", self.body_text().await);
            }
        }
    }

    async fn quit(self) {
        let _ = self.client.close().await;
    }
}

const ENTER: &str = "\u{E007}";
const DESCRIPTION: &str = "黄河五路井盖破损，端到端测试";

/// A real photo for the form, made by ImageMagick (installed by scripts/setup.sh).
fn photo(dir: &Path) -> PathBuf {
    let path = dir.join("井盖.jpg");
    let status = Command::new("convert")
        .args(["-size", "640x480", "gradient:#446688-#ddeeff", path.to_str().unwrap()])
        .status()
        .expect("ImageMagick convert must be installed");
    assert!(status.success(), "convert made the test photo");
    path
}

#[tokio::test(flavor = "current_thread")]
async fn an_officer_patrols_records_finds_and_restarts() {
    let _one = one_window();
    let (display, _xvfb) = display();
    let tmp = tempfile::tempdir().expect("temp dir");
    let (port, _driver) = tauri_driver(&display, &tmp.path().join("home"));
    let data = tmp.path().join("data");
    let photo = photo(tmp.path());

    // First start: skip with the sample officer; the sample registry is loaded on the way.
    eprintln!("e2e: launching on {display}, driver port {port}");
    let app = App::launch(port, &data).await;
    app.testid("first-start").await;
    eprintln!("e2e: first start shown");
    app.shot("01-first-start").await;
    app.click("skip-sample").await;

    // Today: start a patrol over my grids.
    app.click("patrol-start").await;
    app.testid("patrol-end").await;
    app.wait_text("李明").await;
    assert!(app.testid("sync-status").await.text().await.unwrap().contains("待同步"), "the sync area says what waits");
    app.shot("02-today-patrol").await;

    // Record a finding with a photo.
    app.click("new-finding").await;
    let category = app.testid("finding-category").await;
    category.send_keys("0101").await.unwrap();
    category.send_keys(ENTER).await.unwrap();
    app.testid("finding-description").await.send_keys(DESCRIPTION).await.unwrap();
    app.testid("finding-photos-input").await.send_keys(photo.to_str().unwrap()).await.unwrap();
    app.el(".thumbs img").await;
    app.shot("03-record").await;
    app.click("finding-save").await;
    app.testid("finding-saved").await;

    // Bad input: no description. The reason shows beside the field; what was typed stays.
    let category = app.testid("finding-category").await;
    category.send_keys("0151").await.unwrap();
    category.send_keys(ENTER).await.unwrap();
    app.testid("finding-address").await.send_keys("渤海七路").await.unwrap();
    app.click("finding-save").await;
    let error = app.testid("error-description").await.text().await.unwrap();
    assert!(error.contains("不能为空"), "an empty description is refused in Chinese: {error}");
    let address = app.testid("finding-address").await.prop("value").await.unwrap().unwrap_or_default();
    assert_eq!(address, "渤海七路", "nothing typed is lost when a field is refused");
    app.shot("04-refused").await;

    // The list finds it, also by a Chinese search.
    app.click("nav-findings").await;
    app.testid("finding-list").await;
    app.wait_text(DESCRIPTION).await;
    app.testid("filter-search").await.send_keys("井盖").await.unwrap();
    app.wait_text(DESCRIPTION).await;
    app.shot("05-list").await;
    app.el("[data-testid=\"finding-row\"]").await.click().await.unwrap();
    app.testid("finding-detail").await;
    app.testid("detail-photo").await;
    app.wait_script("the photo's thumbnail loads from the photo: protocol", "const i = document.querySelector('[data-testid=\"detail-photo\"] img, img[data-testid=\"detail-photo\"]'); return !!i && i.complete && i.naturalWidth > 0;").await;
    app.shot("06-detail").await;

    // The map shows the grid with one open finding, and lists it.
    app.click("nav-map").await;
    app.testid("grid-map").await;
    let cell = app.el("[data-testid=\"map-grid\"][data-code=\"37160200100101\"]").await;
    let class = cell.attr("class").await.unwrap().unwrap_or_default();
    assert!(!class.contains("b0"), "the grid with an open finding is coloured: {class}");
    cell.click().await.unwrap();
    app.testid("map-finding").await;
    let listed = app.inner_text("[data-testid=\"map-finding\"]").await;
    assert!(listed.contains("井盖破损"), "clicking the grid lists its findings: {listed}");
    app.shot("07-map").await;

    // English and back.
    app.click("lang-switch").await;
    app.wait_text("Findings").await;
    app.shot("08-english").await;
    app.click("lang-switch").await;
    app.wait_text("问题列表").await;
    app.quit().await;

    // Restart on the same data folder: no first start, the finding and the language are still there.
    let app = App::launch(port, &data).await;
    app.click("nav-findings").await;
    app.wait_text(DESCRIPTION).await;
    app.wait_text("问题列表").await;
    app.shot("09-after-restart").await;
    app.quit().await;
}

/// A `gridpatrol-hub` process on loopback with the sample registry and users.
struct HubProcess {
    dir: tempfile::TempDir,
    url: String,
    _child: Proc,
}

fn workspace_bin(name: &str) -> PathBuf {
    let path = bin_dir().join(name);
    assert!(path.is_file(), "{} must be built first (cargo test --workspace builds it)", path.display());
    path
}

impl HubProcess {
    fn start() -> HubProcess {
        let dir = tempfile::tempdir().expect("hub dir");
        let init = Command::new(workspace_bin("gridpatrol-hub"))
            .arg("--data-dir")
            .arg(dir.path())
            .args(["init", "--sample"])
            .output()
            .expect("hub init");
        assert!(init.status.success(), "hub init: {}", String::from_utf8_lossy(&init.stderr));
        let mut child = Command::new(workspace_bin("gridpatrol-hub"))
            .arg("--data-dir")
            .arg(dir.path())
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("hub serve");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("hub stdout");
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)
            .expect("the hub prints its address");
        let url = format!("http://{}", line.trim().rsplit("http://").next().unwrap_or_default());
        HubProcess { dir, url, _child: Proc(child) }
    }

    /// The entity ids of the hub's events of `kind`, in hub order.
    fn entity_ids(&self, kind: &str) -> Vec<String> {
        let db = rusqlite::Connection::open_with_flags(
            self.dir.path().join("hub.db"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .expect("hub db");
        let mut stmt = db.prepare("SELECT entity_id FROM events WHERE kind = ?1 ORDER BY hub_seq").expect("query");
        stmt.query_map([kind], |r| r.get(0)).expect("rows").collect::<Result<_, _>>().expect("ids")
    }

    fn reported_ids(&self) -> Vec<String> {
        self.entity_ids("finding.reported")
    }

    /// Waits until the hub holds `n` events of `kind`: `app`'s sync task got them there by itself.
    async fn wait_for(&self, app: &App, kind: &str, n: usize) {
        let deadline = Instant::now() + WAIT;
        while self.entity_ids(kind).len() < n {
            if Instant::now() > deadline {
                app.shot("timeout-hub").await;
                app.click("nav-today").await;
                panic!(
                    "{n} {kind} event(s) should reach the hub by themselves; parked: {:?}; the app shows:\n{}",
                    parked(&app.data_dir),
                    app.body_text().await
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// The `gridpatrol` CLI on its own data folder: the team lead's device in this test.
fn cli(dir: &Path, args: &[&str], stdin: Option<&str>) -> String {
    use std::io::Write;
    let mut child = Command::new(workspace_bin("gridpatrol"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gridpatrol");
    if let Some(input) = stdin {
        child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().expect("gridpatrol output");
    assert!(out.status.success(), "gridpatrol {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "current_thread")]
async fn the_officers_app_syncs_with_a_hub_and_receives_the_leads_move() {
    let _one = one_window();
    let hub = HubProcess::start();
    let (display, _xvfb) = display();
    let tmp = tempfile::tempdir().expect("temp dir");
    let (port, _driver) = tauri_driver(&display, &tmp.path().join("home"));
    let data = tmp.path().join("data");

    let app = App::launch(port, &data).await;
    app.click("skip-sample").await;
    app.testid("patrol-start").await;
    assert_eq!(
        app.testid("sync-status").await.attr("data-online").await.unwrap().as_deref(),
        Some("false"),
        "not signed in: offline"
    );

    // Sign in to the hub from the sync area's settings.
    app.sign_in_to_hub(&hub.url, "李明", "officer-sample").await;

    // Record a finding: it reaches the hub by itself, shortly after.
    app.click("new-finding").await;
    app.testid("finding-grid").await.select_by_value("37160200100101").await.unwrap();
    let category = app.testid("finding-category").await;
    category.send_keys("0552").await.unwrap();
    category.send_keys(ENTER).await.unwrap();
    app.testid("finding-description").await.send_keys("渤海七路店外经营，同步测试").await.unwrap();
    app.click("finding-save").await;
    app.testid("finding-saved").await;
    let deadline = Instant::now() + WAIT;
    while hub.reported_ids().is_empty() {
        assert!(Instant::now() < deadline, "the finding should reach the hub without anyone pressing a button");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ids = hub.reported_ids();
    assert_eq!(ids.len(), 1, "the finding is at the hub exactly once");
    app.click("nav-today").await;
    app.wait_text("已全部同步").await;
    app.shot("10-synced").await;

    // The lead accepts it on another device and syncs.
    let lead = tmp.path().join("lead");
    cli(&lead, &["init", "--sample"], None);
    cli(&lead, &["login", "--hub", &hub.url, "--user", "王建国", "--password-stdin"], Some("lead-sample\n"));
    cli(&lead, &["sync"], None);
    cli(&lead, &["finding", "move", &ids[0], "accepted", "--note", "已受理，派遣中"], None);
    cli(&lead, &["sync"], None);

    // The officer's app pulls the move.
    app.click("sync-now").await;
    app.click("nav-findings").await;
    app.wait_text("已受理").await;
    app.shot("11-lead-move-arrived").await;
    app.quit().await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_team_lead_accepts_a_finding_from_its_detail_view() {
    let _one = one_window();
    let (display, _xvfb) = display();
    let tmp = tempfile::tempdir().expect("temp dir");
    let (port, _driver) = tauri_driver(&display, &tmp.path().join("home"));
    let app = App::launch(port, &tmp.path().join("data")).await;

    // First start as someone new: load the sample registry, then name and role.
    app.first_start_as_lead("王建国").await;

    app.click("new-finding").await;
    app.testid("finding-grid").await.select_by_value("37160200100103").await.unwrap();
    let category = app.testid("finding-category").await;
    category.send_keys("0201").await.unwrap();
    category.send_keys(ENTER).await.unwrap();
    app.testid("finding-description").await.send_keys("黄河五路路灯不亮，组长自查").await.unwrap();
    app.click("finding-save").await;
    app.testid("finding-saved").await;

    // The detail view offers the lead's moves; accepting records the move and its note.
    app.click("nav-findings").await;
    app.el("[data-testid=\"finding-row\"]").await.click().await.unwrap();
    app.testid("finding-detail").await;
    assert!(app.inner_text("[data-testid=\"detail-status\"]").await.contains("已上报"), "a new finding is reported");
    app.click("move-accepted").await;
    app.testid("move-note").await.send_keys("受理，派遣市政养护").await.unwrap();
    app.click("move-confirm").await;
    app.wait_script(
        "the status to become 已受理",
        "return (document.querySelector('[data-testid=\"detail-status\"]')?.innerText || '').includes('已受理');",
    )
    .await;
    let history = app.inner_text("[data-testid=\"detail-history\"]").await;
    assert!(history.contains("受理，派遣市政养护"), "the history shows the move with its note: {history}");
    app.shot("12-lead-accepted").await;

    // The lead corrects the description; the history keeps what it said before.
    app.click("finding-edit").await;
    let text = app.testid("edit-description").await;
    text.clear().await.unwrap();
    text.send_keys("黄河五路路灯不亮，灯杆编号 HH-0312").await.unwrap();
    app.click("edit-save").await;
    app.wait_script(
        "the edit to show in the history",
        "return (document.querySelector('[data-testid=\"detail-history\"]')?.innerText || '').includes('HH-0312');",
    )
    .await;
    let detail = app.inner_text("[data-testid=\"finding-detail\"]").await;
    assert!(detail.contains("灯杆编号 HH-0312"), "the detail shows the new description: {detail}");
    app.shot("13-lead-edited").await;

    // The lead's dashboard: this large grid's weeks, its small grids on the map, the overdue list.
    app.click("nav-dashboard").await;
    app.testid("dashboard-chart").await;
    app.testid("dashboard-measures").await;
    app.testid("dashboard-overdue").await;
    let grids = app
        .client
        .execute("return document.querySelectorAll('[data-testid=\"dashboard-map-grid\"]').length;", vec![])
        .await
        .unwrap();
    assert!(grids.as_u64().unwrap_or(0) >= 10, "the large grid's small grids are drawn: {grids}");
    let selected = app.inner_text("[data-testid=\"dashboard-grid\"] option:checked").await;
    assert!(selected.contains("黄河"), "the lead's own large grid is chosen: {selected}");
    app.shot("14-lead-dashboard").await;
    app.quit().await;
}

/// Whether the opened log's review badge says `state` (submitted, approved, returned).
fn log_state_is(state: &str) -> String {
    format!("return document.querySelector('[data-testid=\"log-state\"]')?.dataset.state === '{state}';")
}

#[tokio::test(flavor = "current_thread")]
async fn a_weekly_log_comes_back_with_the_leads_comment_and_is_then_approved() {
    let _one = one_window();
    let hub = HubProcess::start();
    let (display, _xvfb) = display();
    let tmp = tempfile::tempdir().expect("temp dir");
    let (port, _driver) = tauri_driver(&display, &tmp.path().join("home"));
    let (officer, lead) = (tmp.path().join("officer"), tmp.path().join("lead"));
    let week = gridpatrol_core::weekly::IsoWeek::of(chrono::Utc::now()).to_string();
    let week_row = format!("log-week-{week}");
    let queue_item = format!("queue-item-李明-{week}");
    let queued = format!("return !!document.querySelector('[data-testid=\"{queue_item}\"]');");
    let comment = "周六的巡查没有记录网格，请补充";

    // The officer submits this week's log; it reaches the hub by itself.
    let app = App::launch(port, &officer).await;
    app.click("skip-sample").await;
    app.testid("patrol-start").await;
    app.sign_in_to_hub(&hub.url, "李明", "officer-sample").await;
    // A finding with a photo this week: the lead will open the log with it.
    app.click("new-finding").await;
    app.testid("finding-grid").await.select_by_value("37160200100101").await.unwrap();
    let category = app.testid("finding-category").await;
    category.send_keys("0101").await.unwrap();
    category.send_keys(ENTER).await.unwrap();
    app.testid("finding-description").await.send_keys("黄河二路井盖破损，周志").await.unwrap();
    let picture = photo(tmp.path());
    app.testid("finding-photos-input").await.send_keys(picture.to_str().unwrap()).await.unwrap();
    app.el(".thumbs img").await;
    app.click("finding-save").await;
    app.testid("finding-saved").await;
    app.click("nav-logs").await;
    app.click_row(&week_row).await;
    app.testid("log-view").await;
    app.click("log-submit").await;
    app.wait_script("the log to be submitted", &log_state_is("submitted")).await;
    hub.wait_for(&app, "log.submitted", 1).await;
    app.quit().await;

    // The lead, on another laptop, finds it in the review queue and returns it with a comment.
    let app = App::launch(port, &lead).await;
    app.first_start_as_lead("王建国").await;
    app.sign_in_to_hub(&hub.url, "王建国", "lead-sample").await;
    app.sync_until("the officer's submitted log", &queued).await;
    app.shot("20-review-queue").await;
    app.click_row(&queue_item).await;
    // The log opens with the officer's finding and its photo, fetched from the hub after the pull.
    app.wait_text("黄河二路井盖破损").await;
    app.wait_script(
        "the finding's photo to show in the log",
        "const img = document.querySelector('[data-testid=\"log-photo\"]'); return !!img && img.complete && img.naturalWidth > 0;",
    )
    .await;
    app.shot("20b-lead-opens-log").await;
    app.testid("review-comment").await.send_keys(comment).await.unwrap();
    app.click("review-return").await;
    app.wait_script("the queue to empty", "return !!document.querySelector('[data-testid=\"queue-empty\"]');").await;
    hub.wait_for(&app, "log.returned", 1).await;
    app.quit().await;

    // The officer sees it come back with the comment, answers and submits again.
    let app = App::launch(port, &officer).await;
    app.click("nav-logs").await;
    app.click_row(&week_row).await;
    app.sync_until("the lead's return", &log_state_is("returned")).await;
    let shown = app.inner_text("[data-testid=\"log-comment\"]").await;
    assert!(shown.contains(comment), "the lead's comment is shown to the officer: {shown}");
    assert!(app.inner_text("[data-testid=\"log-state\"]").await.contains("已退回"));
    app.shot("21-log-returned").await;
    // Submitting again without a reply is refused beside the field; with one it goes.
    app.click("log-submit").await;
    app.testid("error-reply").await;
    app.testid("log-reply").await.send_keys("已补记周六巡查的网格").await.unwrap();
    app.click("log-submit").await;
    app.wait_script("the log to be submitted again", &log_state_is("submitted")).await;
    hub.wait_for(&app, "log.submitted", 2).await;
    app.quit().await;

    // The lead approves it with one key.
    let app = App::launch(port, &lead).await;
    app.testid("patrol-start").await;
    app.sync_until("the resubmitted log", &queued).await;
    app.click_row(&queue_item).await;
    app.testid("log-officer-reply").await;
    let reply = app.inner_text("[data-testid=\"log-officer-reply\"]").await;
    assert!(reply.contains("已补记"), "the lead reads the officer's reply: {reply}");
    app.testid("review-approve").await;
    // "A" approves: a real key press, with no text field focused.
    app.client.execute("document.activeElement?.blur();", vec![]).await.unwrap();
    let press = fantoccini::actions::KeyActions::new("keyboard".into())
        .then(fantoccini::actions::KeyAction::Down { value: 'a' })
        .then(fantoccini::actions::KeyAction::Up { value: 'a' });
    app.client.perform_actions(press).await.expect("a key press");
    hub.wait_for(&app, "log.approved", 1).await;
    app.quit().await;

    // And the officer sees the approval after sync.
    let app = App::launch(port, &officer).await;
    app.click("nav-logs").await;
    app.click_row(&week_row).await;
    app.sync_until("the lead's approval", &log_state_is("approved")).await;
    assert!(app.inner_text("[data-testid=\"log-state\"]").await.contains("已通过"));
    app.shot("22-log-approved").await;
    app.quit().await;
}

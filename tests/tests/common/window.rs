//! The window part of the shared harness: an X display (Xvfb when none is set), `tauri-driver` with
//! the WebKitWebDriver it starts, and the desktop app in a WebDriver session, with the waits,
//! screenshots and text reads the window tests need. The WebKit and Xvfb quirks it works around are
//! in README.md, "Notes for this machine"; this is the one place to fix when another appears.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::actions::InputSource;
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use super::Hub;

pub const WAIT: Duration = Duration::from_secs(20);

/// One window at a time: two WebKitWebDriver sessions starting at once can stall each other.
static ONE_WINDOW: std::sync::Mutex<()> = std::sync::Mutex::new(());

pub fn one_window() -> std::sync::MutexGuard<'static, ()> {
    ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner())
}

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

/// The desktop app: GRIDPATROL_DESKTOP_BIN, else the workspace's own build beside the other binaries.
pub fn app_binary() -> PathBuf {
    match std::env::var_os("GRIDPATROL_DESKTOP_BIN") {
        Some(path) => PathBuf::from(path),
        None => super::bin("gridpatrol-desktop"),
    }
}

/// Two distinct free loopback ports (both held until both are chosen, so they cannot coincide).
pub fn free_ports() -> (u16, u16) {
    let a = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    let b = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    (a.local_addr().unwrap().port(), b.local_addr().unwrap().port())
}

/// A child process killed when the test ends, whatever happens.
pub struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// tauri-driver, and the WebKitWebDriver it started (which tauri-driver leaves behind when killed).
pub struct Driver {
    _proc: Proc,
    native_port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let pattern = format!("WebKitWebDriver --port={} ", self.native_port);
        let _ = Command::new("pkill").args(["-KILL", "-f", &pattern]).status();
    }
}

/// An X display: the one we run in, or a private Xvfb.
pub fn display() -> (String, Option<Proc>) {
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
/// With `passphrase` false the app is given none: where no keyring answers it asks on its unlock screen.
pub fn tauri_driver(display: &str, home: &Path, passphrase: bool) -> (u16, Driver) {
    let (port, native) = free_ports();
    let exe = which_tauri_driver();
    let mut cmd = Command::new(exe);
    // The store's passphrase, where no keyring answers (issue 13.4), or none at all.
    if passphrase {
        cmd.env("GRIDPATROL_PASSPHRASE", super::PASSPHRASE);
    } else {
        cmd.env_remove("GRIDPATROL_PASSPHRASE");
    }
    let child = cmd
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
    super::wait_until(WAIT, "tauri-driver to listen", || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
    super::wait_until(WAIT, "WebKitWebDriver to listen", || {
        std::net::TcpStream::connect(("127.0.0.1", native)).is_ok()
    });
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

pub struct App {
    pub client: Client,
    pub shots: PathBuf,
    pub data_dir: PathBuf,
}

/// The refused events in a device's store, with the hub's reasons (for a failing test's message).
pub fn parked(data_dir: &Path) -> Vec<(String, String)> {
    let Ok(db) = super::device_db(data_dir, false) else {
        return Vec::new();
    };
    let Ok(mut stmt) = db.prepare("SELECT kind, coalesce(parked_reason, '') FROM events WHERE sync_state = 'parked'")
    else {
        return Vec::new();
    };
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map(|rows| rows.flatten().collect()).unwrap_or_default()
}

impl App {
    pub async fn launch(port: u16, data_dir: &Path) -> App {
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

    pub async fn el(&self, css: &str) -> Element {
        match self.client.wait().at_most(WAIT).for_element(Locator::Css(css)).await {
            Ok(element) => element,
            Err(e) => {
                self.shot("timeout").await;
                panic!("the element {css} should appear: {e}; the window shows:\n{}", self.body_text().await)
            }
        }
    }

    pub async fn testid(&self, id: &str) -> Element {
        self.el(&format!("[data-testid=\"{id}\"]")).await
    }

    pub async fn click(&self, id: &str) {
        self.testid(id).await.click().await.unwrap_or_else(|e| panic!("click {id}: {e}"));
    }

    /// Clicks a table row: WebKitWebDriver refuses to click a `<tr>` (it has no single box to aim
    /// at), so the row's first cell is clicked, as a person would.
    pub async fn click_row(&self, id: &str) {
        let cell = self.el(&format!("[data-testid=\"{id}\"] td")).await;
        cell.click().await.unwrap_or_else(|e| panic!("click row {id}: {e}"));
    }

    /// What the window shows as text (innerText: WebKitWebDriver's element text skips some cells).
    pub async fn body_text(&self) -> String {
        let value = self.client.execute("return document.body.innerText", vec![]).await.expect("body text");
        value.as_str().unwrap_or_default().to_string()
    }

    /// Waits until the page's text contains `needle`.
    pub async fn wait_text(&self, needle: &str) {
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
    pub async fn inner_text(&self, css: &str) -> String {
        let value = self
            .client
            .execute("const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", vec![json!(css)])
            .await
            .expect("innerText");
        value.as_str().unwrap_or_default().to_string()
    }

    /// Waits until a script returns true.
    pub async fn wait_script(&self, what: &str, script: &str) {
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

    pub async fn shot(&self, name: &str) {
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
    pub async fn first_start_as_lead(&self, name: &str) {
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
    pub async fn sign_in_to_hub(&self, url: &str, user: &str, password: &str) {
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
    pub async fn sync_until(&self, what: &str, arrived: &str) {
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

    pub async fn quit(self) {
        let _ = self.client.close().await;
    }
}

pub const ENTER: &str = "\u{E007}";

/// A real photo for the form, made by ImageMagick (installed by scripts/setup.sh).
pub fn photo(dir: &Path) -> PathBuf {
    let path = dir.join("井盖.jpg");
    let status = Command::new("convert")
        .args(["-size", "640x480", "gradient:#446688-#ddeeff", path.to_str().unwrap()])
        .status()
        .expect("ImageMagick convert must be installed");
    assert!(status.success(), "convert made the test photo");
    path
}

/// A real photo whose EXIF DateTimeOriginal is `taken` (`YYYY:MM:DD HH:MM:SS`, the camera's local
/// time, read as Beijing time): ImageMagick's JPEG with an EXIF segment written by hand after its SOI
/// (big-endian TIFF, as cameras write it; the same layout as core's photo tests).
pub fn photo_taken_at(dir: &Path, taken: &str) -> PathBuf {
    let plain = std::fs::read(photo(dir)).expect("the plain test photo");
    assert_eq!(&plain[..2], b"\xFF\xD8", "a JPEG starts with SOI");
    let mut time = taken.as_bytes().to_vec();
    time.push(0);
    assert_eq!(time.len(), 20, "an EXIF time is 19 characters and a NUL");
    // IFD0 at 8 (one entry: the Exif IFD's offset), the Exif IFD at 26 (one entry: DateTimeOriginal,
    // its 20 bytes at 44).
    let mut tiff = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
    let entry = |tiff: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32| {
        tiff.extend(1u16.to_be_bytes());
        tiff.extend(tag.to_be_bytes());
        tiff.extend(kind.to_be_bytes());
        tiff.extend(count.to_be_bytes());
        tiff.extend(value.to_be_bytes());
        tiff.extend(0u32.to_be_bytes());
    };
    entry(&mut tiff, 0x8769, 4, 1, 26); // ExifIFDPointer (LONG)
    entry(&mut tiff, 0x9003, 2, 20, 44); // DateTimeOriginal (ASCII, out of line)
    assert_eq!(tiff.len(), 44, "the time's bytes sit where the entry says");
    tiff.extend(time);
    let mut app1 = b"Exif\x00\x00".to_vec();
    app1.extend(tiff);
    let mut out = plain[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend(&plain[2..]);
    let path = dir.join("昨天的照片.jpg");
    std::fs::write(&path, out).expect("write the EXIF photo");
    path
}

/// One X display with tauri-driver on it: windows are opened in turn on its port.
pub struct Desk {
    pub display: String,
    pub port: u16,
    // Dropped in this order: the driver (and its WebKitWebDriver), then the display.
    _driver: Driver,
    _xvfb: Option<Proc>,
}

impl Desk {
    /// A display and a driver whose app gets `home` for its XDG folders (webview storage starts empty).
    pub fn start(home: &Path) -> Desk {
        Desk::start_with(home, true)
    }

    /// A desk whose app is given no passphrase: it opens on the unlock screen (no keyring answers).
    pub fn start_without_passphrase(home: &Path) -> Desk {
        Desk::start_with(home, false)
    }

    fn start_with(home: &Path, passphrase: bool) -> Desk {
        let (display, xvfb) = display();
        let (port, driver) = tauri_driver(&display, home, passphrase);
        Desk { display, port, _driver: driver, _xvfb: xvfb }
    }

    pub async fn launch(&self, data_dir: &Path) -> App {
        App::launch(self.port, data_dir).await
    }
}

impl App {
    /// Waits until the hub holds `n` events of `kind`: this app's sync task got them there by itself.
    pub async fn wait_for_hub(&self, hub: &Hub, kind: &str, n: usize) {
        let deadline = Instant::now() + WAIT;
        while hub.entity_ids(kind).len() < n {
            if Instant::now() > deadline {
                self.shot("timeout-hub").await;
                self.click("nav-today").await;
                panic!(
                    "{n} {kind} event(s) should reach the hub by themselves; parked: {:?}; the app shows:\n{}",
                    parked(&self.data_dir),
                    self.body_text().await
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Sets the window's outer size (the WebDriver window rect), and waits until the page has it.
    pub async fn resize(&self, width: u32, height: u32) {
        self.client
            .set_window_rect(0, 0, width, height)
            .await
            .unwrap_or_else(|e| panic!("resize to {width}×{height}: {e}"));
        let script = format!("return window.outerWidth === {width} && window.outerHeight === {height};");
        self.wait_script(&format!("the window to be {width}×{height}"), &script).await;
    }

    /// Presses a key with no text field focused (a shortcut), as a person would.
    pub async fn press(&self, key: char) {
        let press = fantoccini::actions::KeyActions::new("keyboard".into())
            .then(fantoccini::actions::KeyAction::Down { value: key })
            .then(fantoccini::actions::KeyAction::Up { value: key });
        self.client.perform_actions(press).await.expect("a key press");
    }

    /// What overflows on the page as it is shown: a card (panel, figure, toast…) whose content leaves
    /// it, an element past the right edge of the window, a screen that scrolls sideways, a toast below
    /// the bottom. Content inside a scroll or clip container within the card is its own business (a
    /// wide table in a scroll box, a line ended with an ellipsis). Each entry names the element.
    pub async fn overflows(&self) -> Vec<String> {
        let found = self.client.execute(OVERFLOW_SCRIPT, vec![]).await.expect("the overflow check runs");
        found.as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect()).unwrap_or_default()
    }
}

/// The page-side overflow check of [`App::overflows`].
const OVERFLOW_SCRIPT: &str = r#"
const out = [];
const vw = document.documentElement.clientWidth, vh = window.innerHeight;
const name = (el) => {
  const id = el.getAttribute('data-testid');
  const cls = typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).join('.') : '';
  const text = (el.innerText || el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40);
  return `${el.tagName.toLowerCase()}${id ? `[data-testid=${id}]` : ''}${cls} "${text}"`;
};
const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
const clips = (el) => getComputedStyle(el).overflowX !== 'visible';
// Whether something between `el` and `stop` (exclusive) scrolls or clips sideways.
const boxedBelow = (el, stop) => {
  for (let p = el.parentElement; p && p !== stop; p = p.parentElement) if (clips(p)) return true;
  return false;
};
const skip = (el) => el.closest('svg') && el.tagName.toLowerCase() !== 'svg' || el.closest('.visually-hidden');
for (const screen of document.querySelectorAll('.screen:not([hidden]), main')) {
  if (screen.scrollWidth > screen.clientWidth + 1) out.push(`the screen scrolls sideways: ${screen.scrollWidth} > ${screen.clientWidth}`);
}
const top = document.querySelector('header.top');
if (top && top.scrollWidth > top.clientWidth + 1) out.push(`the header overflows: ${name(top)}`);
for (const card of document.querySelectorAll('.panel, .figure, .toast, .confirm, .legend, header.top')) {
  if (!shown(card)) continue;
  const r = card.getBoundingClientRect();
  if (!clips(card) && card.scrollWidth > card.clientWidth + 1) out.push(`content wider than its card: ${name(card)}`);
  for (const el of card.querySelectorAll('*')) {
    if (!shown(el) || skip(el) || boxedBelow(el, card)) continue;
    const e = el.getBoundingClientRect();
    if (e.width === 0 || e.height === 0) continue;
    if (e.right > r.right + 1 || e.left < r.left - 1) out.push(`${name(el)} leaves its card ${name(card)}`);
  }
}
for (const el of document.querySelectorAll('body *')) {
  if (!shown(el) || skip(el)) continue;
  const screen = el.closest('.screen') || document.body;
  if (boxedBelow(el, screen)) continue;
  const e = el.getBoundingClientRect();
  if (e.width > 0 && e.right > vw + 1) out.push(`${name(el)} is past the right edge (${Math.round(e.right)} > ${vw})`);
}
for (const t of document.querySelectorAll('.toast')) {
  if (shown(t) && t.getBoundingClientRect().bottom > vh + 1) out.push(`${name(t)} is below the bottom of the window`);
}
return [...new Set(out)].slice(0, 30);
"#;

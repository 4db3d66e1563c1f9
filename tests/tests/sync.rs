//! Real processes on loopback: a `gridpatrol-hub` process and `gridpatrol` CLI clients, with the
//! client killed -9 in the middle of pushes, the hub killed -9 in the middle of a batch, a TCP
//! proxy that cuts connections in the middle of replies, and two officers and a lead moving one
//! finding at once. After each: every finding is at the hub exactly once, nothing is left pending,
//! and the loser of a conflict sees why. Ports come from binding 127.0.0.1:0; every wait is a
//! condition polled against a deadline.
//!
//! The binaries are the workspace's own (`cargo test --workspace` builds them); set
//! GRIDPATROL_BIN_DIR to use others.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{bin, wait_until, Client, Hub};
use serde_json::Value;

#[test]
fn findings_reach_the_hub_exactly_once_when_the_client_is_killed_mid_push() {
    let hub = Hub::start();
    let client = Client::new(&hub.url(), "李明", "officer-sample");
    let n = 60;
    for i in 0..n {
        client.add(&format!("第{i}处井盖破损"));
    }
    // Kill -9 the client each time the hub has taken more, until the hub has everything.
    let mut kills = 0;
    for _ in 0..10 {
        let before = hub.reported();
        if before == n {
            break;
        }
        let mut sync = client.command(&["sync"]).env("GRIDPATROL_SYNC_BATCH", "3").spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while hub.reported() == before && Instant::now() < deadline && sync.try_wait().unwrap().is_none() {
            std::thread::sleep(Duration::from_millis(1));
        }
        if sync.try_wait().unwrap().is_none() {
            sync.kill().unwrap();
            kills += 1;
        }
        sync.wait().unwrap();
    }
    assert!(kills >= 2, "the test must kill the client in the middle of pushes ({kills} kills)");
    let report = client.sync_until_clean(3);
    assert_eq!(report["pending"], 0, "nothing is left pending after a clean round");
    assert_eq!(client.pending(), 0);
    hub.assert_exactly_once(n);
}

#[test]
fn nothing_is_lost_when_the_hub_is_killed_mid_batch() {
    let mut hub = Hub::start();
    let client = Client::new(&hub.url(), "李明", "officer-sample");
    let n = 40;
    for i in 0..n {
        client.add(&format!("第{i}处占道"));
    }
    let mut sync = client.command(&["sync"]).env("GRIDPATROL_SYNC_BATCH", "2").spawn().unwrap();
    wait_until(Duration::from_secs(30), "the hub to take a first batch", || {
        hub.reported() > 0 || sync.try_wait().unwrap().is_some()
    });
    hub.kill();
    let status = sync.wait().unwrap();
    let at_kill = hub.reported();
    assert!(at_kill < n || status.success(), "the hub died part way");
    hub.serve();
    let report = client.sync_until_clean(3);
    assert_eq!(report["pending"], 0);
    hub.assert_exactly_once(n);
}

/// A proxy that forwards to `target` and cuts every third connection after 60 bytes of the reply.
fn cutting_proxy(target: String) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let cuts = Arc::new(AtomicUsize::new(0));
    let counter = cuts.clone();
    std::thread::spawn(move || {
        for (n, inbound) in listener.incoming().enumerate() {
            let Ok(inbound) = inbound else { continue };
            let Ok(outbound) = TcpStream::connect(&target) else { continue };
            let cut = n % 3 == 1;
            let counter = counter.clone();
            let (mut in_r, mut out_w) = (inbound.try_clone().unwrap(), outbound.try_clone().unwrap());
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut in_r, &mut out_w);
            });
            let (mut out_r, mut in_w) = (outbound, inbound);
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                let mut sent = 0usize;
                loop {
                    let Ok(k) = out_r.read(&mut buf) else { break };
                    if k == 0 {
                        break;
                    }
                    if cut && sent + k > 60 {
                        let _ = in_w.write_all(&buf[..60 - sent.min(60)]);
                        counter.fetch_add(1, Ordering::SeqCst);
                        let _ = in_w.shutdown(std::net::Shutdown::Both);
                        let _ = out_r.shutdown(std::net::Shutdown::Both);
                        break;
                    }
                    if in_w.write_all(&buf[..k]).is_err() {
                        break;
                    }
                    sent += k;
                }
            });
        }
    });
    (format!("http://{addr}"), cuts)
}

#[test]
fn connections_cut_in_the_middle_of_replies_only_delay_sync() {
    let hub = Hub::start();
    let (proxy, cuts) = cutting_proxy(hub.addr.clone());
    let client = Client::new(&hub.url(), "张丽", "officer-sample");
    // Signed in directly; now sign in again through the proxy, which becomes the stored hub address.
    let n = 30;
    for i in 0..n {
        client.add(&format!("第{i}处暴露垃圾"));
    }
    let mut login = client
        .command(&["login", "--hub", &proxy, "--user", "张丽", "--password-stdin"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    login.stdin.take().unwrap().write_all(b"officer-sample\n").unwrap();
    let mut ok = login.wait_with_output().unwrap().status.success();
    for _ in 0..5 {
        if ok {
            break;
        }
        let mut again = client
            .command(&["login", "--hub", &proxy, "--user", "张丽", "--password-stdin"])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        again.stdin.take().unwrap().write_all(b"officer-sample\n").unwrap();
        ok = again.wait_with_output().unwrap().status.success();
    }
    assert!(ok, "sign-in through the cutting proxy succeeds within a few tries");
    let mut done = false;
    for _ in 0..6 {
        let out = client.command(&["sync"]).env("GRIDPATROL_SYNC_BATCH", "4").output().unwrap();
        if out.status.success() {
            done = true;
            break;
        }
    }
    assert!(done, "sync through a proxy that cuts every third connection finishes");
    assert!(cuts.load(Ordering::SeqCst) > 0, "the proxy must really have cut replies");
    hub.assert_exactly_once(n);
}

#[test]
fn two_officers_and_a_lead_move_one_finding_at_once_and_the_losers_see_why() {
    let hub = Hub::start();
    let li = Client::new(&hub.url(), "李明", "officer-sample");
    let zhang = Client::new(&hub.url(), "张丽", "officer-sample");
    let lead = Client::new(&hub.url(), "王建国", "lead-sample");
    let id = li.add("人行道护栏损坏");
    li.sync_until_clean(2);
    lead.sync_until_clean(2);
    lead.ok(&["finding", "move", &id, "accepted"]);
    lead.ok(&["finding", "move", &id, "rectifying"]);
    lead.sync_until_clean(2);
    zhang.sync_until_clean(2);
    li.sync_until_clean(2);

    // All three, offline, record the rectification (each with an after photo: core's rule); then all
    // sync at once.
    let after = |c: &Client, seed: u8| {
        let path = c.dir.path().join("after.png");
        std::fs::write(&path, common::png(32, 24, seed)).unwrap();
        path.to_str().unwrap().to_string()
    };
    for (c, seed, note) in [(&li, 1, "李明已整改"), (&zhang, 2, "张丽已整改"), (&lead, 3, "组长已整改")]
    {
        let photo = after(c, seed);
        c.ok(&["finding", "move", &id, "rectified", "--note", note, "--photo", &photo]);
    }
    let children: Vec<Child> =
        [&li, &zhang, &lead].iter().map(|c| c.command(&["sync", "--json"]).spawn().unwrap()).collect();
    let reports: Vec<Value> = children
        .into_iter()
        .map(|c| serde_json::from_slice(&c.wait_with_output().unwrap().stdout).expect("sync prints JSON"))
        .collect();

    let parked: Vec<&Value> = reports.iter().flat_map(|r| r["parked_events"].as_array().unwrap()).collect();
    assert_eq!(parked.len(), 2, "exactly one move wins in hub order; the other two are refused: {reports:?}");
    for p in &parked {
        assert_eq!(p["code"], "illegal_move", "the losers see why: the move is no longer legal");
        assert!(p["message"].as_str().unwrap().contains("rectified"), "the reason names the status it met");
    }
    assert_eq!(
        hub.count("SELECT count(*) FROM events WHERE kind = 'finding.moved'"),
        3,
        "accepted, rectifying and one rectified: the same result every run"
    );
    for c in [&li, &zhang, &lead] {
        c.sync_until_clean(2);
        let f = c.json(&["finding", "show", &id, "--json"]);
        assert_eq!(f["status"], "rectified", "every device converges on the hub's result");
    }
    // The lead closes it; the officers' devices learn it by pulling.
    lead.ok(&["finding", "move", &id, "closed"]);
    lead.sync_until_clean(2);
    li.sync_until_clean(2);
    assert_eq!(
        li.json(&["finding", "show", &id, "--json"])["status"],
        "closed",
        "a lead's move arrives at the officer"
    );
}

#[test]
fn a_grid_outside_the_scope_is_refused_locally_and_a_revoked_token_stops_sync() {
    let hub = Hub::start();
    let zhang = Client::new(&hub.url(), "张丽", "officer-sample");
    let out =
        zhang.run(&["finding", "add", "--grid", "37160200100102", "--category", "10101", "--description", "越界"]);
    assert!(!out.status.success(), "a grid outside the user's scope is refused on the device");
    assert!(String::from_utf8_lossy(&out.stderr).contains("outside your grid scope"), "with a clear message");
    zhang.add("本网格");
    let revoke = Command::new(bin("gridpatrol-hub"))
        .arg("--data-dir")
        .arg(hub.dir.path())
        .args(["token", "revoke", "张丽"])
        .output()
        .unwrap();
    assert!(revoke.status.success());
    let out = zhang.run(&["sync"]);
    assert!(!out.status.success(), "a revoked token cannot sync");
    assert_eq!(zhang.pending(), 1, "a refused round keeps every local change (sync invariant 2)");
    let status = zhang.json(&["status", "--json"]);
    assert_eq!(status["sync"]["last_error"]["code"], "unauthorized", "the last error is shown: {status}");
    assert_eq!(hub.reported(), 0);
}

/// Initialises, signs in and syncs inside a private D-Bus session with a real Secret Service
/// (gnome-keyring, from scripts/setup.sh, with its own HOME): the store's key and the token go to the
/// keyring (no passphrase is asked, none is given) and no token file is written; with no session bus
/// at all, the token falls back to a file only the user can read and the store to a passphrase.
#[test]
fn the_device_token_and_store_key_live_in_the_os_keyring_when_one_answers() {
    let hub = Hub::start();
    let tmp = tempfile::tempdir().unwrap();
    let (home, data) = (tmp.path().join("home"), tmp.path().join("data"));
    std::fs::create_dir_all(&home).unwrap();
    let script = r#"
        printf 'gridpatrol-test' | gnome-keyring-daemon --unlock --daemonize --components=secrets >/dev/null || exit 90
        "$GP" --data-dir "$DATA" --lang en init --sample >/dev/null || exit 89
        printf 'officer-sample\n' | "$GP" --data-dir "$DATA" --lang en login --hub "$HUB" --user 李明 --password-stdin || exit 91
        test ! -e "$DATA/hub-token" || exit 92
        "$GP" --data-dir "$DATA" --lang en finding add --grid 37160200100101 --category 0101 --description 'keyring test' >/dev/null || exit 93
        "$GP" --data-dir "$DATA" --lang en sync || exit 94
    "#;
    let out = Command::new("dbus-run-session")
        .args(["--", "sh", "-c", script])
        .env("HOME", &home)
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_RUNTIME_DIR", &home)
        .env("GP", bin("gridpatrol"))
        .env("DATA", &data)
        .env("HUB", hub.url())
        .env_remove("GRIDPATROL_TOKEN_STORE")
        .env_remove("GRIDPATROL_PASSPHRASE")
        .stdin(Stdio::null())
        .output()
        .expect("dbus-run-session (dbus) and gnome-keyring are installed by scripts/setup.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "login and sync with the token in the keyring (exit {:?}): {stdout}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("The device token is kept in the OS keyring."), "{stdout}");
    assert!(home.join(".local/share/keyrings/login.keyring").is_file(), "the token went to the keyring's file");
    assert_eq!(hub.reported(), 1, "sync found the token in the keyring");
    let head = std::fs::read(data.join("gridpatrol.db")).unwrap();
    assert!(!head.starts_with(b"SQLite format 3\0"), "the store is encrypted with the keyring's key");

    // No session bus: the 0600 file, and a store keyed by the passphrase the environment gives.
    let data = tmp.path().join("data-without-keyring");
    common::cli(&data, &["init", "--sample"]);
    let mut login = Command::new(bin("gridpatrol"))
        .arg("--data-dir")
        .arg(&data)
        .args(["--lang", "en", "login", "--hub", &hub.url(), "--user", "李明", "--password-stdin"])
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("GRIDPATROL_TOKEN_STORE")
        .env("GRIDPATROL_PASSPHRASE", common::PASSPHRASE)
        .env("HOME", &home)
        .env("XDG_RUNTIME_DIR", &home)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    login.stdin.take().unwrap().write_all(b"officer-sample\n").unwrap();
    let out = login.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("No OS keyring answered"));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(data.join("hub-token")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "the fallback file is readable by the user only");
}

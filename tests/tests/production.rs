//! The hub in production, against real processes: HTTPS from certificate files with a city's own
//! certificate authority (a device trusts it through `GRIDPATROL_CA_CERT`, a device without it
//! refuses the hub), `/metrics` counting what happened, `/healthz` and `/readyz`, JSON logs with no
//! name, password or token in them, and the .deb's layout and systemd unit.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{bin, http, Client, Hub, GRID_A};
use serde_json::Value;

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// A city's certificate authority and a hub certificate it signed for 127.0.0.1 and localhost, as
/// PEM files in `dir`: (CA certificate, hub certificate, hub key).
fn city_certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "示例城市根证书 Sample city CA");
    ca_params.key_usages =
        vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let ca_key = KeyPair::generate().unwrap();
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let mut params = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).unwrap();
    params.distinguished_name.push(DnType::CommonName, "hub.sample-city.test");
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, &issuer).unwrap();
    let paths = (dir.join("city-ca.pem"), dir.join("hub.pem"), dir.join("hub.key"));
    std::fs::write(&paths.0, ca.pem()).unwrap();
    std::fs::write(&paths.1, cert.pem()).unwrap();
    std::fs::write(&paths.2, key.serialize_pem()).unwrap();
    paths
}

/// `gridpatrol ARGS` on `client`'s data folder with `GRIDPATROL_CA_CERT` set to `ca` (or unset).
fn device(client: &Client, ca: Option<&Path>, args: &[&str], stdin: &str) -> Output {
    let mut cmd = client.command(args);
    cmd.env_remove("GRIDPATROL_CA_CERT");
    if let Some(ca) = ca {
        cmd.env("GRIDPATROL_CA_CERT", ca);
    }
    let mut child = cmd.stdin(Stdio::piped()).spawn().unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn bare_device() -> Client {
    let client = Client { dir: tempfile::tempdir().unwrap() };
    client.ok(&["init", "--sample"]);
    client
}

#[test]
fn the_hub_serves_https_from_pem_files_and_a_device_trusts_the_city_ca_it_is_given() {
    let certs = tempfile::tempdir().unwrap();
    let (ca, cert, key) = city_certificates(certs.path());
    let (cert_s, key_s) = (cert.to_str().unwrap(), key.to_str().unwrap());

    // Bad certificate files: a sentence naming the file, exit 1, nothing served.
    let hub_dir = tempfile::tempdir().unwrap();
    let init =
        Command::new(bin("gridpatrol-hub")).arg("--data-dir").arg(hub_dir.path()).args(["init"]).output().unwrap();
    assert!(init.status.success(), "init: {}", stderr(&init));
    let missing = certs.path().join("no-such-cert.pem");
    for (cert_arg, key_arg, names, why) in [
        (missing.to_str().unwrap(), key_s, "no-such-cert.pem", "a missing certificate file"),
        (key_s, key_s, "hub.key", "a key given as the certificate"),
        (cert_s, cert_s, "hub.pem", "a certificate given as the key"),
    ] {
        let out = Command::new(bin("gridpatrol-hub"))
            .arg("--data-dir")
            .arg(hub_dir.path())
            .args(["serve", "--listen", "127.0.0.1:0", "--tls-cert", cert_arg, "--tls-key", key_arg])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{why} stops the hub before it serves");
        assert!(
            stderr(&out).contains(names) && stderr(&out).contains("tls_file"),
            "{why}: the error names the file: {}",
            stderr(&out)
        );
        assert!(!String::from_utf8_lossy(&out.stdout).contains("listening"), "{why}: nothing was served");
    }

    let hub = Hub::start_with(&["--tls-cert", cert_s, "--tls-key", key_s]);
    assert_eq!(hub.scheme, "https", "with certificate files the hub serves HTTPS");

    // A device that does not know the city's CA refuses the hub, and says why.
    let stranger = bare_device();
    let out = device(
        &stranger,
        None,
        &["login", "--hub", &hub.url(), "--user", "李明", "--password-stdin"],
        "officer-sample\n",
    );
    assert_eq!(out.status.code(), Some(1), "a hub with an unknown issuer is refused");
    let said = stderr(&out);
    assert!(
        said.contains("certificate is not trusted") && said.contains("GRIDPATROL_CA_CERT"),
        "the refusal says the certificate is not trusted and how to trust the city's CA: {said}"
    );
    assert_eq!(hub.count("SELECT count(*) FROM tokens"), 0, "nothing reached the hub: no password was sent");

    // A GRIDPATROL_CA_CERT that is not a certificate is an error naming it, not silently ignored.
    let not_pem = certs.path().join("not-a-cert.txt");
    std::fs::write(&not_pem, "hello").unwrap();
    let out = device(
        &stranger,
        Some(&not_pem),
        &["login", "--hub", &hub.url(), "--user", "李明", "--password-stdin"],
        "officer-sample\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("GRIDPATROL_CA_CERT") && stderr(&out).contains("not-a-cert.txt"),
        "a bad CA file is named: {}",
        stderr(&out)
    );

    // With the city's CA, the device signs in, records and syncs over HTTPS.
    let officer = bare_device();
    let out = device(
        &officer,
        Some(&ca),
        &["login", "--hub", &hub.url(), "--user", "李明", "--password-stdin"],
        "officer-sample\n",
    );
    assert!(out.status.success(), "with GRIDPATROL_CA_CERT the device signs in: {}", stderr(&out));
    let added = device(
        &officer,
        Some(&ca),
        &["finding", "add", "--grid", GRID_A, "--category", "10101", "--description", "经 HTTPS 同步的发现", "--json"],
        "",
    );
    assert!(added.status.success(), "{}", stderr(&added));
    let out = device(&officer, Some(&ca), &["sync", "--json"], "");
    assert!(out.status.success(), "the device syncs through HTTPS: {}", stderr(&out));
    hub.assert_exactly_once(1);

    // The same device without the CA (say, the variable lost in a new shell): the round is refused
    // before anything is sent, and the status says why.
    device(
        &officer,
        Some(&ca),
        &["finding", "add", "--grid", GRID_A, "--category", "10101", "--description", "待同步", "--json"],
        "",
    );
    let out = device(&officer, None, &["sync", "--json"], "");
    assert!(!out.status.success(), "a sync without the CA fails");
    assert!(stderr(&out).contains("certificate is not trusted"), "it says why: {}", stderr(&out));
    assert_eq!(hub.reported(), 1, "nothing was pushed to a hub the device does not trust");
    let status: Value = serde_json::from_slice(&device(&officer, None, &["status", "--json"], "").stdout).unwrap();
    assert_eq!(status["pending"], 1, "the change stays pending on the device");
}

/// The value of the sample `name` (with its labels, as printed) in a metrics text; 0 when absent.
fn sample(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')))
        .map_or(0.0, |v| v.trim().parse().unwrap())
}

fn metrics(hub: &Hub) -> String {
    let response = http().get(format!("{}/metrics", hub.url())).send().unwrap();
    assert_eq!(response.status().as_u16(), 200, "/metrics answers on loopback");
    let kind = response.headers()["content-type"].to_str().unwrap().to_string();
    assert!(kind.starts_with("application/openmetrics-text"), "the OpenMetrics text format: {kind}");
    response.text().unwrap()
}

#[test]
fn metrics_move_after_a_push_and_a_refusal_and_health_and_readiness_answer() {
    let token_dir = tempfile::tempdir().unwrap();
    let token_file = token_dir.path().join("metrics-token");
    std::fs::write(&token_file, "a-long-metrics-token-for-prometheus\n").unwrap();
    let hub = Hub::start_with(&["--metrics-token-file", token_file.to_str().unwrap()]);

    let live = http().get(format!("{}/healthz", hub.url())).send().unwrap();
    assert_eq!(live.status().as_u16(), 200, "/healthz: the process is live");
    let ready = http().get(format!("{}/readyz", hub.url())).send().unwrap();
    assert_eq!(ready.status().as_u16(), 200, "/readyz: the store answers and photos can be written");
    assert_eq!(ready.json::<Value>().unwrap()["status"], "ready");

    let before = metrics(&hub);
    let officer = Client::new(&hub.url(), "李明", "officer-sample");
    officer.add("计入指标的发现");
    officer.sync_until_clean(3);
    let (status, body) = hub.pull("not-a-token", 0);
    assert_eq!((status, body["code"].as_str()), (401, Some("unauthorized")), "a refused request");
    let after = metrics(&hub);

    let moved = |name: &str| sample(&after, name) - sample(&before, name);
    assert!(moved("gridpatrol_hub_pushes_total") >= 1.0, "a push is counted:\n{after}");
    assert!(moved("gridpatrol_hub_events_accepted_total") >= 1.0, "its event is counted as accepted");
    assert!(moved("gridpatrol_hub_pulls_total") >= 1.0, "the device's pull is counted");
    assert_eq!(
        moved("gridpatrol_hub_refusals_total{code=\"unauthorized\"}"),
        1.0,
        "the refusal is counted by its code"
    );
    assert!(
        moved("gridpatrol_hub_requests_total{route=\"/api/v1/push\",method=\"POST\",status=\"200\"}") >= 1.0,
        "requests are counted by route template, method and status"
    );
    assert_eq!(
        moved("gridpatrol_hub_requests_total{route=\"/api/v1/pull\",method=\"GET\",status=\"401\"}"),
        1.0,
        "the refused pull is counted under its status"
    );
    assert!(
        sample(&after, "gridpatrol_hub_request_duration_seconds_count{route=\"/api/v1/push\",method=\"POST\"}") >= 1.0,
        "push latencies are in the histogram"
    );
    assert!(sample(&after, "gridpatrol_hub_database_bytes") > 0.0, "the database's size is reported");
    assert!(!after.contains("李明") && !after.contains("not-a-token"), "no name or token in a label");

    // Through a proxy (X-Forwarded-For) the metrics need the token; with it they are served.
    let proxied = http().get(format!("{}/metrics", hub.url())).header("x-forwarded-for", "203.0.113.9").send().unwrap();
    assert_eq!(proxied.status().as_u16(), 403, "a request through a proxy without the token is refused");
    assert_eq!(proxied.json::<Value>().unwrap()["code"], "metrics_not_allowed");
    let wrong = http()
        .get(format!("{}/metrics", hub.url()))
        .header("x-forwarded-for", "203.0.113.9")
        .bearer_auth("a-long-metrics-token-for-prometheuX")
        .send()
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 403, "a wrong token is refused");
    let with_token = http()
        .get(format!("{}/metrics", hub.url()))
        .header("x-forwarded-for", "203.0.113.9")
        .bearer_auth("a-long-metrics-token-for-prometheus")
        .send()
        .unwrap();
    assert_eq!(with_token.status().as_u16(), 200, "the metrics token reads the metrics from anywhere");

    // Photos that cannot be written: not ready (503, Retry-After), and ready again once they can.
    let photos = hub.dir.path().join("photos");
    let aside = hub.dir.path().join("photos-aside");
    std::fs::rename(&photos, &aside).unwrap();
    std::fs::write(&photos, "not a folder").unwrap();
    let not_ready = http().get(format!("{}/readyz", hub.url())).send().unwrap();
    let retry = not_ready.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
    assert_eq!(not_ready.status().as_u16(), 503, "photos that cannot be written: not ready");
    assert!(retry.is_some(), "503 carries Retry-After");
    let body: Value = not_ready.json().unwrap();
    assert_eq!(body["code"], "not_ready");
    assert!(body["message"].as_str().unwrap().contains("photos"), "it says what is not ready: {body}");
    std::fs::remove_file(&photos).unwrap();
    std::fs::rename(&aside, &photos).unwrap();
    let live = http().get(format!("{}/healthz", hub.url())).send().unwrap();
    assert_eq!(live.status().as_u16(), 200, "liveness never depended on it");
    assert_eq!(http().get(format!("{}/readyz", hub.url())).send().unwrap().status().as_u16(), 200, "ready again");
}

#[test]
fn json_logs_name_each_request_by_route_and_carry_no_name_password_or_token() {
    let dir = tempfile::tempdir().unwrap();
    let init = Command::new(bin("gridpatrol-hub"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["init", "--sample"])
        .output()
        .unwrap();
    assert!(init.status.success());
    let log = dir.path().join("hub.log");
    let mut child = Command::new(bin("gridpatrol-hub"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().rsplit(' ').next().unwrap().to_string();
    let officer = Client::new(&url, "李明", "officer-sample");
    officer.add("日志里不应出现的描述");
    officer.sync_until_clean(3);
    let token = std::fs::read_to_string(officer.dir.path().join("hub-token")).unwrap();
    let stop = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(stop.success());
    assert!(child.wait().unwrap().success(), "SIGTERM stops the hub gracefully (exit 0)");

    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("every log line is JSON ({e}): {l}")))
        .collect();
    assert!(lines.iter().any(|l| l["message"] == "serving"), "the start is logged:\n{text}");
    assert!(lines.iter().any(|l| l["message"] == "stopped"), "the graceful stop is logged");
    assert!(
        lines.iter().any(|l| l["route"] == "/api/v1/push" && l["status"] == 200 && l["level"] == "INFO"),
        "a push is logged by its route, with its status:\n{text}"
    );
    for secret in ["李明", "officer-sample", token.trim(), "日志里不应出现的描述"] {
        assert!(!text.contains(secret), "the log never carries {secret:?}:\n{text}");
    }
}

/// The repository's root (this crate lives in `tests/`).
fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{cmd:?}: {}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    out
}

#[test]
fn the_hub_deb_holds_the_binary_a_hardened_systemd_unit_and_makes_its_own_user() {
    // The layout, with the debug binary: the release build belongs to whoever makes the real .deb.
    let work = tempfile::tempdir().unwrap();
    let out = run(Command::new("bash")
        .arg(repo().join("scripts/package_hub.sh"))
        .args(["--out", work.path().to_str().unwrap()])
        .env("GRIDPATROL_HUB_BIN", bin("gridpatrol-hub")));
    let deb = String::from_utf8(out.stdout).unwrap().lines().last().unwrap().trim().to_string();
    assert!(deb.ends_with(".deb") && Path::new(&deb).is_file(), "the script prints the .deb it made: {deb}");

    let field = |name: &str| {
        String::from_utf8(run(Command::new("dpkg-deb").args(["-f", &deb, name])).stdout).unwrap().trim().to_string()
    };
    assert_eq!(field("Package"), "gridpatrol-hub");
    assert!(field("Depends").contains("libc6 (>="), "it names the glibc it needs: {}", field("Depends"));
    check_library_packages(&bin("gridpatrol-hub"), &field("Depends"));
    let listing = String::from_utf8(run(Command::new("dpkg-deb").args(["-c", &deb])).stdout).unwrap();
    for path in
        ["./usr/bin/gridpatrol-hub", "./lib/systemd/system/gridpatrol-hub.service", "./etc/gridpatrol-hub/hub.env"]
    {
        assert!(listing.lines().any(|l| l.ends_with(path)), "the .deb holds {path}:\n{listing}");
    }
    assert!(listing.lines().all(|l| l.contains(" root/root ")), "every file belongs to root:\n{listing}");

    let root = work.path().join("root");
    let control = work.path().join("control");
    run(Command::new("dpkg-deb").args(["-x", &deb]).arg(&root));
    run(Command::new("dpkg-deb").args(["-e", &deb]).arg(&control));
    let postinst = std::fs::read_to_string(control.join("postinst")).unwrap();
    assert!(
        postinst.contains("useradd --system") && postinst.contains("gridpatrol"),
        "postinst makes the system user gridpatrol"
    );
    assert_eq!(std::fs::read_to_string(control.join("conffiles")).unwrap().trim(), "/etc/gridpatrol-hub/hub.env");
    for script in ["postinst", "prerm", "postrm"] {
        run(Command::new("sh").arg("-n").arg(control.join(script)));
    }

    let unit = std::fs::read_to_string(root.join("lib/systemd/system/gridpatrol-hub.service")).unwrap();
    for line in [
        "User=gridpatrol",
        "StateDirectory=gridpatrol-hub",
        "Environment=GRIDPATROL_HUB_DATA_DIR=/var/lib/gridpatrol-hub",
        "KillSignal=SIGTERM",
        "Restart=on-failure",
        "ExecStart=/usr/bin/gridpatrol-hub serve $GRIDPATROL_HUB_SERVE_ARGS",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
    ] {
        assert!(unit.lines().any(|l| l == line), "the unit says {line}");
    }
    // Every flag the settings file passes is one `serve` knows (a typo there stops the service).
    let settings = std::fs::read_to_string(root.join("etc/gridpatrol-hub/hub.env")).unwrap();
    let help =
        run(Command::new(root.join("usr/bin/gridpatrol-hub")).args(["--data-dir", "/nonexistent", "serve", "--help"]));
    let help = String::from_utf8(help.stdout).unwrap();
    for line in settings.lines().filter(|l| l.starts_with("GRIDPATROL_HUB_SERVE_ARGS=")) {
        for flag in line.trim_start_matches("GRIDPATROL_HUB_SERVE_ARGS=").split_whitespace() {
            let name = flag.split('=').next().unwrap();
            assert!(help.contains(name), "serve knows {name} (hub.env)");
        }
    }

    let analyze = Path::new("/usr/bin/systemd-analyze");
    if !analyze.is_file() {
        println!("SKIPPED systemd-analyze verify: /usr/bin/systemd-analyze is not installed here");
        return;
    }
    // verify checks that ExecStart's binary exists: point a copy of the unit at the extracted one.
    let verify = work.path().join("verify");
    std::fs::create_dir_all(&verify).unwrap();
    let extracted = root.join("usr/bin/gridpatrol-hub");
    std::fs::write(
        verify.join("gridpatrol-hub.service"),
        unit.replace("/usr/bin/gridpatrol-hub", extracted.to_str().unwrap()),
    )
    .unwrap();
    let out = Command::new(analyze).arg("verify").arg(verify.join("gridpatrol-hub.service")).output().unwrap();
    assert!(out.status.success() && out.stderr.is_empty(), "systemd-analyze verify accepts the unit: {}", stderr(&out));
    // Its exposure, as systemd rates the sandboxing (0 best, 10 worst): the hardening is real.
    let out = Command::new(analyze)
        .args(["security", "--offline=yes", "--threshold=25"])
        .arg(verify.join("gridpatrol-hub.service"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "systemd-analyze security rates the unit's exposure at most 2.5:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn the_desktop_deb_carries_the_command_line_and_depends_on_a_chinese_font() {
    // Checked on the configuration: building the desktop .deb takes a release build of the app.
    let config: Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join("src-tauri/tauri.conf.json")).unwrap()).unwrap();
    let deb = &config["bundle"]["linux"]["deb"];
    assert!(
        deb["depends"].as_array().is_some_and(|d| d.contains(&Value::from("fonts-noto-cjk"))),
        "the desktop .deb depends on a Chinese font, so a fresh Debian or Ubuntu shows Chinese: {deb}"
    );
    let depends: Vec<&str> = deb["depends"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    check_library_packages(&bin("gridpatrol"), &depends.join(", "));
    let cli = deb["files"]["/usr/bin/gridpatrol"].as_str().expect("the .deb installs /usr/bin/gridpatrol");
    assert_eq!(cli, "../target/release/gridpatrol", "the release build of the command line, beside the app's");
    let manifest = std::fs::read_to_string(repo().join("crates/cli/Cargo.toml")).unwrap();
    assert!(manifest.contains("name = \"gridpatrol\""), "the command line's binary is called gridpatrol");
}

#[test]
fn over_tls_a_stalled_handshake_is_cut_while_others_are_served_and_sigterm_still_stops_gracefully() {
    use std::io::{Read, Write};
    let certs = tempfile::tempdir().unwrap();
    let (ca, cert, key) = city_certificates(certs.path());
    let mut hub = Hub::start_with(&[
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
        "--header-timeout-secs",
        "1",
    ]);
    let trusting = reqwest::blocking::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&std::fs::read(&ca).unwrap()).unwrap())
        .timeout(std::time::Duration::from_secs(120))
        .build()
        .unwrap();

    // A peer that opens a connection and never says hello (or stops halfway) holds it no longer
    // than a request head may take, and never holds up anyone else's.
    let mut stalled = std::net::TcpStream::connect(&hub.addr).unwrap();
    stalled.write_all(&[0x16, 0x03, 0x01]).unwrap();
    let answered = trusting.get(format!("{}/healthz", hub.url())).send().unwrap();
    assert_eq!(answered.status().as_u16(), 200, "a stalled handshake does not block the accept loop");
    stalled.set_read_timeout(Some(std::time::Duration::from_secs(60))).unwrap();
    let mut buf = [0u8; 64];
    let closed = match stalled.read(&mut buf) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => matches!(e.kind(), std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted),
    };
    assert!(closed, "the hub closes a connection whose TLS handshake never completes");

    // Plain HTTP to the HTTPS port is not served.
    let plain = http().get(format!("http://{}/healthz", hub.addr)).send();
    assert!(plain.map_or(true, |r| !r.status().is_success()), "the HTTPS port serves no plain HTTP");

    let status = hub.signal_and_wait("TERM");
    assert!(status.success(), "SIGTERM stops the HTTPS hub gracefully (exit 0): {status:?}");
}

/// The shared libraries `binary` needs (`readelf -d`) beyond glibc's and libgcc's come from
/// packages its .deb depends on: SQLCipher's libcrypto (issue 13.4) from libssl3, the keyring's
/// D-Bus from libdbus-1-3.
fn check_library_packages(binary: &Path, depends: &str) {
    let dynamic = String::from_utf8(run(Command::new("readelf").arg("-d").arg(binary)).stdout).unwrap();
    let needed: Vec<&str> = dynamic
        .lines()
        .filter(|l| l.contains("(NEEDED)"))
        .filter_map(|l| l.split('[').nth(1)?.split(']').next())
        .collect();
    assert!(!needed.is_empty(), "readelf lists what {} needs:\n{dynamic}", binary.display());
    for lib in needed {
        let package = match lib {
            "libcrypto.so.3" | "libssl.so.3" => "libssl3",
            "libdbus-1.so.3" => "libdbus-1-3",
            l if l.starts_with("libc.so") || l.starts_with("libm.so") || l.starts_with("ld-linux") => continue,
            l if l.starts_with("libgcc_s.so") || l.starts_with("libpthread") || l.starts_with("libdl") => continue,
            other => {
                panic!("{} needs {other}: name the package that provides it in its .deb's depends", binary.display())
            }
        };
        assert!(
            depends.contains(package),
            "{} needs {lib}: its .deb must depend on {package} ({depends})",
            binary.display()
        );
    }
}

//! The real `gridpatrol` under what laptops do: two processes recording at once, `kill -9` in the
//! middle of a record, a full disk (a small tmpfs), a read-only mount, oversized imports measured
//! for their peak memory. Tests that need to mount (root) say so and skip where they cannot.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use super::*;

/// A PNG of noise from `seed`: each seed a different photo, so each record has its own files.
fn noise_png(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let mut state: u32 = 12345 ^ seed.wrapping_mul(2_654_435_761);
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

/// Every file name under `photos/` (thumbnails as `thumbs/NAME`).
fn files_in_photos(data: &Path) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (dir, prefix) in [(data.join("photos"), ""), (data.join("photos").join("thumbs"), "thumbs/")] {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if e.path().is_file() {
                found.insert(format!("{prefix}{}", e.file_name().to_string_lossy()));
            }
        }
    }
    found
}

/// The photo and thumbnail files the store's findings name.
fn files_named(env: &Env) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    for f in env.json(&["finding", "list"]).as_array().expect("a list") {
        let id = f["id"].as_str().expect("id");
        let shown = env.json(&["finding", "show", id]);
        for p in shown["photos"].as_array().expect("photos") {
            named.insert(p["file"].as_str().expect("file").to_string());
            named.insert(p["thumbnail"].as_str().expect("thumbnail").to_string());
        }
    }
    named
}

fn gridpatrol(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gridpatrol"));
    super::keyed(&mut c);
    c.arg("--data-dir").arg(data).env_remove("GRIDPATROL_LANG").env("LANG", "C.UTF-8");
    c
}

#[test]
fn two_processes_recording_at_once_lose_nothing_and_refuse_nothing() {
    let env = Env::sample();
    const EACH: usize = 40;
    let data = env.data();
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let data = data.clone();
            std::thread::spawn(move || {
                let mut refused = Vec::new();
                for i in 0..EACH {
                    let out = gridpatrol(&data)
                        .args(["finding", "add", "--grid", GRID, "--category", "10101", "--description"])
                        .arg(format!("进程{w}第{i}条"))
                        .output()
                        .expect("run");
                    if !out.status.success() {
                        refused.push(String::from_utf8_lossy(&out.stderr).into_owned());
                    }
                }
                refused
            })
        })
        .collect();
    for w in writers {
        let refused = w.join().expect("writer");
        assert!(refused.is_empty(), "no record is refused while another process writes: {refused:?}");
    }
    assert_eq!(env.counts()["findings"], 2 * EACH, "every record of both processes is in the store");
}

#[test]
fn killing_finding_add_at_random_moments_leaves_no_orphan_and_no_missing_photo() {
    let env = Env::sample();
    let data = env.data();
    // A seeded schedule of kill moments; SURVIVAL_SEED replays another.
    let mut seed: u64 = std::env::var("SURVIVAL_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20261201);
    let mut next = move || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        seed >> 33
    };
    let mut committed = 0;
    for i in 0..16u32 {
        let photo = env.file(&format!("kill{i}.png"), &noise_png(700, 700, i));
        let mut child = gridpatrol(&data)
            .args(["finding", "add", "--grid", GRID, "--category", "10101", "--description"])
            .arg(format!("被中断的记录{i}"))
            .arg("--photo")
            .arg(&photo)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        // The fault itself: SIGKILL after a random delay (not a wait for a condition).
        std::thread::sleep(Duration::from_millis(next() % 900));
        let _ = child.kill();
        if child.wait().expect("wait").success() {
            committed += 1;
        }
    }
    // The next open sweeps what the killed records left.
    env.ok(&["status"]);
    let present = files_in_photos(&data);
    let named = files_named(&env);
    assert!(
        present.iter().all(|f| !f.ends_with(".tmp") && !f.starts_with(".pending")),
        "no temporary file or marker is left: {present:?}"
    );
    assert_eq!(present, named, "every photo file is named by a finding and every named photo exists");
    let findings = env.counts()["findings"].as_u64().unwrap_or(0);
    assert!(findings >= committed, "every record that reported success is in the store");
    eprintln!("kills: {committed} of 16 records completed, {findings} findings stored");
}

/// Mounts a filesystem for a test, or says why not (not root, no mount in this sandbox).
fn mount(args: &[&str]) -> Result<(), String> {
    let out = Command::new("mount").args(args).output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

fn umount(dir: &Path) {
    let _ = Command::new("umount").arg(dir).status();
}

#[test]
fn a_full_disk_refuses_the_record_and_leaves_no_partial_file() {
    let outer = tempfile::tempdir().expect("temp");
    let disk = outer.path().join("disk");
    std::fs::create_dir_all(&disk).expect("mount point");
    if let Err(why) = mount(&["-t", "tmpfs", "-o", "size=8m", "tmpfs", disk.to_str().expect("utf-8 path")]) {
        eprintln!("SKIPPED a_full_disk_refuses_the_record: cannot mount a small tmpfs here ({why}); the core test a_full_disk_refuses_the_record_with_a_clear_message_and_leaves_no_photo covers the store's side");
        return;
    }
    let data = disk.join("data");
    let run = |args: &[&str]| gridpatrol(&data).args(args).output().expect("run");
    let init = run(&["init", "--sample", "--user", "李明", "--role", "officer"]);
    let mut refusal = None;
    if init.status.success() {
        for i in 0..40u32 {
            let photo = outer.path().join(format!("full{i}.png"));
            std::fs::write(&photo, noise_png(400, 400, 1000 + i)).expect("photo");
            let out = run(&[
                "finding",
                "add",
                "--grid",
                GRID,
                "--category",
                "10101",
                "--description",
                "磁盘快满了",
                "--photo",
                photo.to_str().expect("utf-8"),
            ]);
            if !out.status.success() {
                refusal = Some(String::from_utf8_lossy(&out.stderr).trim().to_string());
                break;
            }
        }
    } else {
        refusal = Some(String::from_utf8_lossy(&init.stderr).trim().to_string());
    }
    let present = files_in_photos(&data);
    let listed = run(&["finding", "list", "--json"]);
    umount(&disk);
    let message = refusal.expect("an 8 MB disk fills within 40 records of 480 KB photos");
    assert!(message.contains("磁盘已满"), "the refusal says the disk is full, in Chinese: {message}");
    assert!(message.contains("请"), "and what to do: {message}");
    assert!(
        present.iter().all(|f| !f.ends_with(".tmp") && !f.starts_with(".pending")),
        "no partial file takes the space a smaller record needs: {present:?}"
    );
    assert!(listed.status.success(), "the store still reads after the disk filled");
}

#[test]
fn a_read_only_store_shows_its_data_and_refuses_to_record() {
    let env = Env::sample();
    env.add("只读之前的问题", &[]);
    let ro = env.dir.path().join("ro");
    std::fs::create_dir_all(&ro).expect("mount point");
    let data = env.data();
    if let Err(why) = mount(&["--bind", data.to_str().expect("utf-8"), ro.to_str().expect("utf-8")]) {
        eprintln!("SKIPPED a_read_only_store_shows_its_data: cannot bind-mount here ({why}); the core test a_read_only_store_reads_and_refuses_writes_with_a_clear_message covers the store's side");
        return;
    }
    if let Err(why) = mount(&["-o", "remount,bind,ro", ro.to_str().expect("utf-8")]) {
        umount(&ro);
        eprintln!("SKIPPED a_read_only_store_shows_its_data: cannot remount read-only ({why})");
        return;
    }
    let list = gridpatrol(&ro).args(["finding", "list", "--json"]).output().expect("run");
    let add = gridpatrol(&ro)
        .args(["finding", "add", "--grid", GRID, "--category", "10101", "--description", "只读时记录"])
        .output()
        .expect("run");
    umount(&ro);
    assert!(list.status.success(), "a read-only store can be read: {}", String::from_utf8_lossy(&list.stderr));
    let rows: Value = serde_json::from_slice(&list.stdout).expect("json");
    assert_eq!(rows.as_array().map(Vec::len), Some(1), "its finding is listed");
    assert!(String::from_utf8_lossy(&list.stderr).contains("只读"), "reading says the store is read-only");
    assert!(!add.status.success(), "recording into a read-only store is refused");
    let message = String::from_utf8_lossy(&add.stderr);
    assert!(message.contains("只读") && message.contains("请"), "the refusal says why and what to do: {message}");
}

/// Peak resident memory of one `gridpatrol` run in KB, read by /usr/bin/time; `None` without it.
fn peak_kb(data: &Path, args: &[&str]) -> Option<(u64, std::process::Output)> {
    if !Path::new("/usr/bin/time").exists() {
        return None;
    }
    let out = super::keyed(&mut Command::new("/usr/bin/time"))
        .args(["-f", "PEAK_KB=%M"])
        .arg(env!("CARGO_BIN_EXE_gridpatrol"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env("LANG", "C.UTF-8")
        .output()
        .expect("run under /usr/bin/time");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let kb = stderr.lines().find_map(|l| l.strip_prefix("PEAK_KB=")).and_then(|v| v.trim().parse().ok())?;
    Some((kb, out))
}

#[test]
fn oversized_imports_are_refused_with_the_limit_named_and_a_bounded_peak() {
    let env = Env::sample();
    let data = env.data();
    // 1: a 237 MB file (sparse: only its size is checked).
    let huge: PathBuf = env.dir.path().join("huge.geojson");
    std::fs::File::create(&huge).expect("create").set_len(237 * 1024 * 1024).expect("size");
    // 2: a file just under the size limit whose boundaries are each just under the point limit, with a
    // duplicate code at the end, so everything is read and checked before the refusal.
    let near: PathBuf = env.dir.path().join("near-limit.geojson");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&near).expect("create"));
        write!(f, r#"{{"type":"FeatureCollection","features":["#).unwrap();
        let n = 38;
        for k in 0..n {
            let points = 19_000;
            let (cx, cy) = (117.0 + k as f64 * 0.05, 37.3);
            let coords: Vec<String> = (0..=points)
                .map(|i| {
                    let a = (i % points) as f64 / points as f64 * std::f64::consts::TAU;
                    format!("[{:.9},{:.9}]", cx + 0.02 * a.cos(), cy + 0.02 * a.sin())
                })
                .collect();
            let code = if k == n - 1 { "BIG0".to_string() } else { format!("BIG{k}") };
            if k > 0 {
                write!(f, ",").unwrap();
            }
            write!(
                f,
                r#"{{"type":"Feature","properties":{{"code":"{code}","name":"大网格{k}"}},"geometry":{{"type":"Polygon","coordinates":[[{}]]}}}}"#,
                coords.join(",")
            )
            .unwrap();
        }
        write!(f, "]}}").unwrap();
    }
    let size = std::fs::metadata(&near).expect("size").len();
    assert!(size < 32 * 1024 * 1024, "the near-limit file is under the size limit ({size} bytes)");
    let before = env.counts();
    for (what, file, expect) in [("237 MB file", &huge, "32.0 MB"), ("near-limit file", &near, "BIG0")] {
        let Some((kb, out)) = peak_kb(&data, &["grids", "import", file.to_str().expect("utf-8")]) else {
            eprintln!("SKIPPED the peak-memory measurement: /usr/bin/time is not installed");
            return;
        };
        assert!(!out.status.success(), "{what}: refused");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expect), "{what}: the refusal names {expect:?}: {stderr}");
        assert!(kb < 300 * 1024, "{what}: a refused import peaks under 300 MB (measured {kb} KB)");
        eprintln!("{what}: refused, peak RSS {:.1} MB", kb as f64 / 1024.0);
    }
    assert_eq!(env.counts(), before, "refused imports change nothing");
}

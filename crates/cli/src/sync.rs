//! `gridpatrol login` and `gridpatrol sync`: glue between the command line, the core store and the
//! sync crate's reqwest driver. The device token is kept in `hub-token` in the data folder, a file
//! only the user can read (mode 0600); the desktop app uses the OS keyring where there is one.

use std::hash::{BuildHasher, Hasher};
use std::io::Read;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration as StdDuration;

use chrono::Duration;
use gridpatrol_core::{Lang, Store};
use gridpatrol_sync::client::{sign_in, sync_round_with, HubClient, Progress};
use gridpatrol_sync::token::{load_token, token_path, TokenHome};
use gridpatrol_sync::{Config, Error};
use serde_json::json;

use crate::cli::{Cli, Command};

/// Runs `login` and `sync`; `None` for every other command.
pub fn dispatch(cli: &Cli, lang: Lang) -> Option<ExitCode> {
    let dir = crate::data_dir(cli.data_dir.clone());
    let result = match &cli.command {
        Command::Login(args) => login(&dir, &args.hub, &args.user, lang),
        Command::Sync(args) => sync(&dir, args.json, lang),
        _ => return None,
    };
    Some(match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{}", e.message(lang));
            ExitCode::from(1)
        }
    })
}

fn open(dir: &Path) -> Result<Store, Error> {
    Ok(crate::unlock::open(dir)?)
}

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?)
}

fn login(dir: &Path, hub: &str, user: &str, lang: Lang) -> Result<ExitCode, Error> {
    let mut store = open(dir)?;
    let mut password = String::new();
    std::io::stdin().read_to_string(&mut password)?;
    let password = password.lines().next().unwrap_or("").to_string();
    let device = std::env::var("HOSTNAME").unwrap_or_else(|_| "gridpatrol-cli".into());
    let signed = runtime()?.block_on(sign_in(&mut store, dir, hub, user, &password, &device))?;
    let (profile, r) = (&signed.profile, &signed.reference);
    println!(
        "{}",
        lang.pick(
            &format!(
                "已登录中心端 {hub}：{}（{}），负责网格 {}。",
                profile.name,
                profile.role.label(Lang::Zh),
                signed.grids.join(", ")
            ),
            &format!(
                "Signed in to {hub} as {} ({}), grids {}.",
                profile.name,
                profile.role.as_str(),
                signed.grids.join(", ")
            ),
        )
    );
    println!(
        "{}",
        lang.pick(
            &format!(
                "已从中心端取得基础数据：网格 {} 个，问题小类 {} 个，责任单位 {} 个，人员 {} 名。",
                r.grids, r.categories, r.units, r.roster
            ),
            &format!(
                "Reference data from the hub: {} grids, {} categories, {} units, {} people.",
                r.grids, r.categories, r.units, r.roster
            ),
        )
    );
    let home = signed.token_home;
    match home {
        TokenHome::Keyring => {
            println!("{}", lang.pick("设备令牌已保存在系统钥匙串中。", "The device token is kept in the OS keyring."))
        }
        TokenHome::File => println!(
            "{}",
            lang.pick(
                &format!("没有可用的系统钥匙串，设备令牌保存在 {}（仅本用户可读）。", token_path(dir).display()),
                &format!(
                    "No OS keyring answered; the device token is kept in {} (readable by you only).",
                    token_path(dir).display()
                ),
            )
        ),
    }
    Ok(ExitCode::SUCCESS)
}

fn seed() -> u64 {
    std::collections::hash_map::RandomState::new().build_hasher().finish()
}

fn sync(dir: &Path, json_out: bool, lang: Lang) -> Result<ExitCode, Error> {
    let mut store = open(dir)?;
    let info = store.sync_info()?;
    let hub = info.hub_url.ok_or(Error::NotSignedIn)?;
    let token = load_token(dir).ok_or(Error::NotSignedIn)?;
    let client = HubClient::new(&hub, Some(token), StdDuration::from_secs(60))?;
    let config = Config {
        backoff_base: Duration::milliseconds(250),
        backoff_max: Duration::seconds(4),
        max_attempts: Some(5),
        // Events per push; tests set it small to have many pushes to cut into.
        batch_size: std::env::var("GRIDPATROL_SYNC_BATCH").ok().and_then(|v| v.parse().ok()).unwrap_or(200),
        ..Config::default()
    };
    // Progress on standard error, so `--json` keeps standard output to the one document.
    let progress = |p: Progress| {
        match p {
        Progress::Reference { grids, categories, units, roster } => eprintln!(
            "{}",
            lang.pick(
                &format!("已更新基础数据：网格 {grids} 个，问题小类 {categories} 个，责任单位 {units} 个，人员 {roster} 名。"),
                &format!("Reference data updated: {grids} grids, {categories} categories, {units} units, {roster} people."),
            )
        ),
        Progress::Pulled { events, .. } => {
            eprintln!("{}", lang.pick(&format!("已下载 {events} 条变更……"), &format!("Pulled {events} changes…")))
        }
        Progress::Upload(_) => {}
    }
    };
    let report = runtime()?.block_on(sync_round_with(&mut store, &client, config, seed(), &progress))?;
    let pending = store.outbox(usize::MAX >> 1)?.len();
    let parked = store.parked_events()?;
    if json_out {
        let rows: Vec<_> = parked
            .iter()
            .map(|p| json!({"id": p.event.id, "kind": p.event.kind, "entity_id": p.event.entity_id, "code": p.code, "message": p.message}))
            .collect();
        crate::print_json(&json!({
            "pushed": report.pushed,
            "pulled": report.pulled,
            "photos_uploaded": report.photos_uploaded,
            "photos_downloaded": report.photos_downloaded,
            "parked_now": report.parked,
            "parked": parked.len(),
            "parked_events": rows,
            "set_aside_now": report.set_aside,
            "set_aside": store.set_aside_count()?,
            "pending": pending,
            "error": report.error,
        }));
    } else {
        println!(
            "{}",
            lang.pick(
                &format!(
                    "已上传 {} 条变更（照片 {} 张），已下载 {} 条（照片 {} 张）；待同步 {pending} 条，被中心端退回 {} 条。",
                    report.pushed,
                    report.photos_uploaded,
                    report.pulled,
                    report.photos_downloaded,
                    parked.len()
                ),
                &format!(
                    "Pushed {} changes ({} photos), pulled {} ({} photos); {pending} still pending, {} refused by the hub.",
                    report.pushed,
                    report.photos_uploaded,
                    report.pulled,
                    report.photos_downloaded,
                    parked.len()
                ),
            )
        );
        for p in &parked {
            println!("  {} {} {}: {} ({})", p.event.entity_id, p.event.kind, p.event.id, p.message, p.code);
        }
        if report.set_aside > 0 {
            println!(
                "{}",
                lang.pick(
                    &format!("从中心端收到的 {} 条变更无法读取，已搁置（gridpatrol status 列出原因）。", report.set_aside),
                    &format!(
                        "{} changes pulled from the hub could not be read and were set aside (gridpatrol status lists why).",
                        report.set_aside
                    ),
                )
            );
        }
    }
    if let Some(e) = &report.error {
        eprintln!("{}", Error::Refused(e.clone()).message(lang));
    }
    Ok(if pending == 0 && report.error.is_none() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// `last_sync`, `online`, `last_error` and `hub` for `gridpatrol status`. Online means the hub
/// answers its health check now (a short probe), not what it did last time.
pub fn status_fields(store: &Store) -> Result<serde_json::Value, gridpatrol_core::Error> {
    let info = store.sync_info()?;
    let online = match &info.hub_url {
        Some(hub) => probe(hub),
        None => false,
    };
    Ok(json!({
        "hub": info.hub_url,
        "hub_user": info.hub_user,
        "last_sync": info.last_success,
        "last_attempt": info.last_attempt,
        "last_error": info.last_error,
        "online": online,
    }))
}

fn probe(hub: &str) -> bool {
    let (Ok(rt), Ok(client)) = (runtime(), HubClient::new(hub, None, StdDuration::from_secs(2))) else {
        return false;
    };
    rt.block_on(client.health()).is_ok()
}

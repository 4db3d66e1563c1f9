//! A large photo goes to a real hub on loopback in several requests, and the client reports its
//! progress after each one, ending at the photo's size; a lead's device that pulls the finding
//! fetches the photo file after the round.

use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};
use gridpatrol_core::clock::{FixedClock, SeededIds};
use gridpatrol_core::model::Role;
use gridpatrol_core::{NewFinding, PhotoSource, Store};
use gridpatrol_hub::auth::{hash_password, UserRecord};
use gridpatrol_hub::{app, AppState, HubStore, Limits, SqliteStore};
use gridpatrol_sync::client::{sync_round_with, HubClient, Progress, UploadProgress, UPLOAD_CHUNK};
use gridpatrol_sync::Config;

/// A PNG of noise, so it does not compress: about 3 bytes a pixel.
fn noisy_png(side: u32) -> Vec<u8> {
    let mut x: u32 = 2463534242;
    let img = image::RgbImage::from_fn(side, side, |_, _| {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        image::Rgb([x as u8, (x >> 8) as u8, (x >> 16) as u8])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img).write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_photo_uploads_in_chunks_with_progress() {
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 3, 4, 9, 0, 0).unwrap()));
    let hub_dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::init(hub_dir.path(), clock.clone(), true).unwrap();
    store
        .add_user(&UserRecord {
            unit: None,
            name: "李明".into(),
            role: Role::Officer,
            grids: vec!["37160200100101".into()],
            password_hash: hash_password("password-123").unwrap(),
        })
        .unwrap();
    store
        .add_user(&UserRecord {
            unit: None,
            name: "王建国".into(),
            role: Role::Lead,
            grids: vec!["371602001".into()],
            password_hash: hash_password("password-123").unwrap(),
        })
        .unwrap();
    let photos = Arc::new(gridpatrol_hub::photos::PhotoVault::new(hub_dir.path().join("photos")).unwrap());
    let state = AppState::new(Arc::new(store), photos.clone(), Limits::default(), clock.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app(state)).await });

    let dev_dir = tempfile::tempdir().unwrap();
    let mut device = Store::create(dev_dir.path(), clock.clone(), Arc::new(SeededIds::new(5))).unwrap();
    device.import_sample_registry().unwrap();
    device.set_profile("李明", Role::Officer).unwrap();
    let bytes = noisy_png(1100);
    let total = bytes.len() as u64;
    assert!(total > 3 * UPLOAD_CHUNK, "the photo needs several requests ({total} bytes)");
    let mut new = NewFinding::new("37160200100101", "10101", "井盖破损，大照片");
    new.photos = vec![PhotoSource::Bytes { name: "big.png".into(), bytes }];
    let finding = device.add_finding(new).unwrap();

    let client = HubClient::new(&url, None, std::time::Duration::from_secs(30)).unwrap();
    let signed = client.sign_in("李明", "password-123", "test").await.unwrap();
    let client = HubClient::new(&url, Some(signed.token), std::time::Duration::from_secs(30)).unwrap();
    let seen: Mutex<Vec<UploadProgress>> = Mutex::new(Vec::new());
    let report = sync_round_with(&mut device, &client, Config::default(), 1, &|p| {
        if let Progress::Upload(p) = p {
            seen.lock().unwrap().push(p)
        }
    })
    .await
    .unwrap();
    assert_eq!(report.photos_uploaded, 1);
    let seen = seen.into_inner().unwrap();
    let sent: Vec<u64> = seen.iter().map(|p| p.sent).collect();
    assert_eq!(seen.len() as u64, total.div_ceil(UPLOAD_CHUNK), "one report per request: {sent:?}");
    assert!(sent.windows(2).all(|w| w[0] < w[1]), "progress only grows: {sent:?}");
    assert_eq!(*sent.last().unwrap(), total, "the last report is the whole photo");
    assert!(seen.iter().all(|p| p.total == total && p.sha256 == finding.photos[0].sha256));
    assert!(photos.is_complete(&finding.photos[0].sha256), "the hub holds the whole, verified photo");
    assert_eq!(device.pending_count().unwrap(), 0, "the finding followed its photo");

    // The lead's device pulls the finding and then fetches its photo, checked like any photo.
    let lead_dir = tempfile::tempdir().unwrap();
    let mut lead = Store::create(lead_dir.path(), clock.clone(), Arc::new(SeededIds::new(6))).unwrap();
    lead.import_sample_registry().unwrap();
    lead.set_profile("王建国", Role::Lead).unwrap();
    let signed = client.sign_in("王建国", "password-123", "test").await.unwrap();
    let lead_client = HubClient::new(&url, Some(signed.token), std::time::Duration::from_secs(30)).unwrap();
    let report = sync_round_with(&mut lead, &lead_client, Config::default(), 2, &|_| {}).await.unwrap();
    assert_eq!(report.photos_downloaded, 1, "the pulled finding's photo is fetched");
    let photo = &lead.finding(&finding.id).unwrap().photos[0];
    assert!(lead.photos_dir().join(&photo.file).is_file(), "the photo file is on the lead's device");
    assert!(lead.photos_dir().join(&photo.thumbnail).is_file(), "with its thumbnail");
    assert!(lead.wanted_photos(10).unwrap().is_empty(), "nothing is left to fetch");
    let again = sync_round_with(&mut lead, &lead_client, Config::default(), 3, &|_| {}).await.unwrap();
    assert_eq!(again.photos_downloaded, 0, "a photo is fetched once");
}

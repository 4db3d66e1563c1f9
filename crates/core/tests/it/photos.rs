//! Photos: stored under their SHA-256 name with a thumbnail, stored once however often they are
//! attached, and their EXIF time and GPS position offered as defaults when a finding gives none.

use gridpatrol_core::clock::Clock;
use gridpatrol_core::projection;
use gridpatrol_core::{MoveRequest, NewFinding, PhotoRole, PhotoSource, Point, Role, Status};
use sha2::{Digest, Sha256};

use super::{at, jpeg, png, Env, ADMIN, GRID_01, GRID_02, IN_GRID_01, MANHOLE};

fn with_photos(photos: Vec<PhotoSource>) -> NewFinding {
    NewFinding {
        on_the_spot: false,
        after_photos: Vec::new(),
        photos,
        ..NewFinding::new(GRID_01, MANHOLE, "井盖破损，附照片")
    }
}

fn bytes(name: &str, bytes: Vec<u8>) -> PhotoSource {
    PhotoSource::Bytes { name: name.into(), bytes }
}

#[test]
fn a_photo_is_stored_under_its_sha256_with_a_thumbnail() {
    let mut env = Env::sample();
    let outside = tempfile::tempdir().unwrap();
    let png_bytes = png(640, 480, 1);
    let jpeg_bytes = jpeg(200, 500, 2);
    let jpeg_path = outside.path().join("IMG_0001.JPG");
    std::fs::write(&jpeg_path, &jpeg_bytes).unwrap();

    let f = env
        .store
        .add_finding(with_photos(vec![bytes("before.png", png_bytes.clone()), PhotoSource::File(jpeg_path)]))
        .expect("real PNG and JPEG photos are accepted");
    assert_eq!(f.photos.len(), 2, "both photos are attached");
    for (photo, (raw, ext, (w, h))) in
        f.photos.iter().zip([(&png_bytes, "png", (640, 480)), (&jpeg_bytes, "jpg", (200, 500))])
    {
        let sha = hex::encode(Sha256::digest(raw));
        assert_eq!(photo.sha256, sha, "a photo is named by the SHA-256 of its bytes");
        assert_eq!(photo.file, format!("{sha}.{ext}"), "the file name is the hash and the real format's extension");
        assert_eq!(photo.thumbnail, format!("thumbs/{sha}.jpg"), "the thumbnail is a JPEG named by the same hash");
        assert_eq!(
            (photo.width, photo.height, photo.bytes),
            (w, h, raw.len() as u64),
            "size and dimensions are recorded"
        );
        assert_eq!(photo.role, PhotoRole::Before, "photos taken when found are 'before' photos");

        let stored = std::fs::read(env.store.photos_dir().join(&photo.file)).expect("the photo file exists");
        assert_eq!(&stored, raw, "the stored file is the photo, byte for byte");
        assert_eq!(hex::encode(Sha256::digest(&stored)), sha, "the stored file's hash is its name");
        let thumb = image::open(env.store.photos_dir().join(&photo.thumbnail)).expect("the thumbnail is an image");
        assert!(thumb.width().max(thumb.height()) <= 320, "a thumbnail's longest side is at most 320 pixels");
        assert!(thumb.width() > 0 && thumb.height() > 0, "a thumbnail is not empty");
    }
    assert_eq!(env.store.finding(&f.id).unwrap().photos, f.photos, "the stored photos are the ones returned");
    assert_eq!(env.photo_files().len(), 4, "two photos and two thumbnails on disk");
}

#[test]
fn the_same_photo_is_stored_once() {
    let mut env = Env::sample();
    let photo = png(64, 48, 9);
    let a = env.store.add_finding(with_photos(vec![bytes("a.png", photo.clone())])).unwrap();
    let b = env.store.add_finding(with_photos(vec![bytes("copy-of-a.png", photo.clone())])).unwrap();
    assert_eq!(a.photos[0].sha256, b.photos[0].sha256, "the same bytes have the same name");
    assert_eq!(env.photo_files().len(), 2, "one file and one thumbnail for a photo attached twice");
    let counts = env.store.counts().unwrap();
    assert_eq!((counts.photos, counts.finding_photos), (1, 2), "one photo record, attached to two findings");

    // The same photo given twice for one finding is one photo of it.
    let c =
        env.store.add_finding(with_photos(vec![bytes("x.png", photo.clone()), bytes("x-again.png", photo)])).unwrap();
    let stored = env.store.finding(&c.id).unwrap();
    assert_eq!(stored.photos.len(), 1, "a photo attached twice to one finding is attached once");
    assert_eq!(stored, c, "the stored finding is the one returned");
    assert_eq!(
        projection::replay(&env.store.history(&c.id).unwrap()),
        Some(stored),
        "the replay agrees with the store"
    );
}

#[test]
fn after_photos_are_attached_by_the_rectification() {
    let mut env = Env::sample();
    let before = png(32, 32, 1);
    let f = env.store.add_finding(with_photos(vec![bytes("before.png", before.clone())])).unwrap();
    env.act_as(ADMIN, Role::Admin);
    for to in [Status::Accepted, Status::Rectifying] {
        env.store
            .move_finding(MoveRequest { unit: None, id: f.id.clone(), to, note: String::new(), photos: vec![] })
            .unwrap();
    }
    let after = png(32, 32, 2);
    let moved = env
        .store
        .move_finding(MoveRequest {
            unit: None,
            id: f.id.clone(),
            to: Status::Rectified,
            note: "已更换新井盖".into(),
            photos: vec![bytes("after.png", after.clone())],
        })
        .unwrap();
    let roles: Vec<PhotoRole> = moved.photos.iter().map(|p| p.role).collect();
    assert_eq!(roles, vec![PhotoRole::Before, PhotoRole::After], "the rectification adds an 'after' photo");
    assert_eq!(env.store.finding(&f.id).unwrap(), moved, "the stored finding is the one returned");

    // The re-check fails and the same after photo is sent again: still one after photo.
    env.store
        .move_finding(MoveRequest {
            unit: None,
            id: f.id.clone(),
            to: Status::Rework,
            note: "整改不彻底".into(),
            photos: vec![],
        })
        .unwrap();
    let again = env
        .store
        .move_finding(MoveRequest {
            unit: None,
            id: f.id.clone(),
            to: Status::Rectified,
            note: "返工完成".into(),
            photos: vec![bytes("after.png", after), bytes("before.png", before)],
        })
        .unwrap();
    let stored = env.store.finding(&f.id).unwrap();
    assert_eq!(stored, again, "the stored finding is the one returned, however often a photo is sent");
    assert_eq!(
        projection::replay(&env.store.history(&f.id).unwrap()),
        Some(stored.clone()),
        "the replay agrees with the store"
    );
    let roles: Vec<PhotoRole> = stored.photos.iter().map(|p| p.role).collect();
    assert_eq!(
        roles,
        vec![PhotoRole::Before, PhotoRole::After, PhotoRole::After],
        "a photo already attached in a role is not attached again; the before photo may also serve as an after photo"
    );
}

/// A JPEG carrying an EXIF segment written by hand: DateTimeOriginal in the Exif IFD, and when
/// `gps` is given, GPSLatitude/GPSLongitude in the GPS IFD. Big-endian TIFF, as cameras write it.
fn jpeg_with_exif(time: &str, gps: Option<Point>) -> Vec<u8> {
    // An IFD entry whose value either fits in four bytes (inline) or lives at an offset.
    struct Entry {
        tag: u16,
        kind: u16,
        count: u32,
        data: Vec<u8>,
    }
    const ASCII: u16 = 2;
    const LONG: u16 = 4;
    const RATIONAL: u16 = 5;
    fn ascii(tag: u16, s: &str) -> Entry {
        let mut data = s.as_bytes().to_vec();
        data.push(0);
        Entry { tag, kind: ASCII, count: data.len() as u32, data }
    }
    fn dms(tag: u16, deg: f64) -> Entry {
        // Degrees, minutes and thousandths of seconds.
        let d = deg.trunc();
        let m = ((deg - d) * 60.0).trunc();
        let s = ((deg - d) * 60.0 - m) * 60.0;
        let mut data = Vec::new();
        for (num, den) in [(d as u32, 1u32), (m as u32, 1), ((s * 1000.0).round() as u32, 1000)] {
            data.extend(num.to_be_bytes());
            data.extend(den.to_be_bytes());
        }
        Entry { tag, kind: RATIONAL, count: 3, data }
    }
    fn long(tag: u16, v: u32) -> Entry {
        Entry { tag, kind: LONG, count: 1, data: v.to_be_bytes().to_vec() }
    }
    fn ifd_len(entries: &[Entry]) -> usize {
        2 + 12 * entries.len() + 4 + entries.iter().filter(|e| e.data.len() > 4).map(|e| e.data.len()).sum::<usize>()
    }
    // Writes an IFD at `tiff.len()`, its out-of-line values right after it.
    fn write_ifd(tiff: &mut Vec<u8>, entries: &[Entry]) {
        let start = tiff.len();
        let mut extra_at = start + 2 + 12 * entries.len() + 4;
        let mut extra: Vec<u8> = Vec::new();
        tiff.extend((entries.len() as u16).to_be_bytes());
        for e in entries {
            tiff.extend(e.tag.to_be_bytes());
            tiff.extend(e.kind.to_be_bytes());
            tiff.extend(e.count.to_be_bytes());
            if e.data.len() <= 4 {
                let mut inline = e.data.clone();
                inline.resize(4, 0);
                tiff.extend(inline);
            } else {
                tiff.extend((extra_at as u32).to_be_bytes());
                extra_at += e.data.len();
                extra.extend(&e.data);
            }
        }
        tiff.extend(0u32.to_be_bytes()); // no next IFD
        tiff.extend(extra);
    }

    let exif_ifd = vec![ascii(0x9003, time)]; // DateTimeOriginal
    let gps_ifd: Vec<Entry> = gps
        .map(|p| {
            vec![
                ascii(0x0001, if p.lat < 0.0 { "S" } else { "N" }),
                dms(0x0002, p.lat.abs()),
                ascii(0x0003, if p.lon < 0.0 { "W" } else { "E" }),
                dms(0x0004, p.lon.abs()),
            ]
        })
        .unwrap_or_default();
    let ifd0_entries = if gps.is_some() { 2 } else { 1 };
    let ifd0_len = 2 + 12 * ifd0_entries + 4;
    let exif_at = 8 + ifd0_len;
    let gps_at = exif_at + ifd_len(&exif_ifd);
    let mut ifd0 = vec![long(0x8769, exif_at as u32)]; // ExifIFDPointer
    if gps.is_some() {
        ifd0.push(long(0x8825, gps_at as u32)); // GPSInfoIFDPointer
    }

    let mut tiff = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
    write_ifd(&mut tiff, &ifd0);
    assert_eq!(tiff.len(), exif_at, "the Exif IFD starts where IFD0 says");
    write_ifd(&mut tiff, &exif_ifd);
    if gps.is_some() {
        assert_eq!(tiff.len(), gps_at, "the GPS IFD starts where IFD0 says");
        write_ifd(&mut tiff, &gps_ifd);
    }

    let mut app1 = b"Exif\x00\x00".to_vec();
    app1.extend(tiff);
    let plain = jpeg(48, 32, 5);
    assert_eq!(&plain[..2], b"\xFF\xD8", "a JPEG starts with SOI");
    let mut out = plain[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend(&plain[2..]);
    out
}

#[test]
fn exif_time_and_position_are_offered_as_defaults() {
    let mut env = Env::sample();
    // 09:30 in the city on the day before: 01:30 UTC. The photo carries no offset, so it is Beijing time.
    let photo = jpeg_with_exif("2026:11:24 09:30:00", Some(IN_GRID_01));
    let f = env
        .store
        .add_finding(NewFinding {
            on_the_spot: false,
            after_photos: Vec::new(),
            grid: Some(GRID_01.into()),
            ..with_photos(vec![bytes("IMG_0002.JPG", photo.clone())])
        })
        .expect("a JPEG with EXIF is accepted");
    assert_eq!(
        f.photos[0].exif_time,
        Some(at("2026-11-24T01:30:00Z")),
        "EXIF DateTimeOriginal is read in the city's zone"
    );
    assert_eq!(f.observed_at, at("2026-11-24T01:30:00Z"), "with no observed_at given, the photo's time is the default");
    assert_eq!(f.recorded_at, env.clock.now(), "recorded_at is still now");
    let p = f.point.expect("with no point given, the photo's GPS position is the default");
    assert!(
        (p.lat - IN_GRID_01.lat).abs() < 1e-6 && (p.lon - IN_GRID_01.lon).abs() < 1e-6,
        "the EXIF position is read as degrees, minutes and seconds: {p:?}"
    );
    assert_eq!(env.store.finding(&f.id).unwrap(), f, "the defaults are stored");

    // A person's own answers win over the photo's.
    let typed = at("2026-11-23T08:00:00Z");
    let f = env
        .store
        .add_finding(NewFinding {
            on_the_spot: false,
            after_photos: Vec::new(),
            observed_at: Some(typed),
            ..with_photos(vec![bytes("IMG_0002.JPG", photo.clone())])
        })
        .unwrap();
    assert_eq!(f.observed_at, typed, "an observed_at given by the officer overrides the photo's time");

    // A photo taken elsewhere does not place the finding in a grid it is not in.
    let f = env
        .store
        .add_finding(NewFinding {
            on_the_spot: false,
            after_photos: Vec::new(),
            grid: Some(GRID_02.into()),
            ..with_photos(vec![bytes("IMG_0002.JPG", photo)])
        })
        .expect("a photo whose position lies in another grid is still accepted");
    assert_eq!(f.point, None, "an EXIF position outside the named grid is not offered");
}

#[test]
fn an_exif_time_in_the_future_is_not_offered() {
    let mut env = Env::sample();
    // A camera clock set a day ahead.
    let photo = jpeg_with_exif("2026:11:26 10:00:00", None);
    let f = env.store.add_finding(with_photos(vec![bytes("IMG_0003.JPG", photo)])).unwrap();
    assert_eq!(f.photos[0].exif_time, Some(at("2026-11-26T02:00:00Z")), "the EXIF time is read and kept");
    assert_eq!(f.observed_at, env.clock.now(), "a photo time in the future is not a default: observed_at is now");
    assert_eq!(f.point, None, "no GPS, no point");
}

#[test]
fn a_photo_without_exif_leaves_the_defaults_to_now() {
    let mut env = Env::sample();
    let f = env.store.add_finding(with_photos(vec![bytes("plain.jpg", jpeg(16, 16, 1))])).unwrap();
    assert_eq!(f.photos[0].exif_time, None, "no EXIF, no photo time");
    assert_eq!(f.observed_at, env.clock.now(), "EXIF is never required: observed_at defaults to now");
}

/// A finding pulled from the hub names photos this device does not have: they are wanted until
/// fetched; bytes that are not the photo are refused, written nowhere, and not asked for again.
#[test]
fn pulled_photos_are_wanted_until_fetched_and_checked() {
    use gridpatrol_core::model::{Event, SyncState};
    let mut officer = Env::sample();
    let mut new = NewFinding::new(GRID_01, MANHOLE, "井盖破损，带照片");
    let (good, other) = (png(64, 48, 1), png(64, 48, 2));
    new.photos = vec![PhotoSource::Bytes { name: "a.png".into(), bytes: good.clone() }];
    let mut second = NewFinding::new(GRID_01, MANHOLE, "井盖缺失，带照片");
    second.photos = vec![PhotoSource::Bytes { name: "b.png".into(), bytes: png(64, 48, 3) }];
    officer.store.add_finding(new).unwrap();
    officer.store.add_finding(second).unwrap();
    let events: Vec<Event> = officer
        .store
        .outbox(100)
        .unwrap()
        .into_iter()
        .enumerate()
        .map(|(i, e)| Event { sync: SyncState::Acked, hub_seq: Some(i as i64 + 1), ..e })
        .collect();

    let mut lead = Env::sample_seeded(99);
    lead.store.apply_remote(&events, events.len() as i64).unwrap();
    let wanted = lead.store.wanted_photos(10).unwrap();
    assert_eq!(wanted.len(), 2, "both photos are wanted");
    let first = wanted.iter().find(|w| w.sha256 == hex_sha(&good)).expect("the first photo is wanted").clone();
    let err = lead.store.save_fetched_photo(&first, other).expect_err("other bytes are not this photo");
    assert_eq!(err.code(), "photo_unreadable");
    assert!(!lead.store.photos_dir().join(&first.file).exists(), "nothing is written");
    assert_eq!(lead.store.wanted_photos(10).unwrap().len(), 1, "a refused photo is not asked for again");
    let rest = lead.store.wanted_photos(10).unwrap().remove(0);
    let bytes = std::fs::read(officer.store.photos_dir().join(&rest.file)).unwrap();
    lead.store.save_fetched_photo(&rest, bytes).expect("the photo's own bytes");
    assert!(lead.store.photos_dir().join(&rest.file).is_file());
    assert!(lead.store.wanted_photos(10).unwrap().is_empty());
}

fn hex_sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[test]
fn a_photo_beyond_the_pixel_limits_is_refused_from_its_header() {
    let mut env = Env::sample();
    let wide = png(gridpatrol_core::photo::MAX_SIDE + 1, 1, 5);
    assert!(wide.len() < 200_000, "the file itself is small");
    let err = env.assert_refused("a photo wider than MAX_SIDE", "photo_too_many_pixels", |s| {
        s.add_finding(with_photos(vec![bytes("wide.png", wide)]))
    });
    assert!(
        err.message(gridpatrol_core::Lang::En).contains(&format!("{}×1", gridpatrol_core::photo::MAX_SIDE + 1)),
        "the refusal gives the photo's dimensions: {err}"
    );
    env.store
        .add_finding(with_photos(vec![bytes("ok.png", png(gridpatrol_core::photo::MAX_SIDE, 1, 6))]))
        .expect("a photo exactly at the side limit is accepted");
}

//! Bad input on purpose (DESIGN.md, "Bad input"): each one is refused with its stable code and two
//! sentences, and leaves every count of the store and the photos folder exactly as they were.

use chrono::Duration;
use gridpatrol_core::clock::Clock;
use gridpatrol_core::{NewFinding, PhotoSource, Point};

use super::{png, Env, GRID_01, IN_GRID_02, IN_NO_GRID, LARGE_GRID, MANHOLE};

fn finding(description: &str) -> NewFinding {
    NewFinding::new(GRID_01, MANHOLE, description)
}

/// A refused finding: `what` names the rule, `code` is what the refusal must say.
fn check(env: &mut Env, what: &str, code: &str, new: NewFinding) {
    env.assert_refused(what, code, |s| s.add_finding(new));
}

#[test]
fn refused_grids_and_categories_change_nothing() {
    let mut env = Env::sample();
    env.add("先记录一条，证明已有数据不受影响");
    check(&mut env, "an unknown grid", "unknown_grid", NewFinding::new("37169999999999", MANHOLE, "井盖破损"));
    check(
        &mut env,
        "a large grid named by a finding",
        "not_a_small_grid",
        NewFinding::new(LARGE_GRID, MANHOLE, "井盖破损"),
    );
    check(&mut env, "an unknown category", "unknown_category", NewFinding::new(GRID_01, "0199", "井盖破损"));
    // No category chosen is an empty field (问题类别不能为空), not "no category with code ''".
    check(&mut env, "no category chosen", "empty_text", NewFinding::new(GRID_01, "", "井盖破损"));
    check(&mut env, "a category of spaces only", "empty_text", NewFinding::new(GRID_01, "  ", "井盖破损"));
    check(
        &mut env,
        "a category code of the wrong shape",
        "unknown_category",
        NewFinding::new(GRID_01, "abc", "井盖破损"),
    );
    check(
        &mut env,
        "a major class instead of a minor",
        "not_a_minor_category",
        NewFinding::new(GRID_01, "01", "井盖破损"),
    );
    check(
        &mut env,
        "neither a grid nor a point",
        "empty_text",
        NewFinding { on_the_spot: false, after_photos: Vec::new(), grid: None, ..finding("井盖破损") },
    );
}

#[test]
fn refused_texts_change_nothing() {
    let mut env = Env::sample();
    check(&mut env, "an empty description", "empty_text", finding(""));
    check(&mut env, "a description of spaces only", "empty_text", finding(" \t\n\u{3000} "));
    check(&mut env, "a description of 2,001 characters", "text_too_long", finding(&"井".repeat(2001)));
    check(&mut env, "a description with a control character", "invalid_value", finding("井盖\u{7}破损"));
    check(
        &mut env,
        "an address of 201 characters",
        "text_too_long",
        NewFinding {
            on_the_spot: false, after_photos: Vec::new(), address: "路".repeat(201), ..finding("井盖破损")
        },
    );
}

#[test]
fn the_description_limit_counts_characters_not_bytes() {
    let mut env = Env::sample();
    let before = env.store.counts().unwrap();
    // 2,000 Chinese characters are 6,000 bytes of UTF-8: still within the limit of 2,000.
    let text = "井".repeat(2000);
    let f = env
        .store
        .add_finding(finding(&format!("  {text}\n")))
        .expect("a description of exactly 2,000 characters is accepted");
    assert_eq!(f.description, text, "the description is stored trimmed and whole");
    let after = env.store.counts().unwrap();
    assert_eq!(after.findings, before.findings + 1, "an accepted finding adds one finding");
    assert_eq!(after.events, before.events + 1, "an accepted finding writes one event");
}

#[test]
fn refused_places_change_nothing() {
    let mut env = Env::sample();
    check(
        &mut env,
        "a point outside the grid the finding names",
        "point_outside_grid",
        NewFinding { on_the_spot: false, after_photos: Vec::new(), point: Some(IN_GRID_02), ..finding("井盖破损") },
    );
    check(
        &mut env,
        "a point in no grid, with no grid named",
        "point_in_no_grid",
        NewFinding {
            on_the_spot: false,
            after_photos: Vec::new(),
            grid: None,
            point: Some(IN_NO_GRID),
            ..finding("井盖破损")
        },
    );
    for (lat, lon) in
        [(91.0, 117.9), (-90.5, 117.9), (37.4, 180.5), (37.4, -181.0), (f64::NAN, 117.9), (37.4, f64::INFINITY)]
    {
        check(
            &mut env,
            &format!("the invalid coordinates ({lat}, {lon})"),
            "invalid_point",
            NewFinding {
                on_the_spot: false,
                after_photos: Vec::new(),
                point: Some(Point { lat, lon }),
                ..finding("井盖破损")
            },
        );
    }
}

#[test]
fn refused_photos_change_nothing() {
    let mut env = Env::sample();
    let outside = tempfile::tempdir().unwrap();

    let text = outside.path().join("not-a-photo.jpg");
    std::fs::write(&text, "这不是图片，只是一段文字。\n").unwrap();
    check(
        &mut env,
        "a text file named .jpg",
        "photo_not_image",
        NewFinding {
            on_the_spot: false,
            after_photos: Vec::new(),
            photos: vec![PhotoSource::File(text.clone())],
            ..finding("井盖破损")
        },
    );
    check(
        &mut env,
        "a good photo followed by one that is not an image",
        "photo_not_image",
        NewFinding {
            on_the_spot: false,
            after_photos: Vec::new(),
            photos: vec![
                PhotoSource::Bytes { name: "good.png".into(), bytes: png(16, 16, 1) },
                PhotoSource::File(text),
            ],
            ..finding("井盖破损")
        },
    );
    check(
        &mut env,
        "bytes that start like a PNG but are not one",
        "photo_not_image",
        NewFinding {
            on_the_spot: false,
            after_photos: Vec::new(),
            photos: vec![PhotoSource::Bytes { name: "broken.png".into(), bytes: png(16, 16, 2)[..40].to_vec() }],
            ..finding("井盖破损")
        },
    );
    check(
        &mut env,
        "a photo file that does not exist",
        "photo_unreadable",
        NewFinding {
            on_the_spot: false,
            after_photos: Vec::new(),
            photos: vec![PhotoSource::File(outside.path().join("missing.jpg"))],
            ..finding("井盖破损")
        },
    );

    // Over the default limit of 20 MB: a sparse file, refused from its size before it is read.
    let huge = outside.path().join("huge.jpg");
    std::fs::File::create(&huge).unwrap().set_len(20 * 1024 * 1024 + 1).unwrap();
    check(
        &mut env,
        "a photo one byte over the default 20 MB",
        "photo_too_large",
        NewFinding {
            on_the_spot: false,
            after_photos: Vec::new(),
            photos: vec![PhotoSource::File(huge)],
            ..finding("井盖破损")
        },
    );

    // Over a lowered limit: a real image, as a file and as bytes.
    env.store.set_photo_max_bytes(1000).unwrap();
    let big = png(64, 64, 3);
    assert!(big.len() > 1000, "the test image must be over the lowered limit");
    let big_file = outside.path().join("big.png");
    std::fs::write(&big_file, &big).unwrap();
    check(
        &mut env,
        "a real photo over the configured limit, from a file",
        "photo_too_large",
        NewFinding {
            on_the_spot: false,
            after_photos: Vec::new(),
            photos: vec![PhotoSource::File(big_file)],
            ..finding("井盖破损")
        },
    );
    check(
        &mut env,
        "a real photo over the configured limit, from memory",
        "photo_too_large",
        NewFinding {
            on_the_spot: false,
            after_photos: Vec::new(),
            photos: vec![PhotoSource::Bytes { name: "big.png".into(), bytes: big }],
            ..finding("井盖破损")
        },
    );
    env.assert_refused("a photo limit of zero bytes", "invalid_setting", |s| s.set_photo_max_bytes(0));
}

#[test]
fn an_observation_in_the_future_is_refused() {
    let mut env = Env::sample();
    let now = env.clock.now();
    check(
        &mut env,
        "observed_at one second after now",
        "observed_in_future",
        NewFinding {
            on_the_spot: false,
            after_photos: Vec::new(),
            observed_at: Some(now + Duration::seconds(1)),
            ..finding("井盖破损")
        },
    );
    // Typed in later from paper notes: an earlier observation is fine, and so is now itself.
    let earlier = now - Duration::days(2);
    let f = env
        .store
        .add_finding(NewFinding {
            on_the_spot: false,
            after_photos: Vec::new(),
            observed_at: Some(earlier),
            ..finding("两天前纸质记录补录")
        })
        .expect("an observation in the past is accepted");
    assert_eq!(f.observed_at, earlier, "observed_at is when the officer saw it");
    assert_eq!(f.recorded_at, now, "recorded_at is when it was recorded");
    env.store
        .add_finding(NewFinding {
            on_the_spot: false,
            after_photos: Vec::new(),
            observed_at: Some(now),
            ..finding("刚刚看到")
        })
        .expect("an observation at exactly now is not in the future");
}

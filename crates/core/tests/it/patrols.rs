//! Patrols: one under way per officer at a time, ended once, and findings recorded during a patrol
//! carry its id.

use chrono::Duration;
use gridpatrol_core::clock::Clock;
use gridpatrol_core::{PatrolKind, Role};

use super::{Env, GRID_01, GRID_02, LARGE_GRID, OFFICER};

fn codes(codes: &[&str]) -> Vec<String> {
    codes.iter().map(|c| c.to_string()).collect()
}

#[test]
fn a_patrol_starts_ends_once_and_marks_its_findings() {
    let mut env = Env::sample();
    assert_eq!(env.store.active_patrol().unwrap(), None, "no patrol under way at first");
    let before = env.add("巡查开始前记录");
    assert_eq!(env.store.finding(&before).unwrap().patrol, None, "a finding outside a patrol carries no patrol");

    let patrol = env
        .store
        .start_patrol(&codes(&[GRID_02, GRID_01, GRID_02]), PatrolKind::Scheduled, "周三徒步巡查")
        .expect("an officer starts a patrol of two small grids");
    assert_eq!(patrol.grids, codes(&[GRID_01, GRID_02]), "the patrol records its grids, each once");
    assert_eq!((patrol.officer.as_str(), patrol.kind), (OFFICER, PatrolKind::Scheduled), "who and what kind");
    assert_eq!((patrol.started_at, patrol.ended_at), (env.clock.now(), None), "started now, not ended");
    assert_eq!(env.store.active_patrol().unwrap().as_ref(), Some(&patrol), "the patrol is under way");

    env.clock.advance(Duration::minutes(5));
    env.assert_refused("a second patrol while one is under way", "patrol_under_way", |s| {
        s.start_patrol(&codes(&[GRID_01]), PatrolKind::Adhoc, "")
    });

    env.clock.advance(Duration::minutes(10));
    let during = env.add("巡查中发现井盖破损");
    assert_eq!(
        env.store.finding(&during).unwrap().patrol.as_deref(),
        Some(patrol.id.as_str()),
        "a finding recorded during a patrol carries the patrol's id"
    );

    env.clock.advance(Duration::minutes(45));
    let ended = env.store.end_patrol().expect("the patrol under way ends");
    assert_eq!(ended.ended_at, Some(env.clock.now()), "the patrol ends now");
    assert_eq!(env.store.active_patrol().unwrap(), None, "no patrol is under way after the end");
    env.assert_refused("ending a patrol twice", "no_patrol_under_way", |s| s.end_patrol());

    let after = env.add("巡查结束后记录");
    assert_eq!(env.store.finding(&after).unwrap().patrol, None, "a finding after the patrol carries no patrol");

    let listed = env.store.patrols(Some(OFFICER)).unwrap();
    assert_eq!(listed.len(), 1, "one patrol of the officer");
    assert_eq!(listed[0], ended, "the stored patrol is the one that ended");
    let history = env.store.history(&patrol.id).unwrap();
    let kinds: Vec<&str> = history.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, vec!["patrol.started", "patrol.ended"], "one event per change of the patrol");
}

#[test]
fn a_patrol_needs_small_grids_that_exist() {
    let mut env = Env::sample();
    env.assert_refused("a patrol of no grid", "patrol_without_grids", |s| {
        s.start_patrol(&[], PatrolKind::Scheduled, "")
    });
    env.assert_refused("a patrol of blank codes only", "unknown_grid", |s| {
        s.start_patrol(&codes(&["  "]), PatrolKind::Scheduled, "")
    });
    env.assert_refused("a patrol of an unknown grid", "unknown_grid", |s| {
        s.start_patrol(&codes(&[GRID_01, "37169999999999"]), PatrolKind::Scheduled, "")
    });
    env.assert_refused("a patrol of a large grid", "not_a_small_grid", |s| {
        s.start_patrol(&codes(&[LARGE_GRID]), PatrolKind::Scheduled, "")
    });
    env.assert_refused("ending when no patrol is under way", "no_patrol_under_way", |s| s.end_patrol());
}

#[test]
fn each_officer_has_their_own_patrol_under_way() {
    let mut env = Env::sample();
    let mine = env.store.start_patrol(&codes(&[GRID_01]), PatrolKind::Scheduled, "").unwrap();
    env.act_as("张丽", Role::Officer);
    let hers = env
        .store
        .start_patrol(&codes(&[GRID_01]), PatrolKind::Adhoc, "")
        .expect("another officer's patrol does not block this one");
    assert_ne!(mine.id, hers.id, "two patrols");
    let f = env.add("张丽记录的问题");
    assert_eq!(
        env.store.finding(&f).unwrap().patrol.as_deref(),
        Some(hers.id.as_str()),
        "a finding carries its author's patrol"
    );
    assert_eq!(env.store.patrols(None).unwrap().len(), 2, "both patrols are listed");
}

//! Full-text search of findings in Chinese: phrases of three or more characters through the
//! trigram index, two-character words (井盖) through the index of character pairs, across
//! description and address; and whatever a
//! person types, FTS syntax included, is plain text and never an error.

use std::collections::BTreeSet;
use std::sync::Arc;

use gridpatrol_core::clock::SeededIds;
use gridpatrol_core::projection::Edit;
use gridpatrol_core::store::FindingSort;
use gridpatrol_core::{FindingQuery, NewFinding, Store};

use super::{Env, GRID_01, GRID_02, MANHOLE, STALL};

struct Found {
    env: Env,
    manhole: String,
    stall: String,
    lamp: String,
}

fn findings() -> Found {
    let mut env = Env::sample();
    let mut add = |grid: &str, category: &str, description: &str, address: &str| {
        env.store
            .add_finding(NewFinding {
                on_the_spot: false,
                after_photos: Vec::new(),
                address: address.into(),
                ..NewFinding::new(grid, category, description)
            })
            .unwrap()
            .id
    };
    let manhole = add(GRID_01, MANHOLE, "人行道上水井盖破损下沉，行人易绊倒", "黄河路12号东侧");
    let stall = add(GRID_02, STALL, "占道经营水果摊，早高峰阻碍通行", "渤海七路与黄河路路口");
    let lamp = add(GRID_01, "10118", "路灯不亮", "新立路中段");
    Found { env, manhole, stall, lamp }
}

fn search(env: &Env, text: &str) -> BTreeSet<String> {
    env.store
        .findings(&FindingQuery { search: Some(text.into()), ..FindingQuery::default() })
        .unwrap_or_else(|e| panic!("searching {text:?} must not fail: {e}"))
        .into_iter()
        .map(|f| f.id)
        .collect()
}

fn set(ids: &[&String]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[test]
fn chinese_search_finds_phrases_and_two_character_words() {
    let f = findings();
    assert_eq!(search(&f.env, "井盖破损"), set(&[&f.manhole]), "a four-character phrase of the description");
    assert_eq!(search(&f.env, "水果摊"), set(&[&f.stall]), "a three-character phrase of the description");
    assert_eq!(
        search(&f.env, "井盖"),
        set(&[&f.manhole]),
        "a two-character word (the trigram index cannot) still matches"
    );
    assert_eq!(search(&f.env, "路灯"), set(&[&f.lamp]), "another two-character word");
    assert_eq!(search(&f.env, "黄河路"), set(&[&f.manhole, &f.stall]), "a phrase of the address");
    assert_eq!(search(&f.env, "新立路"), set(&[&f.lamp]), "only the address has it");
    assert_eq!(search(&f.env, "破损 黄河路"), set(&[&f.manhole]), "words separated by spaces must all match");
    assert_eq!(search(&f.env, "井盖 渤海"), set(&[]), "no finding has both words");
    assert_eq!(search(&f.env, "违法建设"), set(&[]), "an unrelated phrase finds nothing");
    assert_eq!(search(&f.env, "雨"), set(&[]), "an unrelated single character finds nothing");
    assert_eq!(search(&f.env, "   "), set(&[&f.manhole, &f.stall, &f.lamp]), "a blank search does not filter");
}

#[test]
fn search_combines_with_the_other_filters() {
    let f = findings();
    let in_grid = |grid: &str, text: &str| -> BTreeSet<String> {
        f.env
            .store
            .findings(&FindingQuery { grid: Some(grid.into()), search: Some(text.into()), ..FindingQuery::default() })
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect()
    };
    assert_eq!(in_grid(GRID_02, "黄河路"), set(&[&f.stall]), "search within one grid");
    assert_eq!(in_grid(GRID_02, "井盖"), set(&[]), "the two-character word is not in grid 02");
}

#[test]
fn search_text_with_fts_syntax_is_plain_text() {
    let f = findings();
    for text in [
        "\"AND OR *",
        "井盖 AND 路灯",
        "NOT 井盖",
        "井盖*",
        "NEAR(井盖 路灯)",
        "\"",
        "\"\"\"",
        "'",
        "description:井盖",
        "^井盖",
        "(井盖",
        "-井盖",
        "{井盖}",
        "井盖\"破损",
        "%",
        "_",
        "\\",
        "100%",
    ] {
        let found = search(&f.env, text);
        assert!(found.is_empty(), "{text:?} is searched as the plain text it is, and no finding contains it");
    }
    assert_eq!(search(&f.env, "井盖破损 OR"), set(&[]), "OR is a word to find, not an operator");
}

#[test]
fn two_character_words_follow_edits() {
    let mut f = findings();
    let edit = Edit { description: Some("路灯已修复，灯杆倾斜".into()), ..Edit::default() };
    f.env.store.edit_finding(&f.lamp, edit).unwrap();
    assert_eq!(search(&f.env, "灯杆"), set(&[&f.lamp]), "the new text's pairs are in the index");
    assert_eq!(search(&f.env, "不亮"), set(&[]), "the old text's are gone");
    assert_eq!(search(&f.env, "路灯"), set(&[&f.lamp]));
}

#[test]
fn a_store_from_before_the_pair_index_gets_it_filled_when_it_opens() {
    store_from_before_the_pair_index(None);
}

/// The same old plain store on a device: converted to SQLCipher on its first keyed open, then
/// copied (encrypted, with the same key) before its migrations run (issue 13.4 keeps issue 13.3's copy).
#[test]
fn an_old_plain_store_is_encrypted_then_copied_before_it_migrates() {
    store_from_before_the_pair_index(Some(gridpatrol_core::store::StoreKey::Raw([3; 32])));
}

fn store_from_before_the_pair_index(key: Option<gridpatrol_core::store::StoreKey>) {
    let f = findings();
    let dir = f.env.dir.path().to_path_buf();
    // Back to the schema of migration 7: no pair index, no triggers feeding it, the index of fixes on
    // device times (migration 5), and none of migration 12's units and loop columns.
    f.env
        .store
        .connection()
        .execute_batch(
            "DROP TRIGGER findings_bigrams_insert; DROP TRIGGER findings_bigrams_delete;
             DROP TRIGGER findings_bigrams_update; DROP TABLE findings_bigrams;
             DROP INDEX events_fixes;
             CREATE INDEX events_fixes ON events(entity_id, json_extract(payload, '$.to'), device_time)
                 WHERE kind = 'finding.moved' AND json_extract(payload, '$.to') IN ('rectified', 'rework');
             DROP TABLE finding_history; DROP INDEX findings_grid_observed; DROP TABLE grid_week_counts;
             DROP TRIGGER grid_week_counts_findings_insert; DROP TRIGGER grid_week_counts_findings_delete;
             DROP TRIGGER grid_week_counts_findings_update;
             ALTER TABLE events DROP COLUMN accepted_at; DROP TABLE set_aside;
             DROP TABLE units; DROP INDEX findings_unit;
             ALTER TABLE findings DROP COLUMN unit; ALTER TABLE findings DROP COLUMN dispatched_at;
             ALTER TABLE findings DROP COLUMN deferral; ALTER TABLE findings DROP COLUMN deferrals;
             ALTER TABLE findings DROP COLUMN on_the_spot; ALTER TABLE findings DROP COLUMN suspended_at;
             ALTER TABLE categories DROP COLUMN minor; ALTER TABLE categories DROP COLUMN deadline;
             ALTER TABLE categories DROP COLUMN source;
             ALTER TABLE categories ADD COLUMN deadline_hours INTEGER;
             ALTER TABLE categories ADD COLUMN deadline_working_days INTEGER;
             ALTER TABLE findings DROP COLUMN urgency;
             ALTER TABLE findings ADD COLUMN severity TEXT NOT NULL DEFAULT 'normal';
             PRAGMA user_version = 7;",
        )
        .unwrap();
    let Found { env, manhole, stall, .. } = f;
    let Env { clock, store, dir: _keep } = env;
    drop(store);
    let store = match &key {
        None => Store::open(&dir, clock.clone(), Arc::new(SeededIds::new(1))),
        Some(key) => Store::open_encrypted(&dir, clock.clone(), Arc::new(SeededIds::new(1)), key),
    }
    .expect("open and migrate");
    // The store at version 7 was copied before the migrations ran (store/backups.rs).
    let copies: Vec<String> = std::fs::read_dir(dir.join(gridpatrol_core::store::backups::BACKUPS_DIR))
        .expect("a backups folder beside the store")
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(
        copies.len() == 1 && copies[0].starts_with("gridpatrol-v7-"),
        "one copy of the version-7 store is kept before migrating: {copies:?}"
    );
    let copy = dir.join(gridpatrol_core::store::backups::BACKUPS_DIR).join(&copies[0]);
    let old = rusqlite::Connection::open(&copy).unwrap();
    if let Some(key) = &key {
        let unkeyed = rusqlite::Connection::open(&copy).unwrap();
        assert!(
            unkeyed.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)).is_err(),
            "the copy of an encrypted store does not open without its key"
        );
        gridpatrol_core::store::cipher::apply_key(&old, key).unwrap();
    }
    let version: i64 = old.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, 7, "the copy is the store as it was before the migration");
    let found: BTreeSet<String> = store
        .findings(&FindingQuery { search: Some("井盖".into()), ..FindingQuery::default() })
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(found, set(&[&manhole]), "findings recorded before the migration are found by a pair");
    let found = store.findings(&FindingQuery { search: Some("路口".into()), ..FindingQuery::default() }).unwrap();
    assert_eq!(found.into_iter().map(|s| s.id).collect::<Vec<_>>(), vec![stall], "and by a pair of the address");
}

#[test]
fn a_first_page_of_a_common_word_is_the_top_of_all_its_matches() {
    // Over 2,000 matches: a limited search walks the observed-time index instead of looking every
    // match up (Store::walk_for_first_page); the page must be the same either way.
    let mut env = Env::sample();
    let start = super::at(super::NOW);
    // Recorded in order, observed in a scrambled order (typed in from paper notes): the clock only
    // moves forward, as the device's clock rule requires.
    env.clock.set(start + chrono::Duration::minutes(1_000));
    for i in 0..2_100i64 {
        let description = if i % 3 == 0 { "井盖松动，有异响" } else { "人行道井盖松动缺失" };
        let mut new = NewFinding::new(GRID_01, MANHOLE, description);
        new.observed_at = Some(start + chrono::Duration::minutes(i * 7 % 1_000));
        env.store.add_finding(new).unwrap();
    }
    env.store.add_finding(NewFinding::new(GRID_02, STALL, "占道经营")).unwrap();
    let ids = |search: &str, limit: Option<usize>, sort: FindingSort| -> Vec<String> {
        env.store
            .findings(&FindingQuery { search: Some(search.into()), limit, sort, ..FindingQuery::default() })
            .unwrap()
            .into_iter()
            .map(|f| f.id)
            .collect()
    };
    for sort in [FindingSort::ObservedDesc, FindingSort::ObservedAsc, FindingSort::DueAsc] {
        // Walked: 井盖 (pairs) and 井盖松动 (trigrams) match all 2,100; looked up: 缺失 and 异响 match fewer.
        for search in ["井盖", "井盖松动", "井盖 缺失", "异响"] {
            let all = ids(search, None, sort);
            assert!(all.len() >= 700, "{search}: {} matches", all.len());
            assert_eq!(
                ids(search, Some(50), sort),
                all[..50].to_vec(),
                "{search} {sort:?}: the first page is the top of all"
            );
        }
    }
    assert_eq!(ids("经营", Some(50), FindingSort::ObservedDesc).len(), 1, "a rare word's page has its one match");
}

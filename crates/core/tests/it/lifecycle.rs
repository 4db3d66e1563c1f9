//! The lifecycle through the store: every cell of role × from × to as the store answers it, the
//! whole closed loop with profiles switching as the role table requires, and a property test that
//! whatever moves are tried, the projection stays equal to a replay of the events.

use std::sync::Arc;

use gridpatrol_core::clock::{Clock, FixedClock, SeededIds};
use gridpatrol_core::lifecycle::check_move;
use gridpatrol_core::projection::{self, Move};
use gridpatrol_core::registry;
use gridpatrol_core::{MoveRequest, NewFinding, PhotoSource, Role, Status, Store};
use proptest::prelude::*;

use super::{at, png, Env, ADMIN, LEAD, LIAISON, LIAISON_UNIT, NOW, OFFICER};

use Status::*;

/// The role table, written out here independently of `lifecycle::MOVES`: every (role, from, to)
/// that is allowed. The unit's liaison (or the officer on site) records the rectification, the
/// liaison returns a mis-sent case; leads and admins make every other move.
const ALLOWED: &[(Role, Status, Status)] = &[
    (Role::Lead, Reported, Accepted),
    (Role::Admin, Reported, Accepted),
    (Role::Lead, Reported, Rejected),
    (Role::Admin, Reported, Rejected),
    (Role::Lead, Accepted, Rectifying),
    (Role::Admin, Accepted, Rectifying),
    (Role::Officer, Rectifying, Rectified),
    (Role::Lead, Rectifying, Rectified),
    (Role::Admin, Rectifying, Rectified),
    (Role::Liaison, Rectifying, Rectified),
    (Role::Liaison, Rectifying, Accepted),
    (Role::Lead, Rectifying, Suspended),
    (Role::Admin, Rectifying, Suspended),
    (Role::Lead, Suspended, Rectifying),
    (Role::Admin, Suspended, Rectifying),
    (Role::Lead, Rectified, Closed),
    (Role::Admin, Rectified, Closed),
    (Role::Lead, Rectified, Rework),
    (Role::Admin, Rectified, Rework),
    (Role::Officer, Rework, Rectified),
    (Role::Lead, Rework, Rectified),
    (Role::Admin, Rework, Rectified),
    (Role::Liaison, Rework, Rectified),
    (Role::Lead, Closed, Reopened),
    (Role::Admin, Closed, Reopened),
    (Role::Lead, Reopened, Rectifying),
    (Role::Admin, Reopened, Rectifying),
];

/// What the table says of one cell: `None` when allowed, else the stable code of the refusal:
/// `illegal_move` when no role may make the move, `move_not_allowed` when another role could.
fn expected(role: Role, from: Status, to: Status) -> Option<&'static str> {
    if ALLOWED.contains(&(role, from, to)) {
        None
    } else if ALLOWED.iter().any(|&(_, f, t)| f == from && t == to) {
        Some("move_not_allowed")
    } else {
        Some("illegal_move")
    }
}

/// The moves an admin makes to bring a new finding to `status`.
fn path_to(status: Status) -> &'static [Status] {
    match status {
        Reported => &[],
        Accepted => &[Accepted],
        Rejected => &[Rejected],
        Rectifying => &[Accepted, Rectifying],
        Rectified => &[Accepted, Rectifying, Rectified],
        Rework => &[Accepted, Rectifying, Rectified, Rework],
        Closed => &[Accepted, Rectifying, Rectified, Closed],
        Reopened => &[Accepted, Rectifying, Rectified, Closed, Reopened],
        Suspended => &[Accepted, Rectifying, Suspended],
    }
}

/// A move with a note, as every move that turns a finding down or sends it back needs a reason, and
/// with an after photo for a move to rectified (the after-photo rule). A dispatch takes the
/// category's default unit ([`LIAISON_UNIT`] for the manhole covers these tests record).
fn request(id: &str, to: Status) -> MoveRequest {
    let photos = if to == Rectified {
        vec![PhotoSource::Bytes { name: "after.png".into(), bytes: png(8, 8, 9) }]
    } else {
        Vec::new()
    };
    MoveRequest { unit: None, id: id.to_string(), to, note: "经核实".into(), photos }
}

#[test]
fn rejecting_sending_back_and_reopening_need_a_reason() {
    use Status::*;
    let mut env = Env::sample();
    let id = env.add("占道经营");
    env.act_as(LEAD, Role::Lead);
    let bare = |to| MoveRequest { unit: None, note: "  ".into(), ..request(&id, to) };
    let err = env.assert_refused("a rejection without a reason", "reason_required", |s| s.move_finding(bare(Rejected)));
    assert_eq!(gridpatrol_core::ipc::error_field(&err).as_deref(), Some("note"), "shown beside the note");
    for to in [Accepted, Rectifying] {
        env.store
            .move_finding(MoveRequest { unit: None, note: String::new(), ..request(&id, to) })
            .expect("no reason needed");
    }
    env.act_as(OFFICER, Role::Officer);
    env.store.move_finding(MoveRequest { unit: None, note: String::new(), ..request(&id, Rectified) }).unwrap();
    env.act_as(LEAD, Role::Lead);
    env.assert_refused("rework without a reason", "reason_required", |s| s.move_finding(bare(Rework)));
    env.store.move_finding(request(&id, Closed)).unwrap();
    env.assert_refused("reopening without a reason", "reason_required", |s| s.move_finding(bare(Reopened)));
}

fn name_of(role: Role) -> &'static str {
    match role {
        Role::Officer => OFFICER,
        Role::Lead => LEAD,
        Role::Admin => ADMIN,
        Role::Liaison => LIAISON,
    }
}

#[test]
fn the_table_has_twenty_seven_allowed_cells_of_twelve_moves() {
    // A guard on the table above: twelve moves of the lifecycle, each by the roles DESIGN.md names.
    let moves: std::collections::BTreeSet<(Status, Status)> = ALLOWED.iter().map(|&(_, f, t)| (f, t)).collect();
    assert_eq!(moves.len(), 12, "the lifecycle has twelve moves");
    assert_eq!(ALLOWED.len(), 27, "two officer moves, three liaison moves, eleven lead and admin moves");
    assert_eq!(LIAISON_UNIT, "WATER");
}

#[test]
fn check_move_answers_every_cell_of_role_by_from_by_to() {
    let mut wrong = Vec::new();
    for role in Role::ALL {
        for from in Status::ALL {
            for to in Status::ALL {
                let got = check_move(role, from, to).err().map(|e| e.code());
                let want = expected(role, from, to);
                if got != want {
                    wrong.push(format!("{role:?} {from}→{to}: got {got:?}, the table says {want:?}"));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "check_move disagrees with the role table in {} cells:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// Every cell again, this time as the store answers it: a finding is brought to `from` by an
/// admin, then `role` tries `to`. An allowed move writes one event; a refused one writes nothing.
#[test]
fn the_store_applies_every_cell_of_the_role_table() {
    let mut env = Env::sample();
    for from in Status::ALL {
        let mut current: Option<String> = None;
        for role in Role::ALL {
            for to in Status::ALL {
                // A finding waiting in `from`; a fresh one after each successful move.
                let id = match &current {
                    Some(id) => id.clone(),
                    None => {
                        env.act_as(ADMIN, Role::Admin);
                        let id = env.add(&format!("井盖松动，测试 {from}"));
                        for &step in path_to(from) {
                            env.store.move_finding(request(&id, step)).expect("an admin walks the loop");
                        }
                        current = Some(id.clone());
                        id
                    }
                };
                env.act_as(name_of(role), role);
                let cell = format!("{role:?} {from}→{to}");
                match expected(role, from, to) {
                    None => {
                        let before = env.store.history(&id).unwrap().len();
                        let moved = env
                            .store
                            .move_finding(request(&id, to))
                            .unwrap_or_else(|e| panic!("{cell}: the table allows it, the store refused: {e}"));
                        assert_eq!(moved.status, to, "{cell}: an allowed move sets the new status");
                        assert_eq!(env.store.finding(&id).unwrap().status, to, "{cell}: the new status is stored");
                        assert_eq!(
                            env.store.history(&id).unwrap().len(),
                            before + 1,
                            "{cell}: an allowed move writes one event"
                        );
                        current = None;
                    }
                    Some(code) => {
                        let err = env.assert_refused(&cell, code, |s| s.move_finding(request(&id, to)));
                        assert_eq!(
                            env.store.finding(&id).unwrap().status,
                            from,
                            "{cell}: a refused move leaves the status as it was"
                        );
                        drop(err);
                    }
                }
            }
        }
    }
}

#[test]
fn a_finding_walks_the_whole_loop_with_the_roles_the_table_asks_for() {
    let mut env = Env::sample();
    let id = env.add("雨水井盖破损，行人有踩空危险");
    let walk: &[(Role, Status)] = &[
        (Role::Lead, Accepted),
        (Role::Lead, Rectifying),
        (Role::Officer, Rectified),
        (Role::Lead, Rework),
        (Role::Officer, Rectified),
        (Role::Lead, Closed),
        (Role::Lead, Reopened),
        (Role::Lead, Rectifying),
        (Role::Officer, Rectified),
        (Role::Lead, Closed),
    ];
    let mut from = Reported;
    for (i, &(role, to)) in walk.iter().enumerate() {
        // Time moves on between steps, so each event carries its own time.
        env.clock.advance(chrono::Duration::hours(1));
        // The other role is refused first: the table gives each step to one side.
        let other = if role == Role::Officer { Role::Admin } else { Role::Officer };
        if expected(other, from, to).is_some() {
            env.act_as(name_of(other), other);
            env.assert_refused(&format!("step {i}: {other:?} {from}→{to}"), "move_not_allowed", |s| {
                s.move_finding(request(&id, to))
            });
        }
        env.act_as(name_of(role), role);
        let moved = env
            .store
            .move_finding(MoveRequest { unit: None, note: format!("第 {} 步", i + 1), ..request(&id, to) })
            .unwrap_or_else(|e| panic!("step {i}: {role:?} may move {from}→{to}: {e}"));
        assert_eq!(moved.status, to, "step {i}: the move sets the status");
        assert_eq!(moved.updated_at, env.clock.now(), "step {i}: updated_at is the time of the move");
        from = to;
    }

    let history = env.store.history(&id).unwrap();
    assert_eq!(history.len(), 1 + walk.len(), "one event for the report and one per move, no more");
    assert_eq!(history[0].kind, projection::REPORTED, "the first event reports the finding");
    assert_eq!(history[0].actor, OFFICER, "the officer reported it");
    let mut from = Reported;
    for (i, (event, &(role, to))) in history[1..].iter().zip(walk).enumerate() {
        assert_eq!(event.kind, projection::MOVED, "event {i} is a move");
        assert_eq!(event.entity_id, id, "event {i} is about the finding");
        assert_eq!(event.actor, name_of(role), "event {i} names who made the move");
        let m: Move = serde_json::from_value(event.payload.clone()).expect("a move payload");
        assert_eq!((m.from, m.to), (from, to), "event {i} records the move in order");
        assert_eq!(m.note, format!("第 {} 步", i + 1), "event {i} keeps the note");
        from = to;
    }
    let times: Vec<_> = history.iter().map(|e| e.device_time).collect();
    assert!(times.windows(2).all(|w| w[0] < w[1]), "events are in the order they happened");
    assert_eq!(
        projection::replay(&history).as_ref(),
        Some(&env.store.finding(&id).unwrap()),
        "the stored finding is the replay of its events"
    );
}

#[test]
fn moving_an_unknown_finding_is_refused() {
    let mut env = Env::sample();
    env.act_as(LEAD, Role::Lead);
    env.assert_refused("unknown finding id", "finding_not_found", |s| {
        s.move_finding(request("0190b2c4-0000-7000-8000-000000000000", Accepted))
    });
}

/// One small grid, so each property case sets up its store quickly.
const ONE_GRID: &str = r#"{"type":"FeatureCollection","features":[
  {"type":"Feature","properties":{"code":"L1","name":"大网格","parent":null,"owners":["王建国"]},
   "geometry":{"type":"Polygon","coordinates":[[[117.9,37.3],[118.0,37.3],[118.0,37.4],[117.9,37.4],[117.9,37.3]]]}},
  {"type":"Feature","properties":{"code":"S1","name":"小网格","parent":"L1","owners":["李明"]},
   "geometry":{"type":"Polygon","coordinates":[[[117.9,37.3],[118.0,37.3],[118.0,37.4],[117.9,37.4],[117.9,37.3]]]}}]}"#;

fn role_strategy() -> impl Strategy<Value = Role> {
    prop::sample::select(Role::ALL.to_vec())
}

fn status_strategy() -> impl Strategy<Value = Status> {
    prop::sample::select(Status::ALL.to_vec())
}

/// One attempted move: who tries it, to which status, and which after photo (if any) it carries.
fn attempt_strategy() -> impl Strategy<Value = (Role, Status, Option<u8>)> {
    (role_strategy(), status_strategy(), prop::option::of(0u8..3))
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        // A fixed seed: the same cases every run, so a failure reproduces.
        rng_seed: proptest::test_runner::RngSeed::Fixed(20261125),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_sequence_of_moves_keeps_the_projection_equal_to_the_replay(
        attempts in prop::collection::vec(attempt_strategy(), 0..16),
        lat in 37.3f64..37.4,
        lon in 117.9f64..118.0,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(FixedClock::new(at(NOW)));
        let mut store = Store::create(dir.path(), clock.clone(), Arc::new(SeededIds::new(7))).unwrap();
        store.import_registry(&registry::parse_geojson(ONE_GRID).unwrap(), false).unwrap();
        store.set_profile(OFFICER, Role::Officer).unwrap();
        let photos: Vec<Vec<u8>> = (0..3).map(|i| png(8, 8, i)).collect();
        let finding = store.add_finding(NewFinding { on_the_spot: false, after_photos: Vec::new(),
            point: Some(gridpatrol_core::Point { lat, lon }),
            address: "黄河路与渤海七路路口".into(),
            photos: vec![PhotoSource::Bytes { name: "before.png".into(), bytes: photos[0].clone() }],
            ..NewFinding::new("S1", "10101", "井盖破损")
        }).unwrap();
        let id = finding.id.clone();
        prop_assert_eq!(store.finding(&id).unwrap(), finding, "the stored finding is the one returned");

        let mut moved = 0;
        for (role, to, photo) in attempts {
            clock.advance(chrono::Duration::minutes(7));
            store.set_profile_in_unit(name_of(role), role, (role == Role::Liaison).then_some(LIAISON_UNIT)).unwrap();
            let before = store.finding(&id).unwrap();
            let counts = store.counts().unwrap();
            let result = store.move_finding(MoveRequest { unit: None,
                photos: photo.map(|i| PhotoSource::Bytes { name: format!("after{i}.png"), bytes: photos[i as usize].clone() }).into_iter().collect(),
                ..request(&id, to)
            });
            // The role table, then the after-photo rule of a move to rectified.
            let want = check_move(role, before.status, to).and_then(|()| {
                if to == Rectified && photo.is_none() {
                    Err(gridpatrol_core::Error::AfterPhotoRequired)
                } else {
                    Ok(())
                }
            });
            match (want, result) {
                (Ok(()), Ok(after)) => {
                    moved += 1;
                    prop_assert_eq!(after.status, to, "an allowed move sets the status");
                    prop_assert_eq!(store.finding(&id).unwrap(), after, "the stored finding is the one returned by the move");
                }
                (Err(want), Err(got)) => {
                    prop_assert_eq!(got.code(), want.code(), "the store refuses as the lifecycle table says");
                    prop_assert_eq!(store.counts().unwrap(), counts, "a refused move writes nothing");
                    prop_assert_eq!(store.finding(&id).unwrap(), before, "a refused move changes nothing");
                }
                (want, got) => prop_assert!(false, "the table says {:?}, the store says {:?}", want, got.map(|f| f.status)),
            }
            let history = store.history(&id).unwrap();
            prop_assert_eq!(projection::replay(&history), Some(store.finding(&id).unwrap()),
                "the projection equals the replay of the events after every attempt");
        }
        let history = store.history(&id).unwrap();
        prop_assert_eq!(history.len(), 1 + moved, "one event for the report plus one per successful move");
    }
}

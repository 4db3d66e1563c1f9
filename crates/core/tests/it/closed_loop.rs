//! The closed loop with responsible units, through the store: dispatch to a unit (the default from
//! the category) starts the clock; the unit's liaison reports it handled with an after photo, asks
//! for a deferral or returns a mis-sent case; the lead decides the deferral, suspends and resumes,
//! re-dispatches; 当场处置 is closed at once. Every refusal changes nothing, and the projection is
//! always the replay of the events.

use chrono::Duration;
use gridpatrol_core::clock::Clock;
use gridpatrol_core::lifecycle;
use gridpatrol_core::projection;
use gridpatrol_core::{FindingQuery, MoveRequest, NewFinding, PhotoRole, PhotoSource, Role, Status, Store};

use super::{png, Env, GRID_01, LEAD, LIAISON, LIAISON_UNIT, MANHOLE, OFFICER};

fn photo(seed: u8) -> PhotoSource {
    PhotoSource::Bytes { name: format!("p{seed}.png"), bytes: png(8, 8, seed) }
}

fn go(
    store: &mut Store,
    id: &str,
    to: Status,
    note: &str,
    unit: Option<&str>,
    photos: Vec<PhotoSource>,
) -> gridpatrol_core::Result<gridpatrol_core::Finding> {
    store.move_finding(MoveRequest { id: id.into(), to, note: note.into(), photos, unit: unit.map(String::from) })
}

fn replayed(store: &Store, id: &str) {
    assert_eq!(
        projection::replay(&store.history(id).unwrap()),
        Some(store.finding(id).unwrap()),
        "the stored finding is the replay of its events"
    );
}

#[test]
fn a_liaison_needs_a_known_unit_and_no_one_else_has_one() {
    let mut env = Env::sample();
    let e = env.assert_refused("a liaison without a unit", "unit_required", |s| s.set_profile(LIAISON, Role::Liaison));
    drop(e);
    env.assert_refused("an unknown unit", "unknown_unit", |s| {
        s.set_profile_in_unit(LIAISON, Role::Liaison, Some("NOPE"))
    });
    env.assert_refused("an officer with a unit", "unit_not_for_role", |s| {
        s.set_profile_in_unit(OFFICER, Role::Officer, Some(LIAISON_UNIT))
    });
    let u = env.store.set_profile_in_unit(LIAISON, Role::Liaison, Some(LIAISON_UNIT)).unwrap();
    assert_eq!(u.unit.as_deref(), Some(LIAISON_UNIT));
    assert_eq!(env.store.profile().unwrap().unwrap().unit.as_deref(), Some(LIAISON_UNIT), "the profile keeps the unit");
    env.assert_refused("a liaison records no finding", "move_not_allowed", |s| {
        s.add_finding(NewFinding::new(GRID_01, MANHOLE, "井盖破损"))
    });
    let units = env.store.units().unwrap();
    assert!(units.iter().any(|u| u.code == LIAISON_UNIT), "the sample units are in every store");
    assert_eq!(env.store.default_unit(MANHOLE).unwrap().map(|u| u.code).as_deref(), Some(LIAISON_UNIT));
}

#[test]
fn dispatch_starts_the_clock_and_the_unit_walks_the_loop_with_a_deferral_and_a_suspension() {
    let mut env = Env::sample();
    let id = env.add("上水井盖破损");
    assert_eq!(env.store.finding(&id).unwrap().due_at, None, "no deadline before the dispatch");
    env.act_as(LEAD, Role::Lead);
    go(&mut env.store, &id, Status::Accepted, "", None, vec![]).unwrap();
    env.clock.advance(Duration::hours(2));
    env.assert_refused("a dispatch to an unknown unit", "unknown_unit", |s| {
        go(s, &id, Status::Rectifying, "", Some("NOPE"), vec![])
    });
    let dispatched_at = env.clock.now();
    let f = go(&mut env.store, &id, Status::Rectifying, "请尽快处理", None, vec![]).unwrap();
    assert_eq!(f.unit.as_deref(), Some(LIAISON_UNIT), "the category's default unit");
    assert_eq!(f.dispatched_at, Some(dispatched_at), "the clock starts at dispatch");
    assert_eq!(
        f.due_at,
        Some(dispatched_at + Duration::hours(6)),
        "the 6-hour deadline of 上水井盖 (the bundled sample) counts from the dispatch"
    );
    assert_eq!(
        env.store.findings(&FindingQuery { unit: Some(LIAISON_UNIT.into()), ..Default::default() }).unwrap().len(),
        1
    );

    // Another unit's liaison can do nothing with it.
    env.store.set_profile_in_unit("孙工", Role::Liaison, Some("ROADS")).unwrap();
    env.assert_refused("another unit's liaison", "not_your_unit", |s| {
        go(s, &id, Status::Rectified, "", None, vec![photo(1)])
    });
    env.assert_refused("another unit's deferral", "not_your_unit", |s| {
        s.request_deferral(&id, dispatched_at + Duration::days(5), "材料未到")
    });

    // The unit asks for a deferral; the lead approves it.
    env.act_as(LIAISON, Role::Liaison);
    let due = f.due_at.unwrap();
    env.assert_refused("a deferral before the due time", "deferral_too_early", |s| {
        s.request_deferral(&id, due - Duration::hours(1), "材料未到")
    });
    env.assert_refused("a deferral without a reason", "empty_text", |s| {
        s.request_deferral(&id, due + Duration::days(3), " ")
    });
    let until = due + Duration::days(3);
    let f = env.store.request_deferral(&id, until, "管材未到货").unwrap();
    assert_eq!(f.deferral.as_ref().map(|d| d.until), Some(until), "the request waits");
    env.assert_refused("a second request", "deferral_pending", |s| s.request_deferral(&id, until, "再延"));
    env.act_as(OFFICER, Role::Officer);
    env.assert_refused("an officer deciding", "step_not_allowed", |s| s.decide_deferral(&id, true, ""));
    env.act_as(LEAD, Role::Lead);
    let f = env.store.decide_deferral(&id, true, "同意").unwrap();
    assert_eq!((f.due_at, f.deferrals, f.deferral.is_none()), (Some(until), 1, true), "approved: due moves, counted");
    env.assert_refused("deciding twice", "no_deferral_pending", |s| s.decide_deferral(&id, false, ""));

    // The lead suspends; the clock stops and the resumption pushes the due time.
    env.assert_refused("缓办 without a reason", "reason_required", |s| {
        go(s, &id, Status::Suspended, "", None, vec![])
    });
    go(&mut env.store, &id, Status::Suspended, "等待管线迁改", None, vec![]).unwrap();
    env.clock.advance(Duration::hours(5));
    let f = go(&mut env.store, &id, Status::Rectifying, "", None, vec![]).unwrap();
    assert_eq!(f.due_at, Some(until + Duration::hours(5)), "pushed by the suspension's length");
    assert_eq!(f.dispatched_at, Some(dispatched_at), "resuming does not restart the clock");

    // The unit reports it handled, with an after photo; rework does not reset the clock.
    env.act_as(LIAISON, Role::Liaison);
    env.assert_refused("已整改 without an after photo", "after_photo_required", |s| {
        go(s, &id, Status::Rectified, "", None, vec![])
    });
    let f = go(&mut env.store, &id, Status::Rectified, "已更换井盖", None, vec![photo(2)]).unwrap();
    assert!(f.photos.iter().any(|p| p.role == PhotoRole::After), "the after photo is attached");
    env.act_as(LEAD, Role::Lead);
    go(&mut env.store, &id, Status::Rework, "井盖仍松动", None, vec![]).unwrap();
    env.act_as(LIAISON, Role::Liaison);
    let f = go(&mut env.store, &id, Status::Rectified, "已加固", None, vec![photo(3)]).unwrap();
    assert_eq!(f.due_at, Some(until + Duration::hours(5)), "rework never resets the clock");
    env.act_as(LEAD, Role::Lead);
    go(&mut env.store, &id, Status::Closed, "复查合格", None, vec![]).unwrap();
    replayed(&env.store, &id);
}

#[test]
fn a_unit_returns_a_mis_sent_case_and_the_lead_sends_it_elsewhere() {
    let mut env = Env::sample();
    let id = env.add("井盖缺失");
    env.act_as(LEAD, Role::Lead);
    go(&mut env.store, &id, Status::Accepted, "", None, vec![]).unwrap();
    let first = go(&mut env.store, &id, Status::Rectifying, "", Some(LIAISON_UNIT), vec![]).unwrap();
    env.assert_refused("a move other than a dispatch names no unit", "dispatch_needs_unit", |s| {
        go(s, &id, Status::Suspended, "等待", Some("ROADS"), vec![])
    });
    env.act_as(LIAISON, Role::Liaison);
    env.assert_refused("回退 without a reason", "reason_required", |s| {
        go(s, &id, Status::Accepted, "", None, vec![])
    });
    let f = go(&mut env.store, &id, Status::Accepted, "属燃气井盖，非本单位管辖", None, vec![]).unwrap();
    assert_eq!(f.unit, None, "a returned case is no longer the unit's");
    assert!(lifecycle::is_returned(&f), "the lead sees it among the returned cases");
    env.act_as(LEAD, Role::Lead);
    env.clock.advance(Duration::hours(3));
    let f = go(&mut env.store, &id, Status::Rectifying, "改派", Some("ROADS"), vec![]).unwrap();
    assert_eq!(f.unit.as_deref(), Some("ROADS"), "re-dispatched to the unit the lead names");
    assert_eq!((f.dispatched_at, f.due_at), (first.dispatched_at, first.due_at), "the clock is never reset");
    replayed(&env.store, &id);
}

#[test]
fn a_case_solved_on_the_spot_is_closed_at_once_with_both_photos() {
    let mut env = Env::sample();
    let spot = |after: Vec<PhotoSource>| NewFinding {
        on_the_spot: true,
        after_photos: after,
        photos: vec![photo(4)],
        ..NewFinding::new(GRID_01, MANHOLE, "井盖移位，已当场复位")
    };
    env.assert_refused("当场处置 without an after photo", "after_photo_required", |s| s.add_finding(spot(vec![])));
    env.assert_refused("当场处置 without a before photo", "before_photo_required", |s| {
        s.add_finding(NewFinding { photos: vec![], ..spot(vec![photo(5)]) })
    });
    env.assert_refused("after photos on an ordinary report", "after_photos_only_on_the_spot", |s| {
        s.add_finding(NewFinding { on_the_spot: false, ..spot(vec![photo(5)]) })
    });
    let f = env.store.add_finding(spot(vec![photo(5)])).unwrap();
    assert_eq!(f.status, Status::Closed, "closed at once");
    assert!(f.on_the_spot && f.unit.is_none() && f.due_at.is_none() && f.dispatched_at.is_none(), "never dispatched");
    let roles: Vec<PhotoRole> = f.photos.iter().map(|p| p.role).collect();
    assert_eq!(roles, vec![PhotoRole::Before, PhotoRole::After], "the before and the after photo");
    let history = env.store.history(&f.id).unwrap();
    assert_eq!(history.len(), 1, "one step: one event");
    assert_eq!(history[0].kind, projection::REPORTED);
    assert_eq!(history[0].payload["on_the_spot"], true, "the report says on the spot");
    replayed(&env.store, &f.id);
}

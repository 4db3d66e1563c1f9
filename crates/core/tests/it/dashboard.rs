//! The team lead's dashboard: the lead's large grid by default, its weeks, its small grids and the
//! overdue list; bad grid codes and week counts are refused.

use gridpatrol_core::Role;

use super::{at, Env, GRID_01, LARGE_GRID, LEAD};

#[test]
fn the_dashboard_shows_the_leads_large_grid() {
    let mut env = Env::sample();
    let late = env.add_dispatched("井盖缺失，已超期");
    env.clock.set(at("2026-11-27T02:00:00Z")); // two days later: the 24-hour deadline has passed
    env.add_dispatched("井盖松动，未超期");
    env.act_as(LEAD, Role::Lead);
    let d = env.store.dashboard(None, 4).expect("the dashboard");
    assert_eq!(d.large_grid.code, LARGE_GRID, "a lead sees their own large grid first");
    assert_eq!(d.large_grids.len(), 11);
    assert_eq!(d.large_grids[0].code, LARGE_GRID);
    let weeks: Vec<&str> = d.weeks.iter().map(|w| w.week.as_str()).collect();
    assert_eq!(weeks, vec!["2026-W45", "2026-W46", "2026-W47", "2026-W48"], "oldest first, this week last");
    assert_eq!(d.weeks[3].measures.findings_recorded, 2);
    assert!(d.grids.iter().all(|g| g.parent.as_deref() == Some(LARGE_GRID)));
    let g01 = d.grids.iter().find(|g| g.code == GRID_01).unwrap();
    assert_eq!((g01.open, g01.overdue), (2, 1));
    assert_eq!(d.overdue_total, 1);
    assert_eq!(d.overdue[0].id, late);

    let other = env.store.dashboard(Some("371602002"), 12).unwrap();
    assert_eq!(other.large_grid.code, "371602002");
    assert_eq!(other.weeks.len(), 12);
    assert!(other.overdue.is_empty());
}

#[test]
fn bad_dashboard_requests_are_refused() {
    let mut env = Env::sample();
    let code = |r: gridpatrol_core::Result<_>| r.map(|_: gridpatrol_core::ipc::Dashboard| ()).unwrap_err().code();
    assert_eq!(code(env.store.dashboard(None, 12)), "dashboard_not_allowed", "the sample profile is an officer");
    assert_eq!(
        env.store.review_queue_entries().map(|_| ()).unwrap_err().code(),
        "review_not_allowed",
        "an officer has no review queue"
    );
    env.act_as(LEAD, Role::Lead);
    assert_eq!(code(env.store.dashboard(Some("999"), 12)), "unknown_grid");
    assert_eq!(code(env.store.dashboard(Some(GRID_01), 12)), "invalid_value", "a small grid is not a large grid");
    assert_eq!(code(env.store.dashboard(None, 100_000)), "invalid_value", "too many weeks");
}

#[test]
fn the_findings_screen_lists_a_large_grids_overdue_findings() {
    use gridpatrol_core::ipc::FindingFilter;
    use gridpatrol_core::store::FindingSort;
    let mut env = Env::sample();
    let late = env.add_dispatched("井盖缺失，已超期");
    env.clock.set(at("2026-11-27T02:00:00Z")); // two days later: the 24-hour deadline has passed
    let fresh = env.add_dispatched("井盖松动，未超期");
    let list = |store: &gridpatrol_core::Store, filter: FindingFilter| -> Vec<String> {
        store.findings(&filter.into()).expect("the list").into_iter().map(|f| f.id).collect()
    };
    let mine = FindingFilter { large_grid: Some(LARGE_GRID.into()), sort: FindingSort::DueAsc, ..Default::default() };
    assert_eq!(list(&env.store, mine.clone()), vec![late.clone(), fresh], "both are in the lead's large grid");
    assert_eq!(list(&env.store, FindingFilter { overdue_only: true, ..mine.clone() }), vec![late.clone()]);
    let other = FindingFilter { large_grid: Some("371602002".into()), ..Default::default() };
    assert!(list(&env.store, other).is_empty(), "another large grid has none");
    let empty = FindingFilter { large_grid: Some(String::new()), overdue_only: true, ..Default::default() };
    assert_eq!(list(&env.store, empty), vec![late], "an empty large grid is no filter");
}

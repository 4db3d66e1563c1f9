//! The lead's Today as a queue (issue 12, item 7): each item of `queue::LEAD_QUEUE` counted within
//! the lead's grids (an administrator's: all), and each count equal to the length of the list it
//! opens, because both come from one definition (the item's filter, or the review queue).

use std::collections::BTreeSet;

use gridpatrol_core::queue::{Listed, Queue, QueueKey, QueueList, LEAD_QUEUE, LIAISON_QUEUE};
use gridpatrol_core::review::Decision;
use gridpatrol_core::{MoveRequest, NewFinding, PhotoSource, Role, Status};

use chrono::Duration;

use super::{assert_messages, at, jpeg, Env, ADMIN, LEAD, LIAISON, MANHOLE, NOW, OFFICER};

/// A small grid of the 渤海 large grid: outside the lead 王建国's grids.
const OTHER_GRID: &str = "37160200200101";

/// The story every test here starts from, and the ids it made, by what the lead's queue should
/// hold: the store at [`NOW`] with findings in every state of the queue, one outside the lead's
/// large grid, and weekly logs submitted, one of them already approved.
struct Story {
    env: Env,
    /// Reported three days ago (24-hour deadline): waiting to be accepted, and overdue.
    late_report: String,
    /// Reported now: waiting to be accepted.
    report: String,
    /// Accepted: waiting to be dispatched.
    accepted: String,
    /// Dispatched: with the unit (rectifying), in no item until it is handled.
    dispatched: String,
    /// Handled (rectified): waiting for the re-check.
    handled: String,
    /// Dispatched, and its unit asked for a deferral: waiting for the lead's decision.
    deferred: String,
    /// Dispatched, and its unit returned it (回退): waiting to be dispatched again.
    returned: String,
    /// Reported now in the 渤海 large grid: in the administrator's queue only.
    elsewhere: String,
}

fn mv(env: &mut Env, id: &str, to: Status) {
    let photos = if to == Status::Rectified {
        vec![PhotoSource::Bytes { name: "after.jpg".into(), bytes: jpeg(64, 48, 7) }]
    } else {
        Vec::new()
    };
    env.store
        .move_finding(MoveRequest { id: id.into(), to, note: "经核实".into(), photos, unit: None })
        .unwrap_or_else(|e| panic!("move {id} to {to}: {e}"));
}

fn story() -> Story {
    let mut env = Env::sample_at(2026, at("2026-11-22T02:00:00Z"));
    let late_report = env.add_dispatched("井盖缺失，三天前派遣");
    env.clock.set(at(NOW));
    let report = env.add("井盖松动");
    let accepted = env.add("井盖破损，待派遣");
    let dispatched = env.add("井盖移位，整改中");
    let handled = env.add("井盖下沉，已整改");
    let deferred = env.add("井盖缺损，申请延期");
    let returned = env.add("燃气井盖，被退回");
    let elsewhere =
        env.store.add_finding(NewFinding::new(OTHER_GRID, MANHOLE, "渤海的井盖")).expect("record in 渤海").id;
    env.act_as(LEAD, Role::Lead);
    mv(&mut env, &accepted, Status::Accepted);
    for id in [&dispatched, &handled, &deferred, &returned] {
        mv(&mut env, id, Status::Accepted);
        mv(&mut env, id, Status::Rectifying);
    }
    mv(&mut env, &handled, Status::Rectified);
    // The unit's liaison asks for more time on one case and returns another (回退, with a reason).
    env.act_as(LIAISON, Role::Liaison);
    let due = env.store.finding(&deferred).expect("the deferred case").due_at.expect("dispatched: a due time");
    env.store
        .request_deferral(&deferred, due + Duration::days(3), "材料未到")
        .expect("the liaison asks for a deferral");
    mv(&mut env, &returned, Status::Accepted);
    // Three officers submit this week's log; the lead approves one of them.
    for officer in [OFFICER, "张丽", "王杰"] {
        env.act_as(officer, Role::Officer);
        env.store.submit_log("2026-W48", "").unwrap_or_else(|e| panic!("{officer} submits: {e}"));
    }
    env.act_as(LEAD, Role::Lead);
    env.store.review_log("王杰", "2026-W48", Decision::Approve, "").expect("approve 王杰's log");
    Story { env, late_report, report, accepted, dispatched, handled, deferred, returned, elsewhere }
}

fn count(queue: &Queue, key: QueueKey) -> u32 {
    queue.items.iter().find(|i| i.key == key).unwrap_or_else(|| panic!("{key:?} is in the queue")).count
}

/// The ids (findings) or officers (logs) an item's list holds.
fn listed(env: &Env, key: QueueKey, queue: &Queue) -> BTreeSet<String> {
    let item = queue.items.iter().find(|i| i.key == key).expect("the item");
    match env.store.queue_list(&item.list, queue.as_of).expect("the item's list") {
        Listed::Findings(rows) => rows.into_iter().map(|f| f.id).collect(),
        Listed::Logs(rows) => rows.into_iter().map(|r| r.officer).collect(),
    }
}

fn set(ids: &[&String]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_leads_queue_counts_each_item_within_the_leads_grids() {
    let s = story();
    let q = s.env.store.queue(at(NOW)).expect("the lead's queue");
    let keys: Vec<QueueKey> = q.items.iter().map(|i| i.key).collect();
    assert_eq!(keys, LEAD_QUEUE.iter().map(|(k, _)| *k).collect::<Vec<_>>(), "Today shows the table, in its order");
    assert_eq!(count(&q, QueueKey::Reported), 1, "待受理: the report in 黄河, not the one in 渤海");
    assert_eq!(listed(&s.env, QueueKey::Reported, &q), set(&[&s.report]));
    assert_eq!(
        count(&q, QueueKey::Accepted),
        2,
        "待派遣: accepted, not yet dispatched, and the returned case (to dispatch again)"
    );
    assert_eq!(listed(&s.env, QueueKey::Accepted, &q), set(&[&s.accepted, &s.returned]));
    assert_eq!(count(&q, QueueKey::Rectified), 1, "待核查: handled, waiting for the re-check");
    assert_eq!(listed(&s.env, QueueKey::Rectified, &q), set(&[&s.handled]));
    assert_eq!(count(&q, QueueKey::DeferralRequested), 1, "延期申请: the unit's request waits for the lead");
    assert_eq!(listed(&s.env, QueueKey::DeferralRequested, &q), set(&[&s.deferred]));
    assert_eq!(
        count(&q, QueueKey::ReturnedByUnit),
        1,
        "退回的案件: returned by the unit, not the never-dispatched one"
    );
    assert_eq!(listed(&s.env, QueueKey::ReturnedByUnit, &q), set(&[&s.returned]));
    assert_eq!(count(&q, QueueKey::LogsToReview), 2, "待审核日志: submitted and not yet reviewed");
    assert_eq!(listed(&s.env, QueueKey::LogsToReview, &q), ["张丽".to_string(), OFFICER.to_string()].into());
    assert_eq!(
        count(&q, QueueKey::Overdue),
        1,
        "超期: the case dispatched three days ago is past its 6-hour deadline (the clock starts at dispatch)"
    );
    assert_eq!(listed(&s.env, QueueKey::Overdue, &q), set(&[&s.late_report]));
    assert!(
        !q.items.iter().any(|i| listed(&s.env, i.key, &q).contains(&s.dispatched)),
        "a dispatched case within its deadline waits for the unit, not for the lead"
    );
}

#[test]
fn every_count_is_the_length_of_the_list_it_opens() {
    let mut s = story();
    for (who, role) in [(LEAD, Role::Lead), (ADMIN, Role::Admin)] {
        s.env.act_as(who, role);
        // Now, and two days on, when every case still awaiting rectification has passed its deadline.
        for now in [at(NOW), at("2026-11-27T02:00:00Z")] {
            let q = s.env.store.queue(now).expect("the queue");
            for item in &q.items {
                let list = s.env.store.queue_list(&item.list, now).expect("the list");
                assert_eq!(
                    item.count as usize,
                    list.len(),
                    "{who} at {now}: {:?} counts the list it opens, from the same definition",
                    item.key
                );
            }
        }
    }
}

#[test]
fn an_administrators_queue_is_the_whole_city() {
    let mut s = story();
    s.env.act_as(ADMIN, Role::Admin);
    let q = s.env.store.queue(at(NOW)).expect("the administrator's queue");
    assert_eq!(listed(&s.env, QueueKey::Reported, &q), set(&[&s.report, &s.elsewhere]));
    match &q.items[0].list {
        QueueList::Findings { filter } => assert_eq!(filter.grids, None, "an administrator's scope is every grid"),
        other => panic!("待受理 opens the Findings list, not {other:?}"),
    }
}

#[test]
fn overdue_is_judged_at_the_moment_given() {
    let s = story();
    let later = s.env.store.queue(at("2026-11-27T02:00:00Z")).expect("the queue two days on");
    assert_eq!(
        listed(&s.env, QueueKey::Overdue, &later),
        set(&[&s.late_report, &s.dispatched, &s.deferred, &s.returned]),
        "two days on, every dispatched case awaiting rectification in 黄河 is past its deadline (a pending deferral moves nothing, a returned case keeps its clock); the handled one is not, and undispatched ones have no clock yet"
    );
    assert_eq!(later.as_of, at("2026-11-27T02:00:00Z"));
}

#[test]
fn a_lead_with_no_grids_counts_nothing_and_an_officer_has_no_queue() {
    let mut s = story();
    s.env.act_as(OFFICER, Role::Officer);
    let err = s.env.store.queue(at(NOW)).expect_err("an officer's Today is their grids");
    assert_eq!(err.code(), "queue_not_allowed");
    assert_messages("an officer asking for the queue", &err);
    // A lead named on no large grid leads no small grid: an empty scope, never the whole city.
    s.env.act_as("钱伟", Role::Lead);
    let q = s.env.store.queue(at(NOW)).expect("an empty queue");
    for item in q.items.iter().filter(|i| matches!(i.list, QueueList::Findings { .. })) {
        assert_eq!(item.count, 0, "{:?}: nothing outside the lead's (empty) scope", item.key);
    }
}

#[test]
fn a_liaisons_today_is_the_units_queue() {
    let mut s = story();
    s.env.act_as(LIAISON, Role::Liaison);
    let q = s.env.store.queue(at(NOW)).expect("the liaison's queue");
    let keys: Vec<QueueKey> = q.items.iter().map(|i| i.key).collect();
    assert_eq!(
        keys,
        LIAISON_QUEUE.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
        "a liaison's Today is the unit's table"
    );
    assert_eq!(
        listed(&s.env, QueueKey::ToRectify, &q),
        set(&[&s.late_report, &s.dispatched, &s.deferred]),
        "待处置: dispatched to the unit and being rectified; not the handled one nor the returned one"
    );
    assert_eq!(count(&q, QueueKey::DeferralPending), 1, "延期申请中: the unit's own pending request");
    assert_eq!(listed(&s.env, QueueKey::DeferralPending, &q), set(&[&s.deferred]));
    assert_eq!(count(&q, QueueKey::Rework), 0, "返工: none yet");
    assert_eq!(
        listed(&s.env, QueueKey::Overdue, &q),
        set(&[&s.late_report]),
        "超期: the store's overdue rule, within the unit"
    );
    for now in [at(NOW), at("2026-11-27T02:00:00Z")] {
        let q = s.env.store.queue(now).expect("the queue");
        for item in &q.items {
            let list = s.env.store.queue_list(&item.list, now).expect("the list");
            assert_eq!(item.count as usize, list.len(), "liaison at {now}: {:?} counts the list it opens", item.key);
        }
    }
    s.env.store.set_profile_in_unit("孙工", Role::Liaison, Some("ROADS")).expect("another unit's liaison");
    let other = s.env.store.queue(at(NOW)).expect("another unit's queue");
    assert!(other.items.iter().all(|i| i.count == 0), "another unit's liaison sees none of this unit's cases");
}

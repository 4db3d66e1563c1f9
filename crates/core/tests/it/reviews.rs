//! A lead's review of a weekly log, between two devices: the officer submits, the events travel
//! (as the hub would order them), the lead returns with a comment, the officer replies and submits
//! again, the lead approves; refusals change nothing, and a refused review falls back to the truth.

use gridpatrol_core::review::{Decision, ReviewState};
use gridpatrol_core::Role;

use super::{at, Env, Hub, LEAD, OFFICER};

fn officer_and_lead() -> (Env, Env) {
    let officer = Env::sample();
    let mut lead = Env::sample_seeded(4711);
    lead.act_as(LEAD, Role::Lead);
    (officer, lead)
}

#[test]
fn a_log_goes_round_until_it_is_approved() {
    let (mut officer, mut lead) = officer_and_lead();
    let mut hub = Hub { seq: 0 };
    let submitted = officer.store.submit_log("2026-w48", "").expect("submit this week's log");
    assert_eq!((submitted.week.as_str(), submitted.state, submitted.rounds), ("2026-W48", ReviewState::Submitted, 1));
    hub.carry(&mut officer, &mut lead);

    let queue = lead.store.review_queue().expect("the lead's queue");
    assert_eq!(queue.len(), 1, "the submitted log waits for the lead");
    assert_eq!((queue[0].officer.as_str(), queue[0].week.as_str()), (OFFICER, "2026-W48"));

    lead.clock.set(at("2026-11-26T01:00:00Z"));
    let returned =
        lead.store.review_log(OFFICER, "2026-W48", Decision::Return, "周六的巡查没有记录网格").expect("return it");
    assert_eq!(returned.state, ReviewState::Returned);
    assert!(lead.store.review_queue().unwrap().is_empty(), "a returned log leaves the queue");
    hub.carry(&mut lead, &mut officer);

    let mine = officer.store.log_review(OFFICER, "2026-W48").unwrap().expect("the officer sees the review");
    assert_eq!(mine.state, ReviewState::Returned);
    assert_eq!(mine.comment, "周六的巡查没有记录网格");
    assert_eq!(mine.reviewer.as_deref(), Some(LEAD));

    officer.clock.set(at("2026-11-26T02:00:00Z"));
    officer.assert_refused("a returned log submitted again without a reply", "empty_text", |s| {
        s.submit_log("2026-W48", "   ")
    });
    officer.store.submit_log("2026-W48", "已补记周六巡查的网格").expect("reply and submit again");
    hub.carry(&mut officer, &mut lead);

    let queue = lead.store.review_queue().unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!((queue[0].rounds, queue[0].reply.as_str()), (2, "已补记周六巡查的网格"));
    lead.clock.set(at("2026-11-26T03:00:00Z"));
    lead.store.review_log(OFFICER, "2026-W48", Decision::Approve, "").expect("approve it");
    hub.carry(&mut lead, &mut officer);

    let done = officer.store.log_review(OFFICER, "2026-W48").unwrap().unwrap();
    assert_eq!(done.state, ReviewState::Approved);
    assert_eq!(officer.store.officer_reviews(OFFICER).unwrap(), vec![done.clone()]);
    // Both devices tell the same story, and it is the replay of the events.
    assert_eq!(lead.store.log_review(OFFICER, "2026-W48").unwrap(), Some(done));
    let history = officer.store.history("2026-W48/李明").unwrap();
    assert_eq!(history.len(), 4);
    officer.assert_refused("an approved log submitted again", "illegal_review", |s| s.submit_log("2026-W48", "再改"));
}

#[test]
fn bad_reviews_change_nothing() {
    let (mut officer, mut lead) = officer_and_lead();
    officer.assert_refused("next week's log", "week_not_started", |s| s.submit_log("2026-W49", ""));
    officer.assert_refused("a week 2026 does not have", "invalid_week", |s| s.submit_log("2026-W54", ""));
    officer.assert_refused("a week written wrongly", "invalid_week", |s| s.submit_log("48", ""));
    lead.assert_refused("a log nobody submitted", "illegal_review", |s| {
        s.review_log(OFFICER, "2026-W47", Decision::Approve, "")
    });
    officer.assert_refused("an officer reviews", "review_not_allowed", |s| {
        s.review_log("张丽", "2026-W47", Decision::Approve, "")
    });
    let reply = "长".repeat(1001);
    officer.assert_refused("a reply too long", "text_too_long", move |s| s.submit_log("2026-W47", &reply));

    officer.store.submit_log("2026-W47", "").expect("submit last week's log");
    officer.assert_refused("the same log twice", "illegal_review", |s| s.submit_log("2026-W47", ""));
    let mut hub = Hub { seq: 0 };
    hub.carry(&mut officer, &mut lead);
    lead.assert_refused("a return without a comment", "empty_text", |s| {
        s.review_log(OFFICER, "2026-W47", Decision::Return, " \n ")
    });
    lead.assert_refused("a lead reviewing their own log", "not_your_log", |s| {
        s.review_log(LEAD, "2026-W47", Decision::Approve, "")
    });
}

#[test]
fn a_refused_review_falls_back_to_the_hubs_truth() {
    let (mut officer, mut lead) = officer_and_lead();
    let mut hub = Hub { seq: 0 };
    officer.store.submit_log("2026-W48", "").unwrap();
    hub.carry(&mut officer, &mut lead);
    let approve = lead.store.review_log(OFFICER, "2026-W48", Decision::Approve, "好").unwrap();
    assert_eq!(approve.state, ReviewState::Approved);
    // Another lead got there first and the hub refuses this one: the record shows the log as the
    // hub has it, and the refused event is kept, parked, with its reason.
    let pending = lead.store.outbox(10).unwrap();
    assert_eq!(pending.len(), 1);
    lead.store.park(&pending[0].id, "illegal_review", "already reviewed").unwrap();
    let back = lead.store.log_review(OFFICER, "2026-W48").unwrap().unwrap();
    assert_eq!(back.state, ReviewState::Submitted);
    assert_eq!(lead.store.review_queue().unwrap().len(), 1);
    assert_eq!(lead.store.parked_events().unwrap().len(), 1);
}

#[test]
fn the_screens_see_what_each_person_may_do() {
    let (mut officer, mut lead) = officer_and_lead();
    let mut hub = Hub { seq: 0 };
    officer.add("井盖缺失");
    let weeks = officer.store.my_logs(3).expect("my weeks");
    let names: Vec<&str> = weeks.iter().map(|w| w.log.week.as_str()).collect();
    assert_eq!(names, vec!["2026-W48", "2026-W47", "2026-W46"], "this week first");
    assert_eq!(weeks[0].log.measures.findings_recorded, 1);
    assert!(weeks.iter().all(|w| w.review.is_none()));

    let mut with_photo = gridpatrol_core::NewFinding::new(super::GRID_01, super::MANHOLE, "井盖破损，有照片");
    with_photo.photos =
        vec![gridpatrol_core::PhotoSource::Bytes { name: "p.png".into(), bytes: super::png(64, 48, 7) }];
    let shown = officer.store.add_finding(with_photo).unwrap();
    let view = officer.store.log_view(OFFICER, "2026-W48").unwrap();
    assert!(view.can_submit && !view.can_review);
    assert_eq!(view.findings.len(), 2, "the log opens with its findings");
    assert_eq!(view.photos.len(), 1, "and their photos");
    assert_eq!(
        (view.photos[0].finding.as_str(), view.photos[0].photo.sha256.as_str()),
        (shown.id.as_str(), shown.photos[0].sha256.as_str())
    );
    assert!(!officer.store.log_view(OFFICER, "2026-W49").unwrap().can_submit, "next week cannot be submitted yet");

    officer.store.submit_log("2026-W48", "").unwrap();
    assert!(!officer.store.log_view(OFFICER, "2026-W48").unwrap().can_submit);
    hub.carry(&mut officer, &mut lead);
    let queued = lead.store.review_queue_entries().unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].log.measures.findings_recorded, 2, "the lead's device counts the pulled findings");
    let view = lead.store.log_view(OFFICER, "2026-W48").unwrap();
    assert!(view.can_review && !view.can_submit);
    assert_eq!(view.history.len(), 1);

    let out = tempfile::tempdir().unwrap();
    let downloads = gridpatrol_core::ipc::ExportFolder::Downloads;
    let done =
        lead.store.export_week("2026-W48", gridpatrol_core::ipc::ExportFormat::Csv, out.path(), downloads).unwrap();
    let text = std::fs::read_to_string(&done.path).unwrap();
    assert!(done.path.ends_with("周巡查日志-2026-W48.csv"));
    assert!(text.starts_with('\u{feff}') && text.contains(OFFICER), "a CSV with a BOM and the officer's row");
    let done =
        lead.store.export_week("2026-W48", gridpatrol_core::ipc::ExportFormat::Xlsx, out.path(), downloads).unwrap();
    assert!(std::fs::metadata(&done.path).unwrap().len() > 1000);
    assert!(matches!(
        lead.store.export_week("2026-W99", gridpatrol_core::ipc::ExportFormat::Csv, out.path(), downloads),
        Err(gridpatrol_core::Error::InvalidWeek(_))
    ));
}

#[test]
fn the_lead_reviews_the_figures_as_submitted_and_keeps_a_reviewed_list() {
    let (mut officer, mut lead) = officer_and_lead();
    let mut hub = Hub { seq: 0 };
    officer.add("井盖缺失");
    officer.store.submit_log("2026-W48", "").unwrap();
    hub.carry(&mut officer, &mut lead);
    // The officer records one more finding in the same week after submitting.
    officer.add("路灯不亮");
    hub.carry(&mut officer, &mut lead);

    let queued = lead.store.review_queue_entries().unwrap();
    let submitted = queued[0].submitted.as_ref().expect("a submission carries its figures");
    assert_eq!(submitted.findings_recorded, 1, "the queue shows what was submitted, not what came later");
    assert_eq!(queued[0].log.measures.findings_recorded, 2, "the live figures are still there beside them");
    let view = lead.store.log_view(OFFICER, "2026-W48").unwrap();
    assert_eq!(view.submitted.as_ref().map(|f| f.findings_recorded), Some(1), "the opened log has them too");

    assert!(lead.store.reviewed_entries(20).unwrap().is_empty(), "nothing reviewed yet");
    lead.clock.set(at("2026-11-26T01:00:00Z"));
    lead.store.review_log(OFFICER, "2026-W48", Decision::Approve, "").unwrap();
    let reviewed = lead.store.reviewed_entries(20).unwrap();
    assert_eq!(reviewed.len(), 1, "an approved log moves to the reviewed list instead of vanishing");
    assert_eq!(reviewed[0].review.as_ref().map(|r| r.state), Some(ReviewState::Approved));
    assert_eq!(reviewed[0].submitted.as_ref().map(|f| f.findings_recorded), Some(1));
    assert!(matches!(officer.store.reviewed_entries(20), Err(gridpatrol_core::Error::ReviewNotAllowed { .. })));

    // A review decision carries no figures: one that does is refused.
    let review = lead.store.log_review(OFFICER, "2026-W48").unwrap();
    let bad = gridpatrol_core::review::ReviewPayload {
        officer: OFFICER.into(),
        week: "2026-W48".into(),
        text: String::new(),
        figures: Some(submitted.clone()),
    };
    let lead_user = gridpatrol_core::model::User::new(LEAD, Role::Lead);
    let mut back = review.clone().unwrap();
    back.state = ReviewState::Submitted;
    assert!(
        gridpatrol_core::review::check(
            Some(&back),
            gridpatrol_core::review::APPROVED,
            &lead_user,
            &bad,
            at("2026-11-26T02:00:00Z")
        )
        .is_err(),
        "figures belong to a submission only"
    );
}

#[test]
fn exports_go_to_downloads_or_say_they_went_to_the_data_folder() {
    use gridpatrol_core::ipc::ExportFolder;
    let data = tempfile::tempdir().unwrap();
    let downloads = tempfile::tempdir().unwrap();
    assert_eq!(
        ExportFolder::choose(Some(downloads.path()), data.path()),
        (downloads.path().to_path_buf(), ExportFolder::Downloads)
    );
    let missing = data.path().join("no-such-downloads");
    assert_eq!(
        ExportFolder::choose(Some(&missing), data.path()),
        (data.path().join("exports"), ExportFolder::DataExports),
        "no Downloads folder: the data folder's exports, and the answer says so"
    );
    assert_eq!(ExportFolder::choose(None, data.path()).1, ExportFolder::DataExports);
}

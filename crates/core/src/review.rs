//! A team lead's review of an officer's weekly inspection log (周巡查日志审核): a record of its own,
//! made of events like a finding and synced like everything else.
//!
//! The life of a review: the officer submits (提交) the log of a week; a team lead (or an
//! administrator) approves it (通过) or returns it (退回) with a comment; the officer answers a
//! returned log with a reply and submits it again, and so on until it is approved. An approved log
//! is final. The log's live figures are not part of the record: every device computes them from the
//! synced patrols and findings ([`crate::weekly`]), so the lead and the officer see the same numbers.
//! A submission also carries the figures as the officer saw them when submitting
//! ([`SubmittedFigures`], an optional, additive payload field): a lead judges what was sent, and sees
//! when the week has changed since (a finding closed or recorded late).
//!
//! [`check`] is the one place that says which review event is legal; the device's store calls it
//! before writing and the hub calls it again in hub order (DESIGN invariant 6). [`apply`] says how
//! an event changes the record, so the stored row and the event log cannot disagree.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::calendar::IsoWeek;
use crate::error::{Error, Result};
use crate::model::{Event, User};
use crate::validate::{check_text, MAX_NOTE_CHARS};
use crate::weekly::WeeklyLog;

/// The entity name of review events; the entity id is [`key`].
pub const ENTITY: &str = "weekly_log";
pub const SUBMITTED: &str = "log.submitted";
pub const APPROVED: &str = "log.approved";
pub const RETURNED: &str = "log.returned";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ReviewState {
    /// 待审核: submitted, waiting for a lead.
    Submitted,
    /// 已通过.
    Approved,
    /// 已退回: back with the officer, with the lead's comment.
    Returned,
}

impl ReviewState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Submitted => "submitted",
            ReviewState::Approved => "approved",
            ReviewState::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<ReviewState> {
        [ReviewState::Submitted, ReviewState::Approved, ReviewState::Returned].into_iter().find(|r| r.as_str() == s)
    }
}

/// What the lead decides about a submitted log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Approve,
    Return,
}

impl Decision {
    pub fn kind(self) -> &'static str {
        match self {
            Decision::Approve => APPROVED,
            Decision::Return => RETURNED,
        }
    }
}

/// The review record of one officer's week: the fold of its events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LogReview {
    pub officer: String,
    /// `2026-W48`.
    pub week: String,
    pub state: ReviewState,
    /// When the log was last submitted.
    pub submitted_at: DateTime<Utc>,
    /// How many times it was submitted (1 the first time).
    pub rounds: u32,
    /// The officer's answer to the last return (empty on a first submission).
    pub reply: String,
    /// The lead who last approved or returned it.
    pub reviewer: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    /// The lead's last comment (required when returning).
    pub comment: String,
    pub updated_at: DateTime<Utc>,
}

/// The payload of every review event: whose week, and the reply or the comment; a submission also
/// carries the log's figures as submitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewPayload {
    pub officer: String,
    pub week: String,
    #[serde(default)]
    pub text: String,
    /// Only on `log.submitted`, and absent from submissions made before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub figures: Option<SubmittedFigures>,
}

/// A weekly log's figures as the officer submitted them (see [`crate::weekly`] for each number).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SubmittedFigures {
    pub patrols: u32,
    pub patrols_expected: u32,
    pub rhythm_days_patrolled: u32,
    pub grids_walked: u32,
    pub grids_owned: u32,
    pub findings_recorded: u32,
    pub findings_closed: u32,
    pub overdue: u32,
    pub due: u32,
    pub closed_due: u32,
    pub on_time: u32,
    pub rework: u32,
    pub closure_rate: Option<f64>,
    pub on_time_rate: Option<f64>,
    pub rework_rate: Option<f64>,
}

impl From<&WeeklyLog> for SubmittedFigures {
    fn from(l: &WeeklyLog) -> SubmittedFigures {
        SubmittedFigures {
            patrols: l.patrols,
            patrols_expected: l.patrols_expected,
            rhythm_days_patrolled: l.rhythm_days_patrolled,
            grids_walked: l.grids_walked,
            grids_owned: l.grids_owned,
            findings_recorded: l.measures.findings_recorded,
            // The wire names of issue 5: 已结案 and 应办结中已结案 are now one figure, 结案数 as of the
            // week's end; 按期整改 is 按期处置数.
            findings_closed: l.measures.closed,
            overdue: l.measures.overdue,
            due: l.measures.due,
            closed_due: l.measures.closed,
            on_time: l.measures.handled_on_time,
            rework: l.measures.rework,
            closure_rate: l.measures.closure_rate,
            on_time_rate: l.measures.on_time_rate,
            rework_rate: l.measures.rework_rate,
        }
    }
}

/// The entity id of the review of `officer`'s `week`: `2026-W48/李明`.
pub fn key(officer: &str, week: &str) -> String {
    format!("{week}/{officer}")
}

pub fn is_review_kind(kind: &str) -> bool {
    matches!(kind, SUBMITTED | APPROVED | RETURNED)
}

/// The payload of a review event, or [`Error::InvalidValue`].
pub fn payload(event: &Event) -> Result<ReviewPayload> {
    let p: ReviewPayload = serde_json::from_value(event.payload.clone())
        .map_err(|e| Error::InvalidValue { field: "payload", value: e.to_string() })?;
    if event.entity != ENTITY || event.entity_id != key(&p.officer, &p.week) {
        return Err(Error::InvalidValue { field: "entity_id", value: event.entity_id.clone() });
    }
    Ok(p)
}

/// Checks a review event of `kind` by `actor` at `at` against the record as it stands (`None`: never
/// submitted). Returns the text (reply or comment) as it is to be stored: trimmed and checked.
pub fn check(
    current: Option<&LogReview>,
    kind: &str,
    actor: &User,
    payload: &ReviewPayload,
    at: DateTime<Utc>,
) -> Result<String> {
    let week = IsoWeek::parse(&payload.week)?;
    if week.to_string() != payload.week {
        return Err(Error::InvalidWeek(payload.week.clone()));
    }
    let from = current.map(|r| r.state);
    let illegal = |to: &str| Error::IllegalReview {
        from: from.map(|s| s.as_str()).unwrap_or("none").to_string(),
        to: to.to_string(),
    };
    match kind {
        SUBMITTED => {
            if actor.name != payload.officer {
                return Err(Error::NotYourLog(payload.officer.clone()));
            }
            if week.start() > at {
                return Err(Error::WeekNotStarted(payload.week.clone()));
            }
            match from {
                None => check_text("reply", &payload.text, MAX_NOTE_CHARS, false),
                Some(ReviewState::Returned) => check_text("reply", &payload.text, MAX_NOTE_CHARS, true),
                Some(_) => Err(illegal(ReviewState::Submitted.as_str())),
            }
        }
        APPROVED | RETURNED => {
            if !actor.role.supervises() {
                return Err(Error::ReviewNotAllowed { role: actor.role.as_str().to_string() });
            }
            if actor.name == payload.officer {
                return Err(Error::NotYourLog(payload.officer.clone()));
            }
            let to = if kind == APPROVED { ReviewState::Approved } else { ReviewState::Returned };
            if payload.figures.is_some() {
                return Err(Error::InvalidValue { field: "figures", value: kind.to_string() });
            }
            if from != Some(ReviewState::Submitted) {
                return Err(illegal(to.as_str()));
            }
            check_text("comment", &payload.text, MAX_NOTE_CHARS, kind == RETURNED)
        }
        other => Err(Error::InvalidValue { field: "kind", value: other.to_string() }),
    }
}

/// Applies one review event to the record. Events that are not review events, or that cannot be
/// read, leave it as it was.
pub fn apply(state: Option<LogReview>, event: &Event) -> Option<LogReview> {
    let Ok(p) = payload(event) else {
        return state;
    };
    if !is_review_kind(&event.kind) {
        return state;
    }
    apply_step(state, &event.kind, &event.actor, &p, &p.text, event.device_time)
}

/// How a review event of `kind` by `actor` at `at`, with its (checked) `text`, changes the record.
/// `None` when it cannot apply (a decision on a log never submitted).
pub fn apply_step(
    state: Option<LogReview>,
    kind: &str,
    actor: &str,
    p: &ReviewPayload,
    text: &str,
    at: DateTime<Utc>,
) -> Option<LogReview> {
    match kind {
        SUBMITTED => Some(match state {
            None => LogReview {
                officer: p.officer.clone(),
                week: p.week.clone(),
                state: ReviewState::Submitted,
                submitted_at: at,
                rounds: 1,
                reply: text.to_string(),
                reviewer: None,
                reviewed_at: None,
                comment: String::new(),
                updated_at: at,
            },
            Some(r) => LogReview {
                state: ReviewState::Submitted,
                submitted_at: at,
                rounds: r.rounds + 1,
                reply: text.to_string(),
                updated_at: at,
                ..r
            },
        }),
        APPROVED | RETURNED => {
            let r = state?;
            Some(LogReview {
                state: if kind == APPROVED { ReviewState::Approved } else { ReviewState::Returned },
                reviewer: Some(actor.to_string()),
                reviewed_at: Some(at),
                comment: text.to_string(),
                updated_at: at,
                ..r
            })
        }
        _ => state,
    }
}

/// Rebuilds a review from its events, oldest first.
pub fn replay(events: &[Event]) -> Option<LogReview> {
    events.iter().fold(None, apply)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Role, SyncState};

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn user(name: &str, role: Role) -> User {
        User::new(name, role)
    }

    fn event(kind: &str, actor: &str, text: &str, time: &str) -> Event {
        Event {
            id: format!("{kind}-{time}"),
            entity: ENTITY.into(),
            entity_id: key("李明", "2026-W48"),
            actor: actor.into(),
            kind: kind.into(),
            payload: serde_json::json!({"officer": "李明", "week": "2026-W48", "text": text}),
            device_time: at(time),
            sync: SyncState::Pending,
            hub_seq: None,
            accepted_at: None,
        }
    }

    fn payload(text: &str) -> ReviewPayload {
        ReviewPayload { officer: "李明".into(), week: "2026-W48".into(), text: text.into(), figures: None }
    }

    #[test]
    fn submit_return_reply_approve() {
        let officer = user("李明", Role::Officer);
        let lead = user("王建国", Role::Lead);
        let t = at("2026-11-29T10:00:00Z");
        assert_eq!(check(None, SUBMITTED, &officer, &payload(""), t).unwrap(), "");
        let events = [
            event(SUBMITTED, "李明", "", "2026-11-29T10:00:00Z"),
            event(RETURNED, "王建国", "周六巡查未记录网格", "2026-11-30T01:00:00Z"),
            event(SUBMITTED, "李明", "已补记", "2026-11-30T02:00:00Z"),
            event(APPROVED, "王建国", "", "2026-11-30T03:00:00Z"),
        ];
        let after_submit = replay(&events[..1]).unwrap();
        assert_eq!(after_submit.state, ReviewState::Submitted);
        assert!(matches!(
            check(Some(&after_submit), SUBMITTED, &officer, &payload(""), t),
            Err(Error::IllegalReview { .. })
        ));
        assert!(matches!(
            check(Some(&after_submit), RETURNED, &lead, &payload("  "), t),
            Err(Error::EmptyText { field: "comment" })
        ));
        let returned = replay(&events[..2]).unwrap();
        assert_eq!((returned.state, returned.comment.as_str()), (ReviewState::Returned, "周六巡查未记录网格"));
        // A returned log needs a reply before it goes back.
        assert!(matches!(
            check(Some(&returned), SUBMITTED, &officer, &payload(""), t),
            Err(Error::EmptyText { field: "reply" })
        ));
        assert!(matches!(check(Some(&returned), APPROVED, &lead, &payload(""), t), Err(Error::IllegalReview { .. })));
        let done = replay(&events).unwrap();
        assert_eq!(done.state, ReviewState::Approved);
        assert_eq!(done.rounds, 2);
        assert_eq!(done.reply, "已补记");
        assert_eq!(done.reviewer.as_deref(), Some("王建国"));
        assert!(matches!(check(Some(&done), RETURNED, &lead, &payload("x"), t), Err(Error::IllegalReview { .. })));
        assert!(matches!(check(Some(&done), SUBMITTED, &officer, &payload("x"), t), Err(Error::IllegalReview { .. })));
    }

    #[test]
    fn who_may_do_what() {
        let submitted = replay(&[event(SUBMITTED, "李明", "", "2026-11-29T10:00:00Z")]).unwrap();
        let t = at("2026-11-30T00:00:00Z");
        // Only the officer submits their own log.
        assert!(matches!(
            check(None, SUBMITTED, &user("张丽", Role::Officer), &payload(""), t),
            Err(Error::NotYourLog(_))
        ));
        // An officer does not review.
        assert!(matches!(
            check(Some(&submitted), APPROVED, &user("张丽", Role::Officer), &payload(""), t),
            Err(Error::ReviewNotAllowed { .. })
        ));
        assert!(check(Some(&submitted), APPROVED, &user("管理员", Role::Admin), &payload(""), t).is_ok());
        // Nobody reviews their own log.
        assert!(matches!(
            check(Some(&submitted), APPROVED, &user("李明", Role::Lead), &payload(""), t),
            Err(Error::NotYourLog(_))
        ));
        // A week that has not begun cannot be submitted; a week that is not written the ISO way is refused.
        let officer = user("李明", Role::Officer);
        assert!(matches!(
            check(None, SUBMITTED, &officer, &payload(""), at("2026-11-22T15:59:59Z")),
            Err(Error::WeekNotStarted(_))
        ));
        let bad = ReviewPayload { week: "2026-w48".into(), ..payload("") };
        assert!(matches!(check(None, SUBMITTED, &officer, &bad, t), Err(Error::InvalidWeek(_))));
        let bad = ReviewPayload { week: "2026-W54".into(), ..payload("") };
        assert!(matches!(check(None, SUBMITTED, &officer, &bad, t), Err(Error::InvalidWeek(_))));
    }

    #[test]
    fn an_event_about_another_log_is_ignored() {
        let mut e = event(SUBMITTED, "李明", "", "2026-11-29T10:00:00Z");
        e.entity_id = key("张丽", "2026-W48");
        assert_eq!(apply(None, &e), None);
    }
}

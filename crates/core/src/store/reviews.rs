//! The `log_reviews` table: the review records of weekly logs, each the fold of its `log.*` events
//! ([`crate::review`]), written in the same transaction as the event that changes it.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::json;

use super::events::{append, Draft};
use super::{parse_ts, parse_ts_opt, ts, Store};
use crate::calendar::IsoWeek;
use crate::error::Result;
use crate::model::{Event, SyncState, User};
use crate::review::{self, Decision, LogReview, ReviewPayload, ReviewState, SubmittedFigures};

/// The logs waiting for a lead: submitted and not yet reviewed (the `log_reviews_queue` index).
const REVIEW_QUEUE: &str = "state = 'submitted'";

const COLUMNS: &str = "officer, week, state, submitted_at, rounds, reply, reviewer, reviewed_at, comment, updated_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<LogReview> {
    let state: String = r.get(2)?;
    Ok(LogReview {
        officer: r.get(0)?,
        week: r.get(1)?,
        state: ReviewState::parse(&state).ok_or_else(|| super::events::unreadable(2, "review state", &state))?,
        submitted_at: parse_ts(&r.get::<_, String>(3)?)?,
        rounds: r.get(4)?,
        reply: r.get(5)?,
        reviewer: r.get(6)?,
        reviewed_at: parse_ts_opt(r.get(7)?)?,
        comment: r.get(8)?,
        updated_at: parse_ts(&r.get::<_, String>(9)?)?,
    })
}

/// Writes a review record over its row.
pub(super) fn write(conn: &Connection, r: &LogReview) -> Result<()> {
    conn.prepare_cached(&format!(
        "INSERT OR REPLACE INTO log_reviews ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
    ))?
    .execute(params![
        r.officer,
        r.week,
        r.state.as_str(),
        ts(r.submitted_at),
        r.rounds,
        r.reply,
        r.reviewer,
        r.reviewed_at.map(ts),
        r.comment,
        ts(r.updated_at)
    ])?;
    Ok(())
}

/// Re-folds a review from its events in hub order, then local pending ones, refused ones left out
/// (the same order as a finding's), and writes the result; no events left means no record.
pub(super) fn rebuild(conn: &Connection, entity_id: &str) -> Result<()> {
    let events: Vec<Event> = {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {} FROM events WHERE entity_id = ?1 AND entity = ?2 AND sync_state != 'parked'
             ORDER BY hub_seq IS NULL, hub_seq, seq",
            super::events::COLUMNS
        ))?;
        let rows = stmt.query_map(params![entity_id, review::ENTITY], super::events::from_row)?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    match review::replay(&events) {
        Some(r) => write(conn, &r),
        None => {
            if let Some((week, officer)) = entity_id.split_once('/') {
                conn.execute("DELETE FROM log_reviews WHERE officer = ?1 AND week = ?2", params![officer, week])?;
            }
            Ok(())
        }
    }
}

impl Store {
    /// The acting officer submits the log of `week` (again, after a return, with a `reply`).
    pub fn submit_log(&mut self, week: &str, reply: &str) -> Result<LogReview> {
        let actor = self.actor()?;
        let week = IsoWeek::parse(week)?;
        // The figures as the officer sees them now go with the submission: the lead judges what was sent.
        let figures = SubmittedFigures::from(&crate::weekly::officer_week(self, &actor.name, week)?);
        let payload = ReviewPayload {
            officer: actor.name.clone(),
            week: week.to_string(),
            text: reply.into(),
            figures: Some(figures),
        };
        self.write_review(&actor, review::SUBMITTED, payload)
    }

    /// The acting lead approves or returns `officer`'s submitted log of `week`.
    pub fn review_log(&mut self, officer: &str, week: &str, decision: Decision, comment: &str) -> Result<LogReview> {
        let actor = self.actor()?;
        let week = IsoWeek::parse(week)?.to_string();
        let payload = ReviewPayload { officer: officer.trim().to_string(), week, text: comment.into(), figures: None };
        self.write_review(&actor, decision.kind(), payload)
    }

    fn write_review(&mut self, actor: &User, kind: &str, mut payload: ReviewPayload) -> Result<LogReview> {
        self.writable()?;
        self.check_clock(self.now(), &actor.name)?;
        let current = self.log_review(&payload.officer, &payload.week)?;
        let now = self.now().max(current.as_ref().map(|r| r.updated_at).unwrap_or(DateTime::<Utc>::MIN_UTC));
        payload.text = review::check(current.as_ref(), kind, actor, &payload, now)?;
        let entity_id = review::key(&payload.officer, &payload.week);
        let event = Event {
            id: self.new_id(now),
            entity: review::ENTITY.into(),
            entity_id: entity_id.clone(),
            actor: actor.name.clone(),
            kind: kind.into(),
            payload: json!(payload),
            device_time: now,
            sync: SyncState::Pending,
            hub_seq: None,
            accepted_at: None,
        };
        let updated = review::apply(current, &event).expect("a checked review event yields a record");
        let tx = self.transaction()?;
        write(&tx, &updated)?;
        append(
            &tx,
            &event.id,
            &actor.name,
            now,
            Draft { entity: review::ENTITY, entity_id: &entity_id, kind, payload: event.payload.clone() },
        )?;
        tx.commit()?;
        Ok(updated)
    }

    /// The review record of `officer`'s `week`, if the log was ever submitted.
    pub fn log_review(&self, officer: &str, week: &str) -> Result<Option<LogReview>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM log_reviews WHERE officer = ?1 AND week = ?2"),
                params![officer, week],
                from_row,
            )
            .optional()?)
    }

    /// The logs waiting for a lead: submitted and not yet reviewed, oldest week first, then in the
    /// order they were submitted. A lead's device holds only the logs of the lead's officers (sync
    /// pulls by grid scope).
    pub fn review_queue(&self) -> Result<Vec<LogReview>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM log_reviews WHERE {REVIEW_QUEUE} ORDER BY week, submitted_at, officer"
        ))?;
        let rows = stmt.query_map([], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many logs [`Store::review_queue`] holds (the lead's 待审核日志), by the same WHERE.
    pub fn review_queue_count(&self) -> Result<u32> {
        let mut stmt = self.conn.prepare_cached(&format!("SELECT count(*) FROM log_reviews WHERE {REVIEW_QUEUE}"))?;
        Ok(stmt.query_row([], |r| r.get::<_, i64>(0))? as u32)
    }

    /// The figures sent with the last submission of `officer`'s `week` (the same event order as
    /// [`rebuild`]); `None` when it was never submitted or was submitted before figures were sent.
    pub fn submitted_figures(&self, officer: &str, week: &str) -> Result<Option<SubmittedFigures>> {
        let payload: Option<String> = self
            .conn
            .query_row(
                "SELECT payload FROM events WHERE entity = ?1 AND entity_id = ?2 AND kind = ?3 AND sync_state != 'parked'
                 ORDER BY hub_seq IS NULL DESC, hub_seq DESC, seq DESC LIMIT 1",
                params![review::ENTITY, review::key(officer, week), review::SUBMITTED],
                |r| r.get(0),
            )
            .optional()?;
        let Some(payload) = payload else { return Ok(None) };
        // A stored submission that cannot be read is an error, not "no figures".
        let p: ReviewPayload = serde_json::from_str(&payload)
            .map_err(|e| crate::error::Error::InvalidValue { field: "payload", value: e.to_string() })?;
        Ok(p.figures)
    }

    /// The logs already approved or returned, the most recently reviewed first, at most `limit`:
    /// a lead's "reviewed" list, so a decided log does not just disappear from the queue.
    pub fn reviewed_logs(&self, limit: u32) -> Result<Vec<LogReview>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM log_reviews WHERE state IN ('approved', 'returned')
             ORDER BY reviewed_at DESC, week DESC, officer LIMIT ?1"
        ))?;
        let rows = stmt.query_map([limit], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every review record of one officer, newest week first.
    pub fn officer_reviews(&self, officer: &str) -> Result<Vec<LogReview>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM log_reviews WHERE officer = ?1 ORDER BY week DESC"))?;
        let rows = stmt.query_map([officer], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

//! The weekly-log screens: an officer's own weeks with their reviews, a lead's review queue, a log
//! opened in full, and the exports. The figures come from [`crate::weekly`], the reviews from
//! [`crate::review`]; this module only shapes them for the screens.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::calendar::IsoWeek;
use crate::error::{Error, Result};
use crate::model::{Event, Photo};
use crate::review::{self, Decision, LogReview, ReviewState, SubmittedFigures};
use crate::store::{FindingQuery, FindingSort, FindingSummary, Store};
use crate::weekly::{self, WeeklyLog};

/// One officer's week: the log's figures and its review, if the log was ever submitted.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct LogEntry {
    /// The figures as they stand now.
    pub log: WeeklyLog,
    pub review: Option<LogReview>,
    /// The figures as the officer last submitted them (what a lead reviews).
    pub submitted: Option<SubmittedFigures>,
}

/// A log opened in full: its figures, its findings as list rows (photos through the finding's
/// detail view), its review with the review's history, and what the acting user may do with it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct LogView {
    pub log: WeeklyLog,
    pub review: Option<LogReview>,
    /// The figures as the officer last submitted them.
    pub submitted: Option<SubmittedFigures>,
    pub history: Vec<Event>,
    pub findings: Vec<FindingSummary>,
    /// The photos of those findings (before and after), in the findings' order.
    pub photos: Vec<LogPhoto>,
    /// The acting user is the officer and the log is not submitted yet, or came back.
    pub can_submit: bool,
    /// The acting user is a lead or administrator and the log waits for a review.
    pub can_review: bool,
}

/// A photo of one of a log's findings.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct LogPhoto {
    pub finding: String,
    pub photo: Photo,
}

/// The officer submits (or, after a return, answers and submits again) a week's log.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
pub struct SubmitInput {
    pub week: String,
    #[serde(default)]
    pub reply: String,
}

/// The lead approves or returns an officer's submitted log.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
pub struct ReviewInput {
    pub officer: String,
    pub week: String,
    pub decision: Decision,
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Xlsx,
    Csv,
}

/// Where exports are written: the user's Downloads folder, or, on a system with none, the data
/// folder's `exports/` (and the screen says which, never "Downloads" when it is not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ExportFolder {
    Downloads,
    DataExports,
}

impl ExportFolder {
    /// The folder for exports: `downloads` when the platform names one that exists, else `data_dir/exports`.
    pub fn choose(downloads: Option<&Path>, data_dir: &Path) -> (PathBuf, ExportFolder) {
        match downloads.filter(|d| d.is_dir()) {
            Some(d) => (d.to_path_buf(), ExportFolder::Downloads),
            None => (data_dir.join("exports"), ExportFolder::DataExports),
        }
    }
}

/// A week's logs written to a file.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ExportDone {
    /// The file written, in full.
    pub path: String,
    pub logs: u32,
    /// Which folder it is in.
    pub folder: ExportFolder,
}

impl Store {
    /// The acting user's last `count` weeks, this week first, each with its review.
    pub fn my_logs(&self, count: u32) -> Result<Vec<LogEntry>> {
        let me = self.actor()?;
        let mut week = IsoWeek::of(self.now());
        let mut out = Vec::new();
        for _ in 0..count.clamp(1, 53) {
            out.push(LogEntry {
                log: weekly::officer_week(self, &me.name, week)?,
                review: self.log_review(&me.name, &week.to_string())?,
                submitted: self.submitted_figures(&me.name, &week.to_string())?,
            });
            week = IsoWeek::of(week.start() - chrono::Duration::hours(1));
        }
        Ok(out)
    }

    /// The logs waiting for the acting lead, oldest week first, with their figures.
    pub fn review_queue_entries(&self) -> Result<Vec<LogEntry>> {
        let me = self.actor()?;
        if !me.role.supervises() {
            return Err(Error::ReviewNotAllowed { role: me.role.as_str().to_string() });
        }
        let queue = self.review_queue()?;
        self.entries(queue)
    }

    /// The logs the acting lead's device holds that were approved or returned, the most recently
    /// reviewed first (at most `limit`), with the figures as submitted and as they stand now.
    pub fn reviewed_entries(&self, limit: u32) -> Result<Vec<LogEntry>> {
        let me = self.actor()?;
        if !me.role.supervises() {
            return Err(Error::ReviewNotAllowed { role: me.role.as_str().to_string() });
        }
        let reviewed = self.reviewed_logs(limit.clamp(1, 500))?;
        self.entries(reviewed)
    }

    fn entries(&self, reviews: Vec<LogReview>) -> Result<Vec<LogEntry>> {
        reviews
            .into_iter()
            .map(|r| {
                let week = IsoWeek::parse(&r.week)?;
                Ok(LogEntry {
                    log: weekly::officer_week(self, &r.officer, week)?,
                    submitted: self.submitted_figures(&r.officer, &r.week)?,
                    review: Some(r),
                })
            })
            .collect()
    }

    /// `officer`'s log of `week`, in full.
    pub fn log_view(&self, officer: &str, week: &str) -> Result<LogView> {
        let week = IsoWeek::parse(week)?;
        let officer = officer.trim();
        let me = self.actor()?;
        let review = self.log_review(officer, &week.to_string())?;
        let state = review.as_ref().map(|r| r.state);
        let findings = self.findings(&FindingQuery {
            author: Some(officer.to_string()),
            observed_from: Some(week.start()),
            observed_until: Some(week.end()),
            sort: FindingSort::ObservedAsc,
            ..FindingQuery::default()
        })?;
        let mut photos = Vec::new();
        for f in &findings {
            for photo in self.finding(&f.id)?.photos {
                photos.push(LogPhoto { finding: f.id.clone(), photo });
            }
        }
        Ok(LogView {
            photos,
            log: weekly::officer_week(self, officer, week)?,
            history: self.history(&review::key(officer, &week.to_string()))?,
            submitted: self.submitted_figures(officer, &week.to_string())?,
            findings,
            can_submit: me.name == officer
                && week.start() <= self.now()
                && matches!(state, None | Some(ReviewState::Returned)),
            can_review: me.role.supervises() && me.name != officer && state == Some(ReviewState::Submitted),
            review,
        })
    }

    /// Writes every officer's log of `week` (the city-wide summary this device holds) into `dir`
    /// (the `folder` chosen by [`ExportFolder::choose`]) as `周巡查日志-2026-W48.xlsx` (or `.csv`),
    /// and says where.
    pub fn export_week(
        &self,
        week: &str,
        format: ExportFormat,
        dir: &Path,
        folder: ExportFolder,
    ) -> Result<ExportDone> {
        let week = IsoWeek::parse(week)?;
        let logs = weekly::city_week(self, week)?;
        std::fs::create_dir_all(dir)?;
        let ext = match format {
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Csv => "csv",
        };
        let path: PathBuf = dir.join(format!("周巡查日志-{week}.{ext}"));
        match format {
            ExportFormat::Xlsx => crate::export::save_xlsx(self, &logs, &path)?,
            ExportFormat::Csv => crate::export::save_csv(self, &logs, &path)?,
        }
        Ok(ExportDone { path: path.display().to_string(), logs: logs.len() as u32, folder })
    }
}

//! What the desktop app's screens read from the store: the queries behind the IPC types of
//! [`crate::ipc`] (the types stay there, with the TypeScript they are generated into).

use rusqlite::OptionalExtension;

use super::{awaits_rectification, Store};
use crate::error::{Error, Result};
use crate::ipc::{
    iso_week, AppInfo, ErrorBody, FindingDetail, GridStat, LiveSync, PatrolEntry, PatrolWeek, SyncView, Today, WeekRef,
};
use crate::lang::Lang;
use crate::lifecycle::{self, Status};
use crate::model::{GridLevel, Role, User};

impl Store {
    /// The stored half of [`SyncView`] joined with what the sync task knows.
    pub fn sync_view(&self, signed_in: bool, live: LiveSync) -> Result<SyncView> {
        let info = self.sync_info()?;
        Ok(SyncView {
            signed_in: signed_in && info.hub_url.is_some(),
            hub_url: info.hub_url,
            hub_user: info.hub_user,
            online: live.online,
            syncing: live.syncing,
            upload: live.upload.filter(|_| live.syncing),
            answered: live.answered,
            pending: self.pending_count()? as u32,
            parked: self.parked_count()? as u32,
            set_aside: self.set_aside_count()? as u32,
            last_success: info.last_success,
            last_attempt: info.last_attempt,
            last_error_code: info.last_error.as_ref().map(|e| e.code.clone()),
            last_error: info.last_error.map(|e| e.message),
        })
    }
}

impl Store {
    /// The last `count` ISO weeks at the store's clock, this week first (at most a dashboard's).
    pub fn recent_weeks(&self, count: u32) -> Result<Vec<WeekRef>> {
        let this = crate::calendar::IsoWeek::of(self.now());
        (0..count.clamp(1, crate::weekly::MAX_GRID_WEEKS)).map(|n| Ok(WeekRef::of(this.back(n)?))).collect()
    }
}

const UI_LANG_KEY: &str = "ui.lang";
const PROFILE_GRIDS_KEY: &str = "profile.grids";

impl Store {
    pub fn app_info(&self, version: &str) -> Result<AppInfo> {
        let lang = self.ui_lang()?;
        Ok(AppInfo {
            version: version.to_string(),
            data_dir: self.data_dir().display().to_string(),
            profile: self.profile()?,
            sample_registry: self.has_sample_registry()?,
            lang,
            store_refusal: self.write_refusal().map(|e| ErrorBody::new(&e, lang)),
        })
    }

    /// The language the person chose in the app (Chinese until they switch).
    pub fn ui_lang(&self) -> Result<Lang> {
        let value: Option<String> = self
            .connection()
            .query_row("SELECT value FROM settings WHERE key = ?1", [UI_LANG_KEY], |r| r.get(0))
            .optional()?;
        Ok(value.as_deref().and_then(Lang::parse).unwrap_or_default())
    }

    pub fn set_ui_lang(&mut self, lang: Lang) -> Result<()> {
        self.put_setting(UI_LANG_KEY, if lang == Lang::En { "en" } else { "zh" })
    }

    /// The small grids the acting user patrols: the ones chosen at first start, else the ones
    /// whose owners name the user.
    pub fn my_grid_codes(&self) -> Result<Vec<String>> {
        let Some(user) = self.profile()? else { return Ok(Vec::new()) };
        let chosen: Option<String> = self
            .connection()
            .query_row("SELECT value FROM settings WHERE key = ?1", [PROFILE_GRIDS_KEY], |r| r.get(0))
            .optional()?;
        // A chosen list that cannot be read is an error, never "no choice".
        let chosen = chosen
            .map(|c| {
                serde_json::from_str::<Vec<String>>(&c)
                    .map_err(|e| Error::Setting { key: PROFILE_GRIDS_KEY.into(), reason: e.to_string() })
            })
            .transpose()?;
        let codes: Vec<String> = match chosen.filter(|c| !c.is_empty()) {
            Some(codes) => codes,
            None => {
                // An officer's are the small grids naming them; a lead's also every small grid
                // of the large grids naming them (the scope a lead is given at the hub).
                let grids = self.grids()?;
                let named = |g: &crate::model::Grid| g.owners.iter().any(|o| *o == user.name);
                let led: Vec<&str> =
                    grids.iter().filter(|g| g.level == GridLevel::Large && named(g)).map(|g| g.code.as_str()).collect();
                grids
                    .iter()
                    .filter(|g| g.level == GridLevel::Small)
                    .filter(|g| named(g) || g.parent.as_deref().is_some_and(|p| led.contains(&p)))
                    .map(|g| g.code.clone())
                    .collect()
            }
        };
        // Signed in to a hub, "my grids" are only those the hub lets me act in.
        Ok(codes.into_iter().filter(|c| self.check_scope(c).is_ok()).collect())
    }

    /// First start: who I am, my role and my grids.
    pub fn set_profile_with_grids(&mut self, name: &str, role: Role, grids: &[String]) -> Result<User> {
        for code in grids {
            self.small_grid(code)?;
        }
        let user = self.set_profile(name, role)?;
        self.put_setting(PROFILE_GRIDS_KEY, &serde_json::to_string(grids).unwrap_or_else(|_| "[]".into()))?;
        Ok(user)
    }

    /// Open and overdue counts of every small grid.
    pub fn grid_stats(&self) -> Result<Vec<GridStat>> {
        self.grid_stats_of(None)
    }

    /// Open and overdue counts of the small grids `codes` (all when `None`). Only open findings are
    /// read, through the status index: a few thousand rows however large the store is.
    pub fn grid_stats_of(&self, codes: Option<&[String]>) -> Result<Vec<GridStat>> {
        let now = crate::store::ts_of(self.now());
        let quoted = |keep: fn(Status) -> bool| -> String {
            Status::ALL.iter().filter(|s| keep(**s)).map(|s| format!("'{}'", s.as_str())).collect::<Vec<_>>().join(", ")
        };
        // The same words as the `findings_open` index's WHERE (migration 7).
        let sql = format!(
            "SELECT g.code, g.name, g.parent, coalesce(c.open, 0), coalesce(c.overdue, 0)
             FROM grids g LEFT JOIN (
                SELECT grid, count(*) AS open, sum(due_at < ?1 AND status IN ({})) AS overdue
                FROM findings WHERE status IN ({}) GROUP BY grid
             ) c ON c.grid = g.code
             WHERE g.level = 'small' AND (?2 IS NULL OR g.code IN (SELECT value FROM json_each(?2)))
             ORDER BY g.code",
            quoted(awaits_rectification),
            quoted(Status::is_open),
        );
        let codes = codes.map(|c| serde_json::to_string(c).unwrap_or_else(|_| "[]".into()));
        let mut stmt = self.connection().prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params![now, codes], |r| {
            Ok(GridStat {
                code: r.get(0)?,
                name: r.get(1)?,
                parent: r.get(2)?,
                open: r.get(3)?,
                overdue: r.get(4)?,
                in_scope: true,
            })
        })?;
        let mut stats: Vec<GridStat> = rows.collect::<rusqlite::Result<_>>()?;
        for stat in &mut stats {
            stat.in_scope = match self.check_scope(&stat.code) {
                Ok(()) => true,
                Err(Error::OutOfScope(_)) => false,
                Err(e) => return Err(e),
            };
        }
        Ok(stats)
    }

    pub fn today(&self) -> Result<Today> {
        let mine = self.my_grid_codes()?;
        let mut my_grids = self.grid_stats_of(Some(&mine))?;
        my_grids.sort_by(|a, b| b.overdue.cmp(&a.overdue).then(b.open.cmp(&a.open)).then(a.code.cmp(&b.code)));
        Ok(Today {
            profile: self.profile()?,
            patrol: self.active_patrol()?,
            my_grids,
            pending: self.pending_count()? as u32,
            parked: self.parked_count()? as u32,
        })
    }

    pub fn finding_detail(&self, id: &str) -> Result<FindingDetail> {
        let finding = self.finding(id)?;
        let profile = self.profile()?;
        let role = profile.as_ref().map(|u| u.role);
        let can_edit = profile.as_ref().is_some_and(|u| crate::remote::check_may_edit(&finding, u).is_ok())
            && self.check_scope(&finding.grid).is_ok();
        let overdue = awaits_rectification(finding.status) && finding.due_at.is_some_and(|d| d < self.now());
        let category = self.category(&finding.category)?;
        let due_warning = match (&category.deadline, finding.due_at) {
            (Some(d), Some(due)) => {
                crate::deadline::span_warning(d.limit(finding.urgency), finding.recorded_at, due, &self.holidays()?)
            }
            _ => None,
        };
        let moves = role.map(|r| lifecycle::moves_for(r, finding.status)).unwrap_or_default();
        let dispatching = moves.iter().any(|&to| lifecycle::is_dispatch(finding.status, to));
        // A liaison is offered nothing on another unit's case (core's rule, asked here once).
        let own = profile.as_ref().is_none_or(|u| lifecycle::check_unit_of(u, &finding).is_ok());
        Ok(FindingDetail {
            category,
            due_warning,
            grid_name: self.grid(&finding.grid)?.name,
            overdue,
            steps: match profile.as_ref() {
                Some(u) if own => lifecycle::Step::ALL
                    .into_iter()
                    .filter(|&s| lifecycle::check_step_of(u, &finding, s).is_ok())
                    .collect(),
                _ => Vec::new(),
            },
            unit: finding.unit.as_deref().map(|u| self.unit(u)).transpose()?,
            units: if dispatching { self.units()? } else { Vec::new() },
            default_unit: if dispatching { self.default_unit(&finding.category)?.map(|u| u.code) } else { None },
            returned: lifecycle::is_returned(&finding),
            moves: if own { moves } else { Vec::new() },
            can_edit,
            history: self.history(&finding.id)?,
            finding,
        })
    }

    /// My patrols grouped by ISO week, newest first, each with its findings.
    pub fn patrol_weeks(&self) -> Result<Vec<PatrolWeek>> {
        let Some(user) = self.profile()? else { return Ok(Vec::new()) };
        let mut weeks: Vec<PatrolWeek> = Vec::new();
        for patrol in self.patrols(Some(&user.name))? {
            let findings = self.patrol_findings(&patrol.id)?;
            let week = iso_week(patrol.started_at);
            match weeks.last_mut() {
                Some(w) if w.week == week => w.patrols.push(PatrolEntry { patrol, findings }),
                _ => weeks.push(PatrolWeek { week, patrols: vec![PatrolEntry { patrol, findings }] }),
            }
        }
        Ok(weeks)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::clock::{FixedClock, SeededIds};
    use crate::model::Role;
    use crate::Store;

    #[test]
    fn a_chosen_grid_list_that_cannot_be_read_is_an_error_not_no_choice() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(FixedClock::new("2026-11-25T02:00:00Z".parse().unwrap()));
        let mut store = Store::create(dir.path(), clock, Arc::new(SeededIds::new(1))).unwrap();
        store.import_sample_registry().unwrap();
        store.set_profile("李明", Role::Officer).unwrap();
        assert!(!store.my_grid_codes().unwrap().is_empty(), "no choice: the grids naming the officer");
        store.put_setting(super::PROFILE_GRIDS_KEY, "not a list").unwrap();
        let err = store.my_grid_codes().unwrap_err();
        assert_eq!(err.code(), "invalid_setting", "{err:?}");
    }
}

//! The team lead's dashboard of a large grid: findings per week by category and the measures over
//! the last weeks ([`weekly::grid_weeks`]), the small grids with their open and overdue counts (for
//! the grid map), and the overdue list.

use serde::Serialize;
use ts_rs::TS;

use crate::calendar::IsoWeek;
use crate::error::{Error, Result};
use crate::model::GridLevel;
use crate::store::{FindingQuery, FindingSort, FindingSummary, Store};
use crate::weekly::{self, GridWeek};

/// A grid's code and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct GridRef {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Dashboard {
    pub large_grid: GridRef,
    /// The large grids to choose from: the user's own first.
    pub large_grids: Vec<GridRef>,
    /// The last weeks, oldest first, this week last.
    pub weeks: Vec<GridWeek>,
    /// The large grid's small grids with their open and overdue counts.
    pub grids: Vec<super::GridStat>,
    /// Overdue findings in the large grid, the longest overdue first (at most [`OVERDUE_SHOWN`]).
    pub overdue: Vec<FindingSummary>,
    /// How many are overdue in all.
    pub overdue_total: u32,
}

/// The most overdue findings the dashboard lists.
pub const OVERDUE_SHOWN: usize = 200;

impl Store {
    /// The dashboard of `large_grid` (default: the acting user's) over the last `weeks` weeks.
    pub fn dashboard(&self, large_grid: Option<&str>, weeks: u32) -> Result<Dashboard> {
        let me = self.actor()?;
        if !me.role.supervises() {
            return Err(Error::DashboardNotAllowed { role: me.role.as_str().to_string() });
        }
        let grids = self.grids()?;
        let mine = self.my_grid_codes()?;
        let is_mine = |g: &crate::model::Grid| {
            g.owners.iter().any(|o| *o == me.name)
                || grids.iter().any(|s| s.parent.as_deref() == Some(&g.code) && mine.contains(&s.code))
        };
        let mut large: Vec<&crate::model::Grid> = grids.iter().filter(|g| g.level == GridLevel::Large).collect();
        large.sort_by_key(|g| (!is_mine(g), g.code.clone()));
        let chosen = match large_grid.map(str::trim).filter(|c| !c.is_empty()) {
            Some(code) => *large.iter().find(|g| g.code == code).ok_or_else(|| {
                if grids.iter().any(|g| g.code == code) {
                    Error::InvalidValue { field: "large_grid", value: code.to_string() }
                } else {
                    Error::UnknownGrid(code.to_string())
                }
            })?,
            None => *large.first().ok_or_else(|| Error::UnknownGrid(String::new()))?,
        };
        let query = FindingQuery {
            large_grid: Some(chosen.code.clone()),
            overdue_only: true,
            sort: FindingSort::DueAsc,
            limit: Some(OVERDUE_SHOWN),
            ..FindingQuery::default()
        };
        let overdue = self.findings(&query)?;
        let overdue_total = self.count_findings(&query)?;
        let small: Vec<String> =
            grids.iter().filter(|g| g.parent.as_deref() == Some(&chosen.code)).map(|g| g.code.clone()).collect();
        Ok(Dashboard {
            large_grid: GridRef { code: chosen.code.clone(), name: chosen.name.clone() },
            large_grids: large.iter().map(|g| GridRef { code: g.code.clone(), name: g.name.clone() }).collect(),
            weeks: weekly::grid_weeks(self, &chosen.code, IsoWeek::of(self.now()), weeks)?,
            grids: self.grid_stats_of(Some(&small))?,
            overdue_total,
            overdue,
        })
    }
}

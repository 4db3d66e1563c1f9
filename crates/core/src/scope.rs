//! Grid scope: which small grids a user may record and move findings in.
//!
//! An officer works in the small grids given to them; a team lead in a large grid and all its
//! small grids; an administrator everywhere. A unit's liaison has no grid: they see and act on the
//! cases dispatched to their unit, wherever they are ([`Scope::unit`], [`Scope::allows_finding`]). The hub expands a user's assigned codes with
//! [`Scope::expand`] at sign-in and sends the result; the device stores it and refuses, before
//! writing anything, a change in a grid outside it ([`crate::Store::check_scope`]). The hub checks
//! every arriving event with the same [`Scope::check`], so the two can never disagree.
//!
//! [`check_assignment`] is the rule for what may be assigned in the first place: an officer is given
//! small grids, a lead large grids, an administrator none (they act everywhere).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::Role;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// Every grid, present and future (administrators).
    #[serde(default)]
    pub all: bool,
    /// The grid codes allowed, large and small, when not `all`.
    #[serde(default)]
    pub grids: BTreeSet<String>,
    /// A liaison's unit: the cases dispatched to it are in scope, wherever they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

impl Scope {
    pub fn everything() -> Scope {
        Scope { all: true, grids: BTreeSet::new(), unit: None }
    }

    /// A liaison's scope: the cases dispatched to `unit`, no grid.
    pub fn of_unit(unit: &str) -> Scope {
        Scope { all: false, grids: BTreeSet::new(), unit: Some(unit.to_string()) }
    }

    /// The scope of `user` over the registry: a liaison's unit, else [`Scope::expand`].
    pub fn of_user<'a>(
        user: &crate::model::User,
        assigned: &[String],
        registry: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
    ) -> Scope {
        match (&user.unit, user.role) {
            (Some(unit), Role::Liaison) => Scope::of_unit(unit),
            (None, Role::Liaison) => Scope::default(),
            _ => Scope::expand(user.role, assigned, registry),
        }
    }

    /// Whether a finding in `grid`, dispatched to `unit` (if it is), is in scope: its grid is, or
    /// it is dispatched to the scope's unit. The one rule of who sees and acts on a case.
    pub fn allows_finding(&self, grid: &str, unit: Option<&str>) -> bool {
        self.allows(grid) || (self.unit.is_some() && unit == self.unit.as_deref())
    }

    /// Refuses a finding outside the scope ([`Scope::allows_finding`]) with [`Error::OutOfScope`].
    pub fn check_finding(&self, grid: &str, unit: Option<&str>) -> Result<()> {
        if self.allows_finding(grid, unit) {
            Ok(())
        } else {
            Err(Error::OutOfScope(grid.to_string()))
        }
    }

    /// The scope of a user with `role` and the `assigned` grid codes, given the registry as
    /// `(code, parent)` pairs: the assigned codes and every small grid of an assigned large grid.
    pub fn expand<'a>(
        role: Role,
        assigned: &[String],
        registry: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
    ) -> Scope {
        if role == Role::Admin {
            return Scope::everything();
        }
        if role == Role::Liaison {
            // A liaison is given no grid ([`check_assignment`]); their scope is their unit.
            return Scope::default();
        }
        let assigned: BTreeSet<String> = assigned.iter().map(|c| c.trim().to_string()).collect();
        let mut grids = assigned.clone();
        for (code, parent) in registry {
            if parent.is_some_and(|p| assigned.contains(p)) {
                grids.insert(code.to_string());
            }
        }
        Scope { all: false, grids, unit: None }
    }

    pub fn allows(&self, grid: &str) -> bool {
        self.all || self.grids.contains(grid)
    }

    /// Refuses a grid outside the scope with [`Error::OutOfScope`].
    pub fn check(&self, grid: &str) -> Result<()> {
        if self.allows(grid) {
            Ok(())
        } else {
            Err(Error::OutOfScope(grid.to_string()))
        }
    }
}

/// Whether a user of `role` sees the weekly-log reviews of the officers whose grid is in their
/// scope (team leads and administrators). An officer sees only the reviews of their own log: a
/// lead's return comment is private to the officer and the leads over the officer's grid.
pub fn sees_others_reviews(role: Role) -> bool {
    role.supervises()
}

/// Checks the grids given to a user of `role` against the registry (`(code, parent)` pairs): an
/// officer's must be small grids (with a parent), a lead's large grids (without), an administrator is
/// given none; officers and leads need at least one. Errors name the field (`grids`) and show a code
/// only clipped ([`crate::validate::clip`]), so a huge value is never echoed back.
pub fn check_assignment<'a>(
    role: Role,
    assigned: &[String],
    registry: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
) -> Result<()> {
    let wrong = |code: &str| Error::WrongGridLevel { role: role.as_str().into(), grid: crate::validate::clip(code) };
    if matches!(role, Role::Admin | Role::Liaison) {
        return match assigned.first() {
            Some(code) => Err(wrong(code)),
            None => Ok(()),
        };
    }
    if assigned.is_empty() {
        return Err(Error::NoGrids { role: role.as_str().into() });
    }
    let registry: std::collections::HashMap<&str, Option<&str>> = registry.into_iter().collect();
    for code in assigned {
        let code = code.trim();
        let Some(parent) = registry.get(code) else {
            return Err(Error::UnknownGrid(crate::validate::clip(code)));
        };
        let small = parent.is_some();
        if small != (role == Role::Officer) {
            return Err(wrong(code));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry() -> Vec<(&'static str, Option<&'static str>)> {
        vec![("L1", None), ("L1-a", Some("L1")), ("L1-b", Some("L1")), ("L2", None), ("L2-a", Some("L2"))]
    }

    #[test]
    fn a_lead_gets_the_large_grid_and_its_small_grids() {
        let scope = Scope::expand(Role::Lead, &["L1".into()], registry());
        assert!(
            scope.allows("L1-a") && scope.allows("L1-b"),
            "a lead's scope covers every small grid of the large grid"
        );
        assert!(!scope.allows("L2-a"), "a lead's scope stops at their own large grid");
    }

    #[test]
    fn an_officer_gets_only_the_small_grids_given() {
        let scope = Scope::expand(Role::Officer, &["L1-a".into()], registry());
        assert!(scope.allows("L1-a"), "the officer's own grid is in scope");
        let err = scope.check("L1-b").expect_err("a neighbouring grid is outside an officer's scope");
        assert_eq!(err.code(), "out_of_scope", "out-of-scope refusals carry a stable code");
    }

    #[test]
    fn assignments_must_fit_the_role() {
        let ok = |role, grids: &[&str]| {
            check_assignment(role, &grids.iter().map(|g| g.to_string()).collect::<Vec<_>>(), registry())
        };
        assert!(ok(Role::Officer, &["L1-a", "L2-a"]).is_ok(), "an officer is given small grids");
        assert!(ok(Role::Lead, &["L1"]).is_ok(), "a lead is given a large grid");
        assert!(ok(Role::Admin, &[]).is_ok(), "an administrator is given no grid");
        let code = |r: Result<()>| r.expect_err("refused").code();
        assert_eq!(code(ok(Role::Officer, &["L1"])), "wrong_grid_level", "an officer cannot be given a large grid");
        assert_eq!(code(ok(Role::Lead, &["L1-a"])), "wrong_grid_level", "a lead cannot be given a small grid");
        assert_eq!(code(ok(Role::Admin, &["L1"])), "wrong_grid_level", "an administrator is given no grid");
        assert_eq!(code(ok(Role::Officer, &[])), "no_grids", "an officer needs a grid");
        assert_eq!(code(ok(Role::Lead, &["nope"])), "unknown_grid", "an unknown code is refused");
        let huge = "9".repeat(10_000);
        let err = ok(Role::Officer, &[huge.as_str()]).expect_err("an unknown huge code is refused");
        assert!(
            err.message(crate::Lang::En).chars().count() < 200,
            "a refusal never echoes a huge value back: {}",
            err.message(crate::Lang::En).len()
        );
    }

    #[test]
    fn a_liaison_sees_the_units_cases_and_no_grid() {
        let liaison = crate::model::User { name: "王工".into(), role: Role::Liaison, unit: Some("ROADS".into()) };
        let scope = Scope::of_user(&liaison, &[], registry());
        assert!(scope.allows_finding("L1-a", Some("ROADS")), "a case dispatched to the unit, in any grid");
        assert!(!scope.allows_finding("L1-a", Some("WATER")), "another unit's case");
        assert!(!scope.allows_finding("L1-a", None), "a case not dispatched");
        assert_eq!(scope.check_finding("L2-a", None).unwrap_err().code(), "out_of_scope");
        assert!(!scope.allows("L1-a"), "a liaison records nothing in a grid");
        let officer = Scope::expand(Role::Officer, &["L1-a".into()], registry());
        assert!(!officer.allows_finding("L2-a", Some("ROADS")), "a unit means nothing to an officer's scope");
        let err = check_assignment(Role::Liaison, &["L1-a".to_string()], registry()).unwrap_err();
        assert_eq!(err.code(), "wrong_grid_level", "a liaison is given no grid");
    }

    #[test]
    fn an_admin_gets_everything() {
        let scope = Scope::expand(Role::Admin, &[], registry());
        assert!(scope.allows("anything"), "an administrator's scope is every grid, even future ones");
    }
}

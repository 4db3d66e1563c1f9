//! Grid scope: which small grids a user may record and move findings in.
//!
//! An officer works in the small grids given to them; a team lead in a large grid and all its
//! small grids; an administrator everywhere. The hub expands a user's assigned codes with
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
}

impl Scope {
    pub fn everything() -> Scope {
        Scope { all: true, grids: BTreeSet::new() }
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
        let assigned: BTreeSet<String> = assigned.iter().map(|c| c.trim().to_string()).collect();
        let mut grids = assigned.clone();
        for (code, parent) in registry {
            if parent.is_some_and(|p| assigned.contains(p)) {
                grids.insert(code.to_string());
            }
        }
        Scope { all: false, grids }
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
    if role == Role::Admin {
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
    fn an_admin_gets_everything() {
        let scope = Scope::expand(Role::Admin, &[], registry());
        assert!(scope.allows("anything"), "an administrator's scope is every grid, even future ones");
    }
}

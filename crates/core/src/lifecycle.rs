//! The closed loop of a finding: which status may follow which, and which role may make each move.
//!
//! ```text
//! reported ─accept─▶ accepted ─dispatch─▶ rectifying ─▶ rectified ─close─▶ closed
//!    │                                        ▲  ▲            │              │
//!    └─reject─▶ rejected                      │  └── rework ◀─┘   reopened ◀─┘
//!                                             └──────────────────────┘
//! ```
//!
//! [`MOVES`] is the one table of legal moves with the roles allowed to make each; the store and
//! (later) the hub both ask [`check_move`], so a device and the hub never disagree. This module
//! holds rules only; it writes nothing.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::lang::Lang;
use crate::model::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord, TS)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Reported,
    Accepted,
    Rejected,
    Rectifying,
    Rectified,
    Rework,
    Closed,
    Reopened,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Reported,
        Status::Accepted,
        Status::Rejected,
        Status::Rectifying,
        Status::Rectified,
        Status::Rework,
        Status::Closed,
        Status::Reopened,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Reported => "reported",
            Status::Accepted => "accepted",
            Status::Rejected => "rejected",
            Status::Rectifying => "rectifying",
            Status::Rectified => "rectified",
            Status::Rework => "rework",
            Status::Closed => "closed",
            Status::Reopened => "reopened",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn parse_field(s: &str) -> Result<Status> {
        Status::parse(s).ok_or_else(|| Error::InvalidValue { field: "status", value: s.to_string() })
    }

    /// Open findings still wait for someone to act: everything but closed and rejected.
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Closed | Status::Rejected)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Status::Reported, Lang::Zh) => "已上报",
            (Status::Accepted, Lang::Zh) => "已受理",
            (Status::Rejected, Lang::Zh) => "不予立案",
            (Status::Rectifying, Lang::Zh) => "整改中",
            (Status::Rectified, Lang::Zh) => "已整改",
            (Status::Rework, Lang::Zh) => "返工",
            (Status::Closed, Lang::Zh) => "已结案",
            (Status::Reopened, Lang::Zh) => "重新打开",
            (Status::Reported, Lang::En) => "reported",
            (Status::Accepted, Lang::En) => "accepted",
            (Status::Rejected, Lang::En) => "rejected",
            (Status::Rectifying, Lang::En) => "rectifying",
            (Status::Rectified, Lang::En) => "rectified",
            (Status::Rework, Lang::En) => "rework",
            (Status::Closed, Lang::En) => "closed",
            (Status::Reopened, Lang::En) => "reopened",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

const OFFICER: u8 = 1;
const LEAD: u8 = 2;
const ADMIN: u8 = 4;

/// Every legal move, with the roles that may make it.
///
/// The officer records the rectification on site (with an after photo); accepting, rejecting,
/// dispatching, judging the re-check, closing and reopening after a return visit belong to the
/// lead of the large grid and to administrators.
pub const MOVES: &[(Status, Status, u8)] = &[
    (Status::Reported, Status::Accepted, LEAD | ADMIN),
    (Status::Reported, Status::Rejected, LEAD | ADMIN),
    (Status::Accepted, Status::Rectifying, LEAD | ADMIN),
    (Status::Rectifying, Status::Rectified, OFFICER | LEAD | ADMIN),
    (Status::Rectified, Status::Closed, LEAD | ADMIN),
    (Status::Rectified, Status::Rework, LEAD | ADMIN),
    (Status::Rework, Status::Rectified, OFFICER | LEAD | ADMIN),
    (Status::Closed, Status::Reopened, LEAD | ADMIN),
    (Status::Reopened, Status::Rectifying, LEAD | ADMIN),
];

fn role_bit(role: Role) -> u8 {
    match role {
        Role::Officer => OFFICER,
        Role::Lead => LEAD,
        Role::Admin => ADMIN,
    }
}

/// Whether `from → to` is a move of the lifecycle at all, for anyone.
pub fn is_move(from: Status, to: Status) -> bool {
    MOVES.iter().any(|&(f, t, _)| f == from && t == to)
}

/// Checks one move by one role. An illegal move is an error, never a silent no-op.
pub fn check_move(role: Role, from: Status, to: Status) -> Result<()> {
    match MOVES.iter().find(|&&(f, t, _)| f == from && t == to) {
        None => Err(Error::IllegalMove { from: from.to_string(), to: to.to_string() }),
        Some(&(_, _, roles)) if roles & role_bit(role) == 0 => {
            Err(Error::MoveNotAllowed { role: role.as_str().to_string(), from: from.to_string(), to: to.to_string() })
        }
        Some(_) => Ok(()),
    }
}

/// Moves that turn a finding down or send it back must say why (不予立案、返工、重新打开): the note is
/// the reason the officer or the public reads.
pub fn needs_reason(to: Status) -> bool {
    matches!(to, Status::Rejected | Status::Rework | Status::Reopened)
}

/// Refuses a move to `to` whose `note` (already trimmed) gives no reason when [`needs_reason`].
pub fn check_reason(to: Status, note: &str) -> Result<()> {
    if needs_reason(to) && note.trim().is_empty() {
        return Err(Error::ReasonRequired { to: to.to_string() });
    }
    Ok(())
}

/// The moves `role` may make from `from`, for offering buttons in a UI.
pub fn moves_for(role: Role, from: Status) -> Vec<Status> {
    MOVES.iter().filter(|&&(f, _, roles)| f == from && roles & role_bit(role) != 0).map(|&(_, t, _)| t).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    /// The role table of DESIGN.md, spelled out here independently of [`MOVES`]: every
    /// (role, from, to) that is allowed. Anything else is refused.
    const ALLOWED: &[(Role, Status, Status)] = &[
        (Role::Lead, Reported, Accepted),
        (Role::Admin, Reported, Accepted),
        (Role::Lead, Reported, Rejected),
        (Role::Admin, Reported, Rejected),
        (Role::Lead, Accepted, Rectifying),
        (Role::Admin, Accepted, Rectifying),
        (Role::Officer, Rectifying, Rectified),
        (Role::Lead, Rectifying, Rectified),
        (Role::Admin, Rectifying, Rectified),
        (Role::Lead, Rectified, Closed),
        (Role::Admin, Rectified, Closed),
        (Role::Lead, Rectified, Rework),
        (Role::Admin, Rectified, Rework),
        (Role::Officer, Rework, Rectified),
        (Role::Lead, Rework, Rectified),
        (Role::Admin, Rework, Rectified),
        (Role::Lead, Closed, Reopened),
        (Role::Admin, Closed, Reopened),
        (Role::Lead, Reopened, Rectifying),
        (Role::Admin, Reopened, Rectifying),
    ];

    /// One cell: `None` when the move is allowed, else the refusal's stable code.
    fn expected(role: Role, from: Status, to: Status) -> Option<&'static str> {
        if ALLOWED.contains(&(role, from, to)) {
            None
        } else if ALLOWED.iter().any(|&(_, f, t)| f == from && t == to) {
            // Someone may make this move, just not this role.
            Some("move_not_allowed")
        } else {
            Some("illegal_move")
        }
    }

    #[test]
    fn every_cell_of_role_by_from_by_to() {
        let mut cells = 0;
        for role in Role::ALL {
            for from in Status::ALL {
                for to in Status::ALL {
                    cells += 1;
                    let cell = format!("{role:?} {from}→{to}");
                    let got = check_move(role, from, to);
                    match expected(role, from, to) {
                        None => assert!(got.is_ok(), "{cell}: the role table allows it, check_move says {got:?}"),
                        Some(code) => {
                            let err = got.expect_err(&format!("{cell}: the role table refuses it"));
                            assert_eq!(err.code(), code, "{cell}: refused with the wrong reason ({err})");
                        }
                    }
                    assert_eq!(
                        is_move(from, to),
                        ALLOWED.iter().any(|&(_, f, t)| f == from && t == to),
                        "{cell}: is_move agrees with the table"
                    );
                    assert_eq!(
                        moves_for(role, from).contains(&to),
                        expected(role, from, to).is_none(),
                        "{cell}: the moves offered to a role are exactly the ones it may make"
                    );
                }
            }
        }
        assert_eq!(cells, 3 * 8 * 8, "every cell of the table was checked");
    }

    #[test]
    fn no_status_moves_to_itself_and_rejected_is_final() {
        for role in Role::ALL {
            for s in Status::ALL {
                assert_eq!(
                    check_move(role, s, s).unwrap_err().code(),
                    "illegal_move",
                    "{s}→{s}: staying put is not a move, and never a silent no-op"
                );
            }
            assert!(moves_for(role, Rejected).is_empty(), "rejected (不予立案) is final for {role:?}");
        }
    }

    #[test]
    fn the_table_has_one_row_per_move_and_every_row_has_a_role() {
        for (i, &(f, t, roles)) in MOVES.iter().enumerate() {
            assert!(roles != 0, "{f}→{t}: a move nobody may make should not be in the table");
            assert!(
                !MOVES[i + 1..].iter().any(|&(f2, t2, _)| (f2, t2) == (f, t)),
                "{f}→{t} appears twice: the first row would silently win"
            );
        }
    }

    #[test]
    fn every_status_is_reachable_from_reported() {
        let mut reached = vec![Reported];
        let mut i = 0;
        while i < reached.len() {
            for &(f, t, _) in MOVES {
                if f == reached[i] && !reached.contains(&t) {
                    reached.push(t);
                }
            }
            i += 1;
        }
        reached.sort();
        assert_eq!(reached, Status::ALL.to_vec(), "every status of the loop can be reached");
    }

    #[test]
    fn open_statuses_are_all_but_closed_and_rejected() {
        let open: Vec<Status> = Status::ALL.into_iter().filter(|s| s.is_open()).collect();
        assert_eq!(
            open,
            vec![Reported, Accepted, Rectifying, Rectified, Rework, Reopened],
            "closed and rejected are not open"
        );
    }

    #[test]
    fn statuses_round_trip_through_text_and_have_labels() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s), "{s}: parse(as_str) is the status");
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str(), "{s}: the wire name is as_str");
            assert_ne!(s.label(Lang::Zh), s.label(Lang::En), "{s}: a Chinese label of its own");
        }
        let err = Status::parse_field("done").unwrap_err();
        assert_eq!(err.code(), "invalid_value", "an unknown status is an invalid value");
    }

    #[test]
    fn refusals_read_as_sentences_in_both_languages() {
        let illegal = check_move(Role::Admin, Reported, Closed).unwrap_err();
        assert!(illegal.message(Lang::Zh).contains("已上报"), "the Chinese message names the statuses in Chinese");
        assert!(illegal.message(Lang::En).contains("reported"), "the English message names the statuses");
        let not_allowed = check_move(Role::Officer, Reported, Accepted).unwrap_err();
        assert!(not_allowed.message(Lang::Zh).contains("网格员"), "the Chinese message names the role in Chinese");
        assert!(not_allowed.message(Lang::En).contains("officer"), "the English message names the role");
    }
}

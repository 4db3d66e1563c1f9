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

use crate::error::{Error, Result};
use crate::lang::Lang;
use crate::model::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
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
        Status::parse(s).ok_or_else(|| Error::InvalidValue {
            field: "status",
            value: s.to_string(),
        })
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
    (
        Status::Rectifying,
        Status::Rectified,
        OFFICER | LEAD | ADMIN,
    ),
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
        None => Err(Error::IllegalMove {
            from: from.to_string(),
            to: to.to_string(),
        }),
        Some(&(_, _, roles)) if roles & role_bit(role) == 0 => Err(Error::MoveNotAllowed {
            role: role.as_str().to_string(),
            from: from.to_string(),
            to: to.to_string(),
        }),
        Some(_) => Ok(()),
    }
}

/// The moves `role` may make from `from`, for offering buttons in a UI.
pub fn moves_for(role: Role, from: Status) -> Vec<Status> {
    MOVES
        .iter()
        .filter(|&&(f, _, roles)| f == from && roles & role_bit(role) != 0)
        .map(|&(_, t, _)| t)
        .collect()
}

//! What the UI must know of core's rules, generated from core so it cannot drift: the text and photo
//! limits, the statuses with their predicates, the role × move table, each role's capabilities, the
//! default patrol rhythm and the lead's queue. [`rules_module`] writes them to
//! `ui/src/lib/ipc/rules.ts` beside the bindings (the same `UPDATE_BINDINGS=1 cargo test -p
//! gridpatrol-core --lib ipc` regenerates both, and a test fails when either is stale).
//!
//! The app asks core for every decision that matters; the UI uses these to choose what to show and
//! to say a limit before a save is refused, and the dev mock (`ui/src/lib/ipc/mock.ts`) to answer
//! as core would. Nothing here is a second copy of a rule: each value is read from its one home.

use chrono::Weekday;
use serde::Serialize;
use ts_rs::TS;

use super::FindingFilter;
use crate::lifecycle::{self, Status};
use crate::model::Role;
use crate::queue::{QueueKey, QueueList, LEAD_QUEUE, LIAISON_QUEUE};
use crate::store::awaits_rectification;

/// Length limits in characters, and the photo limits.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Limits {
    pub description: u32,
    pub address: u32,
    /// A move's note, a log's reply and a review's comment.
    pub note: u32,
    pub responsible_unit: u32,
    pub user_name: u32,
    /// The photo size limit a new store starts with (a setting: `config set photo-max-mb`).
    pub photo_default_max_bytes: u64,
    pub photo_max_side: u32,
    pub photo_max_pixels: u64,
    /// The most weeks a dashboard or a log list asks for.
    pub grid_weeks: u32,
    /// The shortest passphrase an encrypted store takes (the unlock screen's hint).
    pub passphrase_min_chars: u32,
}

/// A status with core's predicates on it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct StatusRule {
    pub status: Status,
    /// Neither closed nor rejected ([`Status::is_open`]).
    pub open: bool,
    /// Still waiting for the unit to fix it: past its due time it is overdue ([`awaits_rectification`]).
    pub awaits_rectification: bool,
    /// A move to it must say why ([`lifecycle::needs_reason`]).
    pub needs_reason: bool,
}

/// A row of the role × move table ([`lifecycle::MOVES`]).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MoveRule {
    pub from: Status,
    pub to: Status,
    pub roles: Vec<Role>,
}

/// What a role may do beyond the move table.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RoleRule {
    pub role: Role,
    /// A lead or an administrator ([`Role::supervises`]): reviews weekly logs, sees the dashboard
    /// and the queue, edits findings they did not write.
    pub supervises: bool,
}

/// An item of the lead's queue and the list it counts for a scope of every grid (a lead's adds the
/// lead's grids as `grids`).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct QueueRule {
    pub key: QueueKey,
    pub list: QueueList,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Rules {
    pub limits: Limits,
    /// In the lifecycle's order.
    pub statuses: Vec<StatusRule>,
    pub moves: Vec<MoveRule>,
    pub roles: Vec<RoleRule>,
    /// The default patrol days, ISO weekday numbers (1 Monday … 7 Sunday).
    pub rhythm: Vec<u32>,
    /// The lead's queue in the order Today shows it ([`LEAD_QUEUE`]).
    pub queue: Vec<QueueRule>,
    /// A unit liaison's queue in the order Today shows it ([`LIAISON_QUEUE`]; the unit added by core).
    pub liaison_queue: Vec<QueueRule>,
}

/// The rules as they stand in core.
pub fn rules() -> Rules {
    use crate::validate::*;
    Rules {
        limits: Limits {
            description: MAX_DESCRIPTION_CHARS as u32,
            address: MAX_ADDRESS_CHARS as u32,
            note: MAX_NOTE_CHARS as u32,
            responsible_unit: MAX_UNIT_CHARS as u32,
            user_name: crate::store::MAX_USER_NAME_CHARS as u32,
            photo_default_max_bytes: crate::photo::DEFAULT_MAX_BYTES,
            photo_max_side: crate::photo::MAX_SIDE,
            photo_max_pixels: crate::photo::MAX_PIXELS,
            grid_weeks: crate::weekly::MAX_GRID_WEEKS,
            passphrase_min_chars: crate::store::cipher::MIN_PASSPHRASE_CHARS as u32,
        },
        statuses: Status::ALL
            .iter()
            .map(|&s| StatusRule {
                status: s,
                open: s.is_open(),
                awaits_rectification: awaits_rectification(s),
                needs_reason: lifecycle::needs_reason(s),
            })
            .collect(),
        moves: lifecycle::MOVES
            .iter()
            .map(|&(from, to, _)| MoveRule {
                from,
                to,
                roles: Role::ALL.into_iter().filter(|r| lifecycle::check_move(*r, from, to).is_ok()).collect(),
            })
            .collect(),
        roles: Role::ALL.into_iter().map(|role| RoleRule { role, supervises: role.supervises() }).collect(),
        rhythm: (0u8..7)
            .filter_map(|n| Weekday::try_from(n).ok())
            .filter(|d| crate::calendar::DEFAULT_RHYTHM.contains(*d))
            .map(|d| d.number_from_monday())
            .collect(),
        queue: LEAD_QUEUE
            .iter()
            .map(|(key, list_of)| QueueRule { key: *key, list: list_of(FindingFilter::default()) })
            .collect(),
        liaison_queue: LIAISON_QUEUE
            .iter()
            .map(|(key, list_of)| QueueRule { key: *key, list: list_of(FindingFilter::default()) })
            .collect(),
    }
}

/// `ui/src/lib/ipc/rules.ts`: [`rules`] as a typed constant.
pub fn rules_module() -> String {
    let json = serde_json::to_string_pretty(&rules()).expect("the rules serialise");
    format!(
        "// Generated from core's rules by `ipc::rules::rules_module`. Do not edit:\n\
         // run `UPDATE_BINDINGS=1 cargo test -p gridpatrol-core --lib ipc` to regenerate.\n\n\
         import type {{ Rules }} from \"./bindings\";\n\n\
         export const RULES: Rules = {json};\n"
    )
}

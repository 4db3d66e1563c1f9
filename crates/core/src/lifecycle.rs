//! The closed loop of a finding: which status may follow which, and which role may make each move.
//!
//! ```text
//!                  ┌──── 回退 return (liaison) ◀──┐   缓办 suspend ⇄ resume (lead)
//!                  ▼                             │        ▲ │
//! reported ─accept─▶ accepted ─派遣 dispatch─▶ rectifying ─handled─▶ rectified ─close─▶ closed
//!    │                                  ▲      │   ▲                  │                │
//!    └─reject─▶ rejected                │  suspended └── rework ◀─────┘     reopened ◀─┘
//!                                       └─────────────────────────────────────────┘
//! 当场处置 on the spot: recorded already `closed`, with before and after photos, never dispatched.
//! 延期 deferral: asked by the unit's liaison while the case is with the unit, decided by the lead.
//! ```
//!
//! [`MOVES`] is the one table of legal status moves with the roles allowed to make each, and
//! [`STEPS`] beside it the two steps that are not moves (asking for and deciding a deferral); the
//! store and the hub both ask [`check_move`] / [`check_step`] and then the rules of the finding
//! itself ([`check_move_of`], [`check_step_of`]: a liaison acts only on their unit's cases, a
//! dispatch names a unit, a move to rectified carries an after photo, a deferral is later than
//! the due time), so a device and the hub never disagree. This module holds rules only; it writes
//! nothing.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::lang::Lang;
use crate::model::{Finding, Photo, PhotoRole, Role, User};

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
    /// 缓办: the lead stopped the clock (the case cannot be handled for now).
    Suspended,
}

impl Status {
    pub const ALL: [Status; 9] = [
        Status::Reported,
        Status::Accepted,
        Status::Rejected,
        Status::Rectifying,
        Status::Rectified,
        Status::Rework,
        Status::Closed,
        Status::Reopened,
        Status::Suspended,
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
            Status::Suspended => "suspended",
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
            (Status::Suspended, Lang::Zh) => "缓办",
            (Status::Reported, Lang::En) => "reported",
            (Status::Accepted, Lang::En) => "accepted",
            (Status::Rejected, Lang::En) => "rejected",
            (Status::Rectifying, Lang::En) => "rectifying",
            (Status::Rectified, Lang::En) => "rectified",
            (Status::Rework, Lang::En) => "rework",
            (Status::Closed, Lang::En) => "closed",
            (Status::Reopened, Lang::En) => "reopened",
            (Status::Suspended, Lang::En) => "suspended",
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
const LIAISON: u8 = 8;

/// Every legal move, with the roles that may make it.
///
/// The unit's liaison reports a dispatched case handled (with an after photo) or returns a case
/// sent to the wrong unit (回退, with a reason); the officer may still record the rectification on
/// site. Accepting, rejecting, dispatching (派遣, to a unit), suspending (缓办) and resuming, judging
/// the re-check, closing and reopening after a return visit belong to the lead of the large grid
/// and to administrators.
pub const MOVES: &[(Status, Status, u8)] = &[
    (Status::Reported, Status::Accepted, LEAD | ADMIN),
    (Status::Reported, Status::Rejected, LEAD | ADMIN),
    (Status::Accepted, Status::Rectifying, LEAD | ADMIN),
    (Status::Rectifying, Status::Rectified, OFFICER | LEAD | ADMIN | LIAISON),
    (Status::Rectifying, Status::Accepted, LIAISON),
    (Status::Rectifying, Status::Suspended, LEAD | ADMIN),
    (Status::Suspended, Status::Rectifying, LEAD | ADMIN),
    (Status::Rectified, Status::Closed, LEAD | ADMIN),
    (Status::Rectified, Status::Rework, LEAD | ADMIN),
    (Status::Rework, Status::Rectified, OFFICER | LEAD | ADMIN | LIAISON),
    (Status::Closed, Status::Reopened, LEAD | ADMIN),
    (Status::Reopened, Status::Rectifying, LEAD | ADMIN),
];

/// A step on a case that is not a status move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// 申请延期: the unit asks for a later due time (`finding.deferral_requested`).
    RequestDeferral,
    /// 审批延期: the lead approves or refuses it (`finding.deferral_decided`).
    DecideDeferral,
}

impl Step {
    pub const ALL: [Step; 2] = [Step::RequestDeferral, Step::DecideDeferral];

    pub fn as_str(self) -> &'static str {
        match self {
            Step::RequestDeferral => "request_deferral",
            Step::DecideDeferral => "decide_deferral",
        }
    }
}

/// The steps that are not moves, in the statuses they may be taken from, with the roles that may
/// take them: the liaison asks while the case is with the unit; the lead decides while a request
/// can be pending (a request made before the unit reported the case handled, or before a
/// suspension, is still decided).
pub const STEPS: &[(Step, Status, u8)] = &[
    (Step::RequestDeferral, Status::Rectifying, LIAISON),
    (Step::RequestDeferral, Status::Rework, LIAISON),
    (Step::DecideDeferral, Status::Rectifying, LEAD | ADMIN),
    (Step::DecideDeferral, Status::Rework, LEAD | ADMIN),
    (Step::DecideDeferral, Status::Rectified, LEAD | ADMIN),
    (Step::DecideDeferral, Status::Suspended, LEAD | ADMIN),
];

fn role_bit(role: Role) -> u8 {
    match role {
        Role::Officer => OFFICER,
        Role::Lead => LEAD,
        Role::Admin => ADMIN,
        Role::Liaison => LIAISON,
    }
}

/// Checks one step by one role from one status.
pub fn check_step(role: Role, from: Status, step: Step) -> Result<()> {
    match STEPS.iter().find(|&&(s, f, _)| s == step && f == from) {
        Some(&(_, _, roles)) if roles & role_bit(role) != 0 => Ok(()),
        _ => Err(Error::StepNotAllowed {
            role: role.as_str().to_string(),
            step: step.as_str().to_string(),
            status: from.to_string(),
        }),
    }
}

/// The steps `role` may take on a case in `from`, for offering buttons in a UI.
pub fn steps_for(role: Role, from: Status) -> Vec<Step> {
    STEPS.iter().filter(|&&(_, f, roles)| f == from && roles & role_bit(role) != 0).map(|&(s, _, _)| s).collect()
}

/// 派遣: the move that sends a case to a responsible unit (and names it).
pub fn is_dispatch(from: Status, to: Status) -> bool {
    to == Status::Rectifying && matches!(from, Status::Accepted | Status::Reopened)
}

/// 回退: the unit sends a case dispatched to it by mistake back to the lead.
pub fn is_return(from: Status, to: Status) -> bool {
    from == Status::Rectifying && to == Status::Accepted
}

/// A case returned by a unit (回退) and waiting to be dispatched again: accepted, with its clock
/// already started by the first dispatch. The lead's queue lists these (退回的案件).
pub fn is_returned(finding: &Finding) -> bool {
    finding.status == Status::Accepted && finding.dispatched_at.is_some()
}

/// A liaison acts only on the cases dispatched to their own unit; other roles are not bound to a
/// unit (their grid scope is checked elsewhere).
pub fn check_unit_of(actor: &User, finding: &Finding) -> Result<()> {
    if actor.role != Role::Liaison {
        return Ok(());
    }
    match (&finding.unit, &actor.unit) {
        (Some(unit), Some(mine)) if unit == mine => Ok(()),
        (unit, _) => Err(Error::NotYourUnit { unit: unit.clone().unwrap_or_else(|| "-".into()) }),
    }
}

/// The after-photo rule for 已整改: a move to rectified carries at least one after photo.
pub fn check_after_photos(to: Status, photos: &[Photo]) -> Result<()> {
    if to == Status::Rectified && !photos.iter().any(|p| p.role == PhotoRole::After) {
        return Err(Error::AfterPhotoRequired);
    }
    Ok(())
}

/// Everything said about one move of `finding` by `actor`, beyond the payload's own format: the
/// role table, the liaison's unit, the reason, the after photo, and that a unit is named by a
/// dispatch (a first dispatch or one after a 回退 must name it; a re-dispatch after reopening may
/// keep the unit) and by no other move. Whether the named unit exists is the caller's (it holds the
/// units table). The one check the device's store and the hub's judge both run.
pub fn check_move_of(
    actor: &User,
    finding: &Finding,
    to: Status,
    note: &str,
    unit: Option<&str>,
    photos: &[Photo],
) -> Result<()> {
    check_move(actor.role, finding.status, to)?;
    check_unit_of(actor, finding)?;
    check_reason_of(finding.status, to, note)?;
    check_after_photos(to, photos)?;
    match (is_dispatch(finding.status, to), unit) {
        (true, None) if finding.unit.is_none() => Err(Error::DispatchNeedsUnit),
        (false, Some(_)) => Err(Error::DispatchNeedsUnit),
        _ => Ok(()),
    }
}

/// Everything said about one step on `finding` by `actor`: the step table, the liaison's unit, and
/// whether a request is pending.
pub fn check_step_of(actor: &User, finding: &Finding, step: Step) -> Result<()> {
    check_step(actor.role, finding.status, step)?;
    check_unit_of(actor, finding)?;
    match (step, &finding.deferral) {
        (Step::RequestDeferral, Some(_)) => Err(Error::DeferralPending),
        (Step::DecideDeferral, None) => Err(Error::NoDeferralPending),
        _ => Ok(()),
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

/// Moves that turn a finding down, send it back or stop its clock must say why (不予立案、返工、重新
/// 打开、缓办): the note is the reason the officer, the unit or the public reads.
pub fn needs_reason(to: Status) -> bool {
    matches!(to, Status::Rejected | Status::Rework | Status::Reopened | Status::Suspended)
}

/// [`needs_reason`], and a 回退 (the unit says why the case is not theirs).
pub fn needs_reason_of(from: Status, to: Status) -> bool {
    needs_reason(to) || is_return(from, to)
}

/// Refuses a move to `to` whose `note` (already trimmed) gives no reason when [`needs_reason`].
pub fn check_reason(to: Status, note: &str) -> Result<()> {
    if needs_reason(to) && note.trim().is_empty() {
        return Err(Error::ReasonRequired { to: to.to_string() });
    }
    Ok(())
}

/// Refuses a move `from → to` whose `note` gives no reason when [`needs_reason_of`].
pub fn check_reason_of(from: Status, to: Status, note: &str) -> Result<()> {
    if needs_reason_of(from, to) && note.trim().is_empty() {
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
        (Role::Liaison, Rectifying, Rectified),
        (Role::Liaison, Rectifying, Accepted),
        (Role::Lead, Rectifying, Suspended),
        (Role::Admin, Rectifying, Suspended),
        (Role::Lead, Suspended, Rectifying),
        (Role::Admin, Suspended, Rectifying),
        (Role::Lead, Rectified, Closed),
        (Role::Admin, Rectified, Closed),
        (Role::Lead, Rectified, Rework),
        (Role::Admin, Rectified, Rework),
        (Role::Officer, Rework, Rectified),
        (Role::Lead, Rework, Rectified),
        (Role::Admin, Rework, Rectified),
        (Role::Liaison, Rework, Rectified),
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
        assert_eq!(cells, 4 * 9 * 9, "every cell of the table was checked");
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
            vec![Reported, Accepted, Rectifying, Rectified, Rework, Reopened, Suspended],
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

    /// The steps that are not moves, spelled out independently of [`STEPS`].
    const STEPS_ALLOWED: &[(Role, Status, Step)] = &[
        (Role::Liaison, Rectifying, Step::RequestDeferral),
        (Role::Liaison, Rework, Step::RequestDeferral),
        (Role::Lead, Rectifying, Step::DecideDeferral),
        (Role::Admin, Rectifying, Step::DecideDeferral),
        (Role::Lead, Rework, Step::DecideDeferral),
        (Role::Admin, Rework, Step::DecideDeferral),
        (Role::Lead, Rectified, Step::DecideDeferral),
        (Role::Admin, Rectified, Step::DecideDeferral),
        (Role::Lead, Suspended, Step::DecideDeferral),
        (Role::Admin, Suspended, Step::DecideDeferral),
    ];

    #[test]
    fn every_cell_of_role_by_status_by_step() {
        let mut cells = 0;
        for role in Role::ALL {
            for from in Status::ALL {
                for step in Step::ALL {
                    cells += 1;
                    let allowed = STEPS_ALLOWED.contains(&(role, from, step));
                    let got = check_step(role, from, step);
                    assert_eq!(got.is_ok(), allowed, "{role:?} {step:?} from {from}: the step table says {allowed}");
                    if let Err(e) = got {
                        assert_eq!(
                            e.code(),
                            "step_not_allowed",
                            "{role:?} {step:?} from {from}: refused with its code"
                        );
                    }
                    assert_eq!(
                        steps_for(role, from).contains(&step),
                        allowed,
                        "{role:?} {step:?} from {from}: offered"
                    );
                }
            }
        }
        assert_eq!(cells, 4 * 9 * 2, "every cell of the step table was checked");
    }

    fn case(status: Status, unit: Option<&str>) -> Finding {
        let t: chrono::DateTime<chrono::Utc> = "2026-11-25T02:00:00Z".parse().unwrap();
        Finding {
            id: "019a0f6e-5c00-7000-8000-000000000002".into(),
            grid: "G".into(),
            patrol: None,
            category: "10101".into(),
            description: "井盖破损".into(),
            address: String::new(),
            point: None,
            urgency: crate::model::Urgency::Normal,
            responsible_unit: String::new(),
            unit: unit.map(String::from),
            dispatched_at: unit.map(|_| t),
            deferral: None,
            deferrals: 0,
            on_the_spot: false,
            suspended_at: None,
            status,
            author: "李明".into(),
            observed_at: t,
            recorded_at: t,
            updated_at: t,
            due_at: None,
            photos: vec![],
        }
    }

    fn after_photo() -> Photo {
        let sha = "a".repeat(64);
        Photo {
            sha256: sha.clone(),
            role: PhotoRole::After,
            file: format!("{sha}.jpg"),
            thumbnail: format!("thumbs/{sha}.jpg"),
            bytes: 1,
            width: 1,
            height: 1,
            exif_time: None,
            exif_point: None,
        }
    }

    #[test]
    fn a_liaison_acts_only_on_their_units_cases() {
        let liaison = User { name: "王工".into(), role: Role::Liaison, unit: Some("ROADS".into()) };
        let photos = [after_photo()];
        let theirs = case(Rectifying, Some("ROADS"));
        assert!(check_move_of(&liaison, &theirs, Rectified, "", None, &photos).is_ok(), "their unit's case");
        let other = case(Rectifying, Some("WATER"));
        let err = check_move_of(&liaison, &other, Rectified, "", None, &photos).unwrap_err();
        assert_eq!(err.code(), "not_your_unit", "another unit's case is refused");
        let err = check_step_of(&liaison, &other, Step::RequestDeferral).unwrap_err();
        assert_eq!(err.code(), "not_your_unit", "a deferral of another unit's case is refused");
        let lead = User::new("张组长", Role::Lead);
        assert!(
            check_move_of(&lead, &other, Suspended, "等待管线迁改", None, &[]).is_ok(),
            "a lead is bound by no unit"
        );
    }

    #[test]
    fn rectified_needs_an_after_photo_and_a_return_needs_a_reason() {
        let liaison = User { name: "王工".into(), role: Role::Liaison, unit: Some("ROADS".into()) };
        let c = case(Rectifying, Some("ROADS"));
        let err = check_move_of(&liaison, &c, Rectified, "", None, &[]).unwrap_err();
        assert_eq!(err.code(), "after_photo_required", "已整改 without an after photo");
        let mut before = after_photo();
        before.role = PhotoRole::Before;
        let err = check_move_of(&liaison, &c, Rectified, "", None, &[before]).unwrap_err();
        assert_eq!(err.code(), "after_photo_required", "a before photo is not an after photo");
        let err = check_move_of(&liaison, &c, Accepted, " ", None, &[]).unwrap_err();
        assert_eq!(err.code(), "reason_required", "回退 without a reason");
        assert!(check_move_of(&liaison, &c, Accepted, "不属于本单位管辖", None, &[]).is_ok(), "回退 with a reason");
        let lead = User::new("张组长", Role::Lead);
        let err = check_move_of(&lead, &c, Suspended, "", None, &[]).unwrap_err();
        assert_eq!(err.code(), "reason_required", "缓办 without a reason");
    }

    #[test]
    fn a_dispatch_names_a_unit_and_no_other_move_does() {
        let lead = User::new("张组长", Role::Lead);
        let accepted = case(Accepted, None);
        assert_eq!(
            check_move_of(&lead, &accepted, Rectifying, "", None, &[]).unwrap_err().code(),
            "dispatch_needs_unit",
            "a first dispatch names the unit"
        );
        assert!(check_move_of(&lead, &accepted, Rectifying, "", Some("ROADS"), &[]).is_ok());
        let reported = case(Reported, None);
        assert_eq!(
            check_move_of(&lead, &reported, Accepted, "", Some("ROADS"), &[]).unwrap_err().code(),
            "dispatch_needs_unit",
            "accepting names no unit"
        );
        let reopened = case(Reopened, Some("ROADS"));
        assert!(check_move_of(&lead, &reopened, Rectifying, "", None, &[]).is_ok(), "a re-dispatch may keep the unit");
        assert!(is_returned(&case(Accepted, Some("ROADS"))), "accepted with a started clock is a returned case");
    }

    #[test]
    fn a_deferral_is_asked_once_and_decided_only_when_pending() {
        let liaison = User { name: "王工".into(), role: Role::Liaison, unit: Some("ROADS".into()) };
        let lead = User::new("张组长", Role::Lead);
        let mut c = case(Rectifying, Some("ROADS"));
        assert_eq!(check_step_of(&lead, &c, Step::DecideDeferral).unwrap_err().code(), "no_deferral_pending");
        assert!(check_step_of(&liaison, &c, Step::RequestDeferral).is_ok());
        c.deferral = Some(crate::model::DeferralRequest {
            until: c.recorded_at,
            reason: "材料未到".into(),
            by: "王工".into(),
            at: c.recorded_at,
        });
        assert_eq!(check_step_of(&liaison, &c, Step::RequestDeferral).unwrap_err().code(), "deferral_pending");
        assert!(check_step_of(&lead, &c, Step::DecideDeferral).is_ok());
        assert_eq!(check_step(Role::Officer, Rectifying, Step::DecideDeferral).unwrap_err().code(), "step_not_allowed");
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

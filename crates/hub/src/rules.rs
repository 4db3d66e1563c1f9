//! How the hub judges one arriving event, in hub order, in one shape: the caller must be the
//! event's actor; core's decoder turns the event into a typed change (or refuses it whole); the
//! hub loads the one record the change touches (a finding, a patrol or a weekly log's review);
//! the caller's grid scope is checked against that record; core judges the typed change against
//! it in one call, at the hub's time; the hub applies the outcome. Store-independent, so a
//! PostgreSQL store would call the same function; it returns what to write and writes nothing.
//!
//! What the hub derives rather than trusts: the time it accepted the event (stamped by the store),
//! and a finding's clock: a report carries no due time; a first dispatch starts the clock at the
//! accepted time with its `due_at` from the hub's own category and holiday tables, and a resumption
//! pushes `due_at` by the suspension (core's [`change::derived_move`]). A liaison's scope is their
//! unit: a finding is in scope by its grid or by the unit it is dispatched to. The payload it stores and hands to devices is the
//! decoded one with those derived values, so every device folds the same record.

use chrono::{DateTime, Utc};
use gridpatrol_core::change::{self, Bounds, Change, Current, Outcome, Target};
use gridpatrol_core::model::{Finding, Patrol};
use gridpatrol_core::photo::HeldPhoto;
use gridpatrol_core::remote::Reference;
use gridpatrol_core::review::LogReview;
use gridpatrol_sync::wire::WireEvent;

use crate::auth::Principal;
use crate::error::{HubError, Result};

/// An accepted event's effect: the record after it, the grid it belongs to (what pull scopes by),
/// and the payload to store and redistribute (as JSON text) when the hub derived part of it.
#[derive(Debug, Clone)]
pub struct Effect {
    pub grid: String,
    pub outcome: Outcome,
    pub payload: Option<String>,
}

/// The record a change touches, as the hub holds it.
#[derive(Debug, Clone)]
pub enum Loaded {
    Finding(Option<Finding>),
    Patrol(Option<Patrol>),
    /// A weekly log's review record and the grid its events are pulled by.
    Log(Option<(LogReview, String)>),
}

/// Where the rules read the current state from: one record, loaded once per event.
pub trait Records {
    fn load(&mut self, target: &Target) -> Result<Loaded>;
}

pub fn judge(
    who: &Principal,
    event: &WireEvent,
    records: &mut dyn Records,
    reference: &dyn Reference,
    held_photo: &dyn Fn(&str) -> Result<Option<HeldPhoto>>,
    now: DateTime<Utc>,
) -> Result<Effect> {
    let id = event.id.as_str();
    let refuse = |e: gridpatrol_core::Error| HubError::event(id, e);
    if event.actor != who.user.name {
        return Err(HubError::event_with(
            "actor_mismatch",
            id,
            format!(
                "The event was made by {}, but the token belongs to {}.",
                change::clip(&event.actor),
                who.user.name
            ),
        ));
    }
    let decoded = change::decode(&event.to_event(), Bounds::at(now)).map_err(refuse)?;
    let loaded = records.load(&decoded.target())?;
    // The grid the event belongs to, and the caller's scope over it.
    let grid = match (&decoded.change, &loaded) {
        (Change::Reported(f), _) => f.grid.clone(),
        (Change::PatrolStarted(p), _) => {
            for g in &p.grids[1..] {
                who.scope.check(g).map_err(refuse)?;
            }
            p.grids[0].clone()
        }
        (_, Loaded::Finding(Some(f))) => f.grid.clone(),
        // A stored patrol without grids is a broken row (the decoder refuses one), never "no grid".
        (_, Loaded::Patrol(Some(p))) => p
            .grids
            .first()
            .cloned()
            .ok_or_else(|| HubError::Internal(format!("patrol {} is stored without grids", p.id)))?,
        // A log travels with the officer's first grid: the officer and the leads over that grid
        // pull it. A record keeps the grid it was first submitted under.
        (_, Loaded::Log(Some((_, grid)))) => grid.clone(),
        // A first submission is filed under the submitter's first grid; someone with none has no log.
        (Change::Log { .. }, Loaded::Log(None)) => match who.scope.grids.iter().next() {
            Some(g) => g.clone(),
            None => return Err(refuse(gridpatrol_core::Error::NoGrids { role: who.user.role.as_str().to_string() })),
        },
        // Nothing to scope: core refuses the missing record below.
        _ => String::new(),
    };
    let submitting = matches!(&decoded.change, Change::Log { step: change::LogStep::Submitted, .. });
    match &loaded {
        // A finding is in scope by its grid, or for a liaison by the unit it is dispatched to (core's
        // one rule of who acts on a case).
        Loaded::Finding(Some(f)) => who.scope.check_finding(&f.grid, f.unit.as_deref()).map_err(refuse)?,
        _ if !grid.is_empty() && !submitting => who.scope.check(&grid).map_err(refuse)?,
        _ => {}
    }
    let current = match &loaded {
        Loaded::Finding(f) => Current::Finding(f.as_ref()),
        Loaded::Patrol(p) => Current::Patrol(p.as_ref()),
        Loaded::Log(r) => Current::Log(r.as_ref().map(|(r, _)| r)),
    };
    let outcome = change::judge(&decoded, &who.user, current, reference, now).map_err(refuse)?;
    // Each photo must be held whole, and be what the event says it is (size, width, height).
    for p in decoded.photos() {
        let Some(held) = held_photo(&p.sha256)? else {
            return Err(HubError::event_with(
                "photo_missing",
                id,
                format!("Photo {} must be uploaded before the event that needs it.", p.sha256),
            ));
        };
        change::check_photo_held(p, held).map_err(refuse)?;
    }
    // A report is stored as the hub judged it, and a move with the clock the hub derived (a first
    // dispatch's start and due time, a resumption's pushed due time): every device folds the same.
    let payload = match (&decoded.change, &outcome, &loaded) {
        (Change::Reported(_), Outcome::Finding(f), _) => Some(serde_json::to_string(f).map_err(internal)?),
        (Change::Moved { change: m, .. }, Outcome::Finding(_), Loaded::Finding(Some(current))) => {
            let derived = change::derived_move(current, m, decoded.device_time, reference, now).map_err(refuse)?;
            Some(serde_json::to_string(&derived).map_err(internal)?)
        }
        _ => None,
    };
    Ok(Effect { grid, outcome, payload })
}

fn internal(e: serde_json::Error) -> HubError {
    HubError::Internal(e.to_string())
}

#[cfg(test)]
mod tests {
    //! The role × move table as the hub runs it: every (role, from, to) cell through [`judge`], the
    //! one call the push route makes, against a finding standing in `from`. The expectations are
    //! written out here independently of core's table.

    use super::*;
    use gridpatrol_core::deadline::Holidays;
    use gridpatrol_core::lifecycle::{self, Status};
    use gridpatrol_core::model::{MinorCategory, Photo, PhotoRole, Point, Role, Unit, Urgency, User};
    use gridpatrol_core::scope::Scope;
    use Status::*;

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

    const ID: &str = "019a0f6e-5c00-7000-8000-000000000002";
    const SHA: &str = "abababababababababababababababababababababababababababababababab";

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    struct OneFinding(Finding);

    impl Records for OneFinding {
        fn load(&mut self, _: &Target) -> Result<Loaded> {
            Ok(Loaded::Finding(Some(self.0.clone())))
        }
    }

    struct City;

    impl Reference for City {
        fn check_small_grid(&self, _: &str) -> gridpatrol_core::Result<()> {
            Ok(())
        }
        fn contains_point(&self, _: &str, _: Point) -> gridpatrol_core::Result<bool> {
            Ok(true)
        }
        fn minor_category(&self, code: &str) -> gridpatrol_core::Result<MinorCategory> {
            Ok(MinorCategory {
                code: code.into(),
                minor: "01".into(),
                name_zh: "上水井盖".into(),
                name_en: "water cover".into(),
                deadline: Some(gridpatrol_core::model::Deadline {
                    normal: gridpatrol_core::model::Limit::Hours(24),
                    urgent: None,
                    source: "test".into(),
                }),
                source: "test".into(),
            })
        }
        fn holidays(&self) -> gridpatrol_core::Result<Holidays> {
            Ok(Holidays::default())
        }
        fn office_hours(&self) -> gridpatrol_core::Result<gridpatrol_core::deadline::OfficeHours> {
            Ok(gridpatrol_core::deadline::OfficeHours::default())
        }
        fn unit(&self, code: &str) -> gridpatrol_core::Result<Unit> {
            match code {
                "WATER" => Ok(Unit {
                    code: code.into(),
                    name_zh: "供水公司".into(),
                    name_en: "Water".into(),
                    categories: vec![],
                }),
                _ => Err(gridpatrol_core::Error::UnknownUnit(code.into())),
            }
        }
    }

    /// A finding standing in `status`: dispatched to WATER once it is past 受理.
    fn finding(status: Status) -> Finding {
        let t = at("2026-11-25T02:00:00Z");
        let dispatched = !matches!(status, Reported | Accepted | Rejected);
        Finding {
            id: ID.into(),
            grid: "G1".into(),
            patrol: None,
            category: "10101".into(),
            description: "井盖破损".into(),
            address: String::new(),
            point: None,
            urgency: Urgency::Normal,
            responsible_unit: String::new(),
            unit: dispatched.then(|| "WATER".into()),
            dispatched_at: dispatched.then_some(t),
            deferral: None,
            deferrals: 0,
            on_the_spot: false,
            suspended_at: (status == Suspended).then_some(t),
            status,
            author: "李明".into(),
            observed_at: t,
            recorded_at: t,
            updated_at: t,
            due_at: dispatched.then(|| t + chrono::Duration::hours(24)),
            photos: vec![],
        }
    }

    fn principal(role: Role) -> Principal {
        let name = match role {
            Role::Officer => "李明",
            Role::Lead => "王建国",
            Role::Admin => "赵敏",
            Role::Liaison => "周联络",
        };
        let unit = (role == Role::Liaison).then(|| "WATER".to_string());
        let scope = match &unit {
            Some(u) => Scope::of_unit(u),
            None => Scope::everything(),
        };
        Principal { user: User { name: name.into(), role, unit }, scope }
    }

    fn moved(who: &Principal, from: Status, to: Status) -> WireEvent {
        let mut payload = serde_json::json!({"from": from, "to": to, "note": "经核实"});
        if lifecycle::is_dispatch(from, to) && from == Accepted {
            payload["unit"] = "WATER".into();
        }
        if to == Rectified {
            payload["photos"] = serde_json::to_value(vec![Photo {
                sha256: SHA.into(),
                role: PhotoRole::After,
                file: format!("{SHA}.jpg"),
                thumbnail: format!("thumbs/{SHA}.jpg"),
                bytes: 100,
                width: 4,
                height: 3,
                exif_time: None,
                exif_point: None,
            }])
            .unwrap();
        }
        WireEvent {
            id: "019a0f6e-5c00-7000-8000-0000000000a1".into(),
            entity: "finding".into(),
            entity_id: ID.into(),
            actor: who.user.name.clone(),
            kind: "finding.moved".into(),
            payload,
            device_time: at("2026-11-25T03:00:00Z"),
            hub_seq: None,
            accepted_at: None,
        }
    }

    #[test]
    fn the_hub_judges_every_cell_of_role_by_from_by_to() {
        let held = |_: &str| -> Result<Option<HeldPhoto>> { Ok(Some(HeldPhoto { bytes: 100, width: 4, height: 3 })) };
        let now = at("2026-11-25T03:00:00Z");
        let mut wrong = Vec::new();
        let mut cells = 0;
        for role in Role::ALL {
            let who = principal(role);
            for from in Status::ALL {
                for to in Status::ALL {
                    cells += 1;
                    // A case not dispatched to the liaison's unit is outside their scope before any
                    // move is looked at.
                    let want = if role == Role::Liaison && finding(from).unit.is_none() {
                        Some("out_of_scope")
                    } else if ALLOWED.contains(&(role, from, to)) {
                        None
                    } else if ALLOWED.iter().any(|&(_, f, t)| (f, t) == (from, to)) {
                        Some("move_not_allowed")
                    } else {
                        Some("illegal_move")
                    };
                    let got = judge(&who, &moved(&who, from, to), &mut OneFinding(finding(from)), &City, &held, now);
                    let got_code = match &got {
                        Ok(_) => None,
                        Err(HubError::Event { code, .. }) => Some(code.clone()),
                        Err(other) => Some(format!("{other}")),
                    };
                    if got_code.as_deref() != want {
                        wrong.push(format!("{role:?} {from}→{to}: the hub says {got_code:?}, the table {want:?}"));
                    }
                    if let (Ok(effect), None) = (&got, want) {
                        let Outcome::Finding(f) = &effect.outcome else { panic!("a move yields a finding") };
                        assert_eq!(f.status, to, "{role:?} {from}→{to}: the outcome has the new status");
                    }
                }
            }
        }
        assert_eq!(cells, 4 * 9 * 9, "every cell");
        assert!(
            wrong.is_empty(),
            "the hub disagrees with the role table in {} cells:\n{}",
            wrong.len(),
            wrong.join("\n")
        );
    }

    #[test]
    fn a_first_dispatch_is_stored_with_the_hubs_clock() {
        let held = |_: &str| -> Result<Option<HeldPhoto>> { Ok(None) };
        let who = principal(Role::Lead);
        let mut e = moved(&who, Accepted, Rectifying);
        e.payload["due_at"] = "2099-01-01T00:00:00Z".into();
        let now = at("2026-11-25T03:00:05Z");
        let effect = judge(&who, &e, &mut OneFinding(finding(Accepted)), &City, &held, now).unwrap();
        let payload: serde_json::Value =
            serde_json::from_str(&effect.payload.expect("a move is stored as the hub derived it")).unwrap();
        assert_eq!(payload["dispatched_at"], serde_json::json!(now), "the clock starts at the hub's time");
        assert_eq!(payload["due_at"], serde_json::json!(now + chrono::Duration::hours(24)), "not the device's 2099");
    }
}

//! The wire: JSON bodies the hub and the clients exchange, versioned by [`PROTOCOL`].
//!
//! A change to these types that an older peer could not read is a new protocol number; the hub
//! refuses a push whose `protocol` it does not speak with `unsupported_protocol`. Every error body
//! is [`ErrorBody`] `{code, message}`, with the refused event's id when one event is to blame.

use chrono::{DateTime, SecondsFormat, Utc};
use gridpatrol_core::model::{Event, Role, SyncState};
use gridpatrol_core::scope::Scope;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The response header every hub answer carries: the hub's epoch, a random name of its database's
/// history that changes when the hub is restored from a backup (a device that sees it change pushes
/// again what it had acknowledged).
pub const EPOCH_HEADER: &str = "gridpatrol-epoch";

/// The reference data document `GET /api/v1/reference` serves (see core's `refdata`).
pub use gridpatrol_core::refdata::Document as ReferenceDocument;

/// The protocol version this build speaks.
pub const PROTOCOL: u32 = 1;
/// Where the versioned API lives on the hub.
pub const API: &str = "/api/v1";
/// The most events one push may carry.
pub const MAX_BATCH: usize = 500;
/// The largest push body the hub reads, in bytes.
pub const MAX_PUSH_BYTES: usize = 8 * 1024 * 1024;
/// The most events one pull page returns.
pub const MAX_PULL: usize = 5000;
/// The request header that carries the device token.
pub const AUTHORIZATION: &str = "authorization";
/// The response header of `HEAD /photos/{sha256}`: bytes the hub holds so far.
pub const UPLOAD_OFFSET: &str = "upload-offset";
/// The response header of `HEAD /photos/{sha256}`: whether the photo is whole and verified.
pub const UPLOAD_COMPLETE: &str = "upload-complete";

/// One event as it travels: the core [`Event`] without the device's sync bookkeeping, plus the
/// hub's sequence number once the hub has ordered it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WireEvent {
    pub id: String,
    pub entity: String,
    pub entity_id: String,
    pub actor: String,
    #[cfg_attr(feature = "openapi", schema(value_type = schema::KindSchema))]
    pub kind: String,
    /// The change itself, shaped by `kind`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub payload: serde_json::Value,
    pub device_time: DateTime<Utc>,
    /// The hub's sequence number: absent in a push, set in a pull.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub hub_seq: Option<i64>,
    /// When the hub accepted the event, by the hub's clock: on pulled events only. A device's own
    /// times are claims the hub bounds; this one is the hub's, and deadlines count from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_at: Option<DateTime<Utc>>,
}

impl WireEvent {
    pub fn from_event(e: &Event) -> WireEvent {
        WireEvent {
            id: e.id.clone(),
            entity: e.entity.clone(),
            entity_id: e.entity_id.clone(),
            actor: e.actor.clone(),
            kind: e.kind.clone(),
            payload: e.payload.clone(),
            device_time: e.device_time,
            hub_seq: None,
            accepted_at: None,
        }
    }

    /// [`WireEvent::to_event`] without copying: a pulled page is applied once.
    pub fn into_event(self) -> Event {
        Event {
            id: self.id,
            entity: self.entity,
            entity_id: self.entity_id,
            actor: self.actor,
            kind: self.kind,
            payload: self.payload,
            device_time: self.device_time,
            sync: SyncState::Acked,
            hub_seq: self.hub_seq,
            accepted_at: self.accepted_at,
        }
    }

    /// The event as core stores it: acknowledged, with the hub's sequence number.
    pub fn to_event(&self) -> Event {
        Event {
            id: self.id.clone(),
            entity: self.entity.clone(),
            entity_id: self.entity_id.clone(),
            actor: self.actor.clone(),
            kind: self.kind.clone(),
            payload: self.payload.clone(),
            device_time: self.device_time,
            sync: SyncState::Acked,
            hub_seq: self.hub_seq,
            accepted_at: self.accepted_at,
        }
    }

    /// A digest of what the event says (not of its hub number): two events with one id and
    /// different digests are a conflict. The text digested is the JSON object of `actor`,
    /// `device_time` (to the millisecond), `entity`, `entity_id`, `kind` and `payload`, keys sorted
    /// as serde_json sorts a map's (and so the payload's objects), so it is canonical. It is written
    /// straight into the hash from borrowed fields: the hub digests every pushed event, and copying
    /// the payload into a new JSON value first was a twentieth of a push's CPU time.
    pub fn digest(&self) -> String {
        /// The fields in sorted key order; the payload's own objects are serde_json maps, sorted.
        #[derive(Serialize)]
        struct Canonical<'a> {
            actor: &'a str,
            device_time: String,
            entity: &'a str,
            entity_id: &'a str,
            kind: &'a str,
            payload: &'a serde_json::Value,
        }
        struct Hashing(Sha256);
        impl std::io::Write for Hashing {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.update(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let canonical = Canonical {
            actor: &self.actor,
            device_time: self.device_time.to_rfc3339_opts(SecondsFormat::Millis, true),
            entity: &self.entity,
            entity_id: &self.entity_id,
            kind: &self.kind,
            payload: &self.payload,
        };
        let mut hashing = Hashing(Sha256::new());
        // Strings, a JSON value and a writer that never fails: serialising cannot fail.
        serde_json::to_writer(&mut hashing, &canonical).expect("an event serialises");
        hex::encode(hashing.0.finalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The digest as it was first written (a `json!` map, written out): every digest the hub has
    /// stored was made this way, so a replay of an old event must still match.
    fn digest_of_a_map(e: &WireEvent) -> String {
        let canonical = serde_json::json!({
            "entity": e.entity,
            "entity_id": e.entity_id,
            "actor": e.actor,
            "kind": e.kind,
            "payload": e.payload,
            "device_time": e.device_time.to_rfc3339_opts(SecondsFormat::Millis, true),
        });
        hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
    }

    #[test]
    fn the_digest_is_the_digest_of_the_sorted_map_stored_digests_were_made_of() {
        let mut e = WireEvent {
            id: "019a0f6e-5c00-7000-8000-000000000001".into(),
            entity: "finding".into(),
            entity_id: "019a0f6e-5c00-7000-8000-000000000002".into(),
            actor: "李明".into(),
            kind: "finding.reported".into(),
            payload: serde_json::json!({
                "description": "井盖破损 \"引号\"\n换行", "grid": "37160200100101", "n": 1.5, "z": null,
                "photos": [{"sha256": "ab", "bytes": 12, "exif_point": {"lon": 118.05, "lat": 37.38}}], "a": [true, -3]
            }),
            device_time: "2026-11-25T02:00:00.123456Z".parse().unwrap(),
            hub_seq: Some(7),
            accepted_at: None,
        };
        assert_eq!(e.digest(), digest_of_a_map(&e), "the digest is unchanged for events already stored");
        e.payload = serde_json::json!({});
        e.actor = "x".into();
        assert_eq!(e.digest(), digest_of_a_map(&e), "the digest is unchanged for an empty payload");
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInRequest {
    pub user: String,
    pub password: String,
    /// A name for the device, shown to administrators beside its token.
    #[serde(default)]
    pub device: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInResponse {
    /// The device token: send it as `Authorization: Bearer TOKEN`. The hub keeps only its hash.
    pub token: String,
    pub user: String,
    #[cfg_attr(feature = "openapi", schema(value_type = schema::RoleSchema))]
    pub role: Role,
    /// The grid codes given to the user.
    pub grids: Vec<String>,
    /// Those codes expanded with the registry: every grid the user may act in.
    #[cfg_attr(feature = "openapi", schema(value_type = schema::ScopeSchema))]
    pub scope: Scope,
    pub protocol: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushRequest {
    pub protocol: u32,
    pub events: Vec<WireEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ack {
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub hub_seq: i64,
}

/// Every event of the batch is accepted (or was already): one ack each, in batch order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    pub acks: Vec<Ack>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    /// Events after the cursor asked for, in hub order, within the caller's scope.
    pub events: Vec<WireEvent>,
    /// The cursor to ask from next time.
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub cursor: i64,
    /// Whether more events wait after `cursor`.
    pub more: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhotoStatus {
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9a-f]{64}$"))]
    pub sha256: String,
    /// Bytes the hub holds so far: where a resumed upload starts.
    pub received: u64,
    /// Whether the photo is whole and its SHA-256 checked.
    pub complete: bool,
}

/// Every error the hub sends: a stable code, a sentence, and the event to blame when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionInfo {
    pub name: String,
    pub version: String,
    pub protocol: u32,
}

/// OpenAPI schemas of the core types the wire carries (core has no OpenAPI dependency, so they are
/// described here, from core's own values, for the hub's generated document).
#[cfg(feature = "openapi")]
pub mod schema {
    use std::borrow::Cow;

    use gridpatrol_core::model::Role;
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, Type};
    use utoipa::openapi::RefOr;
    use utoipa::{PartialSchema, ToSchema};

    /// A user's role: one of core's [`Role::ALL`], as serde spells it.
    pub struct RoleSchema;

    impl PartialSchema for RoleSchema {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(Role::ALL.iter().map(|r| r.as_str())))
                .into()
        }
    }

    impl ToSchema for RoleSchema {
        fn name() -> Cow<'static, str> {
            Cow::Borrowed("Role")
        }
    }

    /// An event's kind: one of those that travel (core's `remote::SYNCED_KINDS`); the hub refuses
    /// any other with 422 `unsupported_event`.
    pub struct KindSchema;

    impl PartialSchema for KindSchema {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(gridpatrol_core::remote::SYNCED_KINDS.iter().copied()))
                .into()
        }
    }

    impl ToSchema for KindSchema {
        fn name() -> Cow<'static, str> {
            Cow::Borrowed("EventKind")
        }
    }

    /// A grid scope (core's `Scope`): everything, or the listed grid codes.
    pub struct ScopeSchema;

    impl PartialSchema for ScopeSchema {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .property("all", ObjectBuilder::new().schema_type(Type::Boolean))
                .property(
                    "grids",
                    ArrayBuilder::new().items(ObjectBuilder::new().schema_type(Type::String)).unique_items(true),
                )
                .property("unit", ObjectBuilder::new().schema_type(Type::String))
                .into()
        }
    }

    impl ToSchema for ScopeSchema {
        fn name() -> Cow<'static, str> {
            Cow::Borrowed("Scope")
        }
    }

    /// The reference data document (core's `refdata::Document`): each part in its import file's
    /// format, checked by the device with core's loaders.
    pub struct ReferenceSchema;

    impl PartialSchema for ReferenceSchema {
        fn schema() -> RefOr<Schema> {
            let text = |d: &str| ObjectBuilder::new().schema_type(Type::String).description(Some(d));
            let object = |d: &str| ObjectBuilder::new().schema_type(Type::Object).description(Some(d));
            let user = ObjectBuilder::new()
                .property("name", ObjectBuilder::new().schema_type(Type::String))
                .required("name")
                .property("role", RoleSchema::schema())
                .required("role")
                .property("unit", text("A liaison's unit code."));
            let mut doc = ObjectBuilder::new();
            for (name, property) in [
                ("version", text("The document's version (also its ETag).")),
                ("registry", object("The grid registry: a GeoJSON FeatureCollection, as `import registry` reads.")),
                ("categories", object("The category tree and deadlines, as data/categories.json.")),
                ("units", object("The responsible units, as data/units.json.")),
                ("holidays", object("The holiday table, as data/holidays-2026.json.")),
                ("office_hours", text("Office hours, e.g. 08:30-12:00,13:30-17:30.")),
                ("patrol_rhythm", text("The patrol days, e.g. wed,sat.")),
            ] {
                doc = doc.property(name, property).required(name);
            }
            doc.property("roster", ArrayBuilder::new().items(user)).required("roster").into()
        }
    }

    impl ToSchema for ReferenceSchema {
        fn name() -> Cow<'static, str> {
            Cow::Borrowed("ReferenceDocument")
        }
    }
}

//! The API's OpenAPI 3.1 document, generated: never written by hand.
//!
//! Three sources, each the truth for its part:
//! - each handler's `#[utoipa::path]` attribute (its route, parameters, body and success), with the
//!   wire types' schemas (gridpatrol-sync's feature `openapi`);
//! - each handler's [`refusals!`] line beside it: every error status the route answers and the
//!   stable codes (`HubError::body().code`) under each, documented as an enum so a code the route did
//!   not declare fails the contract run (scripts/contract.sh, schemathesis);
//! - the hub's [`Limits`], which bound the numbers (batch size, page size, photo size) at run time.
//!
//! The router registers every handler through utoipa-axum's `routes!`, so a route is in the
//! document exactly when it is in the router (`crates/hub/tests/api.rs` keeps it so).

use std::collections::BTreeMap;

use gridpatrol_sync::wire::PROTOCOL;
use serde_json::{json, Value};
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::schema::{AdditionalProperties, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, PartialSchema, ToSchema};

use crate::Limits;

/// The error statuses of one route, each with the stable codes it carries.
pub type Refusals = &'static [(u16, &'static [&'static str])];

/// Declares what a route refuses with, beside its handler, as a type for `#[utoipa::path]`'s
/// `responses(...)`:
///
/// ```ignore
/// refusals!(PushRefusals:
///     400 => ["malformed_json", "invalid_body"],
///     401 => ["unauthorized"],
/// );
/// #[utoipa::path(post, path = "/api/v1/push", responses((status = 200, body = PushResponse), PushRefusals))]
/// ```
///
/// Adding a code or a status is one line in that list (a status listed twice has its codes merged); a
/// 429 or 503 is documented with its `retry-after` header.
/// `refusals!(head NAME: ...)` is for a HEAD route, whose answers carry no body.
#[macro_export]
macro_rules! refusals {
    (head $name:ident: $($status:literal => [$($code:literal),+ $(,)?]),+ $(,)?) => {
        $crate::refusals!(@make $name, false, $($status => [$($code),+]),+);
    };
    ($name:ident: $($status:literal => [$($code:literal),+ $(,)?]),+ $(,)?) => {
        $crate::refusals!(@make $name, true, $($status => [$($code),+]),+);
    };
    (@make $name:ident, $body:expr, $($status:literal => [$($code:literal),+]),+) => {
        /// What this route refuses with: every error status and the stable codes under it.
        pub struct $name;

        impl $name {
            pub const LIST: $crate::openapi::Refusals = &[$(($status, &[$($code),+])),+];
        }

        impl utoipa::IntoResponses for $name {
            fn responses(
            ) -> std::collections::BTreeMap<String, utoipa::openapi::RefOr<utoipa::openapi::Response>> {
                $crate::openapi::responses(Self::LIST, $body)
            }
        }
    };
}

/// The documented responses of a route's refusals: one per status, its body `{code, message,
/// event_id?}` with `code` restricted to the codes listed for that status.
pub fn responses(refusals: Refusals, with_body: bool) -> BTreeMap<String, RefOr<Response>> {
    let mut by_status: BTreeMap<u16, Vec<&'static str>> = BTreeMap::new();
    for (status, codes) in refusals {
        let list = by_status.entry(*status).or_default();
        for code in *codes {
            if !list.contains(code) {
                list.push(code);
            }
        }
    }
    by_status
        .into_iter()
        .map(|(status, codes)| {
            let reason =
                axum::http::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Error");
            let mut response = ResponseBuilder::new().description(format!("{reason}: {}", codes.join(", ")));
            if status == 429 || status == 503 {
                // HTTP's companion of "not now": how many seconds to wait before trying again.
                let seconds = ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0));
                response = response.header(
                    "retry-after",
                    HeaderBuilder::new()
                        .schema(seconds)
                        .description(Some("Seconds to wait before trying again."))
                        .build(),
                );
            }
            if with_body {
                response = response
                    .content("application/json", ContentBuilder::new().schema(Some(error_body(&codes))).build());
            }
            (status.to_string(), response.build().into())
        })
        .collect()
}

/// `ErrorBody` with its code restricted to `codes`.
fn error_body(codes: &[&'static str]) -> Schema {
    let text = |description: &str| ObjectBuilder::new().schema_type(Type::String).description(Some(description));
    ObjectBuilder::new()
        .property("code", ObjectBuilder::new().schema_type(Type::String).enum_values(Some(codes.iter().copied())))
        .required("code")
        .property("message", text("One sentence for a person, in English; show `code`'s translation instead."))
        .required("message")
        .property("event_id", text("The refused event, when one event of a push is to blame."))
        .additional_properties(Some(AdditionalProperties::FreeForm(false)))
        .into()
}

/// Bytes in any format: a photo's body.
pub struct Binary;

impl PartialSchema for Binary {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .into()
    }
}

impl ToSchema for Binary {}

/// Any JSON object: this document itself.
pub struct AnyObject;

impl PartialSchema for AnyObject {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new().schema_type(Type::Object).into()
    }
}

impl ToSchema for AnyObject {}

/// The document's frame: what it is, and the device token scheme the authenticated routes name.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Grid Patrol hub API (网格巡查中心端)",
        description = "Devices push their events and pull everyone's within their grid scope. Every error is JSON \
                       {code, message} (with event_id when one event of a push is to blame); each route lists its \
                       error statuses and the stable codes under each. Generated from the hub's code."
    ),
    modifiers(&DeviceToken)
)]
pub struct ApiDoc;

struct DeviceToken;

impl Modify for DeviceToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "deviceToken",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The device token from sign-in: 64 hex digits."))
                    .build(),
            ),
        );
    }
}

/// The finished document for a hub with `limits`: the generated paths and schemas, the protocol
/// as the API's version, and every number bounded by the limit that bounds it.
pub fn document(mut doc: utoipa::openapi::OpenApi, limits: &Limits) -> Value {
    doc.info.version = format!("protocol {}", PROTOCOL);
    let mut doc = serde_json::to_value(&doc).expect("an OpenAPI document serializes to JSON");
    let photo = "/paths/~1api~1v1~1photos~1{sha256}";
    set(&mut doc, "/components/schemas/PushRequest/properties/events/maxItems", json!(limits.max_batch));
    // A push in another protocol is refused (400 unsupported_protocol): only this one is valid.
    for bound in ["minimum", "maximum"] {
        set(&mut doc, &format!("/components/schemas/PushRequest/properties/protocol/{bound}"), json!(PROTOCOL));
    }
    for (operation, name, bound) in [
        ("/paths/~1api~1v1~1pull/get".to_string(), "limit", limits.max_pull as u64),
        (format!("{photo}/put"), "total", limits.max_photo_bytes),
        (format!("{photo}/put"), "offset", limits.max_photo_bytes),
    ] {
        let pointer = param(&doc, &operation, name, "maximum");
        set(&mut doc, &pointer, json!(bound));
    }
    set(&mut doc, "/components/schemas/PhotoStatus/properties/received/maximum", json!(limits.max_photo_bytes));
    // utoipa's attribute cannot say a body is optional without making it nullable: an upload's body may be
    // empty (see photos::upload), so it is not required.
    set(&mut doc, &format!("{photo}/put/requestBody/required"), json!(false));
    let push_body = "/paths/~1api~1v1~1push/post/requestBody/description";
    set(
        &mut doc,
        push_body,
        json!(format!(
            "At most {} events and {} bytes (413 payload_too_large beyond); protocol {} only.",
            limits.max_batch, limits.max_push_bytes, PROTOCOL
        )),
    );
    doc
}

/// The JSON pointer of `key` in the schema of `operation`'s parameter `name`.
fn param(doc: &Value, operation: &str, name: &str, key: &str) -> String {
    let index = doc
        .pointer(&format!("{operation}/parameters"))
        .and_then(Value::as_array)
        .and_then(|ps| ps.iter().position(|p| p["name"] == name))
        .unwrap_or_else(|| panic!("{operation} has a parameter {name} (its handler's attribute declares it)"));
    format!("{operation}/parameters/{index}/schema/{key}")
}

/// Sets the value at `pointer`, whose parent must exist: a bound on something the generated
/// document does not have is a mistake here, not something to add silently.
fn set(doc: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = pointer.rsplit_once('/').expect("a pointer with a parent");
    let parent = doc
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .unwrap_or_else(|| panic!("the generated document has {parent} to bound"));
    parent.insert(key.replace("~1", "/"), value);
}

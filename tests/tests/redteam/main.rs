//! The red-team suite: hostile and broken requests sent over HTTP to a real `gridpatrol-hub` process
//! on loopback, each checking the answer *and* that nothing was stored or redistributed (the hub's
//! database is read directly afterwards, and a device in scope pulls). One module per class of attack.

#[path = "../common/mod.rs"]
mod common;

mod access;
mod closed_loop;
mod events;

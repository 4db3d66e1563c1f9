//! Editing a finding's descriptive fields: who may, what is refused with nothing changed, and that
//! the edit is an event the projection replays (and search sees).

use gridpatrol_core::projection::Edit;
use gridpatrol_core::{projection, FindingQuery, MoveRequest, Role, Status, Urgency};

use super::{Env, LEAD};

fn text(description: &str) -> Edit {
    Edit { description: Some(description.into()), ..Edit::default() }
}

#[test]
fn the_author_edits_and_the_history_keeps_what_was_there() {
    let mut env = Env::sample();
    let id = env.add("井盖破损");
    let edit = Edit {
        description: Some("  井盖破损，已设围挡  ".into()),
        urgency: Some(Urgency::Urgent),
        address: Some("黄河五路 12 号".into()),
        ..Edit::default()
    };
    let edited = env.store.edit_finding(&id, edit).expect("the author edits");
    assert_eq!(edited.description, "井盖破损，已设围挡", "text is trimmed as when recorded");
    assert_eq!((edited.urgency, edited.address.as_str()), (Urgency::Urgent, "黄河五路 12 号"));
    assert_eq!(env.store.finding(&id).unwrap(), edited, "the row holds what the edit returned");
    let history = env.store.history(&id).unwrap();
    assert_eq!(history.last().unwrap().kind, projection::EDITED);
    assert_eq!(projection::replay(&history).unwrap(), edited, "the row is the replay of the events");
    let found = env.store.findings(&FindingQuery { search: Some("设围挡".into()), ..FindingQuery::default() }).unwrap();
    assert_eq!(found.len(), 1, "search sees the edited text");

    // A lead may edit an officer's finding too.
    env.act_as(LEAD, Role::Lead);
    let edited = env.store.edit_finding(&id, Edit { responsible_unit: Some("市政养护处".into()), ..Edit::default() });
    assert_eq!(edited.unwrap().description, "井盖破损，已设围挡", "fields not named stay as they were");
}

#[test]
fn bad_edits_change_nothing() {
    let mut env = Env::sample();
    let id = env.add("路灯不亮");
    env.assert_refused("an edit that changes nothing", "nothing_to_edit", |s| s.edit_finding(&id, text("路灯不亮")));
    env.assert_refused("an empty edit", "nothing_to_edit", |s| s.edit_finding(&id, Edit::default()));
    env.assert_refused("an empty description", "empty_text", |s| s.edit_finding(&id, text("   ")));
    let long = "长".repeat(2001);
    env.assert_refused("a description too long", "text_too_long", |s| s.edit_finding(&id, text(&long)));
    env.assert_refused("an unknown finding", "finding_not_found", |s| {
        s.edit_finding("0190aaaa-0000-7000-8000-00000000dead", text("x"))
    });
    env.act_as("张丽", Role::Officer);
    env.assert_refused("another officer's finding", "edit_not_allowed", |s| s.edit_finding(&id, text("改掉")));
    env.act_as(LEAD, Role::Lead);
    for to in [Status::Rejected] {
        env.store
            .move_finding(MoveRequest { unit: None, id: id.clone(), to, note: "不属实".into(), photos: vec![] })
            .unwrap();
    }
    env.assert_refused("a rejected finding", "finding_closed", |s| s.edit_finding(&id, text("再改")));
}

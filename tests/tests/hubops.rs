//! Operating a hub, against real processes: the administration commands run by a second
//! `gridpatrol-hub` process on the data folder a hub is serving (SQLite WAL) and take effect on the
//! next request; a backup taken while clients push restores into a fresh folder whose hub holds
//! every event and photo acknowledged before the backup began; and a device that is ahead of a
//! restored hub pushes again what the hub lost, without duplicating anything.

mod common;

use std::process::Output;

use common::{http, Client, Hub, GRID_A};
use serde_json::Value;

const GRID_B: &str = "37160200100102";

fn admin_ok(hub: &Hub, args: &[&str], stdin: &str) -> String {
    let out = hub.admin(args, stdin);
    assert!(out.status.success(), "gridpatrol-hub {args:?} while serving: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

#[test]
fn user_administration_while_the_hub_serves_takes_effect_on_the_next_request() {
    let hub = Hub::start();
    let li = hub.token("李明", "officer-sample", "laptop");
    assert_eq!(hub.pull(&li, 0).0, 200, "the token works before any change");

    // Disable: the token and sign-in are refused with a clear code, the data stays.
    let officer = Client::new(&hub.url(), "李明", "officer-sample");
    officer.add("停用前的发现");
    officer.sync_until_clean(3);
    admin_ok(&hub, &["user", "disable", "李明"], "");
    let (status, body) = hub.pull(&li, 0);
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("user_disabled")),
        "a disabled user's token is refused at once"
    );
    let (status, _, body) = hub.sign_in("李明", "officer-sample", "another");
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("user_disabled")),
        "a disabled user's sign-in is refused by name"
    );
    let (status, _, body) = hub.sign_in("李明", "wrong-password", "another");
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("bad_credentials")),
        "without the password nobody learns the user is disabled"
    );
    let out = officer.run(&["sync", "--json"]);
    assert!(!out.status.success(), "a disabled user's device cannot sync");
    assert_eq!(hub.reported(), 1, "disabling keeps the user's data");
    admin_ok(&hub, &["user", "enable", "李明"], "");
    assert_eq!(hub.pull(&li, 0).0, 200, "enabled again, the same device works on its next request");

    // Grids: 张丽 sees 李明's finding in GRID_A, then not once she is moved to GRID_B.
    let zhang = hub.token("张丽", "officer-sample", "zhang-laptop");
    let (_, page) = hub.pull(&zhang, 0);
    assert_eq!(page["events"].as_array().unwrap().len(), 1, "张丽 sees her grid's finding");
    admin_ok(&hub, &["user", "grids", "张丽", GRID_B], "");
    let (_, page) = hub.pull(&zhang, 0);
    assert_eq!(
        page["events"].as_array().unwrap().len(),
        0,
        "moved to another grid, 张丽's next pull has her new scope"
    );

    // Role: a lead over the large grid sees the finding again.
    admin_ok(&hub, &["user", "role", "张丽", "lead", "--grids", "371602001"], "");
    let (_, page) = hub.pull(&zhang, 0);
    assert_eq!(page["events"].as_array().unwrap().len(), 1, "made a lead, 张丽's next pull has the large grid's scope");

    // Password: every token is revoked, the new password signs in, the old one does not.
    admin_ok(&hub, &["user", "password", "李明", "--password-stdin"], "a-brand-new-password\n");
    assert_eq!(hub.pull(&li, 0).0, 401, "a password reset revokes the user's tokens at once");
    assert_eq!(hub.sign_in("李明", "officer-sample", "x").0, 401, "the old password is refused");
    assert_eq!(hub.sign_in("李明", "a-brand-new-password", "x").0, 200, "the new password signs in");

    // Sessions: listed per device and revoked one at a time.
    let sessions: Value = serde_json::from_str(&admin_ok(&hub, &["user", "sessions", "张丽", "--json"], "")).unwrap();
    let id = sessions[0]["id"].as_str().unwrap().to_string();
    admin_ok(&hub, &["user", "revoke", "张丽", "--session", &id], "");
    assert_eq!(hub.pull(&zhang, 0).0, 401, "a revoked session is refused on its next request");

    let audit: Value = serde_json::from_str(&admin_ok(&hub, &["audit", "--json"], "")).unwrap();
    let actions: Vec<&str> = audit.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for action in ["user.disable", "user.enable", "user.grids", "user.role", "user.password", "user.revoke"] {
        assert!(actions.contains(&action), "the audit trail records {action}: {actions:?}");
    }
    let refused = hub.admin(&["user", "disable", "无此人"], "");
    assert!(
        stderr(&refused).contains("unknown_user"),
        "an unknown user is refused while serving: {}",
        stderr(&refused)
    );
    let _ = http();
    let _ = GRID_A;
}

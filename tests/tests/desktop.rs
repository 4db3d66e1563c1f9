//! The desktop app's real window under Xvfb, driven over WebDriver (tauri-driver → WebKitWebDriver):
//! what an officer does on a patrol day, and that it survives a restart; the review loop between an
//! officer's and a lead's app through a hub; and every screen at 1366×768 and 1280×720 in both
//! languages, photographed and checked for content that leaves its card.
//!
//! Needs the app built with its UI (`scripts/test.sh` does it: `npm --prefix ui run build`, then
//! `cargo build -p gridpatrol-desktop`), `tauri-driver` on PATH or in ~/.cargo/bin, and Xvfb. The
//! processes come from the shared harness (`common`, its `window` part). Screenshots go to
//! `target/e2e-screenshots/`.

mod common;

use std::time::{Duration, Instant};

use common::window::{one_window, photo, photo_taken_at, App, Desk, ENTER, WAIT};
use common::{cli, Client, Hub};

const DESCRIPTION: &str = "黄河五路井盖破损，端到端测试";

#[tokio::test(flavor = "current_thread")]
async fn an_officer_patrols_records_finds_and_restarts() {
    let _one = one_window();
    let tmp = tempfile::tempdir().expect("temp dir");
    let desk = Desk::start(&tmp.path().join("home"));
    let data = tmp.path().join("data");
    let photo = photo(tmp.path());

    // First start: skip with the sample officer; the sample registry is loaded on the way.
    eprintln!("e2e: launching on {}, driver port {}", desk.display, desk.port);
    let app = desk.launch(&data).await;
    app.testid("first-start").await;
    eprintln!("e2e: first start shown");
    app.shot("01-first-start").await;
    app.click("skip-sample").await;

    // Today: start a patrol over my grids.
    app.click("patrol-start").await;
    app.testid("patrol-end").await;
    app.wait_text("李明").await;
    // The sync area says what waits as soon as it waits: the patrol's start, and nothing else.
    app.wait_text("离线，1 项更改待同步").await;
    app.shot("02-today-patrol").await;

    // Record a finding with a photo.
    app.click("new-finding").await;
    let category = app.testid("finding-category").await;
    category.send_keys("10101").await.unwrap();
    category.send_keys(ENTER).await.unwrap();
    app.testid("finding-description").await.send_keys(DESCRIPTION).await.unwrap();
    app.testid("finding-photos-input").await.send_keys(photo.to_str().unwrap()).await.unwrap();
    app.el(".thumbs img").await;
    app.shot("03-record").await;
    app.click("finding-save").await;
    app.testid("finding-saved").await;

    // Bad input: no description. The reason shows beside the field; what was typed stays.
    let category = app.testid("finding-category").await;
    category.send_keys("20102").await.unwrap();
    category.send_keys(ENTER).await.unwrap();
    app.testid("finding-address").await.send_keys("渤海七路").await.unwrap();
    app.click("finding-save").await;
    let error = app.testid("error-description").await.text().await.unwrap();
    assert!(error.contains("不能为空"), "an empty description is refused in Chinese: {error}");
    let address = app.testid("finding-address").await.prop("value").await.unwrap().unwrap_or_default();
    assert_eq!(address, "渤海七路", "nothing typed is lost when a field is refused");
    app.shot("04-refused").await;

    // The list finds it, also by a Chinese search.
    app.click("nav-findings").await;
    app.testid("finding-list").await;
    app.wait_text(DESCRIPTION).await;
    app.testid("filter-search").await.send_keys("井盖").await.unwrap();
    app.wait_text(DESCRIPTION).await;
    app.shot("05-list").await;
    app.el("[data-testid=\"finding-row\"]").await.click().await.unwrap();
    app.testid("finding-detail").await;
    app.testid("detail-photo").await;
    app.wait_script("the photo's thumbnail loads from the photo: protocol", "const i = document.querySelector('[data-testid=\"detail-photo\"] img, img[data-testid=\"detail-photo\"]'); return !!i && i.complete && i.naturalWidth > 0;").await;
    app.shot("06-detail").await;

    // The map shows the grid with one open finding, and lists it.
    app.click("nav-map").await;
    app.testid("grid-map").await;
    let cell = app.el("[data-testid=\"map-grid\"][data-code=\"37160200100101\"]").await;
    let class = cell.attr("class").await.unwrap().unwrap_or_default();
    assert!(!class.contains("b0"), "the grid with an open finding is coloured: {class}");
    cell.click().await.unwrap();
    app.testid("map-finding").await;
    let listed = app.inner_text("[data-testid=\"map-finding\"]").await;
    assert!(listed.contains("井盖破损"), "clicking the grid lists its findings: {listed}");
    app.shot("07-map").await;

    // English and back.
    app.click("lang-switch").await;
    app.wait_text("Findings").await;
    app.shot("08-english").await;
    app.click("lang-switch").await;
    app.wait_text("问题列表").await;
    app.quit().await;

    // Restart on the same data folder: no first start, the finding and the language are still there.
    let app = desk.launch(&data).await;
    app.click("nav-findings").await;
    app.wait_text(DESCRIPTION).await;
    app.wait_text("问题列表").await;
    app.shot("09-after-restart").await;
    app.quit().await;
}

#[tokio::test(flavor = "current_thread")]
async fn the_officers_app_syncs_with_a_hub_and_receives_the_leads_move() {
    let _one = one_window();
    let hub = Hub::start();
    let tmp = tempfile::tempdir().expect("temp dir");
    let desk = Desk::start(&tmp.path().join("home"));
    let data = tmp.path().join("data");

    let app = desk.launch(&data).await;
    app.click("skip-sample").await;
    app.testid("patrol-start").await;
    assert_eq!(
        app.testid("sync-status").await.attr("data-online").await.unwrap().as_deref(),
        Some("false"),
        "not signed in: offline"
    );

    // Sign in to the hub from the sync area's settings.
    app.sign_in_to_hub(&hub.url(), "李明", "officer-sample").await;

    // Record a finding: it reaches the hub by itself, shortly after.
    app.click("new-finding").await;
    app.testid("finding-grid").await.select_by_value("37160200100101").await.unwrap();
    let category = app.testid("finding-category").await;
    category.send_keys("20504").await.unwrap();
    category.send_keys(ENTER).await.unwrap();
    app.testid("finding-description").await.send_keys("渤海七路店外经营，同步测试").await.unwrap();
    app.click("finding-save").await;
    app.testid("finding-saved").await;
    let deadline = Instant::now() + WAIT;
    while hub.entity_ids("finding.reported").is_empty() {
        assert!(Instant::now() < deadline, "the finding should reach the hub without anyone pressing a button");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ids = hub.entity_ids("finding.reported");
    assert_eq!(ids.len(), 1, "the finding is at the hub exactly once");
    app.click("nav-today").await;
    app.wait_text("已全部同步").await;
    app.shot("10-synced").await;

    // The lead accepts it on another device and syncs.
    let lead = Client::new(&hub.url(), "王建国", "lead-sample");
    lead.ok(&["sync"]);
    lead.ok(&["finding", "move", &ids[0], "accepted", "--note", "已受理，派遣中"]);
    lead.ok(&["sync"]);

    // The officer's app pulls the move.
    app.click("sync-now").await;
    app.click("nav-findings").await;
    app.wait_text("已受理").await;
    app.shot("11-lead-move-arrived").await;
    app.quit().await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_team_lead_accepts_a_finding_from_its_detail_view() {
    let _one = one_window();
    let tmp = tempfile::tempdir().expect("temp dir");
    let desk = Desk::start(&tmp.path().join("home"));
    let app = desk.launch(&tmp.path().join("data")).await;

    // First start as someone new: load the sample registry, then name and role.
    app.first_start_as_lead("王建国").await;

    app.click("new-finding").await;
    app.testid("finding-grid").await.select_by_value("37160200100103").await.unwrap();
    let category = app.testid("finding-category").await;
    category.send_keys("10118").await.unwrap();
    category.send_keys(ENTER).await.unwrap();
    app.testid("finding-description").await.send_keys("黄河五路路灯不亮，组长自查").await.unwrap();
    app.click("finding-save").await;
    app.testid("finding-saved").await;

    // A lead's Today is the lead's queue: the new report waits to be accepted (待受理), and its card
    // opens exactly the findings it counts, within the lead's grids.
    app.click("nav-today").await;
    app.testid("lead-queue").await;
    let card = |key: &str| format!("[data-testid=\"queue-{key}\"] .n");
    app.wait_script(
        "the queue to count the new report",
        "return (document.querySelector('[data-testid=\"queue-reported\"] .n')?.innerText || '') === '1';",
    )
    .await;
    assert_eq!(app.inner_text(&card("accepted")).await.trim(), "0", "nothing accepted yet (待派遣)");
    assert!(app.inner_text("[data-testid=\"queue-reported\"]").await.contains("待受理"), "the card says 待受理");
    app.shot("12a-lead-queue").await;
    app.click("queue-reported").await;
    app.wait_script(
        "the Findings list of what the card counted",
        "return (document.querySelector('[data-testid=\"finding-count\"]')?.innerText || '') === '共 1 条';",
    )
    .await;
    let scope = app.inner_text("[data-testid=\"filter-scope\"]").await;
    assert!(scope.contains("只看我的网格"), "the list says it is the lead's grids: {scope}");
    app.shot("12b-lead-queue-opened").await;

    // The detail view offers the lead's moves; accepting records the move and its note.
    app.el("[data-testid=\"finding-row\"]").await.click().await.unwrap();
    app.testid("finding-detail").await;
    assert!(app.inner_text("[data-testid=\"detail-status\"]").await.contains("已上报"), "a new finding is reported");
    app.click("move-accepted").await;
    app.testid("move-note").await.send_keys("受理，派遣市政养护").await.unwrap();
    app.click("move-confirm").await;
    app.wait_script(
        "the status to become 已受理",
        "return (document.querySelector('[data-testid=\"detail-status\"]')?.innerText || '').includes('已受理');",
    )
    .await;
    let history = app.inner_text("[data-testid=\"detail-history\"]").await;
    assert!(history.contains("受理，派遣市政养护"), "the history shows the move with its note: {history}");
    app.shot("12-lead-accepted").await;
    // Accepted, it leaves 待受理 and waits to be dispatched (待派遣).
    app.click("nav-today").await;
    app.wait_script(
        "the queue to move the case to 待派遣",
        "return (document.querySelector('[data-testid=\"queue-accepted\"] .n')?.innerText || '') === '1' \
         && (document.querySelector('[data-testid=\"queue-reported\"] .n')?.innerText || '') === '0';",
    )
    .await;
    app.click("queue-accepted").await;
    app.el("[data-testid=\"finding-row\"]").await.click().await.unwrap();
    app.testid("finding-detail").await;

    // The lead corrects the description; the history keeps what it said before.
    app.click("finding-edit").await;
    let text = app.testid("edit-description").await;
    text.clear().await.unwrap();
    text.send_keys("黄河五路路灯不亮，灯杆编号 HH-0312").await.unwrap();
    app.click("edit-save").await;
    app.wait_script(
        "the edit to show in the history",
        "return (document.querySelector('[data-testid=\"detail-history\"]')?.innerText || '').includes('HH-0312');",
    )
    .await;
    let detail = app.inner_text("[data-testid=\"finding-detail\"]").await;
    assert!(detail.contains("灯杆编号 HH-0312"), "the detail shows the new description: {detail}");
    app.shot("13-lead-edited").await;

    // The lead's dashboard: this large grid's weeks, its small grids on the map, the overdue list.
    app.click("nav-dashboard").await;
    app.testid("dashboard-chart").await;
    app.testid("dashboard-measures").await;
    app.testid("dashboard-overdue").await;
    let grids = app
        .client
        .execute("return document.querySelectorAll('[data-testid=\"dashboard-map-grid\"]').length;", vec![])
        .await
        .unwrap();
    assert!(grids.as_u64().unwrap_or(0) >= 10, "the large grid's small grids are drawn: {grids}");
    let selected = app.inner_text("[data-testid=\"dashboard-grid\"] option:checked").await;
    assert!(selected.contains("黄河"), "the lead's own large grid is chosen: {selected}");
    app.shot("14-lead-dashboard").await;
    app.quit().await;
}

/// Whether the opened log's review badge says `state` (submitted, approved, returned).
fn log_state_is(state: &str) -> String {
    format!("return document.querySelector('[data-testid=\"log-state\"]')?.dataset.state === '{state}';")
}

#[tokio::test(flavor = "current_thread")]
async fn a_weekly_log_comes_back_with_the_leads_comment_and_is_then_approved() {
    let _one = one_window();
    let hub = Hub::start();
    let tmp = tempfile::tempdir().expect("temp dir");
    let desk = Desk::start(&tmp.path().join("home"));
    let (officer, lead) = (tmp.path().join("officer"), tmp.path().join("lead"));
    let week = gridpatrol_core::calendar::IsoWeek::of(chrono::Utc::now()).to_string();
    let week_row = format!("log-week-{week}");
    let queue_item = format!("queue-item-李明-{week}");
    let queued = format!("return !!document.querySelector('[data-testid=\"{queue_item}\"]');");
    let comment = "周六的巡查没有记录网格，请补充";

    // The officer submits this week's log; it reaches the hub by itself.
    let app = desk.launch(&officer).await;
    app.click("skip-sample").await;
    app.testid("patrol-start").await;
    app.sign_in_to_hub(&hub.url(), "李明", "officer-sample").await;
    // A finding with a photo this week: the lead will open the log with it.
    app.click("new-finding").await;
    app.testid("finding-grid").await.select_by_value("37160200100101").await.unwrap();
    let category = app.testid("finding-category").await;
    category.send_keys("10101").await.unwrap();
    category.send_keys(ENTER).await.unwrap();
    app.testid("finding-description").await.send_keys("黄河二路井盖破损，周志").await.unwrap();
    let picture = photo(tmp.path());
    app.testid("finding-photos-input").await.send_keys(picture.to_str().unwrap()).await.unwrap();
    app.el(".thumbs img").await;
    app.click("finding-save").await;
    app.testid("finding-saved").await;
    app.click("nav-logs").await;
    app.click_row(&week_row).await;
    app.testid("log-view").await;
    app.click("log-submit").await;
    app.wait_script("the log to be submitted", &log_state_is("submitted")).await;
    app.wait_for_hub(&hub, "log.submitted", 1).await;
    app.quit().await;

    // The lead, on another laptop, finds it in the review queue and returns it with a comment.
    let app = desk.launch(&lead).await;
    app.first_start_as_lead("王建国").await;
    app.sign_in_to_hub(&hub.url(), "王建国", "lead-sample").await;
    app.sync_until("the officer's submitted log", &queued).await;
    app.shot("20-review-queue").await;
    app.click_row(&queue_item).await;
    // The log opens with the officer's finding and its photo, fetched from the hub after the pull.
    app.wait_text("黄河二路井盖破损").await;
    app.wait_script(
        "the finding's photo to show in the log",
        "const img = document.querySelector('[data-testid=\"log-photo\"]'); return !!img && img.complete && img.naturalWidth > 0;",
    )
    .await;
    app.shot("20b-lead-opens-log").await;
    // The figures the officer submitted came through the hub with the submission.
    app.testid("log-figures-as-submitted").await;
    let findings = app.inner_text("[data-testid=\"log-fig-findings\"]").await;
    assert_eq!(findings.trim(), "1", "the lead reviews the figures as submitted (one finding)");
    app.testid("review-comment").await.send_keys(comment).await.unwrap();
    app.click("review-return").await;
    app.wait_script("the queue to empty", "return !!document.querySelector('[data-testid=\"queue-empty\"]');").await;
    app.wait_for_hub(&hub, "log.returned", 1).await;
    app.quit().await;

    // The officer sees it come back with the comment, answers and submits again.
    let app = desk.launch(&officer).await;
    app.click("nav-logs").await;
    app.click_row(&week_row).await;
    app.sync_until("the lead's return", &log_state_is("returned")).await;
    let shown = app.inner_text("[data-testid=\"log-comment\"]").await;
    assert!(shown.contains(comment), "the lead's comment is shown to the officer: {shown}");
    assert!(app.inner_text("[data-testid=\"log-state\"]").await.contains("已退回"));
    app.shot("21-log-returned").await;
    // Submitting again without a reply is refused beside the field; with one it goes.
    app.click("log-submit").await;
    app.testid("error-reply").await;
    app.testid("log-reply").await.send_keys("已补记周六巡查的网格").await.unwrap();
    app.click("log-submit").await;
    app.wait_script("the log to be submitted again", &log_state_is("submitted")).await;
    app.wait_for_hub(&hub, "log.submitted", 2).await;
    app.quit().await;

    // The lead approves it with A, then Enter on the question that an approval is final.
    let app = desk.launch(&lead).await;
    app.testid("patrol-start").await;
    app.sync_until("the resubmitted log", &queued).await;
    app.click_row(&queue_item).await;
    app.testid("log-officer-reply").await;
    let reply = app.inner_text("[data-testid=\"log-officer-reply\"]").await;
    assert!(reply.contains("已补记"), "the lead reads the officer's reply: {reply}");
    app.testid("review-approve").await;
    // "A" asks: a real key press, with no text field focused; nothing is approved yet.
    app.client.execute("document.activeElement?.blur();", vec![]).await.unwrap();
    app.press('a').await;
    app.testid("approve-confirm").await;
    app.shot("22a-approve-confirm").await;
    assert!(hub.entity_ids("log.approved").is_empty(), "one key alone approves nothing");
    // Enter on the focused confirm button approves; the log moves to the reviewed list.
    app.press('\u{E007}').await;
    app.wait_for_hub(&hub, "log.approved", 1).await;
    app.testid(&format!("reviewed-item-李明-{week}")).await;
    app.quit().await;

    // And the officer sees the approval after sync.
    let app = desk.launch(&officer).await;
    app.click("nav-logs").await;
    app.click_row(&week_row).await;
    app.sync_until("the lead's approval", &log_state_is("approved")).await;
    assert!(app.inner_text("[data-testid=\"log-state\"]").await.contains("已通过"));
    app.shot("22-log-approved").await;
    app.quit().await;
}

/// Waits up to `limit` until a script returns true (for what takes longer than [`WAIT`] by design:
/// the sync task's probe, the form's clock).
async fn wait_long(app: &App, limit: Duration, what: &str, script: &str) {
    let deadline = Instant::now() + limit;
    loop {
        let value = app.client.execute(script, vec![]).await.expect("script runs");
        if value.as_bool() == Some(true) {
            return;
        }
        if Instant::now() > deadline {
            app.shot("timeout").await;
            panic!("timed out after {limit:?} waiting for {what}; the window shows:\n{}", app.body_text().await);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// How many photos the open finding's detail shows.
async fn detail_photos(app: &App) -> u64 {
    app.testid("finding-detail").await;
    app.testid("detail-photo").await;
    let n =
        app.client.execute("return document.querySelectorAll('[data-testid=\"detail-photo\"]').length;", vec![]).await;
    n.expect("count the photos").as_u64().unwrap_or(0)
}

/// Opens the finding the form's ✓ banner names.
async fn open_saved(app: &App) {
    app.el("[data-testid=\"finding-saved\"] button").await.click().await.expect("open the saved finding");
    app.testid("finding-detail").await;
}

/// Whether a toast saying `text` is up.
fn toast_says(text: &str) -> String {
    format!(
        "return [...document.querySelectorAll('[data-testid=\"toast\"]')].some((t) => t.innerText.includes('{text}'));"
    )
}

/// Issue 15 as a new officer meets it, in two sessions on one store: a photo survives a refused save
/// (item 1), a restart (item 3) and an EXIF time a day old does not replace the time the form showed
/// (item 2); a refused save takes the last success's banner and toast away (item 4); a wrong password
/// says so (item 5); the sync area notices the hub going and coming back (item 6); the date filters
/// are text fields in the app's language that refuse a from after until (item 8).
#[tokio::test(flavor = "current_thread")]
async fn a_new_officer_finds_the_form_the_sync_area_and_the_filters_truthful() {
    let _one = one_window();
    let mut hub = Hub::start();
    let tmp = tempfile::tempdir().expect("temp dir");
    let desk = Desk::start(&tmp.path().join("home"));
    let data = tmp.path().join("data");
    let pictures = tmp.path().join("pictures");
    std::fs::create_dir_all(&pictures).unwrap();
    let picture = photo(&pictures);
    // A day before now, on the camera's (Beijing) clock.
    let yesterday =
        (chrono::Utc::now() - chrono::Duration::days(1) + chrono::Duration::hours(8)).format("%Y:%m:%d %H:%M:%S");
    let old_photo = photo_taken_at(&pictures, &yesterday.to_string());

    let app = desk.launch(&data).await;
    app.click("skip-sample").await;
    app.testid("patrol-start").await;

    // Item 5: a wrong password against a real hub says so in words.
    app.click("hub-settings").await;
    let field = app.testid("hub-url").await;
    field.clear().await.unwrap();
    field.send_keys(&hub.url()).await.unwrap();
    app.testid("hub-user").await.send_keys("李明").await.unwrap();
    app.testid("hub-password").await.send_keys("not-the-password").await.unwrap();
    app.click("hub-sign-in").await;
    let refused = app.testid("error-hub").await.text().await.unwrap();
    assert!(refused.contains("用户名或密码不正确"), "the hub's bad_credentials in words: {refused}");
    assert!(!app.body_text().await.contains("出现了意外错误"), "a wrong password is not an unexpected error");
    app.shot("30-wrong-password").await;
    let password = app.testid("hub-password").await;
    password.clear().await.unwrap();
    password.send_keys("officer-sample").await.unwrap();
    app.click("hub-sign-in").await;
    let online = |yes: bool| {
        format!("return document.querySelector('[data-testid=\"sync-status\"]')?.dataset.online === '{yes}';")
    };
    app.wait_script("the app to be online", &online(true)).await;

    // Item 6: the hub stops; the sync area says offline within seconds, and "sync now" says why.
    hub.kill();
    wait_long(&app, Duration::from_secs(30), "the sync area to show offline after the hub stopped", &online(false))
        .await;
    app.shot("31-hub-gone").await;
    app.click("sync-now").await;
    let result = "const r = document.querySelector('[data-testid=\"sync-result\"]'); return !!r && r.innerText.includes(NEEDLE);";
    wait_long(
        &app,
        Duration::from_secs(30),
        "sync now to say the hub did not answer",
        &result.replace("NEEDLE", "'中心端没有响应'"),
    )
    .await;
    app.shot("32-sync-now-hub-gone").await;
    // The hub comes back on the same port: online again by itself, and "sync now" completes.
    hub.serve();
    wait_long(&app, Duration::from_secs(30), "the sync area to show online after the hub came back", &online(true))
        .await;
    app.click("sync-now").await;
    wait_long(&app, Duration::from_secs(30), "sync now to complete", &result.replace("NEEDLE", "'同步完成'")).await;
    app.shot("33-hub-back").await;

    // Item 1: a photo stays through a refused save (no category) and is saved with the fixed form.
    app.click("new-finding").await;
    app.testid("finding-grid").await.select_by_value("37160200100101").await.unwrap();
    app.testid("finding-description").await.send_keys("黄河三路井盖松动，照片保留测试").await.unwrap();
    app.testid("finding-photos-input").await.send_keys(picture.to_str().unwrap()).await.unwrap();
    app.el(".thumbs img").await;
    app.click("finding-save").await;
    let why = app.testid("error-category").await.text().await.unwrap();
    assert!(
        why.contains("问题类别不能为空"),
        "a missing category is said beside it as an empty field, not an unknown code: {why}"
    );
    let thumbs = app.client.execute("return document.querySelectorAll('.thumbs img').length;", vec![]).await.unwrap();
    assert_eq!(thumbs.as_u64(), Some(1), "the thumbnail stays after the refusal");
    assert!(!app.body_text().await.contains("无法读取这张照片"), "the attached photo is still staged");
    app.shot("34-refused-keeps-photo").await;
    let category = app.testid("finding-category").await;
    category.send_keys("10101").await.unwrap();
    category.send_keys(ENTER).await.unwrap();
    app.click("finding-save").await;
    app.testid("finding-saved").await;
    // The toast wraps a long word (a path) instead of running out of it (checked while it is up).
    app.wait_script(
        "the success toast, wrapping long words",
        "return [...document.querySelectorAll('[data-testid=\"toast\"]')].some((t) => t.innerText.includes('问题已保存') \
           && getComputedStyle(t.querySelector('.text')).overflowWrap === 'anywhere');",
    )
    .await;

    // Item 4: the next save, refused, leaves no ✓ banner and no success toast up.
    app.click("finding-save").await;
    app.wait_script("the refusal", "return !!document.querySelector('[data-testid^=\"error-\"]');").await;
    let gone = "return !document.querySelector('[data-testid=\"finding-saved\"]');";
    assert_eq!(app.client.execute(gone, vec![]).await.unwrap().as_bool(), Some(true), "no ✓ banner beside a refusal");
    assert_eq!(
        app.client.execute(&toast_says("问题已保存"), vec![]).await.unwrap().as_bool(),
        Some(false),
        "no success toast beside a refusal"
    );
    app.shot("35-refused-after-saved").await;
    // The first finding carries its one photo.
    app.click("nav-findings").await;
    app.el("[data-testid=\"finding-row\"]").await.click().await.unwrap();
    assert_eq!(detail_photos(&app).await, 1, "the finding saved after the refusal has its photo");
    app.click("detail-back").await;

    // Item 2: a photo taken a day earlier, saved untouched: the time the form showed is the time saved.
    app.click("nav-record").await;
    let category = app.testid("finding-category").await;
    category.send_keys("10118").await.unwrap();
    category.send_keys(ENTER).await.unwrap();
    app.testid("finding-description").await.send_keys("黄河三路路灯不亮，照片是昨天拍的").await.unwrap();
    app.testid("finding-photos-input").await.send_keys(old_photo.to_str().unwrap()).await.unwrap();
    app.testid("use-photo-time").await;
    // Read the form while its minute is the current one and not about to turn (it ticks every 15 s).
    wait_long(
        &app,
        Duration::from_secs(80),
        "the form to show the current minute",
        "const now = new Date(Date.now() + 8 * 3600e3); const iso = now.toISOString(); \
         return now.getUTCSeconds() < 45 && \
           document.querySelector('[data-testid=\"finding-observed-day\"]').value === iso.slice(0, 10) && \
           document.querySelector('[data-testid=\"finding-observed-clock\"]').value === iso.slice(11, 16);",
    )
    .await;
    let day = app.testid("finding-observed-day").await.prop("value").await.unwrap().unwrap_or_default();
    let clock = app.testid("finding-observed-clock").await.prop("value").await.unwrap().unwrap_or_default();
    app.shot("36-record-old-photo").await;
    app.click("finding-save").await;
    app.testid("finding-saved").await;
    open_saved(&app).await;
    let shown = app.inner_text("[data-testid=\"detail-observed\"]").await;
    let (y, m, d) = (&day[0..4], day[5..7].parse::<u32>().unwrap(), day[8..10].parse::<u32>().unwrap());
    assert_eq!(
        shown.trim(),
        format!("{y}年{m}月{d}日 {clock}"),
        "the detail's 发现时间 is what the form showed, not the photo's EXIF time"
    );
    assert_eq!(detail_photos(&app).await, 1, "with its photo");
    app.shot("37-detail-old-photo").await;
    app.click("detail-back").await;

    // Item 3: a photo and a description, then the app ends; the restored draft brings the photo back.
    app.click("nav-record").await;
    app.testid("finding-description").await.send_keys("渤海七路井盖缺失，重启前未保存").await.unwrap();
    app.testid("finding-photos-input").await.send_keys(picture.to_str().unwrap()).await.unwrap();
    app.el(".thumbs img").await;
    app.wait_script(
        "the draft to name the photo",
        "const d = JSON.parse(localStorage.getItem('gridpatrol.recordDraft') || 'null'); return !!d && d.photos?.length === 1;",
    )
    .await;
    app.quit().await;

    let app = desk.launch(&data).await;
    app.click("nav-record").await;
    let notice = app.testid("draft-restored").await;
    app.wait_script(
        "the restore notice to count the photo",
        "return (document.querySelector('[data-testid=\"draft-restored\"]')?.innerText || '').includes('1 张照片');",
    )
    .await;
    let said = notice.text().await.unwrap();
    app.el(".thumbs img").await;
    app.shot("38-draft-restored-photo").await;
    let category = app.testid("finding-category").await;
    category.send_keys("10101").await.unwrap();
    category.send_keys(ENTER).await.unwrap();
    app.click("finding-save").await;
    app.testid("finding-saved").await;
    open_saved(&app).await;
    assert!(
        app.inner_text("[data-testid=\"finding-detail\"]").await.contains("重启前未保存"),
        "the restored text was saved ({said})"
    );
    assert_eq!(detail_photos(&app).await, 1, "the restored draft's photo is on the finding");
    app.click("detail-back").await;

    // Item 8: date filters are text fields reading 不限 / Any, and a from after until is refused
    // beside the until field, in each language.
    app.click("nav-findings").await;
    app.testid("finding-list").await;
    for (lang, any, reversed) in
        [("en", "Any", "The start date is after the end date"), ("zh", "不限", "开始日期晚于结束日期")]
    {
        speak(&app, lang).await;
        for id in ["filter-from", "filter-until"] {
            let field = app.testid(id).await;
            assert_eq!(
                field.attr("type").await.unwrap().as_deref(),
                Some("text"),
                "{id} is a text field, not the system's date picker"
            );
            assert_eq!(field.attr("placeholder").await.unwrap().as_deref(), Some(any), "an empty {id} reads {any}");
        }
        app.shot(&format!("39-filters-empty-{lang}")).await;
        app.testid("filter-from").await.send_keys("2026-12-05").await.unwrap();
        app.testid("filter-until").await.send_keys("2026/12/1").await.unwrap();
        let error = app.testid("filter-until-error").await.text().await.unwrap();
        assert!(error.contains(reversed), "a from after until is refused beside the until field in {lang}: {error}");
        app.shot(&format!("39-filters-reversed-{lang}")).await;
        app.el("button.clear").await.click().await.unwrap();
        app.wait_script(
            "the filters to clear",
            "return document.querySelector('[data-testid=\"filter-from\"]').value === '';",
        )
        .await;
    }
    app.quit().await;
}

/// Switches the app to `lang` ("zh" or "en") with its own button, if it is not in it already.
async fn speak(app: &App, lang: &str) {
    let html_lang = if lang == "zh" { "zh-CN" } else { "en" };
    let now = app.client.execute("return document.documentElement.lang;", vec![]).await.expect("page language");
    if now.as_str() != Some(html_lang) {
        app.click("lang-switch").await;
        app.wait_script(
            &format!("the interface to switch to {lang}"),
            &format!("return document.documentElement.lang === '{html_lang}';"),
        )
        .await;
    }
}

/// Photographs what the window shows as `name` and notes what leaves its card or the window.
async fn look(app: &App, name: &str, problems: &mut Vec<String>) {
    // Two animation frames: the last step's layout is done before it is measured.
    let _ = app
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            vec![],
        )
        .await;
    for found in app.overflows().await {
        problems.push(format!("{name}: {found}"));
    }
    app.shot(name).await;
}

/// Every screen, at 1366×768 and at 1280×720, in Chinese and in English: a screenshot of each in
/// `target/e2e-screenshots/` (`fit-1366x768-zh-03-map.png`, …), and nothing that leaves its card,
/// the window's right edge or its bottom (a toast). Two app sessions per size: the officer's (first
/// start, a patrol, a finding, this week's log submitted), then the same store as the team lead,
/// who sees every screen including the review queue and the dashboard.
#[tokio::test(flavor = "current_thread")]
async fn every_screen_fits_1366x768_and_1280x720_in_both_languages() {
    let _one = one_window();
    let tmp = tempfile::tempdir().expect("temp dir");
    let desk = Desk::start(&tmp.path().join("home"));
    let week = gridpatrol_core::calendar::IsoWeek::of(chrono::Utc::now()).to_string();
    let mut problems = Vec::new();

    for (w, h) in [(1366, 768), (1280, 720)] {
        let size = format!("{w}x{h}");
        let data = tmp.path().join(format!("data-{size}"));

        // The officer's session: first start in both languages, then a day's work.
        let app = desk.launch(&data).await;
        let opened = app
            .client
            .execute("return [window.outerWidth, window.outerHeight, screen.availWidth, screen.availHeight];", vec![])
            .await
            .expect("window and screen size");
        let [ow, oh, sw, sh] = [0, 1, 2, 3].map(|i| opened[i].as_u64().unwrap_or(u64::MAX));
        assert!(
            ow <= sw && oh <= sh,
            "the window opens inside the screen ({ow}×{oh} on {sw}×{sh}): none of it is cut off"
        );
        app.resize(w, h).await;
        app.testid("first-start").await;
        for lang in ["zh", "en"] {
            speak(&app, lang).await;
            look(&app, &format!("fit-{size}-{lang}-01-first-start"), &mut problems).await;
        }
        speak(&app, "zh").await;
        app.click("skip-sample").await;
        app.click("patrol-start").await;
        app.testid("patrol-end").await;
        app.click("new-finding").await;
        app.testid("finding-grid").await.select_by_value("37160200100101").await.unwrap();
        let category = app.testid("finding-category").await;
        category.send_keys("10101").await.unwrap();
        category.send_keys(ENTER).await.unwrap();
        app.testid("finding-description").await.send_keys("黄河五路井盖破损，截图检查").await.unwrap();
        app.click("finding-save").await;
        app.testid("finding-saved").await;
        look(&app, &format!("fit-{size}-zh-02-record-saved"), &mut problems).await;
        app.click("nav-today").await;
        app.click("patrol-end").await;
        app.testid("patrol-end-summary").await;
        look(&app, &format!("fit-{size}-zh-02-today-end-patrol"), &mut problems).await;
        app.click("patrol-end-yes").await;
        app.testid("patrol-last-summary").await;
        app.click("nav-logs").await;
        app.click_row(&format!("log-week-{week}")).await;
        app.testid("log-view").await;
        app.click("log-submit").await;
        app.wait_script("the log to be submitted", &log_state_is("submitted")).await;
        app.quit().await;

        // The same store as the team lead 王建国: every screen, in both languages.
        cli(&data, &["init", "--user", "王建国", "--role", "lead"]);
        // More open findings in two grids, so the map shows its darker fills beside the others.
        for (grid, n) in [("37160200100105", 7), ("37160200100106", 4)] {
            for i in 0..n {
                let text = format!("路灯不亮，第{i}处");
                cli(&data, &["finding", "add", "--grid", grid, "--category", "10118", "--description", &text]);
            }
        }
        let app = desk.launch(&data).await;
        app.resize(w, h).await;
        app.testid("lead-queue").await;
        // A patrol under way, so Today and Patrols show one.
        app.click("patrol-start").await;
        app.testid("patrol-end").await;
        for lang in ["zh", "en"] {
            speak(&app, lang).await;
            let name = |n: &str| format!("fit-{size}-{lang}-{n}");
            app.click("nav-today").await;
            app.testid("lead-queue").await;
            look(&app, &name("02-today"), &mut problems).await;

            app.click("nav-map").await;
            app.el("[data-testid=\"map-grid\"][data-code=\"37160200100101\"]").await.click().await.unwrap();
            app.testid("map-finding").await;
            look(&app, &name("03-map"), &mut problems).await;

            app.click("nav-record").await;
            app.testid("finding-description").await;
            look(&app, &name("04-record"), &mut problems).await;

            app.click("nav-findings").await;
            app.testid("finding-list").await;
            app.el("[data-testid=\"finding-row\"]").await;
            look(&app, &name("05-findings"), &mut problems).await;
            app.el("[data-testid=\"finding-row\"]").await.click().await.unwrap();
            app.testid("finding-detail").await;
            look(&app, &name("06-finding-detail"), &mut problems).await;
            app.click("detail-back").await;

            app.click("nav-patrols").await;
            app.testid("patrol-entry").await;
            look(&app, &name("07-patrols"), &mut problems).await;

            app.click("nav-logs").await;
            app.testid(&format!("queue-item-李明-{week}")).await;
            look(&app, &name("08-logs-queue"), &mut problems).await;
            app.click_row(&format!("queue-item-李明-{week}")).await;
            app.testid("review-panel").await;
            look(&app, &name("09-log-detail"), &mut problems).await;
            app.click("log-back").await;

            app.click("nav-dashboard").await;
            app.testid("dashboard-chart").await;
            app.testid("dashboard-overdue").await;
            look(&app, &name("10-dashboard"), &mut problems).await;
        }
        app.quit().await;
    }
    assert!(
        problems.is_empty(),
        "every screen must fit 1366×768 and 1280×720 in both languages with nothing leaving its card \
         (screenshots in target/e2e-screenshots/fit-*):\n{}",
        problems.join("\n")
    );
}

/// Syncs from Today, then opens the finding whose description contains `text` and waits until its
/// detail view satisfies `ready` (a script): what another device sent has reached this one.
async fn open_when(app: &common::window::App, text: &str, what: &str, ready: &str) {
    let deadline = Instant::now() + common::window::WAIT;
    loop {
        app.click("nav-today").await;
        app.click("sync-now").await;
        tokio::time::sleep(Duration::from_millis(700)).await;
        app.click("nav-findings").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let open = format!(
            "const row = [...document.querySelectorAll('[data-testid=\"finding-row\"]')].find((r) => r.innerText.includes('{text}'));
             if (!row) return false; (row.querySelector('td') || row).click(); return true;"
        );
        if app.client.execute(&open, vec![]).await.expect("script runs").as_bool() == Some(true) {
            tokio::time::sleep(Duration::from_millis(500)).await;
            if app.client.execute(ready, vec![]).await.expect("script runs").as_bool() == Some(true) {
                return;
            }
        }
        if Instant::now() > deadline {
            app.shot("timeout-loop").await;
            panic!("{what} should arrive after sync; the window shows:\n{}", app.body_text().await);
        }
    }
}

fn detail_status_is(text: &str) -> String {
    format!("return (document.querySelector('[data-testid=\"detail-status\"]')?.innerText || '').includes('{text}');")
}

/// Issue 12's loop through a responsible unit: the officer reports (a device), the lead accepts and
/// dispatches it in the window to the category's unit (供水公司), the unit's liaison asks for a
/// deferral (a device), the lead approves it in the window, the liaison reports it handled with an
/// after photo, and the lead re-checks and closes it in the window.
#[tokio::test(flavor = "current_thread")]
async fn a_case_goes_round_the_loop_through_a_unit_with_a_deferral() {
    let _one = one_window();
    let hub = Hub::start();
    let tmp = tempfile::tempdir().expect("temp dir");
    let desk = Desk::start(&tmp.path().join("home"));
    let text = "上水井盖破损，派遣到单位";
    let officer = Client::new(&hub.url(), "李明", "officer-sample");
    let id = officer.add(text);
    officer.sync_until_clean(3);

    let app = desk.launch(&tmp.path().join("lead")).await;
    app.first_start_as_lead("王建国").await;
    app.sign_in_to_hub(&hub.url(), "王建国", "lead-sample").await;
    open_when(&app, text, "the officer's report", &detail_status_is("已上报")).await;
    app.click("move-accepted").await;
    app.click("move-confirm").await;
    app.wait_script("the status to become 已受理", &detail_status_is("已受理")).await;
    // 派遣: the unit select offers the category's default unit.
    app.click("move-rectifying").await;
    let unit = app
        .client
        .execute("return document.querySelector('[data-testid=\"move-unit\"]')?.value || '';", vec![])
        .await
        .unwrap();
    assert_eq!(unit.as_str(), Some("WATER"), "0101 defaults to 供水公司");
    app.shot("50-loop-dispatch-unit").await;
    app.click("move-confirm").await;
    app.wait_script("the status to become 整改中", &detail_status_is("整改中")).await;
    app.wait_for_hub(&hub, "finding.moved", 2).await;

    // The liaison of 供水公司 asks for a deferral on their device.
    let liaison = Client::new(&hub.url(), "周联络", "liaison-sample");
    liaison.sync_until_clean(3);
    let due: chrono::DateTime<chrono::Utc> =
        liaison.json(&["finding", "show", &id, "--json"])["due_at"].as_str().expect("dispatched: due").parse().unwrap();
    let until = (due + chrono::Duration::days(3)).to_rfc3339();
    liaison.ok(&["finding", "defer", &id, "--until", &until, "--reason", "管材未到货"]);
    liaison.sync_until_clean(3);

    // The lead approves it in the window.
    open_when(
        &app,
        text,
        "the deferral request",
        "return !!document.querySelector('[data-testid=\"deferral-approve\"]');",
    )
    .await;
    app.shot("51-loop-deferral-asked").await;
    app.click("deferral-approve").await;
    app.wait_for_hub(&hub, "finding.deferral_decided", 1).await;

    // The liaison reports it handled with an after photo.
    liaison.sync_until_clean(3);
    let after = photo(tmp.path());
    liaison.ok(&["finding", "move", &id, "rectified", "--note", "已更换井盖", "--photo", after.to_str().unwrap()]);
    liaison.sync_until_clean(3);

    // The lead re-checks and closes it in the window.
    open_when(&app, text, "the unit's handling", &detail_status_is("已整改")).await;
    app.click("move-closed").await;
    app.click("move-confirm").await;
    app.wait_script("the status to become 已结案", &detail_status_is("已结案")).await;
    app.wait_for_hub(&hub, "finding.moved", 4).await;
    let detail = app.inner_text("[data-testid=\"finding-detail\"]").await;
    assert!(detail.contains("供水公司"), "the detail names the unit: {detail}");
    assert!(detail.contains("已批准延期 1 次"), "and the approved deferral: {detail}");
    app.shot("52-loop-closed").await;
    app.quit().await;
}

/// 当场处置 in the window: an officer records a problem already solved, with a before and an after
/// photo, in one step; it is saved closed, never dispatched, and reaches the hub as one report.
#[tokio::test(flavor = "current_thread")]
async fn an_officer_records_a_case_solved_on_the_spot() {
    let _one = one_window();
    let hub = Hub::start();
    let tmp = tempfile::tempdir().expect("temp dir");
    let desk = Desk::start(&tmp.path().join("home"));
    let app = desk.launch(&tmp.path().join("officer")).await;
    app.click("skip-sample").await;
    app.testid("patrol-start").await;
    app.sign_in_to_hub(&hub.url(), "李明", "officer-sample").await;
    let before = photo(tmp.path());
    let after = tmp.path().join("after.jpg");
    std::fs::copy(&before, &after).unwrap();
    let status = std::process::Command::new("convert")
        .args([before.to_str().unwrap(), "-negate", after.to_str().unwrap()])
        .status()
        .expect("ImageMagick convert");
    assert!(status.success(), "an after photo unlike the before one");

    app.click("new-finding").await;
    app.testid("finding-grid").await.select_by_value("37160200100101").await.unwrap();
    let category = app.testid("finding-category").await;
    category.send_keys("0101").await.unwrap();
    category.send_keys(ENTER).await.unwrap();
    app.testid("finding-description").await.send_keys("井盖移位，已当场复位").await.unwrap();
    app.testid("finding-photos-input").await.send_keys(before.to_str().unwrap()).await.unwrap();
    app.click("finding-on-the-spot").await;
    app.testid("finding-after-photos-input").await.send_keys(after.to_str().unwrap()).await.unwrap();
    app.wait_script("both thumbnails", "return document.querySelectorAll('.thumbs img').length >= 2;").await;
    app.shot("53-on-the-spot-form").await;
    app.click("finding-save").await;
    app.testid("finding-saved").await;
    app.wait_for_hub(&hub, "finding.reported", 1).await;
    let (status, on_the_spot): (String, bool) = hub
        .db()
        .query_row("SELECT status, json_extract(body, '$.on_the_spot') FROM findings", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((status.as_str(), on_the_spot), ("closed", true), "closed at once, on the spot, at the hub");
    assert_eq!(hub.count("SELECT count(*) FROM events WHERE kind = 'finding.moved'"), 0, "one step: never dispatched");
    app.quit().await;
}

/// A signed-in device's data folder, pulled from `hub` by the CLI as `scripts/start.sh` does.
fn signed_in_folder(hub: &Hub, user: &str, password: &str) -> Client {
    let device = Client::new(&hub.url(), user, password);
    device.sync_until_clean(3);
    device
}

#[tokio::test(flavor = "current_thread")]
async fn a_newcomer_sees_the_lived_in_sample_city_labelled_as_sample() {
    let _one = one_window();
    let tmp = tempfile::tempdir().expect("temp dir");
    let hub = Hub::start();
    let out = hub.admin(&["sample"], "");
    assert!(out.status.success(), "gridpatrol-hub sample: {}", String::from_utf8_lossy(&out.stderr));
    let officer = signed_in_folder(&hub, "李明", "officer-sample");
    let lead = signed_in_folder(&hub, "王建国", "lead-sample");
    let desk = Desk::start(&tmp.path().join("home"));

    // The officer's app opens on the sample city: the label in the header on every screen, in both
    // languages, and the screens full of the weeks' work.
    let app = desk.launch(officer.dir.path()).await;
    app.resize(1366, 768).await;
    app.testid("sample-badge").await;
    let badge = app.inner_text("[data-testid=\"sample-badge\"]").await;
    assert_eq!(badge.trim(), "示例数据", "the header labels the data as sample data");
    app.wait_text("黄河第01网格").await;
    app.wait_script(
        "the app to find the hub online",
        "return document.querySelector('[data-testid=\"sync-status\"]')?.dataset.online === 'true';",
    )
    .await;
    app.shot("60-sample-officer-today").await;
    app.click("nav-map").await;
    app.testid("sample-badge").await;
    app.shot("61-sample-officer-map").await;
    app.click("nav-findings").await;
    app.wait_text("已结案").await;
    app.shot("62-sample-officer-findings").await;
    app.click("nav-logs").await;
    app.shot("63-sample-officer-logs").await;
    speak(&app, "en").await;
    assert_eq!(app.inner_text("[data-testid=\"sample-badge\"]").await.trim(), "Sample data", "and in English");
    app.click("nav-today").await;
    app.shot("64-sample-officer-today-en").await;
    speak(&app, "zh").await;
    app.quit().await;

    // The lead's app beside it has a queue to work through: every card counts cases.
    let app = desk.launch(lead.dir.path()).await;
    app.resize(1366, 768).await;
    app.testid("lead-queue").await;
    app.wait_script(
        "every card of the lead's queue to count something",
        "const ns = [...document.querySelectorAll('[data-testid=\"lead-queue\"] .n')]; \
         return ns.length >= 7 && ns.every(n => Number(n.innerText) > 0);",
    )
    .await;
    app.testid("sample-badge").await;
    app.wait_script(
        "the app to find the hub online",
        "return document.querySelector('[data-testid=\"sync-status\"]')?.dataset.online === 'true';",
    )
    .await;
    app.shot("65-sample-lead-queue").await;
    app.click("nav-dashboard").await;
    app.shot("66-sample-lead-dashboard").await;
    app.click("nav-logs").await;
    app.shot("67-sample-lead-logs").await;
    app.click("nav-map").await;
    app.shot("68-sample-lead-map").await;
    app.quit().await;
}

/// Issue 13.4: where no keyring answers and no passphrase is given, the app asks for one. On a new
/// data folder it has one chosen (typed twice) and the store it makes is encrypted; at the next
/// start it asks for that passphrase, refuses a wrong one with nothing changed, and opens with the
/// right one on what was recorded.
#[tokio::test(flavor = "current_thread")]
async fn without_a_keyring_the_app_asks_for_the_passphrase_and_the_store_is_encrypted() {
    let _one = one_window();
    let tmp = tempfile::tempdir().expect("temp dir");
    let desk = Desk::start_without_passphrase(&tmp.path().join("home"));
    let data = tmp.path().join("data");

    // A new folder: choose a passphrase. Two that differ are refused beside the second field.
    let app = desk.launch(&data).await;
    app.testid("unlock").await;
    app.wait_text("为本机数据设定口令").await;
    app.shot("70-unlock-choose").await;
    app.testid("unlock-passphrase").await.send_keys(common::PASSPHRASE).await.unwrap();
    app.testid("unlock-again").await.send_keys("另一个口令 another").await.unwrap();
    app.click("unlock-submit").await;
    let error = app.testid("unlock-error").await.text().await.unwrap();
    assert!(error.contains("两次输入的口令不一致"), "two different passphrases are refused: {error}");
    assert!(!data.join("gridpatrol.db").exists(), "a refused passphrase makes no store");
    app.testid("unlock-again").await.clear().await.unwrap();
    app.testid("unlock-again").await.send_keys(common::PASSPHRASE).await.unwrap();
    app.click("unlock-submit").await;

    // The store is open: first start, a patrol started (a write through the store).
    app.testid("first-start").await;
    app.click("skip-sample").await;
    app.click("patrol-start").await;
    app.testid("patrol-end").await;
    app.quit().await;

    // On disk: no SQLite header, not readable without the key; the passphrase reads the patrol.
    let head = std::fs::read(data.join("gridpatrol.db")).expect("the store file");
    assert!(!head.starts_with(b"SQLite format 3"), "the store is encrypted");
    let unkeyed =
        rusqlite::Connection::open_with_flags(data.join("gridpatrol.db"), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("the file opens as a file");
    assert!(
        unkeyed.query_row("SELECT count(*) FROM patrols", [], |r| r.get::<_, i64>(0)).is_err(),
        "no key, nothing read"
    );
    let keyed = common::device_db(&data, false).expect("the passphrase opens it");
    let patrols: i64 = keyed.query_row("SELECT count(*) FROM patrols", [], |r| r.get(0)).unwrap();
    assert_eq!(patrols, 1, "the patrol started in the window is in the encrypted store");
    drop(keyed);

    // The next start asks for the passphrase: a wrong one is refused and opens nothing.
    let app = desk.launch(&data).await;
    app.testid("unlock").await;
    app.wait_text("打开本机数据").await;
    app.testid("unlock-passphrase").await.send_keys("错误的口令 wrong one").await.unwrap();
    app.click("unlock-submit").await;
    let error = app.testid("unlock-error").await.text().await.unwrap();
    assert!(error.contains("打不开本机数据"), "a wrong passphrase is said so: {error}");
    app.shot("71-unlock-wrong").await;
    let passphrase = app.testid("unlock-passphrase").await;
    passphrase.clear().await.unwrap();
    passphrase.send_keys(common::PASSPHRASE).await.unwrap();
    app.click("unlock-submit").await;
    app.testid("patrol-end").await;
    app.wait_text("李明").await;
    app.shot("72-unlocked-today").await;
    app.quit().await;
}

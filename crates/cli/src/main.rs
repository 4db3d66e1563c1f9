//! `gridpatrol`: the Grid Patrol core, headless — for administrators, scripts and tests.
//!
//! Glue only: parse the command line, open the store, call core, print. Every rule is in
//! gridpatrol-core. An error is one sentence on stderr in the user's language and exit code 1
//! (2 for a malformed command line); core refuses bad input before writing, so the store is unchanged.

mod cli;
mod render;
mod report;
mod sync;
mod unlock;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use clap::Parser;
use gridpatrol_core::calendar::CITY_TZ;
use gridpatrol_core::model::{PatrolKind, Point, Role, Urgency};
use gridpatrol_core::{registry, Error, FindingQuery, Lang, MoveRequest, NewFinding, PhotoSource, Status, Store};
use serde_json::json;

use cli::{
    CategoriesCommand, Cli, Command, ConfigCommand, DeferralDecision, FindingCommand, GridsCommand, LogCommand,
    PatrolCommand, StoreCommand, UnitsCommand,
};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    let lang = pick_lang(cli.lang.as_deref());
    unlock::set_passphrase_stdin(cli.passphrase_stdin);
    if let Some(code) = sync::dispatch(&cli, lang) {
        return code;
    }
    match run(cli, lang) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", e.message(lang));
            ExitCode::from(1)
        }
    }
}

/// Help and version print as clap makes them; a malformed command line becomes one line.
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    let lang = pick_lang(lang_from_args().as_deref());
    let rendered = e.render().to_string();
    let detail = rendered.lines().next().unwrap_or("").trim_start_matches("error: ").trim();
    match lang {
        Lang::Zh => eprintln!("命令行有误：{detail}（用 gridpatrol --help 查看用法）"),
        Lang::En => eprintln!("Invalid command line: {detail} (see gridpatrol --help)"),
    }
    ExitCode::from(2)
}

fn lang_from_args() -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--lang")
        .and_then(|i| args.get(i + 1).cloned())
        .or_else(|| args.iter().find_map(|a| a.strip_prefix("--lang=").map(String::from)))
}

/// `--lang`, else `GRIDPATROL_LANG`, else the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`); Chinese by default.
fn pick_lang(flag: Option<&str>) -> Lang {
    if let Some(lang) = flag.and_then(Lang::parse) {
        return lang;
    }
    if let Some(lang) = std::env::var("GRIDPATROL_LANG").ok().as_deref().and_then(Lang::parse) {
        return lang;
    }
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.is_empty())
        .map(|v| if v == "C" || v.starts_with("C.") || v == "POSIX" { Lang::Zh } else { Lang::from_locale(&v) })
        .unwrap_or(Lang::Zh)
}

fn data_dir(flag: Option<PathBuf>) -> PathBuf {
    flag.unwrap_or_else(|| dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join(gridpatrol_core::APP_IDENTIFIER))
}

fn open(dir: &Path) -> Result<Store, Error> {
    unlock::open(dir)
}

/// Opens the store for a command that only reads: a store that refuses writes (read-only,
/// damaged, rolled back) still shows what it holds, and the person is told why it cannot record.
fn open_to_read(dir: &Path, lang: Lang) -> Result<Store, Error> {
    let store = open(dir)?;
    if let Some(refusal) = store.write_refusal() {
        eprintln!("{}", refusal.message(lang));
    }
    Ok(store)
}

pub(crate) fn print_json(value: &impl serde::Serialize) {
    // Serializing our own plain data types cannot fail.
    println!("{}", serde_json::to_string_pretty(value).expect("serializable"));
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, Error> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text.trim(), format) {
            if let Some(t) = CITY_TZ.from_local_datetime(&naive).earliest() {
                return Ok(t.with_timezone(&Utc));
            }
        }
    }
    Err(Error::InvalidTime(text.to_string()))
}

fn run(cli: Cli, lang: Lang) -> Result<(), Error> {
    let dir = data_dir(cli.data_dir);
    match cli.command {
        Command::Init(args) => {
            let role = args.role.as_deref().map(Role::parse_field).transpose()?.unwrap_or(Role::Officer);
            let db = dir.join(gridpatrol_core::store::DB_FILE);
            let fresh =
                gridpatrol_core::store::cipher::file_kind(&db)? == gridpatrol_core::store::cipher::FileKind::Absent;
            let mut store = unlock::create(&dir)?;
            if let Some(name) = args.user.as_deref() {
                store.set_profile_in_unit(name, role, args.unit.as_deref())?;
            }
            let loaded =
                if args.sample && !store.has_sample_registry()? { Some(store.import_sample_registry()?) } else { None };
            render::init(lang, &store, fresh, loaded.as_ref())?;
        }
        Command::Grids(GridsCommand::List(f)) => {
            let grids = open_to_read(&dir, lang)?.grids()?;
            if f.json {
                let rows: Vec<_> = grids
                    .iter()
                    .map(|g| json!({"code": g.code, "name": g.name, "level": g.level, "parent": g.parent, "owners": g.owners}))
                    .collect();
                print_json(&rows);
            } else {
                render::grids(lang, &grids);
            }
        }
        Command::Grids(GridsCommand::Import { file, json }) => {
            let mut store = open(&dir)?;
            if let Some(refusal) = store.write_refusal() {
                return Err(refusal);
            }
            let records = registry::read_file(&file)?;
            let summary = store.import_registry(&records, false)?;
            if json {
                print_json(&summary);
            } else {
                render::imported(lang, &summary);
            }
        }
        Command::Categories(CategoriesCommand::List(f)) => {
            let store = open_to_read(&dir, lang)?;
            let tree = store.categories()?;
            if f.json {
                print_json(&render::categories_json(&store.categories_standard()?, &tree));
            } else {
                render::categories(lang, &store.categories_standard()?, &tree);
            }
        }
        Command::Categories(CategoriesCommand::Load { file, json }) => {
            let mut store = open(&dir)?;
            let text = std::fs::read_to_string(&file)
                .map_err(|e| Error::CategoryData(format!("cannot read {}: {e}", file.display())))?;
            let tree = store.load_categories(&text)?;
            let minors: usize = tree.majors.iter().map(|m| m.minors.len()).sum();
            if json {
                print_json(&json!({"standard": tree.standard, "version": tree.version, "minors": minors}));
            } else {
                println!(
                    "{}",
                    lang.pick(
                        &format!("已载入类别树：{} {}，{} 个小类。", tree.standard, tree.version, minors),
                        &format!(
                            "Loaded the category tree {} {}: {} minor classes.",
                            tree.standard, tree.version, minors
                        )
                    )
                );
            }
        }
        Command::Patrol(PatrolCommand::Start { grids, adhoc, notes, json }) => {
            let mut store = open(&dir)?;
            let kind = if adhoc { PatrolKind::Adhoc } else { PatrolKind::Scheduled };
            let patrol = store.start_patrol(&grids, kind, &notes)?;
            if json {
                print_json(&patrol);
            } else {
                render::patrol_started(lang, &patrol);
            }
        }
        Command::Patrol(PatrolCommand::End(f)) => {
            let patrol = open(&dir)?.end_patrol()?;
            if f.json {
                print_json(&patrol);
            } else {
                render::patrol_ended(lang, &patrol);
            }
        }
        Command::Patrol(PatrolCommand::List { mine, json }) => {
            let store = open_to_read(&dir, lang)?;
            let me = if mine { Some(store.actor()?.name) } else { None };
            let patrols = store.patrols(me.as_deref())?;
            if json {
                print_json(&patrols);
            } else {
                render::patrols(lang, &patrols);
            }
        }
        Command::Finding(FindingCommand::Add(a)) => {
            let mut store = open(&dir)?;
            let point = match (a.lat, a.lon) {
                (Some(lat), Some(lon)) => Some(Point { lat, lon }),
                (None, None) => None,
                _ => return Err(Error::HalfPoint),
            };
            let new = NewFinding {
                on_the_spot: a.on_the_spot,
                after_photos: a.after_photos.into_iter().map(PhotoSource::File).collect(),
                grid: a.grid,
                category: a.category,
                description: a.description,
                address: a.address,
                point,
                urgency: Urgency::parse_field(&a.urgency)?,
                responsible_unit: String::new(),
                observed_at: a.observed_at.as_deref().map(parse_time).transpose()?,
                photos: a.photos.into_iter().map(PhotoSource::File).collect(),
            };
            let finding = store.add_finding(new)?;
            if a.json {
                print_json(&finding);
            } else {
                render::finding_added(lang, &finding);
            }
        }
        Command::Finding(FindingCommand::List(a)) => {
            let store = open_to_read(&dir, lang)?;
            let query = FindingQuery {
                grid: a.grid,
                status: a.status.as_deref().map(Status::parse_field).transpose()?,
                open_only: a.open,
                category: a.category,
                unit: a.unit,
                search: a.search,
                limit: a.limit,
                ..FindingQuery::default()
            };
            let rows = store.findings(&query)?;
            if a.json {
                print_json(&rows);
            } else {
                render::findings(lang, &rows);
            }
        }
        Command::Finding(FindingCommand::Show { id, json }) => {
            let store = open_to_read(&dir, lang)?;
            let finding = store.finding(&id)?;
            if json {
                print_json(&finding);
            } else {
                render::finding(lang, &store, &finding)?;
            }
        }
        Command::Finding(FindingCommand::Move { id, status, note, photos, unit, json }) => {
            let mut store = open(&dir)?;
            let to = Status::parse_field(&status)?;
            let finding = store.move_finding(MoveRequest {
                unit,
                id,
                to,
                note,
                photos: photos.into_iter().map(PhotoSource::File).collect(),
            })?;
            if json {
                print_json(&finding);
            } else {
                render::moved(lang, &finding);
            }
        }
        Command::Finding(FindingCommand::Defer { id, until, reason, json }) => {
            let mut store = open(&dir)?;
            let until = parse_time(&until)?;
            let finding = store.request_deferral(&id, until, &reason)?;
            if json {
                print_json(&finding);
            } else {
                render::deferral_requested(lang, &finding);
            }
        }
        Command::Finding(FindingCommand::Deferral { id, decision, note, json }) => {
            let mut store = open(&dir)?;
            let approved = decision == DeferralDecision::Approve;
            let finding = store.decide_deferral(&id, approved, &note)?;
            if json {
                print_json(&finding);
            } else {
                render::deferral_decided(lang, &finding, approved);
            }
        }
        Command::Units(UnitsCommand::List(f)) => {
            let units = open_to_read(&dir, lang)?.units()?;
            if f.json {
                print_json(&units);
            } else {
                render::units(lang, &units);
            }
        }
        Command::Log(step) => {
            let mut store = open(&dir)?;
            let (review, json) = match step {
                LogCommand::Submit { week, reply, json } => (store.submit_log(&week, &reply)?, json),
                LogCommand::Approve { officer, week, comment, json } => {
                    (store.review_log(&officer, &week, gridpatrol_core::review::Decision::Approve, &comment)?, json)
                }
                LogCommand::Return { officer, week, comment, json } => {
                    (store.review_log(&officer, &week, gridpatrol_core::review::Decision::Return, &comment)?, json)
                }
            };
            if json {
                print_json(&review);
            } else {
                render::log_review(lang, &review);
            }
        }
        Command::Finding(FindingCommand::History { id, json }) => {
            let store = open_to_read(&dir, lang)?;
            let id = store.resolve_finding_id(&id)?;
            let events = store.history(&id)?;
            if json {
                print_json(&events);
            } else {
                render::history(lang, &events);
            }
        }
        Command::Config(ConfigCommand::Show(f)) => {
            let store = open_to_read(&dir, lang)?;
            let max = store.photo_max_bytes()?;
            let days = store.patrol_rhythm()?.to_text();
            let holidays = store.holidays()?;
            let (off, workdays) = (holidays.off.len(), holidays.workdays.len());
            if f.json {
                print_json(&json!({"data_dir": dir, "photo_max_bytes": max, "patrol_days": days,
                    "holidays": {"days_off": off, "workdays": workdays, "years": holidays.years},
                    "office_hours": store.office_hours()?.to_text(),
                    "categories": store.categories_standard()?}));
            } else {
                render::config(lang, &dir, max, &days, (off, workdays));
            }
        }
        Command::Config(ConfigCommand::Set { key, value }) => {
            let mut store = open(&dir)?;
            match key.as_str() {
                "photo-max-mb" => {
                    let mb: f64 = value
                        .trim()
                        .parse()
                        .map_err(|_| Error::Setting { key: key.clone(), reason: format!("{value} is not a number") })?;
                    if !(mb.is_finite() && mb > 0.0) {
                        return Err(Error::Setting { key, reason: "must be more than 0".into() });
                    }
                    store.set_photo_max_bytes((mb * 1024.0 * 1024.0) as u64)?;
                }
                "patrol-days" => {
                    store.set_patrol_rhythm(&value)?;
                }
                "office-hours" => {
                    store.set_office_hours(&value)?;
                }
                "holidays" => {
                    let text = std::fs::read_to_string(&value).map_err(|e| Error::Setting {
                        key: key.clone(),
                        reason: format!("cannot read {value}: {e}"),
                    })?;
                    store.set_holidays(&text)?;
                }
                _ => {
                    return Err(Error::Setting {
                        key,
                        reason: "unknown setting (known: photo-max-mb, patrol-days, holidays, office-hours)".into(),
                    })
                }
            }
        }
        // Handled by sync::dispatch before run() is called.
        Command::Login(_) | Command::Sync(_) => {}
        Command::Report(cli::ReportCommand::Week(args)) => report::week(lang, &open_to_read(&dir, lang)?, &args)?,
        Command::Store(StoreCommand::Check) => {
            let store = open_to_read(&dir, lang)?;
            let problems = store.integrity_check()?;
            if let Some(first) = problems.first() {
                return Err(Error::StoreDamaged { detail: first.clone() });
            }
            println!("{}", lang.pick("数据库文件完好。", "The database file is sound."));
        }
        Command::Store(StoreCommand::Accept) => {
            Store::accept_rollback(&dir)?;
            let store = open(&dir)?;
            if let Some(refusal) = store.write_refusal() {
                return Err(refusal);
            }
            println!(
                "{}",
                lang.pick(
                    "已接受数据库的现状，本机可以继续记录。",
                    "The database is accepted as it is; this device records again."
                )
            );
        }
        Command::Status(f) => {
            let store = open_to_read(&dir, lang)?;
            let counts = store.counts()?;
            let profile = store.profile()?;
            let patrol = store.active_patrol()?;
            // The sample registry's grids are made up: whatever this store shows on them is sample data.
            let sample = store.has_sample_registry()?;
            if f.json {
                let sync_fields = sync::status_fields(&store)?;
                // A lead's, an administrator's or a liaison's queue (Today's cards), counted now.
                let queue = match profile {
                    Some(_) => match store.queue(store.now()) {
                        Ok(q) => Some(q),
                        Err(Error::QueueNotAllowed { .. }) => None,
                        Err(e) => return Err(e),
                    },
                    None => None,
                };
                print_json(&json!({
                    "data_dir": dir,
                    "sample": sample,
                    "queue": queue,
                    "profile": profile,
                    "patrol": patrol,
                    "counts": counts,
                    "pending": counts.pending_events,
                    "parked": store.parked_count()?,
                    "set_aside": store.set_aside_count()?,
                    "set_aside_events": store.set_aside_events()?,
                    "last_sync": sync_fields["last_sync"],
                    "online": sync_fields["online"],
                    "sync": sync_fields,
                }));
            } else {
                render::status(
                    lang,
                    &dir,
                    profile.as_ref(),
                    patrol.as_ref(),
                    &counts,
                    &store.set_aside_events()?,
                    sample,
                );
            }
        }
    }
    Ok(())
}

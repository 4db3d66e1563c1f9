//! Time and ids are injected: core never reads the system clock or the OS random source by itself,
//! so every test is the same every run. The binaries (CLI, desktop, hub) pass in a clock that reads
//! the real time ([`SystemClock`], defined here once); tests pass [`FixedClock`] and [`SeededIds`].

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use rand::{rngs::StdRng, RngCore, SeedableRng};
use uuid::Uuid;

/// Where core gets "now" from.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// Where core gets new ids from: UUIDv7, whose leading bits are the time the id was made.
pub trait IdSource: Send + Sync {
    fn next_id(&self, now: DateTime<Utc>) -> Uuid;
}

/// A clock for tests: stands still until it is told to move.
#[derive(Debug)]
pub struct FixedClock {
    millis: AtomicI64,
}

impl FixedClock {
    pub fn new(at: DateTime<Utc>) -> FixedClock {
        FixedClock { millis: AtomicI64::new(at.timestamp_millis()) }
    }

    pub fn advance(&self, by: Duration) {
        self.millis.fetch_add(by.num_milliseconds(), Ordering::SeqCst);
    }

    pub fn set(&self, at: DateTime<Utc>) {
        self.millis.store(at.timestamp_millis(), Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        // The stored value always came from a valid DateTime, so it converts back.
        DateTime::from_timestamp_millis(self.millis.load(Ordering::SeqCst)).expect("valid millis")
    }
}

impl<C: Clock + ?Sized> Clock for std::sync::Arc<C> {
    fn now(&self) -> DateTime<Utc> {
        (**self).now()
    }
}

/// UUIDv7 ids whose random bits come from a seeded generator: random enough for real use when
/// seeded from the OS (the binaries do that), and reproducible in tests.
pub struct SeededIds {
    rng: Mutex<StdRng>,
}

impl SeededIds {
    pub fn new(seed: u64) -> SeededIds {
        SeededIds { rng: Mutex::new(StdRng::seed_from_u64(seed)) }
    }

    /// Seeded from 32 bytes the caller took from the OS.
    pub fn from_seed(seed: [u8; 32]) -> SeededIds {
        SeededIds { rng: Mutex::new(StdRng::from_seed(seed)) }
    }
}

impl IdSource for SeededIds {
    fn next_id(&self, now: DateTime<Utc>) -> Uuid {
        let mut random = [0u8; 10];
        // A poisoned lock only means another thread panicked mid-draw; the generator is still usable.
        let mut rng = self.rng.lock().unwrap_or_else(|e| e.into_inner());
        rng.fill_bytes(&mut random);
        let millis = now.timestamp_millis().max(0) as u64;
        uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid()
    }
}

/// The real clock, what the binaries (CLI, desktop, hub) pass in. Core itself never reads it:
/// tests use [`FixedClock`].
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// UUIDv7 ids with the time passed in and the random bits from the operating system: what the
/// binaries use. Tests use [`SeededIds`] instead.
#[derive(Debug, Default)]
pub struct OsIds;

impl IdSource for OsIds {
    fn next_id(&self, now: DateTime<Utc>) -> Uuid {
        let secs = now.timestamp().max(0) as u64;
        let ts = uuid::Timestamp::from_unix(uuid::NoContext, secs, now.timestamp_subsec_nanos());
        Uuid::new_v7(ts)
    }
}

/// How far the device's clock may stand before the newest record it holds (or the hub's last
/// answer) and still be trusted: clocks of laptops and hubs that set their time automatically
/// differ by seconds; ten minutes leaves room for one that does not, and still catches a clock set
/// back by hours or a year.
pub const ALLOWED_SKEW: Duration = Duration::minutes(10);

/// How far past the hub's last answer the device's clock may run: an officer may be offline for
/// weeks, not for this long; a clock beyond it (a laptop that says 2099) is wrong, and a device that
/// really has been offline this long syncs once before recording again.
pub const MAX_AHEAD_OF_HUB: Duration = Duration::days(60);

/// The device's clock rule, in one place: a device records nothing when its clock is earlier than
/// the newest event it holds by more than [`ALLOWED_SKEW`] (`newest`), earlier than the hub's last
/// answer by as much, or later than that answer by more than [`MAX_AHEAD_OF_HUB`]. `newest` should
/// leave out events whose times the hub's answer already shows to be from a clock far ahead, so
/// that a device whose clock said 2099 can record again once the clock is right and it has synced.
pub fn check_plausible(
    now: DateTime<Utc>,
    newest: Option<DateTime<Utc>>,
    hub_answer: Option<DateTime<Utc>>,
) -> crate::Result<()> {
    let stamp = |t: DateTime<Utc>| crate::store::ts_of(t);
    if let Some(hub) = hub_answer {
        if now > hub + MAX_AHEAD_OF_HUB {
            return Err(crate::Error::ClockAhead { now: stamp(now), hub: stamp(hub) });
        }
    }
    let floor = newest.into_iter().chain(hub_answer).max();
    if let Some(floor) = floor {
        if now < floor - ALLOWED_SKEW {
            return Err(crate::Error::ClockBehind { now: stamp(now), newest: stamp(floor) });
        }
    }
    Ok(())
}

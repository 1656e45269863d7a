//! `DDSS_TIMINGS=1` prints how long each phase of a run took on stderr:
//! for finding where a slow nightly run spends its time without a profiler.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("DDSS_TIMINGS").is_some_and(|v| v != "0"))
}

/// Prints `label` and the time since `start` when timings are on.
pub fn report(label: &str, elapsed: Duration) {
    if enabled() {
        eprintln!("ddss timings: {label:<32} {:>9.3} s", elapsed.as_secs_f64());
    }
}

/// Measures a phase: prints its time when dropped.
pub struct Phase {
    label: &'static str,
    start: Instant,
}

pub fn phase(label: &'static str) -> Phase {
    Phase {
        label,
        start: Instant::now(),
    }
}

impl Drop for Phase {
    fn drop(&mut self) {
        report(self.label, self.start.elapsed());
    }
}

/// Adds up the time of a phase that runs many times (once per piece).
#[derive(Default)]
pub struct Total(Duration);

impl Total {
    pub fn time<T>(&mut self, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        self.0 += start.elapsed();
        out
    }

    pub fn report(&self, label: &str) {
        report(label, self.0);
    }
}

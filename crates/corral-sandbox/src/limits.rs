//! Resource limits of one sandboxed step, and parsing of sizes and durations.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Every resource a step may use. `None` means "no limit of this kind".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Wall clock from spawn to the end of the step.
    pub wall: Duration,
    /// CPU time of all processes of the step together.
    pub cpu: Duration,
    /// Memory (RSS + page cache + tmpfs pages; swap is not allowed).
    pub memory: u64,
    /// Processes and threads alive at once.
    pub pids: u64,
    /// Bytes kept of each of stdout and stderr; more stops the step.
    pub output: u64,
    /// Largest file a process may write (RLIMIT_FSIZE).
    pub file_size: u64,
    /// Bytes of the private tmpfs that holds /tmp, /work and /dev/shm.
    pub tmpfs: u64,
    /// Inodes of that tmpfs.
    pub inodes: u64,
    /// Open files per process (RLIMIT_NOFILE).
    pub open_files: u64,
    /// Stack of the main thread (RLIMIT_STACK).
    pub stack: u64,
    /// CPU bandwidth in thousandths of a core (1000 = one full core).
    pub cpu_millis: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            wall: Duration::from_secs(10),
            cpu: Duration::from_secs(10),
            memory: 512 << 20,
            pids: 256,
            output: 1 << 20,
            file_size: 64 << 20,
            tmpfs: 64 << 20,
            inodes: 4096,
            open_files: 256,
            stack: 8 << 20,
            cpu_millis: 1000,
        }
    }
}

/// Parses `512`, `64K`, `16M`, `2G` (binary units; a trailing `B`/`iB` is accepted).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(t);
    let (digits, shift) = match t.chars().last() {
        Some('k' | 'K') => (&t[..t.len() - 1], 10),
        Some('m' | 'M') => (&t[..t.len() - 1], 20),
        Some('g' | 'G') => (&t[..t.len() - 1], 30),
        _ => (t, 0),
    };
    let n: u64 = digits.parse().map_err(|_| {
        format!(
            "invalid size {text:?}: expected a number with an optional K, M or G suffix, e.g. 256M"
        )
    })?;
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("size {text:?} is too large"))
}

/// Parses `500ms`, `10s`, `2m` (a bare number means seconds).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let err = || format!("invalid duration {text:?}: expected a number with ms, s or m, e.g. 10s");
    let (num, unit_ms) = if let Some(n) = t.strip_suffix("ms") {
        (n, 1)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1000)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60_000)
    } else {
        (t, 1000)
    };
    let n: u64 = num.trim().parse().map_err(|_| err())?;
    let ms = n.checked_mul(unit_ms).ok_or_else(err)?;
    if ms == 0 {
        return Err(format!("duration {text:?} must be greater than zero"));
    }
    Ok(Duration::from_millis(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_use_binary_units() {
        assert_eq!(parse_size("512").unwrap(), 512);
        assert_eq!(parse_size("64K").unwrap(), 64 << 10);
        assert_eq!(parse_size("16M").unwrap(), 16 << 20);
        assert_eq!(parse_size("2G").unwrap(), 2 << 30);
        assert_eq!(parse_size("2GiB").unwrap(), 2 << 30);
        assert!(parse_size("lots").unwrap_err().contains("256M"));
        assert!(parse_size("99999999999G").is_err());
    }

    #[test]
    fn durations_accept_ms_s_m() {
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("10s").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("3").unwrap(), Duration::from_secs(3));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("soon").is_err());
    }
}

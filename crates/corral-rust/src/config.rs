//! Limits of the compile and run steps: defaults, a TOML file, `CORRAL_*` variables.
//! A request can lower them, never raise them.

use crate::request::LimitRequest;
use corral_sandbox::{Limits, parse_duration, parse_size};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepLimits {
    pub compile: Limits,
    pub run: Limits,
}

impl Default for StepLimits {
    fn default() -> Self {
        let mb = 1 << 20;
        // The compiler: a Rocket app must compile (rustc + the linker, with debug rlibs).
        let compile = Limits {
            wall: Duration::from_secs(60),
            cpu: Duration::from_secs(120),
            memory: 3 << 30,
            pids: 128,
            output: 4 * mb,
            file_size: 1 << 30,
            tmpfs: 1 << 30,
            inodes: 16384,
            open_files: 1024,
            stack: 64 * mb,
            cpu_millis: 2000,
        };
        // The program: what a playground user needs, and a memory bomb hurts nobody.
        let run = Limits {
            wall: Duration::from_secs(10),
            cpu: Duration::from_secs(10),
            memory: 512 * mb,
            pids: 128,
            output: 64 << 10,
            file_size: 64 * mb,
            tmpfs: 64 * mb,
            inodes: 4096,
            open_files: 256,
            stack: 8 * mb,
            cpu_millis: 1000,
        };
        StepLimits { compile, run }
    }
}

/// The `[limits.compile]` / `[limits.run]` tables: `key = "value"` with the CLI's units.
#[derive(Debug, Default, Deserialize)]
struct File {
    #[serde(default)]
    limits: BTreeMap<String, BTreeMap<String, toml::Value>>,
}

fn set(l: &mut Limits, key: &str, value: &str) -> Result<(), String> {
    let size = || parse_size(value);
    let count = || {
        value
            .parse::<u64>()
            .map_err(|_| format!("{key} = {value:?}: expected a whole number"))
    };
    match key {
        "wall" => l.wall = parse_duration(value)?,
        "cpu" => l.cpu = parse_duration(value)?,
        "memory" => l.memory = size()?,
        "output" => l.output = size()?,
        "file_size" => l.file_size = size()?,
        "tmpfs" => l.tmpfs = size()?,
        "stack" => l.stack = size()?,
        "pids" => l.pids = count()?,
        "inodes" => l.inodes = count()?,
        "open_files" => l.open_files = count()?,
        "cpu_millis" => l.cpu_millis = count()?,
        _ => {
            return Err(format!(
                "unknown limit {key:?}: wall, cpu, memory, output, file_size, tmpfs, stack, pids, inodes, open_files, cpu_millis"
            ));
        }
    }
    Ok(())
}

impl StepLimits {
    /// Defaults, then the file (if any), then `CORRAL_COMPILE_<KEY>` / `CORRAL_RUN_<KEY>`.
    pub fn load(
        file: Option<&Path>,
        env: impl Iterator<Item = (String, String)>,
    ) -> Result<StepLimits, String> {
        let mut limits = StepLimits::default();
        if let Some(path) = file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let parsed: File =
                toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            for (step, table) in parsed.limits {
                let target = match step.as_str() {
                    "compile" => &mut limits.compile,
                    "run" => &mut limits.run,
                    other => {
                        return Err(format!(
                            "{}: unknown step [limits.{other}]: compile or run",
                            path.display()
                        ));
                    }
                };
                for (key, value) in table {
                    let v = match value {
                        toml::Value::String(s) => s,
                        toml::Value::Integer(i) => i.to_string(),
                        other => other.to_string(),
                    };
                    set(target, &key, &v)
                        .map_err(|e| format!("{}: [limits.{step}] {e}", path.display()))?;
                }
            }
        }
        for (k, v) in env {
            let (target, key) = if let Some(key) = k.strip_prefix("CORRAL_COMPILE_") {
                (&mut limits.compile, key)
            } else if let Some(key) = k.strip_prefix("CORRAL_RUN_") {
                (&mut limits.run, key)
            } else {
                continue;
            };
            set(target, &key.to_ascii_lowercase(), &v).map_err(|e| format!("{k}: {e}"))?;
        }
        Ok(limits)
    }
}

/// The configured limits lowered by what the request asked for (never raised).
pub fn lowered(configured: &Limits, asked: &LimitRequest) -> Limits {
    let mut l = configured.clone();
    if let Some(w) = asked.wall {
        l.wall = l.wall.min(w);
        l.cpu = l.cpu.min(w);
    }
    if let Some(m) = asked.memory {
        l.memory = l.memory.min(m);
    }
    if let Some(o) = asked.output {
        l.output = l.output.min(o);
    }
    l
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_and_environment_override_defaults() {
        let dir = std::env::temp_dir().join(format!("corral-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("corral.toml");
        std::fs::write(
            &f,
            "[limits.run]\nwall = \"3s\"\nmemory = \"128M\"\npids = 32\n",
        )
        .unwrap();
        let env = vec![
            ("CORRAL_RUN_OUTPUT".to_string(), "16K".to_string()),
            ("HOME".into(), "/x".into()),
        ];
        let l = StepLimits::load(Some(&f), env.into_iter()).unwrap();
        assert_eq!(
            (l.run.wall, l.run.memory, l.run.pids, l.run.output),
            (Duration::from_secs(3), 128 << 20, 32, 16 << 10)
        );
        assert_eq!(l.compile, StepLimits::default().compile);
        std::fs::write(&f, "[limits.run]\nspeed = \"fast\"\n").unwrap();
        assert!(
            StepLimits::load(Some(&f), std::iter::empty())
                .unwrap_err()
                .contains("unknown limit")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn requests_only_lower_limits() {
        let configured = StepLimits::default().run;
        let asked = LimitRequest {
            wall: Some(Duration::from_secs(100)),
            memory: Some(1 << 20),
            output: None,
        };
        let l = lowered(&configured, &asked);
        assert_eq!(
            l.wall, configured.wall,
            "a longer wall clock is not granted"
        );
        assert_eq!(l.memory, 1 << 20);
        assert_eq!(l.output, configured.output);
    }
}

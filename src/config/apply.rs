//! The `[apply]` settings of `schemac apply`: the table of `schemac.toml`
//! and the flags that override it, merged once into [`ApplySettings`].
//!
//! Invariants: flags override the file, the file overrides the built-in
//! defaults (3 s lock timeout, 30 min statement timeout, 5 lock attempts,
//! 10 min wait); every value is checked where it is read (a duration must
//! parse, `lock-attempts` is at least 1), naming the key.

use super::ConfigError;
use serde::Deserialize;
use std::time::Duration;

/// The `[apply]` table: how `schemac apply` runs steps. Durations are
/// written like the flags: `500ms`, `3s`, `2min`, `1h`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ApplyFileConfig {
    pub lock_timeout: Option<String>,
    pub statement_timeout: Option<String>,
    pub lock_attempts: Option<u32>,
    pub wait_timeout: Option<String>,
}

/// Resolved `[apply]` settings: built-in defaults, then the file, then the
/// flags of `schemac apply`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApplySettings {
    /// `lock_timeout` of every step.
    pub lock_timeout: Duration,
    /// `statement_timeout` of every step.
    pub statement_timeout: Duration,
    /// Attempts per step when it times out waiting for a lock (at least 1).
    pub lock_attempts: u32,
    /// How long to wait for another apply on the same database.
    pub wait_timeout: Duration,
}

impl Default for ApplySettings {
    fn default() -> ApplySettings {
        ApplySettings {
            lock_timeout: Duration::from_secs(3),
            statement_timeout: Duration::from_secs(30 * 60),
            lock_attempts: 5,
            wait_timeout: Duration::from_secs(10 * 60),
        }
    }
}

/// A duration as humantime reads it (`500ms`, `3s`, `2m`/`2min`, `1h`,
/// `1h 30m`); a bare number is seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<f64>() {
        return Duration::try_from_secs_f64(seconds).map_err(|err| format!("`{text}`: {err}"));
    }
    humantime::parse_duration(text).map_err(|err| {
        format!("`{text}` is not a duration such as 500ms, 3s, 2min or 1h 30min ({err})")
    })
}

/// The `[apply]` values given as flags of `schemac apply`; `None` means not
/// given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplyOverrides {
    pub lock_timeout: Option<Duration>,
    pub statement_timeout: Option<Duration>,
    pub lock_attempts: Option<u32>,
    pub wait_timeout: Option<Duration>,
}

/// Resolves the `[apply]` table, naming the key of a bad value, then lets
/// the flags override it. A bad value in the file is an error even when a
/// flag overrides it.
pub(super) fn apply_settings(
    file: ApplyFileConfig,
    flags: ApplyOverrides,
    origin: &str,
) -> Result<ApplySettings, ConfigError> {
    let mut res = ApplySettings::default();
    let duration = |key: &str, value: &str| {
        parse_duration(value).map_err(|message| ConfigError::BadValue {
            origin: format!("{origin} {key}"),
            message,
        })
    };
    if let Some(value) = file.lock_timeout {
        res.lock_timeout = duration("lock-timeout", &value)?;
    }
    if let Some(value) = file.statement_timeout {
        res.statement_timeout = duration("statement-timeout", &value)?;
    }
    if let Some(value) = file.wait_timeout {
        res.wait_timeout = duration("wait-timeout", &value)?;
    }
    if let Some(attempts) = file.lock_attempts {
        if attempts == 0 {
            return Err(ConfigError::BadValue {
                origin: format!("{origin} lock-attempts"),
                message: "must be at least 1".to_string(),
            });
        }
        res.lock_attempts = attempts;
    }
    let ApplyOverrides {
        lock_timeout,
        statement_timeout,
        lock_attempts,
        wait_timeout,
    } = flags;
    res.lock_timeout = lock_timeout.unwrap_or(res.lock_timeout);
    res.statement_timeout = statement_timeout.unwrap_or(res.statement_timeout);
    res.lock_attempts = lock_attempts.unwrap_or(res.lock_attempts);
    res.wait_timeout = wait_timeout.unwrap_or(res.wait_timeout);
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("3s"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("30min"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_duration("1h 30min"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("3 parsecs").is_err());
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn flags_override_the_file_value_by_value() {
        let file = ApplyFileConfig {
            lock_timeout: Some("500ms".to_string()),
            statement_timeout: Some("2h".to_string()),
            lock_attempts: Some(9),
            wait_timeout: None,
        };
        let flags = ApplyOverrides {
            lock_timeout: Some(Duration::from_millis(250)),
            lock_attempts: Some(2),
            ..ApplyOverrides::default()
        };
        let settings = apply_settings(file.clone(), flags, "[apply]").expect("valid");
        assert_eq!(settings.lock_timeout, Duration::from_millis(250));
        assert_eq!(settings.statement_timeout, Duration::from_secs(7200));
        assert_eq!(settings.lock_attempts, 2);
        assert_eq!(settings.wait_timeout, Duration::from_secs(600));

        let bad = ApplyFileConfig {
            lock_timeout: Some("3 parsecs".to_string()),
            ..file
        };
        let err = apply_settings(bad, flags, "schemac.toml [apply]").expect_err("bad unit");
        assert!(err.to_string().contains("[apply] lock-timeout"), "{err}");
    }
}

//! The settings every host of a connection shares, as the driver's
//! [`Config`]: user, database, `options`, `application_name`, timeouts,
//! keepalives, `target_session_attrs`, `channel_binding`,
//! `sslnegotiation`; checked values for `client_encoding`, `gssencmode`
//! and `load_balance_hosts`, which the driver cannot vary.
//!
//! Invariants: hosts, ports, passwords and `sslmode` are set per host by
//! the caller, never here; every connection announces itself as
//! `application_name=schemac` unless `application_name` (or `PGAPPNAME`,
//! or `fallback_application_name`) names another; a value schemac cannot
//! honour is an error naming the setting and where it came from.

use super::env::Settings;
use std::time::Duration;
use tokio_postgres::config::{ChannelBinding, SslNegotiation, TargetSessionAttrs};
use tokio_postgres::Config;

/// The shared part of the driver configuration.
pub(super) fn driver_config(
    settings: &Settings,
    user: &str,
    dbname: &str,
) -> Result<Config, String> {
    let mut config = Config::new();
    config.user(user).dbname(dbname);
    if let Some(options) = settings.get("options") {
        config.options(options);
    }
    let application_name = settings
        .get("application_name")
        .or(settings.get("fallback_application_name"))
        .unwrap_or("schemac");
    config.application_name(application_name);
    // libpq: zero or negative waits forever, and less than 2 s means 2 s.
    if let Some(seconds) = settings.number::<i64>("connect_timeout")? {
        if seconds > 0 {
            config.connect_timeout(Duration::from_secs(seconds.max(2).unsigned_abs()));
        }
    }
    if let Some(millis) = settings.number::<u64>("tcp_user_timeout")? {
        config.tcp_user_timeout(Duration::from_millis(millis));
    }
    if let Some(keepalives) = settings.number::<u8>("keepalives")? {
        config.keepalives(keepalives != 0);
    }
    if let Some(seconds) = settings.number::<u64>("keepalives_idle")? {
        config.keepalives_idle(Duration::from_secs(seconds));
    }
    if let Some(seconds) = settings.number::<u64>("keepalives_interval")? {
        config.keepalives_interval(Duration::from_secs(seconds));
    }
    for keyword in ["keepalives_retries", "keepalives_count"] {
        if let Some(count) = settings.number::<u32>(keyword)? {
            config.keepalives_retries(count);
        }
    }
    if let Some(value) = settings.get("target_session_attrs") {
        config.target_session_attrs(match value {
            "any" => TargetSessionAttrs::Any,
            "read-write" => TargetSessionAttrs::ReadWrite,
            "read-only" => TargetSessionAttrs::ReadOnly,
            _ => {
                return Err(unsupported(
                    settings,
                    "target_session_attrs",
                    "any, read-write or read-only",
                ))
            }
        });
    }
    if let Some(value) = settings.get("channel_binding") {
        config.channel_binding(match value {
            "disable" => ChannelBinding::Disable,
            "prefer" => ChannelBinding::Prefer,
            "require" => ChannelBinding::Require,
            _ => {
                return Err(unsupported(
                    settings,
                    "channel_binding",
                    "disable, prefer or require",
                ))
            }
        });
    }
    if let Some(value) = settings.get("sslnegotiation") {
        config.ssl_negotiation(match value {
            "postgres" => SslNegotiation::Postgres,
            "direct" => SslNegotiation::Direct,
            _ => {
                return Err(unsupported(
                    settings,
                    "sslnegotiation",
                    "postgres or direct",
                ))
            }
        });
    }
    check(
        settings,
        "client_encoding",
        &["UTF8", "utf8", "UTF-8", "utf-8", "auto"],
        "UTF8 (schemac always speaks UTF8)",
    )?;
    check(
        settings,
        "gssencmode",
        &["disable", "prefer"],
        "disable or prefer (schemac has no GSSAPI)",
    )?;
    check(
        settings,
        "load_balance_hosts",
        &["disable"],
        "disable (hosts are tried in order)",
    )?;
    Ok(config)
}

fn check(settings: &Settings, keyword: &str, allowed: &[&str], expect: &str) -> Result<(), String> {
    match settings.get(keyword) {
        Some(value) if !allowed.contains(&value) => Err(unsupported(settings, keyword, expect)),
        _ => Ok(()),
    }
}

fn unsupported(settings: &Settings, keyword: &str, expect: &str) -> String {
    format!(
        "{} is `{}`; schemac supports {expect}",
        settings.describe(keyword),
        settings.get(keyword).unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::connect::conninfo::parse_conninfo;
    use crate::live::connect::env::Env;

    fn config(text: &str, env: &Env) -> Result<Config, String> {
        let settings = Settings::resolve(parse_conninfo(text)?, env)?;
        driver_config(&settings, "u", "db")
    }

    #[test]
    fn shared_settings_reach_the_driver() {
        let env = Env::empty()
            .with_var("PGAPPNAME", "from-env")
            .with_var("PGCONNECT_TIMEOUT", "1");
        let cfg = config(
            "options='-c work_mem=64MB' keepalives=0 target_session_attrs=read-write",
            &env,
        )
        .expect("valid");
        assert_eq!(cfg.get_options(), Some("-c work_mem=64MB"));
        assert_eq!(cfg.get_application_name(), Some("from-env"));
        assert_eq!(cfg.get_connect_timeout(), Some(&Duration::from_secs(2)));
        assert!(!cfg.get_keepalives());
        assert_eq!(
            cfg.get_target_session_attrs(),
            TargetSessionAttrs::ReadWrite
        );
        assert_eq!(cfg.get_user(), Some("u"));
        assert_eq!(cfg.get_dbname(), Some("db"));
        let cfg = config("connect_timeout=0", &Env::empty()).expect("valid");
        assert_eq!(cfg.get_connect_timeout(), None);
        assert_eq!(cfg.get_application_name(), Some("schemac"));
        let cfg = config("fallback_application_name=tool", &Env::empty()).expect("valid");
        assert_eq!(cfg.get_application_name(), Some("tool"));
        let cfg =
            config("application_name=mine fallback_application_name=tool", &env).expect("valid");
        assert_eq!(cfg.get_application_name(), Some("mine"));
    }

    #[test]
    fn values_schemac_cannot_honour_are_refused() {
        let env = Env::empty().with_var("PGGSSENCMODE", "require");
        let err = config("", &env).expect_err("no GSSAPI");
        assert_eq!(err, "gssencmode (from PGGSSENCMODE) is `require`; schemac supports disable or prefer (schemac has no GSSAPI)");
        let err = config("load_balance_hosts=random", &Env::empty()).expect_err("random");
        assert!(err.starts_with("load_balance_hosts is `random`"), "{err}");
        let err = config("client_encoding=LATIN1", &Env::empty()).expect_err("encoding");
        assert!(err.contains("UTF8"), "{err}");
        assert!(config("gssencmode=disable client_encoding=UTF8", &Env::empty()).is_ok());
    }
}

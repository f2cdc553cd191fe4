//! `--shadow-db URL` and `--no-shadow`, shared by `plan` and `apply`:
//! where the desired schema is normalised before it is compared with a
//! live database ([`crate::live::ShadowChoice`]).
//!
//! Invariant: `--shadow-db` is parsed once, here, into the parameters the
//! live session connects with; its text is never printed.

use crate::live::shadow::{ShadowDb, ShadowError};
use crate::live::{ShadowChoice, ShadowScope};
use clap::Args;

/// Where the desired schema is normalised before it is compared with a
/// live database (`plan --db` and `apply`).
#[derive(Debug, Clone, Default, Args)]
pub struct ShadowArgs {
    /// An empty database to normalise the desired schema in (it is emptied
    /// again afterwards) [default: schemac's kept shadow of the target,
    /// `schemac_shadow_<database>` on the target's server, created once and
    /// emptied after each run, when the role may create databases].
    #[arg(long, value_name = "URL", conflicts_with = "no_shadow")]
    pub shadow_db: Option<String>,

    /// Compare with the offline normaliser only, without a shadow database.
    #[arg(long)]
    pub no_shadow: bool,

    /// Build the whole desired schema in the shadow database, not only
    /// what differs from the live one (hidden: the reference the
    /// proportional shadow is tested against, and a way out should it
    /// ever disagree).
    #[arg(long, hide = true, conflicts_with = "no_shadow")]
    pub full_shadow: bool,
}

impl ShadowArgs {
    /// What the shadow builds.
    pub fn scope(&self) -> ShadowScope {
        if self.full_shadow {
            ShadowScope::Full
        } else {
            ShadowScope::Changed
        }
    }

    /// The shadow these flags choose; `--shadow-db` is parsed here, once.
    pub fn choice(&self) -> Result<ShadowChoice, ShadowError> {
        if self.no_shadow {
            return Ok(ShadowChoice::Offline);
        }
        match &self.shadow_db {
            Some(url) => Ok(ShadowChoice::Provided(Box::new(ShadowDb::parse_url(url)?))),
            None => Ok(ShadowChoice::OnServer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Wrapper {
        #[command(flatten)]
        shadow: ShadowArgs,
    }

    #[test]
    fn shadow_flags_choose_the_shadow() {
        let choice = |flags: &[&str]| {
            let argv = std::iter::once("plan").chain(flags.iter().copied());
            Wrapper::try_parse_from(argv)
                .expect("valid flags")
                .shadow
                .choice()
        };
        assert!(matches!(choice(&[]), Ok(ShadowChoice::OnServer)));
        assert!(matches!(
            choice(&["--no-shadow"]),
            Ok(ShadowChoice::Offline)
        ));
        let err = choice(&["--shadow-db", "postgres://h:notaport/s"]).expect_err("bad port");
        assert!(
            matches!(err, ShadowError::InvalidConnString { .. }),
            "{err:?}"
        );
    }
}

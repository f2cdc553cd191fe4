//! "Did you mean" suggestions for misspelt names: the closest candidate by
//! Damerau-Levenshtein distance (strsim), when it is close enough to be a
//! typo (`txet` -> `text`, `acounts` -> `accounts`, `json-typ` -> `json-type`).

/// The candidate closest to `word`, ignoring case, if its edit distance is
/// at most a third of the longer name (and at least 1). Ties go to the
/// alphabetically first candidate, so the answer does not depend on order.
pub fn closest<I, S>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let lower = word.to_lowercase();
    let mut best: Option<(usize, String)> = None;
    for candidate in candidates {
        let candidate = candidate.as_ref();
        if candidate == word || candidate.is_empty() {
            continue;
        }
        let distance = strsim::damerau_levenshtein(&lower, &candidate.to_lowercase());
        let longer = lower.chars().count().max(candidate.chars().count());
        if distance > (longer / 3).max(1) {
            continue;
        }
        let better = best.as_ref().is_none_or(|(best_distance, best_name)| {
            (distance, candidate) < (*best_distance, best_name.as_str())
        });
        if better {
            best = Some((distance, candidate.to_string()));
        }
    }
    best.map(|(_, name)| name)
}

/// `did you mean `NAME`?` for the closest candidate, if any.
pub fn did_you_mean<I, S>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    closest(word, candidates).map(|name| format!("did you mean `{name}`?"))
}

/// `help` followed by the suggestion, when there is one.
pub fn with_suggestion<I, S>(help: impl Into<String>, word: &str, candidates: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let help = help.into();
    match did_you_mean(word, candidates) {
        Some(suggestion) => format!("{suggestion} ({help})"),
        None => help,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_word() {
        assert_eq!(closest("txet", ["text", "integer"]), Some("text".into()));
        assert_eq!(
            closest("acounts", ["orders", "accounts"]),
            Some("accounts".into())
        );
        assert_eq!(
            closest("json-typ", ["json-type", "jsonb-type"]),
            Some("json-type".into())
        );
        assert_eq!(closest("Accounts", ["accounts"]), Some("accounts".into()));
    }

    #[test]
    fn far_words_and_exact_matches_give_nothing() {
        assert_eq!(closest("zzz", ["text", "integer"]), None);
        assert_eq!(closest("id", ["uuid"]), None);
        assert_eq!(closest("text", ["text"]), None);
        assert_eq!(closest::<[&str; 0], &str>("text", []), None);
    }

    #[test]
    fn ties_are_stable() {
        assert_eq!(closest("ab", ["ac", "aa"]), Some("aa".into()));
        assert_eq!(closest("ab", ["aa", "ac"]), Some("aa".into()));
    }

    #[test]
    fn the_help_leads_with_the_suggestion() {
        assert_eq!(
            with_suggestion("declare it", "txet", ["text"]),
            "did you mean `text`? (declare it)"
        );
        assert_eq!(with_suggestion("declare it", "zzz", ["text"]), "declare it");
    }
}

//! The index of two-character sequences behind searches for two-character words.
//!
//! The trigram index (`findings_fts`) cannot look up a word shorter than three characters, and many
//! Chinese words are two (违停, 井盖, 占道). `findings_bigrams` (migration 8) is a contentless FTS5 table
//! whose one column holds each finding's overlapping character pairs as space-separated tokens; the
//! triggers that keep it fill it through the SQL function `gp_bigrams(description, address)`, which
//! every connection of the store registers before its migrations run.

use std::collections::BTreeSet;

use rusqlite::functions::FunctionFlags;
use rusqlite::Connection;

/// The pairs of adjacent letters or digits in `texts`, once each, space-separated. Pairs never span
/// punctuation or spaces, as a two-character word's `LIKE` match never does.
pub(crate) fn grams(texts: &[&str]) -> String {
    let mut out = BTreeSet::new();
    for text in texts {
        let chars: Vec<char> = text.chars().collect();
        for pair in chars.windows(2) {
            if pair[0].is_alphanumeric() && pair[1].is_alphanumeric() {
                out.insert(pair.iter().flat_map(|c| c.to_lowercase()).collect::<String>());
            }
        }
    }
    out.into_iter().collect::<Vec<_>>().join(" ")
}

/// The `MATCH` expression that finds `word` through the index, if it is a pair of letters or digits.
pub(crate) fn query(word: &str) -> Option<String> {
    let chars: Vec<char> = word.chars().collect();
    (chars.len() == 2 && chars.iter().all(|c| c.is_alphanumeric()))
        .then(|| format!("\"{}\"", chars.iter().flat_map(|c| c.to_lowercase()).collect::<String>()))
}

/// Registers `gp_bigrams(text, ...)` on `conn`: deterministic and innocuous, so the schema's
/// triggers may call it.
pub(crate) fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "gp_bigrams",
        -1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC | FunctionFlags::SQLITE_INNOCUOUS,
        |ctx| {
            let texts = (0..ctx.len()).map(|i| ctx.get::<Option<String>>(i)).collect::<rusqlite::Result<Vec<_>>>()?;
            let texts: Vec<&str> = texts.iter().flatten().map(String::as_str).collect();
            Ok(grams(&texts))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_of_letters_and_digits_once_each_never_across_punctuation() {
        assert_eq!(grams(&["机动车违停", "违停"]), "动车 机动 车违 违停");
        assert_eq!(grams(&["井盖，破损 A1"]), "a1 井盖 破损", "no pair spans the comma or the space");
        assert_eq!(grams(&["", "一"]), "");
    }

    #[test]
    fn only_a_pair_of_letters_or_digits_is_looked_up() {
        assert_eq!(query("违停").as_deref(), Some("\"违停\""));
        assert_eq!(query("AB").as_deref(), Some("\"ab\""));
        assert_eq!(query("违"), None);
        assert_eq!(query("违，"), None);
        assert_eq!(query("违停车"), None);
    }

    #[test]
    fn the_sql_function_takes_any_number_of_texts_and_nulls() {
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        let got: String = conn.query_row("SELECT gp_bigrams('占道经营', NULL, '路口')", [], |r| r.get(0)).unwrap();
        assert_eq!(got, "占道 经营 路口 道经");
    }
}

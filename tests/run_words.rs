//! The words that travel (error tags, phases, kinds, triggers, statuses) are listed once in
//! the core and once in the UI's table of words; these tests hold the two lists together.
use std::collections::BTreeSet;

use inbox_sync_core::{ErrorTag, Phase, RunStatus, SyncKind, Trigger};

/// The keys of the object literal `const NAME = { … }` in the UI's `run-words.js` (only its
/// own keys: nested objects such as `{ headline, advice }` are skipped).
fn js_keys(table: &str) -> BTreeSet<String> {
    let source = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/ui/run-words.js"))
        .expect("read ui/run-words.js");
    let opening = format!("const {table} = {{");
    let start = source
        .find(&opening)
        .unwrap_or_else(|| panic!("ui/run-words.js has no `{opening}`"))
        + opening.len();
    let mut keys = BTreeSet::new();
    let (mut depth, mut in_string, mut word) = (1, None::<char>, String::new());
    for c in source[start..].chars() {
        if let Some(quote) = in_string {
            if c == quote {
                in_string = None;
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => in_string = Some(c),
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            ':' if depth == 1 && !word.is_empty() => {
                keys.insert(std::mem::take(&mut word));
                continue;
            }
            _ => {}
        }
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
        } else if !c.is_whitespace() || !word.is_empty() {
            word.clear();
        }
    }
    keys
}

fn rust_words<T: ToString>(all: &[T]) -> BTreeSet<String> {
    all.iter().map(ToString::to_string).collect()
}

/// Every error tag the core can record has plain words in the UI, and the UI has no words
/// for a tag the core never records.
#[test]
fn error_tags_match_the_ui_table() {
    assert_eq!(
        js_keys("ERROR_WORDS"),
        rust_words(ErrorTag::ALL),
        "ui/run-words.js ERROR_WORDS and the core's ErrorTag list the same tags"
    );
}

/// Phases, sync kinds, triggers and statuses each have exactly the core's words in the UI.
#[test]
fn phases_kinds_triggers_and_statuses_match_the_ui_tables() {
    assert_eq!(
        js_keys("PHASE_WORDS"),
        rust_words(Phase::ALL),
        "PHASE_WORDS = Phase"
    );
    assert_eq!(
        js_keys("KIND_WORDS"),
        rust_words(SyncKind::ALL),
        "KIND_WORDS = SyncKind"
    );
    assert_eq!(
        js_keys("TRIGGER_WORDS"),
        rust_words(Trigger::ALL),
        "TRIGGER_WORDS = Trigger"
    );
    assert_eq!(
        js_keys("STATUS_WORDS"),
        rust_words(RunStatus::ALL),
        "STATUS_WORDS = RunStatus"
    );
}

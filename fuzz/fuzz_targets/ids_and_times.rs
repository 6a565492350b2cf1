/*!
IDs, durations and dates: every parser takes any text without panicking, and whatever it
accepts prints back as text that parses again to the same value (and, for instants, that a
record can store: a timestamp the TOML writer cannot express would silently drop the field).
*/
#![no_main]

use git_coord::model::adr::AdrNumber;
use git_coord::model::id::{ConflictId, ConflictPrefix, RiskId, RiskPrefix};
use git_coord::model::message::{MessageId, MessagePrefix};
use git_coord::model::milestone::{MilestoneId, MilestonePrefix};
use git_coord::model::record;
use git_coord::model::time::{format_hours, parse_estimate, parse_wall_duration};
use git_coord::model::{AgentId, TaskId, TaskPrefix, Timestamp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    ids(s);
    times(s);
    durations(s);
});

fn ids(s: &str) {
    if let Ok(id) = TaskId::parse(s) {
        assert_eq!(id.as_str(), s);
        assert_eq!(TaskId::parse(&id.to_string()), Ok(id.clone()));
        // A whole ID is also a prefix that names exactly it.
        let prefix = TaskPrefix::parse(s).expect("a task ID is a prefix");
        assert!(prefix.matches(&id));
        assert_eq!(prefix.as_full_id(), Some(id));
    }
    if let Ok(prefix) = TaskPrefix::parse(s) {
        let again = TaskPrefix::parse(&prefix.to_string()).expect("a printed prefix parses");
        assert_eq!(again, prefix);
        if let Some(id) = prefix.as_full_id() {
            assert!(prefix.matches(&id));
        }
    }
    if let Ok(agent) = AgentId::parse(s) {
        assert_eq!(agent.as_str(), s);
        // An agent name becomes a file name: never a path, never hidden.
        assert!(!s.contains('/') && !s.starts_with('.') && !s.starts_with('-'));
        assert_eq!(AgentId::parse(&agent.to_string()), Ok(agent));
    }
    macro_rules! record_id {
        ($id:ty, $prefix:ty) => {
            if let Ok(id) = <$id>::parse(s) {
                assert_eq!(id.as_str(), s);
                assert_eq!(<$id>::parse(&id.to_string()), Ok(id.clone()));
                assert_eq!(<$id>::from_path(&format!("dir/{id}.md")), Some(id.clone()));
                let prefix = <$prefix>::parse(s).expect("an ID is a prefix");
                assert_eq!(prefix.as_full_id(), Some(id));
            }
            if let Ok(prefix) = <$prefix>::parse(s) {
                let again = <$prefix>::parse(&prefix.to_string()).expect("a printed prefix parses");
                assert_eq!(again, prefix);
            }
            let _ = <$id>::from_path(s);
        };
    }
    record_id!(ConflictId, ConflictPrefix);
    record_id!(RiskId, RiskPrefix);
    record_id!(MessageId, MessagePrefix);
    record_id!(MilestoneId, MilestonePrefix);

    if let Ok(n) = AdrNumber::parse(s) {
        assert_eq!(AdrNumber::parse(&n.to_string()).ok(), Some(n));
        assert_eq!(AdrNumber::parse(&n.padded()).ok(), Some(n));
        let name = format!("adrs/{}-slug.md", n.padded());
        assert_eq!(AdrNumber::from_file_name(&name), Some((n, "slug")));
    }
    let _ = AdrNumber::from_file_name(s);
}

/// An instant a record can hold: it prints, re-parses equal, and the TOML writer takes it.
fn check_instant(t: Timestamp, from: &str) {
    let text = t.to_string();
    assert_eq!(
        Timestamp::parse_rfc3339(&text),
        Some(t),
        "{from:?} parsed to {text:?}, which does not parse back"
    );
    assert!(
        record::timestamp(t).is_some(),
        "{from:?} parsed to {text:?}, which a record cannot store"
    );
    let json = serde_json::to_string(&t).expect("a timestamp serialises");
    let back: Timestamp = serde_json::from_str(&json).expect("its JSON parses");
    assert_eq!(back, t);
}

fn times(s: &str) {
    if let Some(t) = Timestamp::parse_rfc3339(s) {
        check_instant(t, s);
    }
    if let Ok(t) = Timestamp::parse_deadline(s) {
        check_instant(t, s);
    }
}

fn durations(s: &str) {
    if let Ok(hours) = parse_estimate(s) {
        assert!(hours.is_finite() && hours >= 0.0, "{s:?} gave {hours}");
        // What is shown re-reads as what is shown: the display rounds, but only once.
        let shown = format_hours(hours);
        let again = parse_estimate(&shown).unwrap_or_else(|e| panic!("{shown:?} from {s:?}: {e}"));
        assert_eq!(format_hours(again), shown, "{s:?}");
    }
    if let Ok(seconds) = parse_wall_duration(s) {
        assert!(
            (0..=10_000_000_000).contains(&seconds),
            "{s:?} gave {seconds}"
        );
        let again = parse_wall_duration(&format!("{seconds}s"));
        assert_eq!(again, Ok(seconds), "{s:?}");
    }
}

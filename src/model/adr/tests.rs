use super::*;

fn at(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(s).unwrap()
}

fn now() -> Timestamp {
    at("2026-11-21T10:00:00Z")
}

fn agent(s: &str) -> AgentId {
    AgentId::parse(s).unwrap()
}

fn adr() -> Adr {
    let mut a = Adr::new(
        AdrNumber::new(7).unwrap(),
        &NewAdr {
            title: "Use Redis for the rate limiter!".into(),
            deciders: vec![agent("alice"), agent("bob"), agent("alice")],
            deadline: Some(at("2026-11-30T23:59:59Z")),
            ..NewAdr::default()
        },
        now(),
    )
    .unwrap();
    a.body = "# ADR-0007\n".into();
    a
}

#[test]
fn numbers_parse_every_spelling() {
    for s in ["7", "0007", "ADR-7", "ADR-0007", "adr-0007", "ADR7", " 7 "] {
        assert_eq!(AdrNumber::parse(s).unwrap().get(), 7, "{s}");
    }
    for bad in [
        "", "ADR-", "-7", "7a", "ADR--7", "x7", "99999999", "1000000",
    ] {
        assert!(AdrNumber::parse(bad).is_err(), "{bad:?} accepted");
    }
    let n = AdrNumber::new(7).unwrap();
    assert_eq!(n.to_string(), "ADR-0007");
    assert_eq!(AdrNumber::new(12345).unwrap().padded(), "12345");
    assert_eq!(
        AdrNumber::from_file_name("adrs/0007-use-redis.md"),
        Some((n, "use-redis"))
    );
    assert_eq!(AdrNumber::from_file_name("adrs/README.md"), None);
    assert_eq!(AdrNumber::from_file_name("adrs/0007-x.txt"), None);
}

#[test]
fn slugs_are_bounded_ascii() {
    assert_eq!(
        slug("Use Redis for the rate limiter!"),
        "use-redis-for-the-rate-limiter"
    );
    assert_eq!(slug("  Ünïcode — only  "), "n-code-only");
    assert_eq!(slug("!!!"), "adr");
    let long = slug(&"word ".repeat(40));
    assert!(long.len() <= MAX_SLUG && !long.ends_with('-'), "{long}");
    assert!(valid_slug("use-redis") && !valid_slug("Use") && !valid_slug("") && !valid_slug("a/b"));
}

#[test]
fn renders_and_round_trips() {
    let mut a = adr();
    assert_eq!(a.deciders, vec![agent("alice"), agent("bob")]);
    a.add_option(
        "Redis",
        &["fast".into()],
        &["another service".into()],
        Some("2d"),
    )
    .unwrap();
    a.add_option("LRU", &[], &[], None).unwrap();
    a.decide(
        "redis",
        "it is shared by every instance",
        Some(agent("alice")),
        now(),
    )
    .unwrap();
    let text = a.to_text();
    assert_eq!(
        text,
        "+++\nnumber = 7\ntitle = \"Use Redis for the rate limiter!\"\nstatus = \"accepted\"\ndeciders = [\"alice\", \"bob\"]\ndeadline = 2026-11-30T23:59:59Z\ncreated = 2026-11-21T10:00:00Z\nupdated = 2026-11-21T10:00:00Z\n\n[[options]]\nname = \"Redis\"\npros = [\"fast\"]\ncons = [\"another service\"]\neffort = \"2d\"\n\n[[options]]\nname = \"LRU\"\n\n[decision]\noption = \"Redis\"\nrationale = \"it is shared by every instance\"\nby = \"alice\"\nat = 2026-11-21T10:00:00Z\n+++\n# ADR-0007\n"
    );
    let back = Adr::parse("adrs/0007-use-redis-for-the-rate-limiter.md", &text).unwrap();
    assert_eq!(back.to_text(), text);
    assert_eq!(back.options, a.options);
    assert_eq!(back.decision, a.decision);
    assert_eq!(back.slug, "use-redis-for-the-rate-limiter");
}

#[test]
fn round_trip_keeps_comments_and_unknown_fields() {
    let mut a = adr();
    a.add_option("Redis", &["fast".into()], &[], None).unwrap();
    let text = a
        .to_text()
        .replacen("+++\n", "+++\n# from the design call\n", 1)
        .replace(
            "name = \"Redis\"\n",
            "name = \"Redis\" # the favourite\nowner = \"ops\"\n",
        )
        .replace(
            "updated = 2026-11-21T10:00:00Z\n",
            "updated = 2026-11-21T10:00:00Z\nticket = \"JIRA-1\"\n",
        );
    let mut b = Adr::parse("adrs/0007-x.md", &text).unwrap();
    b.add_option("LRU", &[], &["cold starts".into()], None)
        .unwrap();
    b.decide("LRU", "simpler", None, now()).unwrap();
    b.supersedes = vec![AdrNumber::new(3).unwrap()];
    let out = b.to_text();
    for kept in [
        "# from the design call\n",
        "name = \"Redis\" # the favourite\nowner = \"ops\"\n",
        "ticket = \"JIRA-1\"\n",
        "supersedes = [3]\n",
        "[[options]]\nname = \"LRU\"\ncons = [\"cold starts\"]\n",
        "[decision]\noption = \"LRU\"\nrationale = \"simpler\"\nat = ",
    ] {
        assert!(out.contains(kept), "{kept:?} missing in\n{out}");
    }
    let again = Adr::parse("adrs/0007-x.md", &out).unwrap();
    assert_eq!(again.supersedes, b.supersedes);
    assert_eq!(again.to_text(), out);
}

#[test]
fn inline_tables_are_read_too() {
    let text = "+++\nnumber = 2\ntitle = \"T\"\nstatus = \"accepted\"\noptions = [{ name = \"A\", pros = [\"x\"] }]\ndecision = { option = \"A\", rationale = \"r\", at = 2026-11-21T10:00:00Z }\ncreated = 2026-11-21T10:00:00Z\nupdated = 2026-11-21T10:00:00Z\n+++\n";
    let a = Adr::parse("adrs/0002-t.md", text).unwrap();
    assert_eq!(a.options[0].pros, ["x"]);
    assert_eq!(a.decision.as_ref().unwrap().option, "A");
    assert_eq!(a.to_text(), text);
}

#[test]
fn bad_records_name_the_line() {
    let text = adr().to_text();
    let e = Adr::parse("adrs/0007-x.md", &text.replace("\"proposed\"", "\"maybe\"")).unwrap_err();
    assert_eq!(e.line, Some(4));
    assert!(e.message.contains("proposed, accepted"), "{e}");
    let e = Adr::parse("adrs/0008-x.md", &text).unwrap_err();
    assert!(e.message.contains("adrs/0007-x.md"), "{e}");
    assert!(Adr::parse("adrs/x.md", &text).is_err());
    assert!(Adr::parse("adrs/0007-Bad.md", &text).is_err());
    let bad = text.replace("created =", "[[options]]\nname = 3\n[x]\ncreated =");
    assert!(Adr::parse("adrs/0007-x.md", &bad).is_err());
    let bad = text.replace("number = 7", "number = 7\nsupersedes = [\"a\"]");
    let e = Adr::parse("adrs/0007-x.md", &bad).unwrap_err();
    assert_eq!(e.line, Some(3), "{e}");
}

#[test]
fn state_rules() {
    let mut a = adr();
    assert!(matches!(
        a.decide("X", "r", None, now()),
        Err(Refusal::UnknownOption { ref options, .. }) if options.is_empty()
    ));
    assert!(a.add_option("A", &[], &[], None).unwrap());
    assert!(
        !a.add_option("a", &[], &[], None).unwrap(),
        "same option, nothing new"
    );
    assert!(a.add_option("A", &["p".into()], &[], None).unwrap());
    let e = a.decide("B", "r", None, now()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "ADR-0007 has no option named \"B\"; its options are: A"
    );
    assert!(matches!(
        a.decide("A", " ", None, now()),
        Err(Refusal::Invalid(_))
    ));
    a.decide("A", "because", None, now()).unwrap();
    assert_eq!(a.status, AdrStatus::Accepted);
    assert!(a.decide("A", "again", None, now()).is_err());
    assert!(a.add_option("C", &[], &[], None).is_err());
    assert!(!a.set_status(AdrStatus::Accepted).unwrap());
    assert!(a.set_status(AdrStatus::Rejected).is_err());
    assert!(a.set_status(AdrStatus::Superseded).is_err());
    assert!(a.add_supersedes(a.number).is_err());
    assert!(a.add_supersedes(AdrNumber::new(2).unwrap()).unwrap());
    assert!(!a.add_supersedes(AdrNumber::new(2).unwrap()).unwrap());
    assert!(a.mark_superseded().unwrap());
    assert!(!a.mark_superseded().unwrap());
    let e = a.set_status(AdrStatus::Deprecated).unwrap_err();
    assert!(e.to_string().starts_with("ADR-0007 is superseded: "), "{e}");
    assert!(a.add_supersedes(AdrNumber::new(1).unwrap()).is_err());

    let mut p = adr();
    assert!(
        p.mark_superseded().is_err(),
        "a proposal is rejected, not superseded"
    );
    assert!(p.set_status(AdrStatus::Deprecated).is_err());
    assert!(p.set_status(AdrStatus::Rejected).unwrap());
    assert!(p.set_status(AdrStatus::Accepted).is_err());
    assert!(p.add_option("A", &[], &[], None).is_err());
    assert!(p.decide("A", "r", None, now()).is_err());
}

mod properties {
    use proptest::prelude::*;

    use super::*;
    use crate::model::strategies::text;

    proptest! {
        /// Options added one write at a time, then a decision: every option reads back with
        /// its pros and cons as accepted, a hand comment survives, and a rewrite of what was
        /// read is byte-identical.
        #[test]
        fn options_and_the_decision_survive_rewrites(
            options in prop::collection::vec(
                (text(), prop::collection::vec(text(), 0..3), prop::collection::vec(text(), 0..3)),
                1..5,
            ),
            rationale in text(),
        ) {
            let path = adr().path();
            let mut file = adr().to_text().replacen("+++\n", "+++\n# kept by hand\n", 1);
            for (name, pros, cons) in &options {
                let mut a = Adr::parse(&path, &file).expect("own output parses");
                if a.add_option(name, pros, cons, None).is_err() {
                    continue;
                }
                let expected = a.options.clone();
                file = a.to_text();
                let back = Adr::parse(&path, &file).expect("own output parses");
                prop_assert_eq!(&back.options, &expected);
                prop_assert_eq!(back.to_text(), file.clone());
                prop_assert!(file.contains("# kept by hand\n"), "{}", file);
            }
            let mut a = Adr::parse(&path, &file).expect("own output parses");
            if let Some(first) = a.options.first().map(|o| o.name.clone())
                && a.decide(&first, &rationale, Some(agent("alice")), now()).is_ok()
            {
                let expected = a.decision.clone();
                file = a.to_text();
                let back = Adr::parse(&path, &file).expect("own output parses");
                prop_assert_eq!(&back.decision, &expected);
                prop_assert_eq!(back.status, AdrStatus::Accepted);
                prop_assert_eq!(back.to_text(), file);
            }
        }
    }
}

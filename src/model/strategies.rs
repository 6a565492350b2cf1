/*!
proptest strategies shared by the record models' property tests: text that stresses TOML and
the `+++` front-matter fence.
*/

use proptest::prelude::*;

/// One line with quotes, backslashes, `+++`, TOML syntax, unicode and control characters.
pub fn text() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-zA-Z0-9 \"'\\\\#=\\[\\]{}+.,:é漢\\t\u{1b}-]{0,24}")
        .expect("valid regex")
}

/// A markdown body: lines of [`text`], some of them a bare `+++`, ending with a newline.
pub fn body() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![text(), Just("+++".to_owned()), Just(String::new())],
        0..6,
    )
    .prop_map(|lines| {
        if lines.is_empty() {
            String::new()
        } else {
            format!("{}\n", lines.join("\n"))
        }
    })
}

/*!
All printing: stdout for results, stderr for warnings and errors, `--json`, colour
(`--color`; under auto: `NO_COLOR`, `CLICOLOR_FORCE`, `CLICOLOR`, `TERM=dumb`, terminals
only), `-q`, and escaping of text that comes from records, so that a title can never move
the cursor, change colours or hide text on a terminal.

The two streams are the process's stdout and stderr for the CLI ([`Ui::new`]), or any
writers ([`Ui::with_writers`]): [`Ui::captured`] prints into buffers read back afterwards,
so what a command renders is tested in-process, byte for byte.
*/

use std::borrow::Cow;
use std::cell::RefCell;
use std::io::{self, IsTerminal, Write};
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;

use crate::model::text::{escape_unsafe, is_unsafe};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug)]
pub enum Style {
    Bold,
    Dim,
    Green,
    Yellow,
    Red,
    Cyan,
}

impl Style {
    fn code(self) -> &'static str {
        match self {
            Style::Bold => "1",
            Style::Dim => "2",
            Style::Green => "32",
            Style::Yellow => "33",
            Style::Red => "31",
            Style::Cyan => "36",
        }
    }
}

/// What the environment says about colour, for `--color auto` (the conventions of
/// no-color.org and bixense.com/clicolors, in the order anstream applies them).
#[derive(Clone, Copy, Debug, Default)]
pub struct ColorEnv {
    /// `NO_COLOR` is set and not empty: never colour.
    pub no_color: bool,
    /// `CLICOLOR_FORCE` is set and not `0`: colour even when not a terminal.
    pub clicolor_force: bool,
    /// `CLICOLOR=0`: no colour.
    pub clicolor_off: bool,
    /// `TERM=dumb`: the terminal cannot show colour.
    pub term_dumb: bool,
}

impl ColorEnv {
    /// Whether `--color auto` colours, given whether stdout is a terminal.
    pub fn auto(self, terminal: bool) -> bool {
        if self.no_color {
            false
        } else if self.clicolor_force {
            true
        } else {
            !self.clicolor_off && !self.term_dumb && terminal
        }
    }
}

/// Where one of the [`Ui`]'s streams goes.
enum Sink {
    /// The process's stdout or stderr, locked for each line so that a line is written whole
    /// (stdout flushes at each newline; a closed pipe surfaces as `BrokenPipe` and the CLI
    /// exits quietly).
    Stdout,
    Stderr,
    /// Any writer, flushed after each line as stdout would be.
    Writer(RefCell<Box<dyn Write>>),
}

impl Sink {
    /// Runs `f` on the stream, under one lock.
    fn write(&self, f: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
        match self {
            Sink::Stdout => f(&mut io::stdout().lock()),
            Sink::Stderr => f(&mut io::stderr().lock()),
            Sink::Writer(w) => {
                // Only this method borrows it, and `f` cannot reach the Ui: never busy.
                let mut w = w
                    .try_borrow_mut()
                    .map_err(|_| io::Error::other("the output is already being written"))?;
                f(&mut **w)?;
                w.flush()
            }
        }
    }
}

/// A buffer a [`Ui`] prints into ([`Ui::captured`]), readable while the Ui still holds it.
#[derive(Clone, Debug, Default)]
pub struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    /// Everything printed so far, as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The two buffers of a [`Ui::captured`].
#[derive(Clone, Debug, Default)]
pub struct Captured {
    /// What went to stdout: results, `--json`.
    pub out: Capture,
    /// What went to stderr: warnings, notes, error reports.
    pub err: Capture,
}

pub struct Ui {
    pub json: bool,
    pub quiet: bool,
    color: bool,
    out: Sink,
    err: Sink,
}

impl Ui {
    pub fn new(json: bool, quiet: bool, color: ColorChoice, env: ColorEnv) -> Ui {
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => env.auto(io::stdout().is_terminal()),
        };
        Ui {
            json,
            quiet,
            color,
            out: Sink::Stdout,
            err: Sink::Stderr,
        }
    }

    /// A UI that prints plain text (for the library's demo and tests).
    pub fn plain() -> Ui {
        Ui {
            json: false,
            quiet: false,
            color: false,
            out: Sink::Stdout,
            err: Sink::Stderr,
        }
    }

    /// A UI that prints results to `out` and warnings and notes to `err`, for a face that is
    /// not a terminal. `color` is decided by the caller: there is no terminal to ask.
    pub fn with_writers(
        json: bool,
        quiet: bool,
        color: bool,
        out: Box<dyn Write>,
        err: Box<dyn Write>,
    ) -> Ui {
        Ui {
            json,
            quiet,
            color,
            out: Sink::Writer(RefCell::new(out)),
            err: Sink::Writer(RefCell::new(err)),
        }
    }

    /// A UI that prints into two buffers, read back through the returned [`Captured`].
    pub fn captured(json: bool, quiet: bool, color: bool) -> (Ui, Captured) {
        let captured = Captured::default();
        let ui = Ui::with_writers(
            json,
            quiet,
            color,
            Box::new(captured.out.clone()),
            Box::new(captured.err.clone()),
        );
        (ui, captured)
    }

    /// Prints a result line on stdout.
    pub fn line(&self, text: impl AsRef<str>) -> io::Result<()> {
        self.out.write(|out| {
            out.write_all(text.as_ref().as_bytes())?;
            out.write_all(b"\n")
        })
    }

    /// Writes on stdout through `f`, under one lock: for output streamed rather than built
    /// as one text (`export`'s JSON lines).
    pub fn write_out(&self, f: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
        self.out.write(f)
    }

    /// Prints a confirmation on stdout, unless `-q`.
    pub fn info(&self, text: impl AsRef<str>) -> io::Result<()> {
        if self.quiet {
            return Ok(());
        }
        self.line(text)
    }

    /// Reports what a command created or claimed: the sentence, or under `-q` exactly the ID
    /// (like `git commit-tree`), so `id=$(git coord -q … )` captures it.
    pub fn created(&self, id: &str, text: impl AsRef<str>) -> io::Result<()> {
        if self.quiet {
            return self.line(id);
        }
        self.line(text)
    }

    /// Prints one JSON value on stdout.
    pub fn json<T: Serialize + ?Sized>(&self, value: &T) -> io::Result<()> {
        // Streamed through a buffer rather than built as one string: `task list --json` or
        // `path --json` at 100,000 tasks print megabytes, and growing a string that size
        // cost more than making it (page faults and copies).
        self.out.write(|out| {
            let mut buffered = io::BufWriter::with_capacity(1 << 16, out);
            serde_json::to_writer_pretty(&mut buffered, value).map_err(io::Error::other)?;
            buffered.write_all(b"\n")?;
            buffered.flush()
        })
    }

    /// Prints a warning on stderr.
    ///
    /// Warnings name record paths and quote record text (a stray file's name, a bad value), so
    /// control and bidi characters are escaped here, once for every warning (DESIGN §11);
    /// line breaks are kept, for the multi-line parse errors some warnings carry.
    pub fn warn(&self, text: impl AsRef<str>) {
        let _ = self
            .err
            .write(|err| writeln!(err, "warning: {}", sanitize_text(text.as_ref())));
    }

    /// Prints text on stderr as it is (a report whose lines carry their own `error:` labels).
    pub fn error_text(&self, text: &str) {
        let _ = self.err.write(|err| err.write_all(text.as_bytes()));
    }

    /// Prints a note on stderr (progress of a long action, the command a check runs), unless `-q`.
    pub fn note(&self, text: impl AsRef<str>) {
        if !self.quiet {
            let _ = self.err.write(|err| writeln!(err, "{}", text.as_ref()));
        }
    }

    pub fn paint<'a>(&self, style: Style, text: &'a str) -> Cow<'a, str> {
        if self.color && !text.is_empty() {
            Cow::Owned(format!("\x1b[{}m{text}\x1b[0m", style.code()))
        } else {
            Cow::Borrowed(text)
        }
    }
}

/// Makes one line of record text safe for a terminal: control characters (escape sequences,
/// carriage returns, newlines) and bidi marks are shown escaped instead of acting. The one
/// rule for every format is [`crate::model::text`]; this is its terminal face.
pub fn sanitize_line(s: &str) -> Cow<'_, str> {
    escape_unsafe(s)
}

/// Like [`sanitize_line`], but keeps newlines and tabs (for bodies).
pub fn sanitize_text(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| is_unsafe(c) && c != '\n' && c != '\t') {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.lines()
            .map(|l| sanitize_line(&l.replace('\t', "    ")).into_owned())
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// `text` with every non-blank line indented by `by` spaces, each ending in a newline: how `show`
/// commands nest a table or a body under a record's heading.
pub fn indented(text: &str, by: usize) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.lines() {
        // Blank lines stay blank: no trailing whitespace.
        if !line.is_empty() {
            out.push_str(&" ".repeat(by));
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// A record's markdown body as `show` prints it: after a blank line, indented, escaped;
/// nothing when the body is blank.
pub fn body_block(body: &str) -> String {
    let body = body.trim();
    if body.is_empty() {
        String::new()
    } else {
        format!("\n{}", indented(&sanitize_text(body), 2))
    }
}

/// Columns aligned by width; the last column is not padded.
pub fn table(rows: &[Vec<String>]) -> String {
    // Display columns, not characters: CJK and other wide characters take two.
    let width = |s: &str| unicode_width::UnicodeWidthStr::width(strip_ansi(s).as_ref());
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; columns];
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(width(cell));
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < row.len() {
                line.push_str(&" ".repeat(widths[i] - width(cell) + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn strip_ansi(s: &str) -> Cow<'_, str> {
    if !s.contains('\x1b') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indented_bodies_have_no_trailing_whitespace_and_are_escaped() {
        assert_eq!(indented("a\n\nb", 2), "  a\n\n  b\n");
        assert_eq!(body_block("  \n"), "");
        assert_eq!(body_block("x\n\ny\n"), "\n  x\n\n  y\n");
        assert!(!body_block("evil \u{1b}[31m red").contains('\u{1b}'));
    }

    #[test]
    fn escapes_terminal_sequences() {
        assert_eq!(sanitize_line("plain"), "plain");
        assert_eq!(sanitize_line("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(sanitize_line("x\ry"), "x\\ry");
        assert_eq!(sanitize_text("a\nb\x07"), "a\nb\\u{7}");
        assert_eq!(sanitize_line("a\u{202e}b\u{200b}"), "a\\u{202e}b\\u{200b}");
    }

    #[test]
    fn colour_follows_the_environment_conventions() {
        let env = |no_color, clicolor_force, clicolor_off, term_dumb| ColorEnv {
            no_color,
            clicolor_force,
            clicolor_off,
            term_dumb,
        };
        assert!(env(false, false, false, false).auto(true));
        assert!(!env(false, false, false, false).auto(false));
        assert!(
            env(false, true, false, false).auto(false),
            "CLICOLOR_FORCE forces"
        );
        assert!(!env(true, true, false, false).auto(true), "NO_COLOR wins");
        assert!(!env(false, false, true, false).auto(true), "CLICOLOR=0");
        assert!(!env(false, false, false, true).auto(true), "TERM=dumb");
    }

    #[test]
    fn wide_characters_take_two_columns() {
        let t = table(&[
            vec!["名前".into(), "x".into()],
            vec!["ab".into(), "y".into()],
        ]);
        assert_eq!(t, "名前  x\nab    y\n");
    }

    #[test]
    fn a_captured_ui_keeps_results_and_warnings_apart() {
        let (ui, captured) = Ui::captured(false, false, false);
        ui.line("result").unwrap();
        ui.info("done").unwrap();
        ui.created("t-aaaaaa", "Added t-aaaaaa.").unwrap();
        ui.warn("bad \u{1b}[2J title\nsecond line");
        ui.note("running make");
        ui.error_text("error: x\n");
        insta::assert_snapshot!(captured.out.text(), @r"
        result
        done
        Added t-aaaaaa.
        ");
        insta::assert_snapshot!(captured.err.text(), @r"
        warning: bad \u{1b}[2J title
        second line
        running make
        error: x
        ");
    }

    #[test]
    fn quiet_prints_only_results_and_ids() {
        let (ui, captured) = Ui::captured(false, true, false);
        ui.info("done").unwrap();
        ui.created("t-aaaaaa", "Added t-aaaaaa.").unwrap();
        ui.note("running make");
        ui.warn("still shown");
        assert_eq!(captured.out.text(), "t-aaaaaa\n");
        assert_eq!(captured.err.text(), "warning: still shown\n");
    }

    #[test]
    fn json_is_one_pretty_value_and_colour_is_the_callers_choice() {
        let (ui, captured) = Ui::captured(true, false, true);
        ui.json(&serde_json::json!({"id": "t-aaaaaa", "n": 1}))
            .unwrap();
        insta::assert_snapshot!(captured.out.text(), @r#"
        {
          "id": "t-aaaaaa",
          "n": 1
        }
        "#);
        assert_eq!(ui.paint(Style::Red, "x"), "\u{1b}[31mx\u{1b}[0m");
        assert_eq!(ui.paint(Style::Red, ""), "");
        let (plain, _) = Ui::captured(false, false, false);
        assert_eq!(plain.paint(Style::Red, "x"), "x");
    }

    /// A writer that fails as a closed pipe does.
    struct Closed;

    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(io::ErrorKind::BrokenPipe))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_output_surfaces_as_broken_pipe_and_warnings_never_fail() {
        let ui = Ui::with_writers(false, false, false, Box::new(Closed), Box::new(Closed));
        let err = ui.line("x").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
        // Warnings and notes are best effort: nothing to report them to.
        ui.warn("w");
        ui.note("n");
        ui.error_text("e");
    }

    /// Writes that reach the writer only when flushed, as a pipe behind a buffer would.
    #[derive(Clone, Default)]
    struct Buffered {
        pending: Vec<u8>,
        flushed: Capture,
    }

    impl Write for Buffered {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.pending.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            self.flushed.write_all(&self.pending)?;
            self.pending.clear();
            Ok(())
        }
    }

    #[test]
    fn every_line_is_flushed_like_stdout() {
        let out = Buffered::default();
        let flushed = out.flushed.clone();
        let ui = Ui::with_writers(false, false, false, Box::new(out), Box::new(io::sink()));
        ui.line("one").unwrap();
        assert_eq!(flushed.text(), "one\n");
        ui.write_out(|w| w.write_all(b"{}\n{}\n")).unwrap();
        assert_eq!(flushed.text(), "one\n{}\n{}\n");
    }

    #[test]
    fn aligns_columns() {
        let t = table(&[
            vec!["a".into(), "bb".into(), "c".into()],
            vec!["aaa".into(), "b".into(), "".into()],
        ]);
        assert_eq!(t, "a    bb  c\naaa  b\n");
    }
}

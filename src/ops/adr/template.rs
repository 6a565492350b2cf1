/*!
Which template new ADR bodies are rendered from: the project's `.coord/templates/adr.md` when
the worktree has one, else the built-in `templates/adr.md`. Rendering itself is the model's
([`crate::model::adr::render`]); this module reads the override, which is I/O, and names the
template at fault when it does not render.
*/

use std::path::Path;

use crate::model::adr::render::{self, AdrData};
use crate::ops::OpError;

/// Where a project overrides the ADR template, relative to its worktree root.
pub const TEMPLATE_OVERRIDE: &str = ".coord/templates/adr.md";

/// The template new ADR bodies are rendered from, and where it came from.
#[derive(Clone, Debug)]
pub struct Template {
    pub text: String,
    pub path: &'static str,
}

/// The project's `.coord/templates/adr.md` when the worktree has one, else the built-in one.
pub fn template(worktree: Option<&Path>) -> Template {
    let custom = worktree
        .map(|w| w.join(TEMPLATE_OVERRIDE))
        .and_then(|p| std::fs::read_to_string(p).ok());
    match custom {
        Some(text) => Template {
            text,
            path: TEMPLATE_OVERRIDE,
        },
        None => Template {
            text: render::DEFAULT_TEMPLATE.to_owned(),
            path: "templates/adr.md",
        },
    }
}

impl Template {
    pub(super) fn render(&self, data: &AdrData) -> Result<String, OpError> {
        render::render(&self.text, data).map_err(|e| OpError::Template {
            path: self.path.to_owned(),
            message: e.to_string(),
        })
    }
}

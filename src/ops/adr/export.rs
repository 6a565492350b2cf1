/*!
`adr export`: every ADR as a file of adr-tools or MADR. Exporting an ADR in the format its
body is written in writes that body unchanged, so importing a well-formed directory and
exporting it gives the same bytes back. An ADR exported in another format is rebuilt from its
fields and the sections of its body ([`formats::convert`]).
*/

use serde::Serialize;

use super::formats::{self, Content};
use super::{AdrError, AdrSet, load_adrs};
use crate::model::RecordError;
use crate::model::adr::{Adr, AdrNumber, BodyFormat};
use crate::store::Store;

/// One file `adr export` writes.
#[derive(Clone, Debug, Serialize)]
pub struct Exported {
    pub number: AdrNumber,
    pub file: String,
    pub format: BodyFormat,
    #[serde(skip)]
    pub text: String,
}

/// The format `export` writes when none is asked for: the one the imported ADRs came from
/// when they all agree, else adr-tools.
pub fn default_format<'a>(adrs: impl Iterator<Item = &'a Adr>) -> BodyFormat {
    let mut found = None;
    for a in adrs.filter(|a| a.format != BodyFormat::Coord) {
        match found {
            None => found = Some(a.format),
            Some(f) if f != a.format => return BodyFormat::AdrTools,
            Some(_) => {}
        }
    }
    found.unwrap_or(BodyFormat::AdrTools)
}

/// Every ADR as a file of `format` (default: [`default_format`]), and the records skipped.
pub fn export(
    store: &Store,
    format: Option<BodyFormat>,
) -> Result<(BodyFormat, Vec<Exported>, Vec<RecordError>), AdrError> {
    let snap = store.snapshot()?;
    let (all, problems) = load_adrs(&snap)?;
    let set = AdrSet::new(all);
    let format = format.unwrap_or_else(|| default_format(set.iter()));
    let files = set
        .iter()
        .map(|adr| {
            let text = if adr.format == format {
                adr.body.clone()
            } else {
                let content = Content::of(adr);
                let supersedes = set.links(&adr.supersedes);
                let superseded_by = set.links(&set.superseded_by(adr.number));
                formats::convert(adr, format, &content, &supersedes, &superseded_by)
            };
            Exported {
                number: adr.number,
                file: adr.file_name(),
                format,
                text,
            }
        })
        .collect();
    Ok((format, files, problems))
}

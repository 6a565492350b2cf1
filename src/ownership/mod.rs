/*!
File ownership: the claims agents hold on paths, the pattern matchers those claims are written
in (compiled once), and the checks that compare touched paths and claims with each other, all
as pure functions with no I/O.
*/

pub mod baseline;
pub mod check;
pub mod claims;
pub mod pattern;

/*!
Milestone health as human renderings read it. The computation is an operation
([`crate::ops::milestone::schedule_health`]), which `milestone list|show` and `status` share;
this module only names it for the renderers.
*/

pub use crate::ops::milestone::{Health, after_hours, belongs, schedule_health as health};

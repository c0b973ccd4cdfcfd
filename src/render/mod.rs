//! Printers: findings (human, JSON, GitHub annotations, SARIF, GitLab Code Quality) and tables.
//! Nothing here decides what is reported; it only formats.

pub(crate) mod bgpd;
pub mod docs;
pub(crate) mod findings;
pub(crate) mod graph;
pub(crate) mod impact;
pub(crate) mod plan;
pub(crate) mod racks;
pub(crate) mod racks_svg;
pub(crate) mod runbook;
pub(crate) mod sarif;
pub(crate) mod tables;

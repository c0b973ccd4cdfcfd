//! Printers: findings (human, JSON, GitHub annotations) and tables. Nothing here decides what
//! is reported; it only formats.

pub mod docs;
pub mod findings;
pub mod graph;
pub mod impact;
pub mod plan;
pub mod runbook;
pub mod tables;

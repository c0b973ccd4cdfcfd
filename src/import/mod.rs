//! Importers: other tools' data turned into inventory files.

pub(crate) mod netbox;

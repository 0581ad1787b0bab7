//! Legacy XML.

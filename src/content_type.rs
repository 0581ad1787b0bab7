//! GLPI agent protocol 3.2.3: Content-Type.

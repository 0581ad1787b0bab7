//! The PHP binding layer: classes, functions, INI directives, phpinfo and the mapping
//! of core errors to PHP exceptions. No protocol logic lives here.

use ext_php_rs::prelude::*;

#[php_function]
#[php(name = "GlpiAgentProtocol\\version")]
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[php_module]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    module.function(wrap_function!(version))
}

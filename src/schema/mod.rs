//! Inventories validated against GLPI's inventory_format schema, with the verdict GLPI's
//! `Glpi\Inventory\Schema::validate()` gives (swaggest/json-schema with `tolerateStrings`),
//! every violation instead of the first, and a lenient mode that removes the smallest
//! offending parts instead of the whole inventory.
//!
//! The schema is data: [`Schema::compile`] turns the JSON document into checks once, and
//! [`validate`] walks a message through the [`Doc`] trait, which the PHP layer implements
//! over zvals and the tests over `serde_json` values, so that the message is never copied.
//!
//! GLPI's rules reproduced here (each has a test, and PHPUnit compares with GLPI's code):
//! - at an object, `required` is checked first (schema order), then the members in
//!   document order; at a value: `type`, `enum`, `const`, `not`, string checks, numeric
//!   checks, `oneOf`, `anyOf`, `allOf`, then the object or array members;
//! - with `tolerateStrings`, a string is accepted for `integer` / `number` / `boolean` as
//!   `filter_var` accepts it, and the coerced value is what is range-checked;
//! - `integer` also accepts a float without a fraction and any float beyond `PHP_INT_MAX`;
//! - any value nested deeper than 200 levels refuses the document, before anything else.

mod compile;
pub mod filters;
mod pattern;
pub mod salvage;
mod walk;

#[cfg(test)]
mod tests;

use std::borrow::Cow;

pub use compile::{Extras, Schema};
pub use salvage::Removals;
pub use walk::validate;

/// Deepest nesting level swaggest's reference pre-processing accepts (the root is level 0).
pub const MAX_LEVEL: u32 = 200;

/// Default cap on the violations reported (the verdict and lenient removals are complete).
pub const DEFAULT_MAX_VIOLATIONS: usize = 1000;

/// A value of the message as the validator sees it.
#[derive(Debug, Clone, Copy)]
pub enum Kind<'a> {
    /// JSON `null` (PHP `null`).
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A PHP int.
    Int(i64),
    /// A PHP float.
    Float(f64),
    /// A string's bytes, as PHP holds them (not necessarily UTF-8).
    Str(&'a [u8]),
    /// A JSON array (a PHP list).
    List,
    /// A JSON object (`stdClass`, or a PHP array that is not a list).
    Map,
    /// An empty PHP array: `[]` or `{}` once decoded with `assoc`; both types accept it.
    Empty,
    /// Anything JSON cannot hold (a resource, a closure).
    Other,
}

/// A member name as PHP holds it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Seg<'a> {
    /// An object member or array key, its bytes as PHP holds them (an integer key of a PHP
    /// array as its decimal digits).
    Key(Cow<'a, [u8]>),
    /// A position in a list, from 0.
    Index(usize),
}

impl Seg<'_> {
    /// The same segment, its key copied out of the message so that it can outlive it.
    pub fn into_owned(self) -> Seg<'static> {
        match self {
            Seg::Key(k) => Seg::Key(Cow::Owned(k.into_owned())),
            Seg::Index(i) => Seg::Index(i),
        }
    }
}

/// Read access to a decoded message, without copying it.
pub trait Doc<'a>: Copy {
    /// What the value is; the walk asks nothing else of a scalar.
    fn kind(self) -> Kind<'a>;
    /// Calls `f` with each element of a list, in order.
    fn for_each_item(self, f: &mut dyn FnMut(usize, Self));
    /// Calls `f` with each member of a map, in document order.
    fn for_each_member(self, f: &mut dyn FnMut(Cow<'a, [u8]>, Self));
    /// Whether a map has a member of that name, as PHP finds it (an array holds `"12"` under
    /// the integer 12), for `required`.
    fn has_member(self, key: &[u8]) -> bool;
}

/// The JSON Schema keyword that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Keyword {
    /// None of the `type`s the schema lists (after string coercion with `tolerateStrings`).
    Type,
    /// Equal to none of the `enum` values.
    Enum,
    /// Not equal to the `const` value.
    Const,
    /// Matched the schema under `not`.
    Not,
    /// A string with fewer characters (UTF-8 code points) than `minLength`.
    MinLength,
    /// A string with more characters (UTF-8 code points) than `maxLength`.
    MaxLength,
    /// A string the `pattern` regular expression does not match.
    Pattern,
    /// A string that is not of its `format` (`ipv4`, `ipv6`).
    Format,
    /// A number below `minimum`.
    Minimum,
    /// A number above `maximum`.
    Maximum,
    /// A number not above `exclusiveMinimum`.
    ExclusiveMinimum,
    /// A number not below `exclusiveMaximum`.
    ExclusiveMaximum,
    /// No branch of `oneOf` matched, or more than one did.
    OneOf,
    /// No branch of `anyOf` matched.
    AnyOf,
    /// A member that `required` lists is missing (the pointer is the object's).
    Required,
    /// A member `properties` does not list, where `additionalProperties` is `false` (the
    /// pointer is the object's).
    AdditionalProperties,
    /// An array with fewer elements than `minItems`.
    MinItems,
    /// An array with more elements than `maxItems`.
    MaxItems,
    /// A value where the schema is `false` (denies everything).
    FalseSchema,
    /// Nested deeper than GLPI accepts.
    Depth,
}

impl Keyword {
    /// The keyword as the schema spells it (`"false"` for a false schema, `"depth"` for
    /// nesting), as `violations()` reports it.
    pub fn as_str(self) -> &'static str {
        match self {
            Keyword::Type => "type",
            Keyword::Enum => "enum",
            Keyword::Const => "const",
            Keyword::Not => "not",
            Keyword::MinLength => "minLength",
            Keyword::MaxLength => "maxLength",
            Keyword::Pattern => "pattern",
            Keyword::Format => "format",
            Keyword::Minimum => "minimum",
            Keyword::Maximum => "maximum",
            Keyword::ExclusiveMinimum => "exclusiveMinimum",
            Keyword::ExclusiveMaximum => "exclusiveMaximum",
            Keyword::OneOf => "oneOf",
            Keyword::AnyOf => "anyOf",
            Keyword::Required => "required",
            Keyword::AdditionalProperties => "additionalProperties",
            Keyword::MinItems => "minItems",
            Keyword::MaxItems => "maxItems",
            Keyword::FalseSchema => "false",
            Keyword::Depth => "depth",
        }
    }
}

/// One violation: where (RFC 6901 pointer into the message), which keyword, and a message
/// that never embeds a whole object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// RFC 6901 pointer to the offending value (`""` for the whole message).
    pub pointer: String,
    /// The keyword that failed.
    pub keyword: Keyword,
    /// What was wrong, in swaggest's words where GLPI shows them.
    pub message: String,
}

/// What validation does with an invalid message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Report every violation and return the message unchanged (GLPI's behaviour).
    Strict,
    /// Also work out the smallest parts to remove so that the rest validates.
    Lenient,
}

impl Mode {
    /// Parses the `mode` option or INI value (`strict` / `lenient`, case and surrounding blanks
    /// ignored); None for anything else.
    pub fn parse(s: &str) -> Option<Mode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "strict" => Some(Mode::Strict),
            "lenient" => Some(Mode::Lenient),
            _ => None,
        }
    }
}

/// How [`validate`] runs; the defaults are GLPI's production behaviour.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Strict or lenient.
    pub mode: Mode,
    /// GLPI's production setting (`tolerateStrings`, on unless `TU_USER` is defined).
    pub tolerate_strings: bool,
    /// Most violations (and lenient removals) listed in the [`Report`]; the count and the
    /// verdict still cover them all.
    pub max_violations: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            mode: Mode::Strict,
            tolerate_strings: true,
            max_violations: DEFAULT_MAX_VIOLATIONS,
        }
    }
}

/// What [`validate`] found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Every violation (up to `max_violations`), the one GLPI reports first at index 0.
    pub violations: Vec<Violation>,
    /// How many violations there were in all.
    pub violation_count: usize,
    /// Lenient mode, when the message can be salvaged: what to remove.
    pub removals: Option<Removals>,
    /// Lenient mode: each removed part, with the first violation it held.
    pub dropped: Vec<Violation>,
}

impl Report {
    /// Whether GLPI's server would accept the message (no violation at all).
    pub fn is_valid(&self) -> bool {
        self.violation_count == 0
    }
}

/// RFC 6901 pointer of a path.
pub fn pointer(path: &[Seg<'_>]) -> String {
    let mut out = String::new();
    for seg in path {
        out.push('/');
        match seg {
            Seg::Index(i) => out.push_str(&i.to_string()),
            Seg::Key(k) => {
                for ch in String::from_utf8_lossy(k).chars() {
                    match ch {
                        '~' => out.push_str("~0"),
                        '/' => out.push_str("~1"),
                        c => out.push(c),
                    }
                }
            }
        }
    }
    out
}

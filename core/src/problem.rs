//! The one problem type every validator returns: a stable machine code, the field it concerns,
//! and a message in Simplified Chinese and English.

use serde::{Deserialize, Serialize};

use crate::codes::ProblemCode;
use crate::Text;

/// One validation problem. `code` is stable (documented in ARCHITECTURE.md); messages may change.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub code: ProblemCode,
    /// The field (wire name, or roster field) the problem concerns.
    pub field: String,
    pub message: Text,
}

impl Problem {
    pub fn new(
        code: ProblemCode,
        field: &str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Problem {
            code,
            field: field.to_string(),
            message: Text::new(zh, en),
        }
    }
}

/// Collects problems; helpers keep validators short and uniform.
#[derive(Debug, Default)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    pub fn push(
        &mut self,
        code: ProblemCode,
        field: &str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) {
        self.0.push(Problem::new(code, field, zh, en));
    }

    /// Checks a character-count range (Unicode scalar values, as the provider counts "字符").
    pub fn char_len(&mut self, field: &str, value: &str, min: usize, max: usize) {
        let n = value.chars().count();
        if n < min || n > max {
            self.push(
                ProblemCode::LengthOutOfRange,
                field,
                format!("{field} 长度须为 {min}–{max} 个字符（当前 {n}）"),
                format!("{field} must be {min}–{max} characters (got {n})"),
            );
        }
    }

    pub fn into_vec(self) -> Vec<Problem> {
        self.0
    }
}

//! Remembered column mappings: a mapping a user confirmed, kept on the server under their name
//! so it follows them across browsers and colleagues can reuse it (`GET`/`POST /api/mappings`).

use super::*;

/// `POST /api/mappings` body: a mapping to keep under `name` for the caller.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveMapping {
    /// What the user calls it ("年会报名表").
    pub name: String,
    /// The file's headers the mapping was made for (how it is matched to the next file).
    pub headers: Vec<String>,
    pub mapping: MappingOptions,
}

impl SaveMapping {
    /// At most this many headers (a roster has a few dozen columns at most).
    pub const MAX_HEADERS: usize = 200;
    /// A name's length in characters.
    pub const MAX_NAME: usize = 64;

    /// What is wrong with the request, if anything (the proxy answers 422 with it).
    pub fn problem(&self) -> Option<Text> {
        let n = self.name.trim().chars().count();
        if n == 0 || n > Self::MAX_NAME {
            return Some(Text::new(
                format!("映射名称须为 1–{} 个字符", Self::MAX_NAME),
                format!("a mapping's name takes 1–{} characters", Self::MAX_NAME),
            ));
        }
        if self.headers.is_empty() || self.headers.len() > Self::MAX_HEADERS {
            return Some(Text::new(
                format!("表头须为 1–{} 个", Self::MAX_HEADERS),
                format!("a mapping takes 1–{} headers", Self::MAX_HEADERS),
            ));
        }
        None
    }
}

/// A remembered mapping: whose it is and when it was last saved.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedMapping {
    pub name: String,
    /// The SSO user who saved it.
    pub owner: String,
    pub headers: Vec<String>,
    pub mapping: MappingOptions,
    /// Unix seconds.
    pub saved_at: i64,
}

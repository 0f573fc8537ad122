//! The one bilingual text type: a message in Simplified Chinese and English. Stored and sent
//! structured, so each reader sees their language (the UI's toggle, a CSV, a log line).

use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Text {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The same words for both languages (a provider's own message comes in one).
    pub fn same(s: impl Into<String>) -> Self {
        let s = s.into();
        Text {
            zh: s.clone(),
            en: s,
        }
    }

    /// Reads the old flattened form `"中文 / English"` (journal rows written before this type);
    /// text without the separator is the same in both.
    pub fn from_legacy(s: &str) -> Self {
        match s.split_once(" / ") {
            Some((zh, en)) => Text::new(zh, en),
            None => Text::same(s),
        }
    }

    /// How the journal stores a text (JSON `{"zh","en"}`).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("two strings")
    }

    /// Reads [`Text::to_json`] back; journal rows from before the type hold `"中文 / English"`.
    pub fn from_json(s: &str) -> Self {
        serde_json::from_str(s).unwrap_or_else(|_| Text::from_legacy(s))
    }

    /// The message in `lang` (`"en"`, anything else is Chinese).
    pub fn get(&self, lang: &str) -> &str {
        if lang == "en" {
            &self.en
        } else {
            &self.zh
        }
    }

    /// Joins several texts language by language.
    pub fn join<'a>(parts: impl IntoIterator<Item = &'a Text>, zh_sep: &str, en_sep: &str) -> Text {
        let parts: Vec<&Text> = parts.into_iter().collect();
        Text {
            zh: parts
                .iter()
                .map(|t| t.zh.as_str())
                .collect::<Vec<_>>()
                .join(zh_sep),
            en: parts
                .iter()
                .map(|t| t.en.as_str())
                .collect::<Vec<_>>()
                .join(en_sep),
        }
    }
}

/// Both languages on one line (logs, the CSV export): `中文 / English`, or once when the same.
impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.zh == self.en {
            f.write_str(&self.zh)
        } else {
            write!(f, "{} / {}", self.zh, self.en)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Text;

    #[test]
    fn legacy_form_round_trips_through_display() {
        let t = Text::new("已是群成员", "already a member");
        assert_eq!(Text::from_legacy(&t.to_string()), t);
        assert_eq!(Text::from_legacy("HTTP 502"), Text::same("HTTP 502"));
        assert_eq!(t.get("en"), "already a member");
        assert_eq!(t.get("zh"), "已是群成员");
    }
}

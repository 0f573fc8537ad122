//! Who a person is to Tencent Meeting: the phone (with its area code), e-mail, userid or
//! open_id an enrollment carries — compared to tell an enrollment already there.

/// Every identity a Tencent Meeting entry carries, normalised as the roster normalises them:
/// `u:<userid>`, `o:<open_id>`, `p:<area>-<national number>`. A request row, an import answer
/// and a list entry are the same person when they share any key: seed 000 answers a phone
/// import with the `userid` filled in, and the provider may echo a phone in its own form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity(Vec<String>);

/// `identity()` for every wire type that names a person by `userid`, `open_id`, `area` and
/// `phone_number`: one rule for the request row, the import answer and the list entry.
macro_rules! identified {
    ($($t:ty),+) => {$(
        impl $t {
            /// Every identity this entry carries (see [`Identity`]).
            pub fn identity(&self) -> Identity {
                Identity::new(
                    self.userid.as_deref(),
                    self.open_id.as_deref(),
                    self.area.as_deref(),
                    self.phone_number.as_deref(),
                )
            }
        }
    )+};
}

identified!(
    super::EnrollEntry,
    super::ImportedEnroll,
    super::ApprovalEntry
);

impl Identity {
    pub fn new(
        userid: Option<&str>,
        open_id: Option<&str>,
        area: Option<&str>,
        phone: Option<&str>,
    ) -> Self {
        fn present(s: Option<&str>) -> Option<&str> {
            s.map(str::trim).filter(|s| !s.is_empty())
        }
        let mut keys = Vec::with_capacity(3);
        if let Some(u) = present(userid) {
            keys.push(format!("u:{u}"));
        }
        if let Some(o) = present(open_id) {
            keys.push(format!("o:{o}"));
        }
        if let Some(p) = present(phone) {
            keys.push(phone_key(present(area), p));
        }
        Identity(keys)
    }

    /// Adds the keys of another description of the same person (e.g. a roster row's userid and
    /// phone when only one of them is sent).
    pub fn with(mut self, other: Identity) -> Self {
        for k in other.0 {
            if !self.0.contains(&k) {
                self.0.push(k);
            }
        }
        self
    }

    pub fn keys(&self) -> &[String] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// `p:<area>-<national>` with the roster's normalisation (full-width digits, separators, `+86` /
/// `0086` prefixes); a phone the roster rules refuse keeps its digits only, so it still matches
/// itself.
fn phone_key(area: Option<&str>, phone: &str) -> String {
    match crate::roster::phone::normalize(phone, area) {
        Ok((a, n)) => format!("p:{a}-{n}"),
        Err(_) => {
            let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
            let a = area.map(digits).unwrap_or_default();
            let a = a.strip_prefix("00").map(str::to_string).unwrap_or(a);
            format!("p:{a}-{}", digits(phone))
        }
    }
}

/// Finds entries by any identity they share with a query. Built over an answer (each entry
/// accounts for one row: [`IdentityIndex::take`]) or over a list (lookups do not consume:
/// [`IdentityIndex::find`]).
#[derive(Debug, Default)]
pub struct IdentityIndex {
    by_key: std::collections::HashMap<String, Vec<usize>>,
    used: Vec<bool>,
}

impl IdentityIndex {
    pub fn new<'a>(identities: impl IntoIterator<Item = &'a Identity>) -> Self {
        let mut ix = IdentityIndex::default();
        for (i, id) in identities.into_iter().enumerate() {
            for k in id.keys() {
                ix.by_key.entry(k.clone()).or_default().push(i);
            }
            ix.used.push(false);
        }
        ix
    }

    /// The first entry sharing a key with `who`.
    pub fn find(&self, who: &Identity) -> Option<usize> {
        who.keys()
            .iter()
            .filter_map(|k| self.by_key.get(k))
            .flat_map(|v| v.iter().copied())
            .min()
    }

    /// The first entry sharing a key with `who` that no earlier `take` returned.
    pub fn take(&mut self, who: &Identity) -> Option<usize> {
        let i = who
            .keys()
            .iter()
            .filter_map(|k| self.by_key.get(k))
            .flat_map(|v| v.iter().copied())
            .filter(|&i| !self.used[i])
            .min()?;
        self.used[i] = true;
        Some(i)
    }
}

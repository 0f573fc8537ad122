//! One person as the roster understood them: the fields every destination reads.

use super::*;

/// The unified attendee record.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Attendee {
    pub name: Option<Cell>,
    /// Country calling code without `+` (e.g. `86`).
    pub area: Option<Cell>,
    /// National number, digits only.
    pub phone: Option<Cell>,
    pub email: Option<Cell>,
    pub company: Option<Cell>,
    pub position: Option<Cell>,
    pub userid: Option<Cell>,
    pub open_id: Option<Cell>,
    pub im_account: Option<Cell>,
    pub nickname: Option<Cell>,
    /// IM group role: only `Admin`.
    pub role: Option<Cell>,
    /// IM JoinTime, Unix seconds.
    pub join_time: Option<i64>,
    pub custom: Vec<CustomField>,
}

/// An optional cell as the owned `String` a provider's wire type holds.
fn owned(c: &Option<Cell>) -> Option<String> {
    c.as_deref().map(str::to_string)
}

impl Attendee {
    /// The Tencent Meeting enrollment for this row: userid first, else area + phone.
    pub fn to_enroll_entry(&self) -> tencent_meeting::EnrollEntry {
        let nick = owned(&self.nickname).or_else(|| owned(&self.name));
        if let Some(u) = &self.userid {
            tencent_meeting::EnrollEntry {
                userid: Some(u.to_string()),
                nick_name: nick,
                ..Default::default()
            }
        } else {
            tencent_meeting::EnrollEntry {
                area: owned(&self.area),
                phone_number: owned(&self.phone),
                nick_name: nick,
                ..Default::default()
            }
        }
    }

    /// The IM `Member_Account` for this row: the IM account, else the userid.
    pub fn im_member_account(&self) -> Option<&str> {
        self.im_account.as_deref().or(self.userid.as_deref())
    }

    /// The IM member: `Member_Account` is [`Self::im_member_account`].
    pub fn to_im_member(&self) -> Option<tencent_im::ImportMember> {
        Some(tencent_im::ImportMember {
            member_account: self.im_member_account()?.to_string(),
            role: self.role.as_deref().map(tencent_im::MemberRole::from),
            join_time: self.join_time,
            unread_msg_num: None,
        })
    }

    /// 31huiyi dynamic fields: built-ins then custom columns under their headers.
    pub fn to_huiyi31_fields(&self) -> Vec<huiyi31::Field> {
        use huiyi31::field_names as n;
        let mut out = Vec::new();
        let mut push = |name: &str, v: &Option<Cell>| {
            if let Some(v) = v {
                out.push(huiyi31::Field {
                    field_name: name.to_string(),
                    field_value: v.to_string(),
                });
            }
        };
        push(n::FULL_NAME, &self.name);
        push(n::MOBILE, &self.phone);
        let abroad = self
            .area
            .as_deref()
            .filter(|a| self.phone.is_some() && !a.is_empty() && *a != "86")
            .map(|a| Cell::from(format!("+{a}").as_str()));
        push(n::AREA_CODE, &abroad);
        push(n::EMAIL, &self.email);
        push(n::COMPANY, &self.company);
        push(n::POSITION, &self.position);
        // Custom columns only under the field code the mapping gave them.
        for h in self.custom.iter().filter_map(|c| c.huiyi31.as_ref()) {
            out.push(huiyi31::Field {
                field_name: h.code.to_string(),
                field_value: h.value.to_string(),
            });
        }
        out
    }

    /// Every identity Tencent Meeting may answer for this person: the one sent (userid, else
    /// area + phone) and the others the row carries, since the provider fills them in (seed 000
    /// answers a phone import with the userid).
    pub fn tencent_meeting_identity(&self) -> tencent_meeting::Identity {
        self.to_enroll_entry()
            .identity()
            .with(tencent_meeting::Identity::new(
                self.userid.as_deref(),
                self.open_id.as_deref(),
                self.area.as_deref(),
                self.phone.as_deref(),
            ))
    }
}

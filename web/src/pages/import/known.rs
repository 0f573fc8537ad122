//! The destinations the proxy has seen (`/api/destinations`), offered by name in each
//! destination's field.

use rollcall_core::api::{DestinationKind, KnownDestination};

thread_local! {
    /// Destinations the proxy has seen (`/api/destinations`), for the fields' suggestion lists.
    pub(super) static KNOWN: std::cell::RefCell<Vec<KnownDestination>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Fills the suggestion list of the `kind` field (once) with the known destinations of that
/// kind, as plain DOM options (a reactive list here cost 5 KiB of first screen).
pub(super) fn offer_known(kind: DestinationKind) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(list) = doc.get_element_by_id(&format!("dest-{}-known", kind.as_str())) else {
        return;
    };
    if list.child_element_count() > 0 {
        return;
    }
    KNOWN.with(|known| {
        for d in known
            .borrow()
            .iter()
            .filter(|d| d.destination.kind() == kind)
        {
            let text = d.destination.to_string();
            let value = text.split_once(':').map_or(text.as_str(), |(_, v)| v);
            if let Ok(option) = doc.create_element("option") {
                let _ = option.set_attribute("value", value);
                let _ = option.set_attribute("label", d.label.as_deref().unwrap_or(value));
                let _ = list.append_child(&option);
            }
        }
    });
}

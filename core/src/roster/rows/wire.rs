//! The rows on the wire (worker → page → proxy): streamed in and out without a copy per cell.

use super::*;

/// On the wire (the browser worker's reply) a row is `{row, cells, duplicate_of?}`: what the
/// page shows and sends. What validation derived stays with whoever validated.
#[derive(Serialize)]
struct WireRowOut<'r, I: Iterator<Item = &'r str> + Clone> {
    row: u32,
    #[serde(serialize_with = "cells_out")]
    cells: I,
    #[serde(skip_serializing_if = "Option::is_none")]
    duplicate_of: Option<u32>,
}

fn cells_out<'r, I: Iterator<Item = &'r str> + Clone, S: Serializer>(
    cells: &I,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(cells.clone())
}

impl Serialize for Rows {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.len()))?;
        for r in self.iter() {
            seq.serialize_element(&WireRowOut {
                row: r.row,
                cells: r.cells(),
                duplicate_of: r.duplicate_of,
            })?;
        }
        seq.end()
    }
}

/// Read back (the page, from the worker's reply) straight into the one buffer: each row's cells
/// appended as they are parsed, borrowed from the JSON text where it holds them as they are, so a
/// 100k-row reply costs no allocation per row or cell.
impl<'de> Deserialize<'de> for Rows {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct RowsVisitor;
        impl<'de> Visitor<'de> for RowsVisitor {
            type Value = Rows;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of rows")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Rows, A::Error> {
                let mut rows = Rows::with_capacity(seq.size_hint().unwrap_or(0), 0, 0);
                while seq.next_element_seed(RowSeed(&mut rows))?.is_some() {}
                Ok(rows)
            }
        }
        d.deserialize_seq(RowsVisitor)
    }
}

/// One `{row, cells, duplicate_of?}` appended to the rows.
struct RowSeed<'r>(&'r mut Rows);

impl<'de> DeserializeSeed<'de> for RowSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RowSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a row: {row, cells, duplicate_of}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let rows = self.0;
        let first = rows.ends.len();
        let (mut row, mut duplicate_of, mut cells) = (None, None, false);
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Row => row = Some(map.next_value::<u32>()?),
                Key::DuplicateOf => duplicate_of = map.next_value::<Option<u32>>()?,
                Key::Cells if !cells => {
                    cells = true;
                    map.next_value_seed(CellsSeed(rows))?;
                }
                Key::Cells => return Err(serde::de::Error::duplicate_field("cells")),
                Key::Other => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        let row = row.ok_or_else(|| serde::de::Error::missing_field("row"))?;
        if !cells {
            return Err(serde::de::Error::missing_field("cells"));
        }
        rows.entries.push(RowEntry {
            row,
            duplicate_of,
            first: first as u32,
            len: (rows.ends.len() - first) as u32,
            derived: 0,
            area_len: 0,
            phone_len: 0,
            flags: 0,
            needs: 0,
        });
        Ok(())
    }
}

/// A row's field names on the wire.
enum Key {
    Row,
    Cells,
    DuplicateOf,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a row field")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(match v {
                    "row" => Key::Row,
                    "cells" => Key::Cells,
                    "duplicate_of" => Key::DuplicateOf,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_identifier(KeyVisitor)
    }
}

/// A row's cells, each appended to the text buffer as it is parsed.
struct CellsSeed<'r>(&'r mut Rows);

impl<'de> DeserializeSeed<'de> for CellsSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for CellsSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of cells")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(c) = seq.next_element::<CellText<'de>>()? {
            self.0.text.push_str(&c.0);
            self.0.ends.push(self.0.text.len() as u32);
        }
        Ok(())
    }
}

/// A cell's text: borrowed from the input when it holds it unescaped.
struct CellText<'a>(std::borrow::Cow<'a, str>);

impl<'de> Deserialize<'de> for CellText<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = CellText<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a cell's text")
            }
            fn visit_borrowed_str<E: serde::de::Error>(
                self,
                v: &'de str,
            ) -> Result<Self::Value, E> {
                Ok(CellText(v.into()))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(CellText(v.to_string().into()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(CellText(v.into()))
            }
        }
        d.deserialize_str(TextVisitor)
    }
}

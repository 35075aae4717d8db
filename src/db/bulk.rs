//! Many rows of one table in one statement.
//!
//! A multi-row `INSERT ... VALUES` binds one value per field: 18,500 for 500 notices of 37 columns. In an import of
//! 10,000 notices PostgreSQL spent 14 ms binding each such statement beside 19 ms executing it, and building it was
//! a tenth of the import's own work (docs/benchmarks.md, issue 15). On PostgreSQL the rows therefore go as one JSON
//! array, turned into rows of the table's own type by `json_populate_recordset`: one bound value however many rows,
//! the same statement text for every batch. Each field is written as the text PostgreSQL reads for its column type
//! (dates as `YYYY-MM-DD`, timestamps with their offset in RFC 3339 to the microsecond, as bound values are
//! truncated), so what is stored is what the VALUES statement stores. A value JSON cannot carry so (bytes, a date
//! outside years 1 to 9999, a float that is not finite, a type not listed below) sends the whole chunk the VALUES
//! way, which SQLite always takes.

use chrono::{Datelike, SecondsFormat};
use sea_orm::sea_query::{Query, Value};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbBackend, DbErr, EntityName, EntityTrait, IdenStatic, Iterable, QueryResult,
    QueryTrait, Statement,
};
use serde::ser::{SerializeMap, SerializeSeq};

/// Inserts `rows` (each setting the same columns) in one statement, and returns the `returning` columns of each
/// row in no particular order (nothing when `returning` is empty). The caller keeps a chunk within SQLite's
/// 32,766 bound values.
pub async fn insert<A, C>(
    db: &C,
    rows: Vec<A>,
    returning: &[<A::Entity as EntityTrait>::Column],
) -> Result<Vec<QueryResult>, DbErr>
where
    A: ActiveModelTrait,
    C: ConnectionTrait,
{
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    if db.get_database_backend() == DbBackend::Postgres
        && let Some(stmt) = as_json(&rows, returning)
    {
        return if returning.is_empty() {
            db.execute_raw(stmt).await.map(|_| Vec::new())
        } else {
            db.query_all_raw(stmt).await
        };
    }
    let mut stmt = <A::Entity as EntityTrait>::insert_many(rows).into_query();
    if returning.is_empty() {
        db.execute(&stmt).await.map(|_| Vec::new())
    } else {
        stmt.returning(Query::returning().columns(returning.iter().copied()));
        db.query_all(&stmt).await
    }
}

/// The PostgreSQL statement that inserts `rows` from one JSON array, or `None` when a row sets other columns than
/// the first or holds a value that JSON cannot carry as its column reads it.
pub(crate) fn as_json<A: ActiveModelTrait>(
    rows: &[A],
    returning: &[<A::Entity as EntityTrait>::Column],
) -> Option<Statement> {
    let all: Vec<_> = <A::Entity as EntityTrait>::Column::iter().collect();
    let set: Vec<bool> = all.iter().map(|c| rows[0].get(*c).into_value().is_some()).collect();
    let mut values: Vec<Vec<Value>> = Vec::with_capacity(rows.len());
    for row in rows {
        let mut fields = Vec::with_capacity(all.len());
        for (c, &wanted) in all.iter().zip(&set) {
            match (row.get(*c).into_value(), wanted) {
                (Some(v), true) if carried(&v) => fields.push(v),
                (None, false) => {}
                _ => return None,
            }
        }
        values.push(fields);
    }
    let columns: Vec<_> = all.iter().zip(&set).filter(|(_, s)| **s).map(|(c, _)| *c).collect();
    let names: Vec<&str> = columns.iter().map(|c| c.as_str()).collect();
    let json = serde_json::to_string(&JsonRows {
        names: &names,
        rows: &values,
    })
    .ok()?;
    let list = names.iter().map(|n| quoted(n)).collect::<Vec<_>>().join(", ");
    let table = quoted(<A::Entity as Default>::default().table_name());
    let mut sql =
        format!("INSERT INTO {table} ({list}) SELECT {list} FROM json_populate_recordset(NULL::{table}, $1::json)");
    if !returning.is_empty() {
        let back = returning
            .iter()
            .map(|c| quoted(c.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        sql.push_str(" RETURNING ");
        sql.push_str(&back);
    }
    Some(Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        [Value::from(json)],
    ))
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Whether JSON carries `v` as PostgreSQL reads it for the column the value was made for.
fn carried(v: &Value) -> bool {
    let year = |y: i32| (1..=9999).contains(&y);
    match v {
        Value::Bool(_)
        | Value::TinyInt(_)
        | Value::SmallInt(_)
        | Value::Int(_)
        | Value::BigInt(_)
        | Value::TinyUnsigned(_)
        | Value::SmallUnsigned(_)
        | Value::Unsigned(_)
        | Value::BigUnsigned(_)
        | Value::String(_)
        | Value::Char(_)
        | Value::Json(_) => true,
        Value::Float(f) => f.is_none_or(|f| f.is_finite()),
        Value::Double(f) => f.is_none_or(|f| f.is_finite()),
        Value::ChronoDate(d) => d.is_none_or(|d| year(d.year())),
        Value::ChronoDateTimeUtc(t) => t.is_none_or(|t| year(t.year())),
        Value::ChronoDateTimeWithTimeZone(t) => t.is_none_or(|t| year(t.year())),
        _ => false,
    }
}

/// The rows as a JSON array of objects named by column.
struct JsonRows<'a> {
    names: &'a [&'a str],
    rows: &'a [Vec<Value>],
}

impl serde::Serialize for JsonRows<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.rows.len()))?;
        for row in self.rows {
            seq.serialize_element(&JsonRow { names: self.names, row })?;
        }
        seq.end()
    }
}

struct JsonRow<'a> {
    names: &'a [&'a str],
    row: &'a [Value],
}

impl serde::Serialize for JsonRow<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.row.len()))?;
        for (name, v) in self.names.iter().zip(self.row) {
            map.serialize_entry(name, &Field(v))?;
        }
        map.end()
    }
}

/// One value as the JSON whose text PostgreSQL reads for its column (only values that [`carried`] accepts).
struct Field<'a>(&'a Value);

impl serde::Serialize for Field<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        fn opt<S: serde::Serializer, T>(
            s: S,
            v: &Option<T>,
            f: impl FnOnce(S, &T) -> Result<S::Ok, S::Error>,
        ) -> Result<S::Ok, S::Error> {
            match v {
                Some(v) => f(s, v),
                None => s.serialize_none(),
            }
        }
        match self.0 {
            Value::Bool(v) => opt(s, v, |s, v| s.serialize_bool(*v)),
            Value::TinyInt(v) => opt(s, v, |s, v| s.serialize_i8(*v)),
            Value::SmallInt(v) => opt(s, v, |s, v| s.serialize_i16(*v)),
            Value::Int(v) => opt(s, v, |s, v| s.serialize_i32(*v)),
            Value::BigInt(v) => opt(s, v, |s, v| s.serialize_i64(*v)),
            Value::TinyUnsigned(v) => opt(s, v, |s, v| s.serialize_u8(*v)),
            Value::SmallUnsigned(v) => opt(s, v, |s, v| s.serialize_u16(*v)),
            Value::Unsigned(v) => opt(s, v, |s, v| s.serialize_u32(*v)),
            Value::BigUnsigned(v) => opt(s, v, |s, v| s.serialize_u64(*v)),
            Value::Float(v) => opt(s, v, |s, v| s.serialize_f32(*v)),
            Value::Double(v) => opt(s, v, |s, v| s.serialize_f64(*v)),
            Value::String(v) => opt(s, v, |s, v| s.serialize_str(v)),
            Value::Char(v) => opt(s, v, |s, v| s.serialize_char(*v)),
            Value::Json(v) => opt(s, v, |s, v| serde::Serialize::serialize(&**v, s)),
            Value::ChronoDate(v) => opt(s, v, |s, v| s.collect_str(&v.format("%Y-%m-%d"))),
            Value::ChronoDateTimeUtc(v) => opt(s, v, |s, v| {
                s.serialize_str(&v.to_rfc3339_opts(SecondsFormat::Micros, true))
            }),
            Value::ChronoDateTimeWithTimeZone(v) => opt(s, v, |s, v| {
                s.serialize_str(&v.to_rfc3339_opts(SecondsFormat::Micros, true))
            }),
            other => Err(serde::ser::Error::custom(format!("no JSON for {other:?}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operate::entity::audit_log;
    use sea_orm::ActiveValue::{NotSet, Set};

    fn row(at: chrono::DateTime<chrono::Utc>, after: Option<&str>) -> audit_log::ActiveModel {
        audit_log::ActiveModel {
            id: NotSet,
            at: Set(at),
            actor: Set("cli:测试".into()),
            key_id: Set(None),
            source: Set("jsonl".into()),
            action: Set("create".into()),
            record_type: Set("notice".into()),
            record_id: Set(Some(7)),
            record_key: Set(Some("G/TBT/N/CHN/1".into())),
            version: Set(1),
            before: Set(None),
            after: Set(after.map(str::to_string)),
            request_id: Set(None),
            job_id: Set(Some(3)),
        }
    }

    #[test]
    fn rows_go_as_one_json_array_of_the_set_columns() {
        let at = chrono::DateTime::from_timestamp(1_765_000_000, 123_456_789).unwrap();
        let rows = [row(at, Some("{\"a\":\"\\\"\"}")), row(at, None)];
        let stmt = as_json(&rows, &[audit_log::Column::Id]).expect("audit rows go as JSON");
        assert_eq!(
            stmt.sql,
            "INSERT INTO \"audit_log\" (\"at\", \"actor\", \"key_id\", \"source\", \"action\", \"record_type\", \
             \"record_id\", \"record_key\", \"version\", \"before\", \"after\", \"request_id\", \"job_id\") SELECT \
             \"at\", \"actor\", \"key_id\", \"source\", \"action\", \"record_type\", \"record_id\", \"record_key\", \
             \"version\", \"before\", \"after\", \"request_id\", \"job_id\" FROM \
             json_populate_recordset(NULL::\"audit_log\", $1::json) RETURNING \"id\""
        );
        let values = stmt.values.expect("one bound value").0;
        assert_eq!(values.len(), 1);
        let Value::String(Some(text)) = &values[0] else {
            panic!("not text: {values:?}")
        };
        let json: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(json[0]["at"], "2025-12-06T05:46:40.123456Z");
        assert_eq!(json[0]["actor"], "cli:测试");
        assert_eq!(json[0]["after"], "{\"a\":\"\\\"\"}");
        assert_eq!(json[1]["after"], serde_json::Value::Null);
        assert_eq!(json[0]["record_id"], 7);
        assert_eq!(json[0]["key_id"], serde_json::Value::Null);
        assert!(json[0].get("id").is_none(), "{json}");
    }

    #[test]
    fn rows_setting_other_columns_or_values_json_cannot_carry_go_the_values_way() {
        let at = chrono::Utc::now();
        let mut other = row(at, None);
        other.job_id = NotSet;
        assert!(as_json(&[row(at, None), other], &[]).is_none());
        let far = chrono::DateTime::from_timestamp(300_000_000_000, 0).unwrap();
        assert!(far.format("%Y").to_string().len() > 4);
        assert!(as_json(&[row(far, None)], &[]).is_none());
        assert!(!carried(&Value::Double(Some(f64::NAN))));
        assert!(!carried(&Value::Bytes(Some(vec![1]))));
        assert!(carried(&Value::Double(None)));
    }
}

//! The SQLite and PostgreSQL migrations build the same schema: the same tables, columns (name, nullability, type
//! family), primary keys, indexes, foreign keys and triggers. Each engine's catalogue is read into flat facts ("column
//! agreements.title" → "text NOT NULL") and the two sets compared, so a failure names the exact difference.

use baton_tests::database::{self, postgres_available};
use baton_tests::server::binary;
use sqlx::{Connection, PgConnection, Row, SqliteConnection};
use std::collections::BTreeMap;

/// Fact → description, e.g. "index audit_log.audit_record" → "(record_type, record_id)".
type Facts = BTreeMap<String, String>;

/// Differences left as they are, each with its reason (none today). The test also fails once one of them
/// disappears, so that this list stays true.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[];

/// Tables that are not Baton's: sqlx's migration bookkeeping differs by engine by design.
const NOT_OURS: &[&str] = &["_sqlx_migrations"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_migrations_build_the_same_schema() {
    // In CI a missing PostgreSQL fails here instead of skipping.
    if !postgres_available() {
        return;
    }
    let scratch = tempfile::tempdir().expect("temporary directory");
    let sqlite_url = database::create(database::Backend::Sqlite, scratch.path()).await;
    let postgres_url = database::create(database::Backend::Postgres, scratch.path()).await;
    migrate(&sqlite_url, scratch.path()).await;
    migrate(&postgres_url, scratch.path()).await;

    let sqlite = sqlite_facts(&sqlite_url).await;
    let postgres = postgres_facts(&postgres_url).await;
    // Guards against an introspection query that silently finds nothing.
    for (engine, facts) in [("SQLite", &sqlite), ("PostgreSQL", &postgres)] {
        for kind in ["table ", "column ", "primary key ", "index ", "unique constraint ", "foreign key ", "trigger "] {
            assert!(facts.keys().any(|k| k.starts_with(kind)), "{engine}: no {kind}facts found");
        }
    }

    eprintln!("compared {} SQLite facts with {} PostgreSQL facts", sqlite.len(), postgres.len());
    let mut differences = compare(&sqlite, &postgres);
    let mut stale = Vec::new();
    for (known, _why) in KNOWN_DIFFERENCES {
        match differences.iter().position(|d| d == known) {
            Some(at) => {
                differences.remove(at);
            }
            None => stale.push(*known),
        }
    }
    assert!(
        differences.is_empty(),
        "the SQLite and PostgreSQL schemas differ:\n  {}\n(add a migration for both engines, or explain the \
         difference in KNOWN_DIFFERENCES)",
        differences.join("\n  ")
    );
    assert!(stale.is_empty(), "KNOWN_DIFFERENCES lists differences that are gone: {stale:?}");
    // TRUNCATE skips PostgreSQL's row triggers: every table guarded against DELETE needs a statement guard too.
    // (SQLite has no TRUNCATE; its DELETE without WHERE runs the row triggers.)
    for (fact, description) in &postgres {
        if let (Some(_), Some(table)) = (fact.strip_prefix("trigger "), description.strip_prefix("BEFORE DELETE ON ")) {
            assert!(
                postgres.values().any(|d| d == &format!("BEFORE TRUNCATE ON {table}")),
                "PostgreSQL: {table} refuses DELETE but not TRUNCATE"
            );
        }
    }
}

/// Runs `baton migrate` on a database.
async fn migrate(url: &str, scratch: &std::path::Path) {
    let out = tokio::process::Command::new(binary())
        .arg("migrate")
        .env("BATON_DATABASE_URL", url)
        .env("BATON_DATA_DIR", scratch)
        .env("BATON_LOG", "warn")
        .output()
        .await
        .expect("running baton migrate");
    assert!(out.status.success(), "baton migrate failed on {url}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Every fact of one side that the other lacks or describes differently, in words.
fn compare(sqlite: &Facts, postgres: &Facts) -> Vec<String> {
    let mut differences = Vec::new();
    for (fact, on_sqlite) in sqlite {
        match postgres.get(fact) {
            None => differences.push(format!("{fact} ({on_sqlite}) exists only on SQLite")),
            Some(on_postgres) if on_postgres != on_sqlite => {
                differences.push(format!("{fact}: SQLite has {on_sqlite}, PostgreSQL has {on_postgres}"));
            }
            Some(_) => {}
        }
    }
    for (fact, on_postgres) in postgres {
        // PostgreSQL-only TRUNCATE guards have no SQLite counterpart (checked separately above).
        if !sqlite.contains_key(fact) && !on_postgres.starts_with("BEFORE TRUNCATE ON ") {
            differences.push(format!("{fact} ({on_postgres}) exists only on PostgreSQL"));
        }
    }
    differences
}

fn column_fact(table: &str, column: &str, family: &str, nullable: bool) -> (String, String) {
    (format!("column {table}.{column}"), format!("{family} {}", if nullable { "NULL" } else { "NOT NULL" }))
}

/// An index fact. Indexes behind UNIQUE constraints are named by each engine in its own way
/// (`sqlite_autoindex_users_1`, `users_email_key`), so they are identified by their columns instead.
fn index_fact(table: &str, name: &str, from_constraint: bool, unique: bool, columns: &[String]) -> (String, String) {
    let key = if from_constraint {
        format!("unique constraint {table}({})", columns.join(", "))
    } else {
        format!("index {table}.{name}")
    };
    (key, format!("{}({})", if unique { "unique " } else { "" }, columns.join(", ")))
}

fn foreign_key_fact(table: &str, columns: &[String], target: &str, referenced: &[String]) -> (String, String) {
    (format!("foreign key {table}({})", columns.join(", ")), format!("references {target}({})", referenced.join(", ")))
}

/// SQLite's type affinity rules (https://sqlite.org/datatype3.html, 3.1), with BOOLEAN kept apart.
fn sqlite_family(declared: &str) -> String {
    let t = declared.to_ascii_uppercase();
    let family = if t.contains("BOOL") {
        "boolean"
    } else if t.contains("INT") {
        "integer"
    } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
        "text"
    } else if t.is_empty() || t.contains("BLOB") {
        "blob"
    } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
        "real"
    } else {
        return format!("numeric ({declared})");
    };
    family.to_owned()
}

fn postgres_family(data_type: &str) -> String {
    let family = match data_type {
        "text" | "character varying" | "character" => "text",
        "smallint" | "integer" | "bigint" => "integer",
        "real" | "double precision" => "real",
        "bytea" => "blob",
        "boolean" => "boolean",
        other => return format!("other ({other})"),
    };
    family.to_owned()
}

async fn sqlite_facts(url: &str) -> Facts {
    let mut conn = SqliteConnection::connect(url).await.expect("connecting to SQLite");
    let mut facts = Facts::new();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await
    .expect("SQLite tables");
    for table in tables.iter().filter(|t| !NOT_OURS.contains(&t.as_str())) {
        facts.insert(format!("table {table}"), "present".into());
        let columns = sqlx::query("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?) ORDER BY cid")
            .bind(table)
            .fetch_all(&mut conn)
            .await
            .expect("SQLite columns");
        let mut primary_key: Vec<(i64, String)> = Vec::new();
        for column in &columns {
            let name: String = column.get("name");
            let (fact, description) = column_fact(
                table,
                &name,
                &sqlite_family(column.get::<String, _>("type").as_str()),
                column.get::<i64, _>("notnull") == 0,
            );
            facts.insert(fact, description);
            let position: i64 = column.get("pk");
            if position > 0 {
                primary_key.push((position, name));
            }
        }
        primary_key.sort();
        let primary_key: Vec<String> = primary_key.into_iter().map(|(_, name)| name).collect();
        facts.insert(format!("primary key {table}"), format!("({})", primary_key.join(", ")));

        let indexes = sqlx::query("SELECT name, \"unique\", origin FROM pragma_index_list(?)")
            .bind(table)
            .fetch_all(&mut conn)
            .await
            .expect("SQLite indexes");
        for index in &indexes {
            let (name, origin): (String, String) = (index.get("name"), index.get("origin"));
            if origin == "pk" {
                continue;
            }
            let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_index_info(?) ORDER BY seqno")
                .bind(&name)
                .fetch_all(&mut conn)
                .await
                .expect("SQLite index columns");
            let (fact, description) =
                index_fact(table, &name, origin == "u", index.get::<i64, _>("unique") != 0, &columns);
            facts.insert(fact, description);
        }
        let references = sqlx::query(
            "SELECT id, \"table\" AS target, \"from\" AS source, \"to\" AS referenced \
             FROM pragma_foreign_key_list(?) ORDER BY id, seq",
        )
        .bind(table)
        .fetch_all(&mut conn)
        .await
        .expect("SQLite foreign keys");
        let mut keys: BTreeMap<i64, (String, Vec<String>, Vec<String>)> = BTreeMap::new();
        for reference in &references {
            let key = keys.entry(reference.get("id")).or_insert_with(|| (reference.get("target"), vec![], vec![]));
            key.1.push(reference.get("source"));
            // NULL when the key names no columns and so means the target's primary key.
            key.2.push(reference.get::<Option<String>, _>("referenced").unwrap_or_else(|| "<primary key>".into()));
        }
        for (target, columns, referenced) in keys.into_values() {
            let (fact, description) = foreign_key_fact(table, &columns, &target, &referenced);
            facts.insert(fact, description);
        }
    }
    let triggers = sqlx::query("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
        .fetch_all(&mut conn)
        .await
        .expect("SQLite triggers");
    for trigger in &triggers {
        let (name, table, sql): (String, String, String) =
            (trigger.get("name"), trigger.get("tbl_name"), trigger.get("sql"));
        facts.insert(format!("trigger {name}"), sqlite_trigger_description(&table, &sql));
    }
    conn.close().await.ok();
    facts
}

/// "BEFORE DELETE ON agreements", read from the trigger's CREATE statement (SQLite keeps only the text).
fn sqlite_trigger_description(table: &str, sql: &str) -> String {
    let words: Vec<String> = sql.split_whitespace().map(str::to_ascii_uppercase).collect();
    // The event is the word after the timing, which comes before the trigger's body.
    let at = words.iter().position(|w| ["BEFORE", "AFTER", "INSTEAD"].contains(&w.as_str()));
    let (timing, event) = match at {
        Some(i) if words[i] == "INSTEAD" => ("INSTEAD OF", words.get(i + 2)),
        Some(i) => (words[i].as_str(), words.get(i + 1)),
        // No timing word: SQLite's default is BEFORE, and the event follows the trigger's name.
        None => ("BEFORE", words.get(3)),
    };
    let event = event.map_or("?", String::as_str);
    format!("{timing} {event} ON {table}")
}

async fn postgres_facts(url: &str) -> Facts {
    let mut conn = PgConnection::connect(url).await.expect("connecting to PostgreSQL");
    let mut facts = Facts::new();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name",
    )
    .fetch_all(&mut conn)
    .await
    .expect("PostgreSQL tables");
    for table in tables.iter().filter(|t| !NOT_OURS.contains(&t.as_str())) {
        facts.insert(format!("table {table}"), "present".into());
        let columns = sqlx::query(
            "SELECT column_name::text AS name, data_type::text AS data_type, is_nullable::text AS nullable \
             FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1",
        )
        .bind(table)
        .fetch_all(&mut conn)
        .await
        .expect("PostgreSQL columns");
        for column in &columns {
            let (fact, description) = column_fact(
                table,
                column.get::<String, _>("name").as_str(),
                &postgres_family(column.get::<String, _>("data_type").as_str()),
                column.get::<String, _>("nullable") == "YES",
            );
            facts.insert(fact, description);
        }
        // Every index of the table with its columns in key order, and whether a constraint made it.
        let indexes = sqlx::query(
            "SELECT c.relname::text AS name, i.indisunique AS is_unique, i.indisprimary AS is_primary, \
                    EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid \
                            AND con.conrelid = t.oid AND con.contype = 'u') AS from_constraint, \
                    array_agg(a.attname::text ORDER BY k.ord) AS columns \
             FROM pg_index i \
             JOIN pg_class c ON c.oid = i.indexrelid \
             JOIN pg_class t ON t.oid = i.indrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace \
             CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
             WHERE n.nspname = 'public' AND t.relname = $1 \
             GROUP BY c.relname, i.indisunique, i.indisprimary, i.indexrelid, t.oid",
        )
        .bind(table)
        .fetch_all(&mut conn)
        .await
        .expect("PostgreSQL indexes");
        let mut primary_key = Vec::new();
        for index in &indexes {
            let columns: Vec<String> = index.get("columns");
            if index.get::<bool, _>("is_primary") {
                primary_key = columns;
                continue;
            }
            let (fact, description) = index_fact(
                table,
                index.get::<String, _>("name").as_str(),
                index.get("from_constraint"),
                index.get("is_unique"),
                &columns,
            );
            facts.insert(fact, description);
        }
        facts.insert(format!("primary key {table}"), format!("({})", primary_key.join(", ")));
        let references = sqlx::query(
            "SELECT r.relname::text AS target, \
                    (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY \
                     AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum) \
                     AS columns, \
                    (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(con.confkey) WITH ORDINALITY \
                     AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum) \
                     AS referenced \
             FROM pg_constraint con \
             JOIN pg_class t ON t.oid = con.conrelid \
             JOIN pg_class r ON r.oid = con.confrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace \
             WHERE con.contype = 'f' AND n.nspname = 'public' AND t.relname = $1",
        )
        .bind(table)
        .fetch_all(&mut conn)
        .await
        .expect("PostgreSQL foreign keys");
        for reference in &references {
            let (columns, referenced): (Vec<String>, Vec<String>) =
                (reference.get("columns"), reference.get("referenced"));
            let (fact, description) =
                foreign_key_fact(table, &columns, reference.get::<String, _>("target").as_str(), &referenced);
            facts.insert(fact, description);
        }
    }
    let triggers = sqlx::query(
        "SELECT tg.tgname::text AS name, c.relname::text AS table_name, tg.tgtype::int4 AS kind \
         FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND NOT tg.tgisinternal",
    )
    .fetch_all(&mut conn)
    .await
    .expect("PostgreSQL triggers");
    for trigger in &triggers {
        let (name, table, kind): (String, String, i32) =
            (trigger.get("name"), trigger.get("table_name"), trigger.get("kind"));
        facts.insert(format!("trigger {name}"), postgres_trigger_description(&table, kind));
    }
    conn.close().await.ok();
    facts
}

/// Decodes `pg_trigger.tgtype` (bits from PostgreSQL's `pg_trigger.h`): "BEFORE UPDATE OR DELETE ON audit_log".
fn postgres_trigger_description(table: &str, kind: i32) -> String {
    const BEFORE: i32 = 1 << 1;
    const INSTEAD: i32 = 1 << 6;
    let timing = if kind & INSTEAD != 0 {
        "INSTEAD OF"
    } else if kind & BEFORE != 0 {
        "BEFORE"
    } else {
        "AFTER"
    };
    let events: Vec<&str> = [(1 << 2, "INSERT"), (1 << 4, "UPDATE"), (1 << 3, "DELETE"), (1 << 5, "TRUNCATE")]
        .into_iter()
        .filter(|(bit, _)| kind & bit != 0)
        .map(|(_, event)| event)
        .collect();
    format!("{timing} {} ON {table}", events.join(" OR "))
}

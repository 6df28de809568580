//! Rebuilds the server when a migration is added or changed: `sqlx::migrate!` embeds them at compile time, and
//! cargo does not otherwise watch that directory (sqlx's documented advice).

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}

//! Users: looking them up for login and for each request, and adding them.

use super::parse_column;
use crate::clock;
use baton_domain::ids::{OrgId, UserId};
use baton_domain::org::{OrgRef, Role, UserProfile};
use chrono::{DateTime, Utc};
use sqlx::{AnyPool, FromRow};

const PROFILE_COLUMNS: &str = "u.id, u.email, u.display_name, u.role, u.password_hash, \
     o.id AS org_id, o.name AS org_name, o.kind AS org_kind \
     FROM users u JOIN organisations o ON o.id = u.organisation_id";

/// A profile's columns as optional (from a LEFT JOIN of `users u` and `organisations o`), in the order
/// [`profile_of`] reads them.
pub(crate) const OPTIONAL_PROFILE_COLUMNS: &str =
    "u.id AS user_id, u.email, u.display_name, u.role, o.id AS org_id, o.name AS org_name, o.kind AS org_kind";

/// The columns of [`OPTIONAL_PROFILE_COLUMNS`], each `None` when the join found no user.
pub(crate) type OptionalProfile =
    (Option<String>, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>);

/// The profile in a row of [`OPTIONAL_PROFILE_COLUMNS`], if the join found the user.
pub(crate) fn profile_of(columns: OptionalProfile) -> anyhow::Result<Option<UserProfile>> {
    let (Some(id), Some(email), Some(display_name), Some(role), Some(org_id), Some(org_name), Some(org_kind)) = columns
    else {
        return Ok(None);
    };
    Ok(Some(UserProfile {
        id: parse_column(&id, "users.id")?,
        email,
        display_name,
        role: parse_column(&role, "users.role")?,
        organisation: OrgRef {
            id: parse_column(&org_id, "organisations.id")?,
            name: org_name,
            kind: parse_column(&org_kind, "organisations.kind")?,
        },
    }))
}

#[derive(FromRow)]
struct ProfileRow {
    id: String,
    email: String,
    display_name: String,
    role: String,
    password_hash: String,
    org_id: String,
    org_name: String,
    org_kind: String,
}

/// A user with the hash their password is checked against.
pub struct Credentials {
    /// Who they are.
    pub profile: UserProfile,
    /// Their argon2id PHC string.
    pub password_hash: String,
}

impl TryFrom<ProfileRow> for Credentials {
    type Error = anyhow::Error;
    fn try_from(r: ProfileRow) -> anyhow::Result<Self> {
        Ok(Credentials {
            profile: UserProfile {
                id: parse_column(&r.id, "users.id")?,
                email: r.email,
                display_name: r.display_name,
                role: parse_column(&r.role, "users.role")?,
                organisation: OrgRef {
                    id: parse_column(&r.org_id, "organisations.id")?,
                    name: r.org_name,
                    kind: parse_column(&r.org_kind, "organisations.kind")?,
                },
            },
            password_hash: r.password_hash,
        })
    }
}

/// Finds a user by their (normalised) e-mail.
pub async fn find_by_email(pool: &AnyPool, email: &str) -> anyhow::Result<Option<Credentials>> {
    let row: Option<ProfileRow> = sqlx::query_as(&format!("SELECT {PROFILE_COLUMNS} WHERE u.email = $1"))
        .bind(email)
        .fetch_optional(pool)
        .await?;
    row.map(Credentials::try_from).transpose()
}

/// Finds a user by id.
pub async fn find_by_id(pool: &AnyPool, id: UserId) -> anyhow::Result<Option<UserProfile>> {
    let row: Option<ProfileRow> = sqlx::query_as(&format!("SELECT {PROFILE_COLUMNS} WHERE u.id = $1"))
        .bind(id.to_string())
        .fetch_optional(pool)
        .await?;
    Ok(row.map(Credentials::try_from).transpose()?.map(|c| c.profile))
}

/// A user to be added.
pub struct NewUser<'a> {
    /// Their id.
    pub id: UserId,
    /// Their organisation.
    pub org: OrgId,
    /// Normalised e-mail.
    pub email: &'a str,
    /// Printed name.
    pub display_name: &'a str,
    /// Role in the organisation.
    pub role: Role,
    /// argon2id PHC string.
    pub password_hash: &'a str,
}

/// Adds a user; returns false if the e-mail or id is taken.
pub async fn insert(pool: &AnyPool, user: &NewUser<'_>, now: DateTime<Utc>) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO users (id, organisation_id, email, display_name, role, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
    )
    .bind(user.id.to_string())
    .bind(user.org.to_string())
    .bind(user.email)
    .bind(user.display_name)
    .bind(user.role.as_str())
    .bind(user.password_hash)
    .bind(clock::to_db(now))
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

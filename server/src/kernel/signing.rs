//! Signing a record, the one way every signature is given: what can refuse it is checked before the password
//! (which is slow, and counted against the signer), then the password, then — in a unit of work — the rule again
//! and the content the signer was shown, and only then the signature with its audit entry.

use super::{Authorized, Record, Shown, UnitOfWork, authorize, ensure_unchanged};
use crate::auth;
use crate::error::AppError;
use crate::state::AppState;
use baton_domain::access::Action;
use baton_domain::error::ApiError;
use baton_domain::org::UserProfile;
use baton_domain::signature::Meaning;
use chrono::Utc;

/// What a signer asks for.
pub struct Signing<'a> {
    /// The action the rule is asked (e.g. signing or revoking an agreement).
    pub action: Action,
    /// What the signature means.
    pub meaning: Meaning,
    /// What the signer was shown: the record's content hash or row version.
    pub shown: Shown<'a>,
    /// The signer's password, re-entered.
    pub password: String,
}

/// Refuses a signature meaning anything but "approved" (field `meaning`): what agreements are signed with.
pub fn approved_only(meaning: Meaning, message: &str) -> Result<(), AppError> {
    if meaning == Meaning::Approved { Ok(()) } else { Err(ApiError::invalid("meaning", message).into()) }
}

/// Signs record `id` as `user`. `validate` checks the request itself once the rule has let the user at the record
/// (so strangers are refused before they learn what a valid request looks like). Returns the unit of work with the
/// signature in it, and the record as signed, for the caller to add what the signature brings about and commit.
pub async fn sign<'u, R: Record>(
    state: &AppState,
    user: &'u UserProfile,
    id: R::Id,
    signing: Signing<'_>,
    validate: impl FnOnce() -> Result<(), AppError> + Send,
) -> Result<(UnitOfWork<'u>, Authorized<R>), AppError> {
    let seen = {
        let mut conn = state.db.pool.acquire().await?;
        authorize::<R>(&mut conn, user, id, signing.action, Utc::now()).await?
    };
    validate()?;
    auth::confirm_signer(state, user, &seen, signing.password).await?;
    let mut work = UnitOfWork::begin(&state.db.pool, user).await?;
    let record = work.authorize::<R>(id, signing.action).await?;
    ensure_unchanged(work.conn(), &record, signing.shown).await?;
    work.sign(&record, signing.meaning).await?;
    Ok((work, record))
}

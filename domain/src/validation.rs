//! Input rules checked identically in the browser (for instant feedback) and on the server (for safety).

use crate::error::ApiError;
use crate::session::LoginRequest;

/// Longest e-mail address accepted (RFC 5321 path limit).
pub const MAX_EMAIL_LEN: usize = 254;
/// Longest password accepted; bounds the cost of hashing an attacker's input.
pub const MAX_PASSWORD_LEN: usize = 1024;

/// Checks an e-mail address's form: something@domain.tld, no spaces.
pub fn validate_email(email: &str) -> Result<(), ApiError> {
    let email = email.trim();
    if email.is_empty() {
        return Err(ApiError::invalid("email", "Enter your e-mail address."));
    }
    if email.len() > MAX_EMAIL_LEN {
        return Err(ApiError::invalid("email", "That e-mail address is too long."));
    }
    let well_formed = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !email.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if well_formed { Ok(()) } else { Err(ApiError::invalid("email", "Enter an e-mail address like name@company.com.")) }
}

/// Checks a login request before any database work.
pub fn validate_login(request: &LoginRequest) -> Result<(), ApiError> {
    validate_email(&request.email)?;
    if request.password.is_empty() {
        return Err(ApiError::invalid("password", "Enter your password."));
    }
    if request.password.len() > MAX_PASSWORD_LEN {
        return Err(ApiError::invalid("password", "That password is too long."));
    }
    Ok(())
}

/// E-mail addresses compare case-insensitively and without surrounding spaces.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login(email: &str, password: &str) -> LoginRequest {
        LoginRequest { email: email.into(), password: password.into() }
    }

    #[test]
    fn accepts_ordinary_addresses() {
        for ok in ["dana.kim@helix.example", "a@b.co", "  QA.Lead@norvia-cdmo.example "] {
            assert_eq!(validate_email(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn rejects_malformed_addresses_naming_the_field() {
        for bad in
            ["", "   ", "dana", "dana@", "@helix.example", "dana@helix", "da na@helix.example", "a@b@c.de", "a@.com"]
        {
            let err = validate_email(bad).expect_err(bad);
            assert_eq!(err.field.as_deref(), Some("email"), "{bad}");
        }
        let long = format!("{}@helix.example", "a".repeat(300));
        assert!(validate_email(&long).is_err());
    }

    #[test]
    fn login_needs_a_password_of_sane_length() {
        assert_eq!(validate_login(&login("a@b.co", "secret")), Ok(()));
        assert_eq!(validate_login(&login("a@b.co", "")).expect_err("empty").field.as_deref(), Some("password"));
        let huge = "x".repeat(MAX_PASSWORD_LEN + 1);
        assert_eq!(validate_login(&login("a@b.co", &huge)).expect_err("huge").field.as_deref(), Some("password"));
        assert_eq!(validate_login(&login("nope", "secret")).expect_err("email").field.as_deref(), Some("email"));
    }

    #[test]
    fn normalises_case_and_spaces() {
        assert_eq!(normalise_email("  Dana.Kim@Helix.Example "), "dana.kim@helix.example");
    }
}

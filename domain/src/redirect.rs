//! Where to send a user after login, without becoming an open redirect.

/// Returns `next` if it is a path inside Baton, so a crafted link cannot send a user to another site after login.
pub fn safe_next(next: &str) -> Option<&str> {
    let local =
        next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') && !next.chars().any(char::is_control);
    let loops_to_login = next == "/login" || next.starts_with("/login?") || next.starts_with("/login/");
    (local && !loops_to_login).then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn keeps_local_deep_links() {
        for ok in ["/", "/transfers", "/transfers/6f1c1d9e-8a0b-4c3d-9e2f-0a1b2c3d4e5f", "/transfers?stage=ppq"] {
            assert_eq!(safe_next(ok), Some(ok));
        }
    }

    #[test]
    fn refuses_anything_that_leaves_the_site_or_loops() {
        for bad in [
            "",
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "/login",
            "/login?next=/x",
            "/a\nb",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn whatever_it_accepts_is_a_same_origin_path(s in ".*") {
            if let Some(p) = safe_next(&s) {
                prop_assert!(p.starts_with('/'));
                prop_assert!(!p.starts_with("//"));
                prop_assert!(!p.contains('\\'));
            }
        }
    }
}

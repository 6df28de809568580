//! Password hashing and checking under a bound, so that a flood of logins queues instead of exhausting memory.
//!
//! Argon2 needs about 19 MB of work memory per password. Unbounded, 100 parallel logins took the server from 13 MB
//! to 1.9 GB. A semaphore with one permit per core bounds how many run at once, and each run borrows work memory
//! allocated once and kept in a pool: freeing and reallocating 19 MB per check fragments the allocator's heaps so
//! badly that even two at a time grew the process to about 470 MB.

use argon2::password_hash::{Output, PasswordHash};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::{LazyLock, Mutex, PoisonError};
use tokio::sync::Semaphore;

/// Checked when there is no account, so that a wrong e-mail takes as long as a wrong password.
static DECOY_HASH: LazyLock<String> = LazyLock::new(|| password_auth::generate_hash("decoy password"));

/// Hashes and checks passwords, a bounded number at a time.
#[derive(Debug)]
pub struct Passwords {
    permits: Semaphore,
    /// Work memory of finished checks, for the next ones; never more buffers than permits.
    memory: Mutex<Vec<Vec<Block>>>,
}

impl Passwords {
    /// At most `parallel` hashes or checks at a time (at least one).
    pub fn new(parallel: usize) -> Self {
        Passwords { permits: Semaphore::new(parallel.max(1)), memory: Mutex::new(Vec::new()) }
    }

    /// One at a time per available core.
    pub fn per_core() -> Self {
        Passwords::new(std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get))
    }

    /// Hashes a password with argon2id, off the async runtime (it is deliberately slow).
    pub async fn hash(&self, password: String) -> anyhow::Result<String> {
        let _permit = self.permits.acquire().await?;
        Ok(tokio::task::spawn_blocking(move || password_auth::generate_hash(password)).await?)
    }

    /// Whether `password` matches the stored `hash`, checked off the async runtime. Without a hash (an unknown
    /// account) a decoy is checked, taking the same time, and the answer is false.
    pub async fn verify(&self, password: String, hash: Option<String>) -> anyhow::Result<bool> {
        let _permit = self.permits.acquire().await?;
        let mut memory = self.memory.lock().unwrap_or_else(PoisonError::into_inner).pop().unwrap_or_default();
        let (matches, memory) = tokio::task::spawn_blocking(move || {
            let matches = match &hash {
                Some(hash) => verify_in(&password, hash, &mut memory),
                None => {
                    // Only the time it takes matters; nobody has this account.
                    std::hint::black_box(verify_in(&password, &DECOY_HASH, &mut memory));
                    false
                }
            };
            (matches, memory)
        })
        .await?;
        self.memory.lock().unwrap_or_else(PoisonError::into_inner).push(memory);
        Ok(matches)
    }
}

/// Checks an argon2 PHC string using (and growing once) `memory`; other formats go to `password_auth`.
fn verify_in(password: &str, hash: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else {
        return password_auth::verify_password(password, hash).is_ok();
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let (Ok(params), Some(salt), Some(expected)) = (Params::try_from(&parsed), parsed.salt, parsed.hash) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    if memory.len() < params.block_count() {
        memory.resize(params.block_count(), Block::default());
    }
    let mut computed = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password.as_bytes(), salt, &mut computed, &mut memory[..])
        .is_ok()
        // `Output`'s comparison takes the same time wherever the bytes differ.
        && Output::new(&computed).is_ok_and(|computed| computed == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn verifies_what_password_auth_hashes_and_refuses_the_rest() {
        let passwords = Passwords::new(2);
        let hash = passwords.hash("correct horse battery".into()).await.expect("hashed");
        assert!(passwords.verify("correct horse battery".into(), Some(hash.clone())).await.expect("checked"));
        assert!(!passwords.verify("correct horse battery!".into(), Some(hash.clone())).await.expect("checked"));
        assert!(!passwords.verify("anything".into(), Some("not a hash".into())).await.expect("checked"));
        assert!(!passwords.verify("decoy password".into(), None).await.expect("checked"), "no account, no match");
        // The same as the reference implementation, with reused memory.
        assert!(password_auth::verify_password("correct horse battery", &hash).is_ok());
        assert!(passwords.verify("correct horse battery".into(), Some(hash)).await.expect("checked again"));
        assert_eq!(passwords.memory.lock().expect("not poisoned").len(), 1, "the work memory is kept for reuse");
    }

    #[tokio::test]
    async fn never_holds_more_work_memory_than_permits() {
        let passwords = std::sync::Arc::new(Passwords::new(2));
        let hash = passwords.hash("p4ssw0rd-for-tests".into()).await.expect("hashed");
        let checks: Vec<_> = (0..6)
            .map(|_| {
                let (passwords, hash) = (passwords.clone(), hash.clone());
                tokio::spawn(async move { passwords.verify("wrong".into(), Some(hash)).await })
            })
            .collect();
        for check in checks {
            assert!(!check.await.expect("joined").expect("checked"));
        }
        assert!(passwords.memory.lock().expect("not poisoned").len() <= 2);
    }
}

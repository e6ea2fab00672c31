//! Session tokens, handed to the client once: `<id>.<secret>`, 128 random bits naming the
//! session and 256 more proving it. The store keeps the id and the secret's SHA-256 only; a
//! request is checked by looking the id up and comparing the hashes in constant time (the
//! lookup's timing can only tell about ids, which are random).

use sha2::{Digest, Sha256};

/// A new token, and what the store keeps in its place (no `Debug`: it holds the token).
pub struct Issued {
    /// What the client gets (66 URL-safe characters).
    pub token: String,
    /// The session's id, the store's key.
    pub id: String,
    /// The secret's SHA-256, in hex.
    pub verifier: String,
}

/// A new token.
pub fn issue() -> Result<Issued, getrandom::Error> {
    let mut bytes = [0u8; 48];
    getrandom::fill(&mut bytes)?;
    let (id, secret) = (base64url(&bytes[..16]), base64url(&bytes[16..]));
    let verifier = hash(&secret);
    Ok(Issued {
        token: format!("{id}.{secret}"),
        id,
        verifier,
    })
}

/// 128 random bits, URL-safe: a name no one else picks (a lock's holder).
pub fn nonce() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(base64url(&bytes))
}

/// A presented token as its id and its secret's hash, if it has a token's shape.
pub fn split(token: &str) -> Option<(String, String)> {
    let (id, secret) = token.split_once('.')?;
    let url_safe = |s: &str| {
        s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    };
    (id.len() == 22 && secret.len() == 43 && url_safe(id) && url_safe(secret))
        .then(|| (id.to_owned(), hash(secret)))
}

/// The SHA-256 of `secret`, in hex.
fn hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Whether `a` and `b` are equal, in a time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_splits_into_its_id_and_the_hash_the_store_keeps() {
        let a = issue().unwrap();
        let b = issue().unwrap();
        assert_eq!(a.token.len(), 66);
        assert_ne!(a.token, b.token);
        assert_eq!(split(&a.token), Some((a.id.clone(), a.verifier.clone())));
        assert_eq!(a.verifier.len(), 64);
        assert!(!a.verifier.contains(&a.token[23..]), "the secret is not kept");
        for forged in ["", "x", "a.b", &a.token[1..], &format!("{}!", &a.token[..65])] {
            assert_eq!(split(forged), None, "{forged:?}");
        }
    }

    #[test]
    fn equality_is_by_content() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert_eq!(base64url(b"\xff\xff\xff"), "____");
        assert_eq!(
            hash("t"),
            "e3b98a4da31a127d4bde6e43033f66ba274cab0eb7eb1c70ec41402bf6273dd8"
        );
    }
}

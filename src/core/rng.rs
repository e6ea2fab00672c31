//! Randomness from the entropy the driver passes in: backoff jitter and the device id.

use crate::core::digits::push_hex;

/// xoshiro128++: small, fast, and good enough for jitter and an analytics id. Seeded
/// from the caller's entropy, so a test with fixed entropy is deterministic.
#[derive(Clone, Debug)]
pub(crate) struct Rng {
    s: [u32; 4],
}

impl Rng {
    pub(crate) fn new(entropy: [u8; 16]) -> Rng {
        let mut s = [0u32; 4];
        for (word, chunk) in s.iter_mut().zip(entropy.chunks_exact(4)) {
            *word = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        }
        if s == [0; 4] {
            // The all-zero state never leaves zero; any other fixed state will do.
            s = [0x9E37_79B9, 0x7F4A_7C15, 0xF39C_C060, 0x5CED_C834];
        }
        Rng { s }
    }

    pub(crate) fn next_u32(&mut self) -> u32 {
        let result = self.s[0]
            .wrapping_add(self.s[3])
            .rotate_left(7)
            .wrapping_add(self.s[0]);
        let t = self.s[1] << 9;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(11);
        result
    }

    /// A number in `0..bound` (0 when `bound` is 0).
    pub(crate) fn below(&mut self, bound: u32) -> u32 {
        if bound == 0 {
            0
        } else {
            ((u64::from(self.next_u32()) * u64::from(bound)) >> 32) as u32
        }
    }

    /// A random UUID, version 4, lowercase: `xxxxxxxx-xxxx-4xxx-Yxxx-xxxxxxxxxxxx`.
    pub(crate) fn uuid_v4(&mut self) -> String {
        let mut bytes = [0u8; 16];
        for chunk in bytes.chunks_exact_mut(4) {
            chunk.copy_from_slice(&self.next_u32().to_le_bytes());
        }
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        let mut id = String::with_capacity(36);
        for (i, &byte) in bytes.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                id.push('-');
            }
            push_hex(&mut id, byte, false);
        }
        id
    }
}

/// Whether `text` has the shape of a UUID (`8-4-4-4-12` hex digits).
pub(crate) fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_version_4_and_differ() {
        let mut rng = Rng::new([7; 16]);
        let a = rng.uuid_v4();
        let b = rng.uuid_v4();
        assert!(is_uuid(&a) && is_uuid(&b), "{a} {b}");
        assert_ne!(a, b);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
    }

    #[test]
    fn zero_entropy_still_gives_randomness() {
        let mut rng = Rng::new([0; 16]);
        assert_ne!(rng.next_u32(), rng.next_u32());
    }

    #[test]
    fn below_stays_below() {
        let mut rng = Rng::new([3; 16]);
        assert!((0..1000).all(|_| rng.below(10) < 10));
        assert_eq!(rng.below(0), 0);
    }

    #[test]
    fn uuid_shape_check() {
        assert!(is_uuid("123e4567-e89b-42d3-a456-426614174000"));
        assert!(!is_uuid("123e4567e89b42d3a456426614174000"));
        assert!(!is_uuid("123e4567-e89b-42d3-a456-42661417400g"));
        assert!(!is_uuid(""));
    }
}

//! How long to wait before trying a login again.

use crate::core::rng::Rng;

/// First backoff delay; each retry doubles it, up to [`BACKOFF_CAP_MS`].
pub const BACKOFF_BASE_MS: u32 = 500;
/// Longest backoff delay.
pub const BACKOFF_CAP_MS: u32 = 8_000;

/// The wait before retry number `retry` (1-based): exponential, capped, with jitter in the
/// upper half so that many devices failing together do not retry together.
pub(crate) fn backoff_ms(retry: u32, rng: &mut Rng) -> u32 {
    let exponent = retry.saturating_sub(1).min(16);
    let full = BACKOFF_BASE_MS.saturating_mul(1 << exponent).min(BACKOFF_CAP_MS);
    full / 2 + rng.below(full / 2 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_in_the_upper_half() {
        let mut rng = Rng::new([9; 16]);
        for (retry, full) in [
            (1, 500),
            (2, 1000),
            (3, 2000),
            (4, 4000),
            (5, 8000),
            (6, 8000),
            (40, 8000),
        ] {
            for _ in 0..50 {
                let wait = backoff_ms(retry, &mut rng);
                assert!(wait >= full / 2 && wait <= full, "retry {retry}: {wait}");
            }
        }
    }
}

//! Every limit the core holds outside data and options to, in one place.

/// Longest accepted `openid` or `unionid`, in bytes (WeChat's are 28 characters).
pub(crate) const MAX_ID_BYTES: usize = 128;
/// Longest accepted backend token, in bytes.
pub(crate) const MAX_TOKEN_BYTES: usize = 8192;
/// Longest nickname kept, in bytes.
pub(crate) const MAX_NICKNAME_BYTES: usize = 256;
/// Longest avatar URL kept, in bytes.
pub(crate) const MAX_AVATAR_URL_BYTES: usize = 4096;

/// Longest backend answer read, in characters: a login answer is a few hundred, and a
/// larger one is refused before it is parsed.
pub const MAX_ANSWER_CHARS: usize = 65_536;
/// The longest token `wx.setBackgroundFetchToken` takes (WeChat's limit: 1024 characters;
/// counted here in bytes, which a token of ASCII has as many of).
pub(crate) const MAX_FETCH_TOKEN_BYTES: usize = 1024;

/// Longest text JavaScript copies into the core's texts area, in UTF-16 code units (the
/// strings the core reads character by character: the options, a request's URL, a platform's
/// errMsg). A longer one crosses as its length alone, and the core refuses it by that.
pub(crate) const MAX_INPUT_UNITS: usize = MAX_ANSWER_CHARS;

/// Longest session the flow keeps, whatever the backend's `expires_in` or the
/// `defaultTtlSeconds` option say: one year.
pub const MAX_TTL_MS: u64 = 365 * 24 * 3_600_000;

/// The largest integer a JavaScript number holds exactly (2^53 - 1): times beyond it cannot
/// cross to JavaScript intact.
pub(crate) const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Longest text kept of what the platform said about a failure (`errMsg`), in characters.
pub(crate) const MAX_DETAIL_CHARS: usize = 200;

/// `text` cut to [`MAX_DETAIL_CHARS`] characters: what is kept of a platform's or a
/// backend's words.
pub(crate) fn clipped(text: &str) -> &str {
    match text.char_indices().nth(MAX_DETAIL_CHARS) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

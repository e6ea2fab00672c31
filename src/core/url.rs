//! The checks made of every URL: HTTPS (plain HTTP only to this machine, for development),
//! and the origin a token may be sent to.

use crate::core::digits::push_number;

const MAX_URL_LEN: usize = 2048;

/// Checks `url` and returns its origin, normalised: lowercase `scheme://host[:port]`, the
/// default port left out. Accepts `https://` anywhere and `http://` only for `127.0.0.1`,
/// `localhost` or `[::1]`. The error says what is wrong, to follow the name of the setting.
pub(crate) fn secure_origin(url: &str) -> Result<String, &'static str> {
    if url.len() > MAX_URL_LEN {
        return Err("must be at most 2048 characters");
    }
    if url.chars().any(is_space_or_control) {
        return Err("must not contain spaces or control characters");
    }
    // Byte by byte: the shipped module carries no string searchers for these few checks.
    let bytes = url.as_bytes();
    let secure = starts_with_ignore_case(bytes, b"https://");
    let rest = match (secure, starts_with_ignore_case(bytes, b"http://")) {
        (true, _) => &bytes[8..],
        (false, true) => &bytes[7..],
        (false, false) => return Err("must start with https:// (http:// only for 127.0.0.1 or localhost)"),
    };
    let authority_end = rest
        .iter()
        .position(|&b| b == b'/' || b == b'?' || b == b'#')
        .unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    if authority.contains(&b'@') {
        return Err("must not contain a user name or password");
    }
    let (host, port) =
        host_and_port(authority).ok_or("must name a host, with an optional port of 1 to 65535")?;
    if !secure && !is_loopback(host) {
        return Err("must use https:// (http:// is only for 127.0.0.1 or localhost)");
    }
    let (scheme, default_port) = if secure {
        ("https://", 443)
    } else {
        ("http://", 80)
    };
    let mut origin = String::with_capacity(scheme.len() + authority.len());
    origin.push_str(scheme);
    // The host is ASCII (checked in `host_and_port`).
    origin.extend(host.iter().map(|b| char::from(b.to_ascii_lowercase())));
    if let Some(port) = port.filter(|&p| p != default_port) {
        origin.push(':');
        push_number(&mut origin, u64::from(port));
    }
    Ok(origin)
}

/// Checks an `allowedOrigins` entry: an origin alone, with no path.
pub(crate) fn check_allowed_origin(entry: &str) -> Result<String, &'static str> {
    let origin = secure_origin(entry)?;
    // The entry starts with http:// or https:// (checked above): its first '/' begins "//".
    let bytes = entry.as_bytes();
    let path_start = bytes.iter().position(|&b| b == b'/').map_or(0, |i| i + 2);
    if bytes[path_start..]
        .iter()
        .any(|&b| b == b'/' || b == b'?' || b == b'#')
    {
        return Err("must be an origin such as https://api.example.com, with no path");
    }
    Ok(origin)
}

fn starts_with_ignore_case(text: &[u8], prefix: &[u8]) -> bool {
    text.len() >= prefix.len() && text[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// The host and port of `host[:port]` or `[v6][:port]`, if both are well formed.
fn host_and_port(authority: &[u8]) -> Option<(&[u8], Option<u32>)> {
    let (host, port) = if authority.first() == Some(&b'[') {
        let close = authority.iter().position(|&b| b == b']')?;
        let port = match &authority[close + 1..] {
            [] => None,
            [b':', port @ ..] => Some(port),
            _ => return None,
        };
        (&authority[..=close], port)
    } else {
        match authority.iter().rposition(|&b| b == b':') {
            Some(colon) => (&authority[..colon], Some(&authority[colon + 1..])),
            None => (authority, None),
        }
    };
    let port = match port {
        None => None,
        Some(digits) => {
            // At most five digits: no overflow. Port 0 (or none valid) is refused.
            if digits.is_empty() || digits.len() > 5 || !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let number = digits.iter().fold(0, |n, b| n * 10 + u32::from(b - b'0'));
            Some(Some(number).filter(|p| (1..=65_535).contains(p))?)
        }
    };
    let name_ok = match host {
        [b'[', inner @ .., b']'] => {
            !inner.is_empty()
                && inner
                    .iter()
                    .all(|&b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        }
        _ => {
            !host.is_empty()
                && host
                    .iter()
                    .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        }
    };
    name_ok.then_some((host, port))
}

/// `char::is_whitespace` or `char::is_control`, without the Unicode tables they link: the
/// control characters (C0, DEL, C1) and Unicode's `White_Space` list.
fn is_space_or_control(c: char) -> bool {
    matches!(c, '\0'..=' ' | '\u{7f}'..='\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200a}'
        | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}')
}

fn is_loopback(host: &[u8]) -> bool {
    host == b"127.0.0.1" || host.eq_ignore_ascii_case(b"localhost") || host == b"[::1]"
}

#[cfg(test)]
mod tests {
    use super::{check_allowed_origin, is_space_or_control, secure_origin};

    #[test]
    fn spaces_and_controls_are_those_the_standard_library_names() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            assert_eq!(
                is_space_or_control(c),
                c.is_whitespace() || c.is_control(),
                "{c:?}"
            );
        }
    }

    #[test]
    fn https_urls_are_accepted_and_give_their_origin() {
        for (url, origin) in [
            ("https://api.example.com/auth/login", "https://api.example.com"),
            ("HTTPS://API.example.com", "https://api.example.com"),
            (
                "https://api.example.com:8443/login?app=1",
                "https://api.example.com:8443",
            ),
            ("https://api.example.com:443/x", "https://api.example.com"),
            ("https://[2001:db8::1]/login", "https://[2001:db8::1]"),
        ] {
            assert_eq!(secure_origin(url).as_deref(), Ok(origin), "{url}");
        }
    }

    #[test]
    fn plain_http_is_only_for_this_machine() {
        for (url, origin) in [
            ("http://127.0.0.1:8080/login", "http://127.0.0.1:8080"),
            ("http://localhost/login", "http://localhost"),
            ("http://[::1]:9000/", "http://[::1]:9000"),
        ] {
            assert_eq!(secure_origin(url).as_deref(), Ok(origin), "{url}");
        }
        for url in [
            "http://api.example.com/login",
            "http://127.0.0.1.evil.com/",
            "http://localhost.evil.com/",
        ] {
            assert!(secure_origin(url).is_err(), "{url}");
        }
    }

    #[test]
    fn malformed_urls_say_what_is_wrong() {
        assert!(secure_origin("").unwrap_err().contains("https://"));
        assert!(secure_origin("ftp://x.com").unwrap_err().contains("https://"));
        assert!(secure_origin("/auth/login").unwrap_err().contains("https://"));
        assert!(secure_origin("https:///login").unwrap_err().contains("host"));
        assert!(secure_origin("https://a.com:0/").unwrap_err().contains("port"));
        assert!(secure_origin("https://a.com:99999/")
            .unwrap_err()
            .contains("port"));
        assert!(secure_origin("https://a.com:/").unwrap_err().contains("port"));
        assert!(secure_origin("https://a.com:4294967296999/")
            .unwrap_err()
            .contains("port"));
        assert!(secure_origin("https://[]/").unwrap_err().contains("host"));
        assert!(secure_origin("https://user:pw@a.com/")
            .unwrap_err()
            .contains("password"));
        assert!(secure_origin("https://a.com/a b").unwrap_err().contains("spaces"));
        assert!(secure_origin(&"https://a.com/".repeat(300))
            .unwrap_err()
            .contains("2048"));
    }

    #[test]
    fn allowed_origins_have_no_path() {
        assert_eq!(
            check_allowed_origin("https://api.example.com").as_deref(),
            Ok("https://api.example.com")
        );
        assert!(check_allowed_origin("https://api.example.com/v1").is_err());
        assert!(check_allowed_origin("https://api.example.com?x").is_err());
        assert!(check_allowed_origin("http://evil.com").is_err());
    }
}

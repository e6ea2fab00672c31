//! The one check made of `loginUrl`: HTTPS, or plain HTTP to this machine for development.

const MAX_URL_LEN: usize = 2048;

/// Accepts `https://host[:port][/path][?query]`, and `http://` only for `127.0.0.1`,
/// `localhost` or `[::1]` (a development backend). Says what is wrong otherwise.
pub(crate) fn check_login_url(url: &str) -> Result<(), &'static str> {
    if url.len() > MAX_URL_LEN {
        return Err("loginUrl must be at most 2048 characters");
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("loginUrl must not contain spaces or control characters");
    }
    let (rest, secure) = if let Some(rest) = strip_prefix_ignore_case(url, "https://") {
        (rest, true)
    } else if let Some(rest) = strip_prefix_ignore_case(url, "http://") {
        (rest, false)
    } else {
        return Err("loginUrl must start with https:// (http:// only for 127.0.0.1 or localhost)");
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    if authority.contains('@') {
        return Err("loginUrl must not contain a user name or password");
    }
    let host = host_of(authority)
        .ok_or("loginUrl must name a host, with an optional port of 1 to 65535")?;
    if !secure && !is_loopback(host) {
        return Err("loginUrl must use https:// (http:// is only for 127.0.0.1 or localhost)");
    }
    Ok(())
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        text.get(prefix.len()..)
    } else {
        None
    }
}

/// The host part of `host[:port]` or `[v6][:port]`, if both parts are well formed.
fn host_of(authority: &str) -> Option<&str> {
    let (host, port) = if authority.starts_with('[') {
        let close = authority.find(']')?;
        let after = &authority[close + 1..];
        let port = match after.strip_prefix(':') {
            Some(port) => Some(port),
            None if after.is_empty() => None,
            None => return None,
        };
        (&authority[..=close], port)
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if let Some(port) = port {
        let valid = !port.is_empty()
            && port.len() <= 5
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|p| (1..=65_535).contains(&p));
        if !valid {
            return None;
        }
    }
    let name_ok = if host.starts_with('[') {
        host.len() > 2
            && host[1..host.len() - 1]
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
    } else {
        !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    };
    name_ok.then_some(host)
}

fn is_loopback(host: &str) -> bool {
    host == "127.0.0.1" || host.eq_ignore_ascii_case("localhost") || host == "[::1]"
}

#[cfg(test)]
mod tests {
    use super::check_login_url;

    #[test]
    fn https_urls_are_accepted() {
        for url in [
            "https://api.example.com/auth/wx-login",
            "HTTPS://api.example.com",
            "https://api.example.com:8443/login?app=1",
            "https://[2001:db8::1]/login",
        ] {
            assert_eq!(check_login_url(url), Ok(()), "{url}");
        }
    }

    #[test]
    fn plain_http_is_only_for_this_machine() {
        for url in [
            "http://127.0.0.1:8080/login",
            "http://localhost/login",
            "http://[::1]:9000/",
        ] {
            assert_eq!(check_login_url(url), Ok(()), "{url}");
        }
        for url in [
            "http://api.example.com/login",
            "http://127.0.0.1.evil.com/",
            "http://localhost.evil.com/",
        ] {
            assert!(check_login_url(url).is_err(), "{url}");
        }
    }

    #[test]
    fn malformed_urls_say_what_is_wrong() {
        assert!(check_login_url("").unwrap_err().contains("https://"));
        assert!(check_login_url("ftp://x.com")
            .unwrap_err()
            .contains("https://"));
        assert!(check_login_url("/auth/wx-login")
            .unwrap_err()
            .contains("https://"));
        assert!(check_login_url("https:///login")
            .unwrap_err()
            .contains("host"));
        assert!(check_login_url("https://a.com:0/")
            .unwrap_err()
            .contains("port"));
        assert!(check_login_url("https://a.com:99999/")
            .unwrap_err()
            .contains("port"));
        assert!(check_login_url("https://a.com:/")
            .unwrap_err()
            .contains("port"));
        assert!(check_login_url("https://user:pw@a.com/")
            .unwrap_err()
            .contains("password"));
        assert!(check_login_url("https://a.com/a b")
            .unwrap_err()
            .contains("spaces"));
        assert!(check_login_url(&"https://a.com/".repeat(300))
            .unwrap_err()
            .contains("2048"));
    }
}

//! The deployment examples the README quotes (`examples/deploy/`) say what the server accepts:
//! the systemd unit's `ExecStart` flags go through the server's own parser and checks, and the
//! nginx front forwards to the address the unit listens on.

use std::path::Path;

use clap::Parser;
use mp_session_server::Settings;

fn deploy_file(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/deploy")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The unit's `ExecStart` command line, split as systemd splits one with no quotes, with
/// systemd's `%d` (the service's credentials directory) standing for `credentials`.
fn exec_start(unit: &str, credentials: &Path) -> Vec<String> {
    let line = unit
        .lines()
        .find_map(|line| line.strip_prefix("ExecStart="))
        .expect("the unit has an ExecStart line");
    assert!(
        !line.contains(['"', '\'', '\\', '$']),
        "ExecStart is split here as systemd does only without quotes or variables: {line}"
    );
    line.split_whitespace()
        .map(|word| word.replace("%d", &credentials.display().to_string()))
        .collect()
}

#[test]
fn the_systemd_units_flags_are_the_servers_own_and_pass_its_checks() {
    let unit = deploy_file("mp-session.service");
    let credentials = tempfile::tempdir().unwrap();
    // The credential LoadCredential= names, as systemd places it.
    let (name, _) = unit
        .lines()
        .find_map(|line| line.strip_prefix("LoadCredential="))
        .and_then(|credential| credential.split_once(':'))
        .expect("the unit loads the AppSecret as a credential");
    std::fs::write(credentials.path().join(name), "an-app-secret\n").unwrap();

    let args = exec_start(&unit, credentials.path());
    assert!(args[0].ends_with("/mp-session-server"), "{}", args[0]);
    let settings = Settings::try_parse_from(&args).unwrap_or_else(|e| panic!("{e}"));
    let config = settings
        .check(|_| None)
        .unwrap_or_else(|message| panic!("the unit's flags are refused: {message}"));

    assert!(
        config.listen.ip().is_loopback(),
        "behind the HTTPS front only: {}",
        config.listen
    );
    assert_eq!(config.platforms(), ["wx"]);
    let state = unit
        .lines()
        .find_map(|line| line.strip_prefix("StateDirectory="))
        .expect("the unit has a StateDirectory");
    assert_eq!(
        config.store,
        format!("sqlite:///var/lib/{state}/sessions.db"),
        "the sessions in the unit's own state directory"
    );
}

#[test]
fn the_nginx_front_forwards_to_where_the_unit_listens() {
    let unit = deploy_file("mp-session.service");
    let nginx = deploy_file("nginx.conf");
    let args = exec_start(&unit, Path::new("/run/credentials/mp-session.service"));
    let listen = &args[args
        .iter()
        .position(|a| a == "--listen")
        .expect("the unit says where to listen")
        + 1];

    let upstreams: Vec<&str> = nginx
        .lines()
        .filter_map(|line| line.trim().strip_prefix("proxy_pass "))
        .collect();
    assert!(!upstreams.is_empty());
    for upstream in upstreams {
        assert_eq!(upstream, format!("http://{listen};"));
    }
    for path in ["location /auth/", "location = /health"] {
        assert!(nginx.contains(path), "the front forwards {path}");
    }
}

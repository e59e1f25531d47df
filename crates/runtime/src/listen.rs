//! The `--listen` value of `serve`, `opencode-config` and `service install`: an address as
//! people write it.

/// A listen address as people write it: `127.0.0.1:11455`, `[::1]:11455`, `localhost:11455`
/// (loopback, IPv4) or a bare port (`11455`, on 127.0.0.1). Host names other than
/// `localhost` are refused: `serve` binds an address, and a name could resolve to a public one.
pub fn parse_listen(text: &str) -> Result<std::net::SocketAddr, String> {
    let t = text.trim();
    if let Ok(addr) = t.parse::<std::net::SocketAddr>() {
        return Ok(addr);
    }
    let port = |p: &str| {
        p.parse::<u16>()
            .map_err(|_| format!("{p:?} is not a port (0-65535)"))
    };
    let loopback = std::net::Ipv4Addr::LOCALHOST;
    if t.bytes().all(|b| b.is_ascii_digit()) && !t.is_empty() {
        return Ok((loopback, port(t)?).into());
    }
    match t.rsplit_once(':') {
        Some((host, p)) if host.eq_ignore_ascii_case("localhost") => Ok((loopback, port(p)?).into()),
        _ => Err(format!(
            "{text:?} is not a listen address: write 127.0.0.1:PORT, [::1]:PORT, localhost:PORT or a port alone"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_listen;

    #[test]
    fn listen_addresses_are_read_as_people_write_them() {
        for (text, addr) in [
            ("127.0.0.1:11455", "127.0.0.1:11455"),
            ("[::1]:0", "[::1]:0"),
            ("localhost:8080", "127.0.0.1:8080"),
            ("LOCALHOST:1", "127.0.0.1:1"),
            ("11455", "127.0.0.1:11455"),
            (" 0 ", "127.0.0.1:0"),
            ("0.0.0.0:80", "0.0.0.0:80"),
        ] {
            assert_eq!(
                parse_listen(text).map(|a| a.to_string()),
                Ok(addr.to_string()),
                "{text}"
            );
        }
        for text in [
            "",
            "nonsense",
            "example.com:80",
            "localhost:99999",
            "70000",
            "localhost:",
        ] {
            let err = parse_listen(text).expect_err(text);
            assert!(
                err.contains(text.trim()) || err.contains("port"),
                "{text}: {err}"
            );
        }
    }
}

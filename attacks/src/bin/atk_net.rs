//! Attacks the network: host listeners on loopback, the internet and private ranges, host unix sockets, raw/packet/netlink/vsock sockets; checks the sandbox's own loopback still works.
//!
//! Modes:
//! - `tcp ADDR:PORT...`: connect to host listeners (the host's loopback or its addresses).
//! - `outside`: connect (never send) to public and private addresses over TCP and UDP.
//! - `abstract NAME`: connect to the host's abstract unix socket `@NAME` (stream and datagram).
//! - `unix PATH`: connect to the host's path unix socket.
//! - `raw`: create raw, packet, netlink, vsock and other exotic sockets.
//! - `loopback`: talk to itself over 127.0.0.1 (prints `OK: loopback` or `BROKEN: loopback`).
//! - `listen NAME PORT SECS`: listen on `@NAME` and 127.0.0.1:PORT for SECS seconds; anyone
//!   reaching them came from outside this sandbox (the host, or another run).

use corral_attacks::{
    contained, err_str, errno, escaped, info, io_err, last_err, line, read_text, usage,
};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::os::fd::AsRawFd;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr as UnixAddr, UnixListener};
use std::time::Duration;

fn main() {
    let a = corral_attacks::args();
    match a.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["tcp", addrs @ ..] if !addrs.is_empty() => {
            for addr in addrs {
                tcp(addr)
            }
        }
        ["outside"] => outside(),
        ["abstract", name] => abstract_socket(name),
        ["unix", path] => unix_path(path),
        ["raw"] => raw(),
        ["loopback"] => loopback(),
        ["listen", name, port, secs] => listen(name, port, secs),
        _ => usage(
            "atk_net tcp ADDR:PORT... | outside | abstract NAME | unix PATH | raw | loopback | listen NAME PORT SECS",
        ),
    }
}

fn tcp(addr: &str) {
    let Ok(sa) = addr.parse::<SocketAddr>() else {
        usage("tcp wants ADDR:PORT")
    };
    match TcpStream::connect_timeout(&sa, Duration::from_secs(2)) {
        Ok(mut s) => {
            let _ = s.write_all(b"corral-attack: connected from inside the sandbox\n");
            escaped(format!("TCP connect to host listener {sa}"));
        }
        Err(e) => contained(format!("TCP connect to host listener {sa}"), io_err(&e)),
    }
    // A shared network namespace would also show the host's listener in /proc/net.
    let hex_port = format!(":{:04X} ", sa.port());
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        match read_text(table) {
            // Column 4 is the state; 0A is LISTEN.
            Ok(t)
                if t.lines().any(|l| {
                    l.contains(&hex_port) && l.split_whitespace().nth(3) == Some("0A")
                }) =>
            {
                escaped(format!(
                    "the host listener on port {} shows in {table}",
                    sa.port()
                ))
            }
            Ok(_) => contained(format!("port {} in {table}", sa.port()), "not listed"),
            Err(e) => contained(format!("read {table}"), e),
        }
    }
}

/// Connects without sending: a TCP SYN would only leave if a route existed, and the
/// sandbox must have none, so connect fails at once with ENETUNREACH.
fn outside() {
    let targets = [
        "1.1.1.1:53",
        "8.8.8.8:443",
        "10.0.0.1:80",
        "192.168.0.1:80",
        "172.17.0.1:80",
        "169.254.169.254:80",
        "[2606:4700:4700::1111]:53",
    ];
    for t in targets {
        let sa: SocketAddr = t.parse().expect("valid literal");
        match TcpStream::connect_timeout(&sa, Duration::from_millis(1500)) {
            Ok(_) => escaped(format!("TCP connect to {sa}")),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => escaped(format!(
                "TCP connect to {sa} was routed (timed out instead of ENETUNREACH)"
            )),
            Err(e) => contained(format!("TCP connect to {sa}"), io_err(&e)),
        }
        let local = if sa.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" };
        match UdpSocket::bind(local) {
            // UDP connect only picks a route; no datagram is sent.
            Ok(u) => match u.connect(sa) {
                Ok(()) => escaped(format!("UDP route to {sa} exists (connect succeeded)")),
                Err(e) => contained(format!("UDP connect to {sa}"), io_err(&e)),
            },
            Err(e) => contained(format!("UDP socket for {sa}"), io_err(&e)),
        }
    }
    // Interfaces the sandbox can see (only lo expected).
    match std::fs::read_to_string("/proc/net/dev") {
        Ok(t) => {
            let ifaces: Vec<&str> = t
                .lines()
                .skip(2)
                .filter_map(|l| l.split(':').next())
                .map(str::trim)
                .collect();
            info(format!("interfaces: {}", ifaces.join(" ")));
            for i in ifaces {
                if i != "lo" {
                    escaped(format!("network interface {i} is visible"));
                }
            }
        }
        Err(e) => info(format!("/proc/net/dev: {}", io_err(&e))),
    }
}

fn sockaddr_un(path: &[u8]) -> (libc::sockaddr_un, libc::socklen_t) {
    // SAFETY: sockaddr_un is plain data; all-zero is a valid value.
    let mut sa: libc::sockaddr_un = unsafe { std::mem::zeroed() };
    sa.sun_family = libc::AF_UNIX as libc::sa_family_t;
    let n = path.len().min(sa.sun_path.len() - 1);
    for (d, s) in sa.sun_path.iter_mut().zip(&path[..n]) {
        *d = *s as libc::c_char;
    }
    let len = std::mem::size_of::<libc::sa_family_t>() + n;
    (sa, len as libc::socklen_t)
}

fn unix_connect(label: &str, addr: &[u8], include_nul_len: bool) {
    for (kind, ty) in [
        ("stream", libc::SOCK_STREAM),
        ("datagram", libc::SOCK_DGRAM),
        ("seqpacket", libc::SOCK_SEQPACKET),
    ] {
        let (sa, mut len) = sockaddr_un(addr);
        if include_nul_len {
            len += 1;
        }
        // SAFETY: socket with constant arguments.
        let fd = unsafe { libc::socket(libc::AF_UNIX, ty | libc::SOCK_CLOEXEC, 0) };
        if fd < 0 {
            contained(format!("unix {kind} socket"), last_err());
            continue;
        }
        // SAFETY: connect with a valid sockaddr_un of the given length.
        let r = unsafe { libc::connect(fd, (&sa as *const libc::sockaddr_un).cast(), len) };
        if r == 0 {
            let msg = b"corral-attack: reached the host\n";
            // SAFETY: sending a small local buffer on our socket.
            unsafe { libc::send(fd, msg.as_ptr().cast(), msg.len(), libc::MSG_NOSIGNAL) };
            escaped(format!("connected to host {label} ({kind})"));
        } else {
            contained(format!("connect to host {label} ({kind})"), last_err());
        }
        // SAFETY: closing our fd.
        unsafe { libc::close(fd) };
    }
}

fn abstract_socket(name: &str) {
    let mut addr = vec![0u8];
    addr.extend_from_slice(name.as_bytes());
    unix_connect(&format!("abstract unix socket @{name}"), &addr, false);
    match read_text("/proc/net/unix") {
        Ok(t) if t.contains(&format!("@{name}")) => {
            escaped(format!("the host's @{name} shows in /proc/net/unix"))
        }
        Ok(_) => contained(format!("@{name} in /proc/net/unix"), "not listed"),
        Err(e) => contained("read /proc/net/unix", e),
    }
}

fn listen(name: &str, port: &str, secs: &str) {
    let secs: u64 = secs
        .parse()
        .unwrap_or_else(|_| usage("listen NAME PORT SECS"));
    let port: u16 = port
        .parse()
        .unwrap_or_else(|_| usage("listen NAME PORT SECS"));
    let addr = UnixAddr::from_abstract_name(name.as_bytes()).expect("abstract name");
    let unix = match UnixListener::bind_addr(&addr) {
        Ok(l) => l,
        Err(e) => {
            info(format!("cannot listen on @{name}: {}", io_err(&e)));
            return;
        }
    };
    let tcp = match TcpListener::bind(("127.0.0.1", port)) {
        Ok(l) => l,
        Err(e) => {
            info(format!("cannot listen on 127.0.0.1:{port}: {}", io_err(&e)));
            return;
        }
    };
    let _ = unix.set_nonblocking(true);
    let _ = tcp.set_nonblocking(true);
    info(format!(
        "listening on @{name} and 127.0.0.1:{port} for {secs} s"
    ));
    let end = std::time::Instant::now() + Duration::from_secs(secs);
    let mut reached = false;
    while std::time::Instant::now() < end {
        if unix.accept().is_ok() {
            reached = true;
            escaped(format!(
                "someone outside this sandbox connected to its @{name}"
            ));
        }
        if let Ok((_, from)) = tcp.accept() {
            reached = true;
            escaped(format!(
                "{from} outside this sandbox connected to its 127.0.0.1:{port}"
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    if !reached {
        contained(
            format!("listeners @{name} and 127.0.0.1:{port}"),
            format!("nobody reached them in {secs} s"),
        );
    }
}

fn unix_path(path: &str) {
    unix_connect(&format!("path unix socket {path}"), path.as_bytes(), true);
    // Through /proc tricks too.
    for via in [
        format!("/proc/1/root{path}"),
        format!("/proc/self/root{path}"),
    ] {
        if via.len() < 100 {
            unix_connect(&format!("path unix socket {via}"), via.as_bytes(), true);
        }
    }
}

fn raw() {
    let probes: [(&str, i32, i32, i32); 14] = [
        (
            "AF_INET SOCK_RAW ICMP",
            libc::AF_INET,
            libc::SOCK_RAW,
            libc::IPPROTO_ICMP,
        ),
        (
            "AF_INET SOCK_RAW TCP",
            libc::AF_INET,
            libc::SOCK_RAW,
            libc::IPPROTO_TCP,
        ),
        (
            "AF_INET6 SOCK_RAW ICMPV6",
            libc::AF_INET6,
            libc::SOCK_RAW,
            libc::IPPROTO_ICMPV6,
        ),
        (
            "AF_PACKET SOCK_RAW",
            libc::AF_PACKET,
            libc::SOCK_RAW,
            (libc::ETH_P_ALL as u16).to_be() as i32,
        ),
        (
            "AF_PACKET SOCK_DGRAM",
            libc::AF_PACKET,
            libc::SOCK_DGRAM,
            (libc::ETH_P_ALL as u16).to_be() as i32,
        ),
        (
            "AF_NETLINK ROUTE",
            libc::AF_NETLINK,
            libc::SOCK_RAW,
            libc::NETLINK_ROUTE,
        ),
        (
            "AF_NETLINK AUDIT",
            libc::AF_NETLINK,
            libc::SOCK_RAW,
            libc::NETLINK_AUDIT,
        ),
        (
            "AF_NETLINK KOBJECT_UEVENT",
            libc::AF_NETLINK,
            libc::SOCK_DGRAM,
            libc::NETLINK_KOBJECT_UEVENT,
        ),
        ("AF_VSOCK STREAM", libc::AF_VSOCK, libc::SOCK_STREAM, 0),
        ("AF_ALG SEQPACKET", libc::AF_ALG, libc::SOCK_SEQPACKET, 0),
        ("AF_KEY RAW", libc::AF_KEY, libc::SOCK_RAW, 2),
        ("AF_BLUETOOTH RAW", libc::AF_BLUETOOTH, libc::SOCK_RAW, 0),
        ("AF_XDP RAW", libc::AF_XDP, libc::SOCK_RAW, 0),
        ("AF_TIPC RDM", libc::AF_TIPC, libc::SOCK_RDM, 0),
    ];
    for (label, domain, ty, proto) in probes {
        // SAFETY: socket with constant arguments; a created fd is closed at once.
        let fd = unsafe { libc::socket(domain, ty | libc::SOCK_CLOEXEC, proto) };
        if fd >= 0 {
            escaped(format!("created {label} socket"));
            // SAFETY: closing our fd.
            unsafe { libc::close(fd) };
        } else {
            contained(format!("{label} socket"), err_str(errno()));
        }
    }
    // An ICMP "ping" datagram socket is allowed to unprivileged users only by a sysctl range.
    // SAFETY: socket with constant arguments.
    let fd = unsafe {
        libc::socket(
            libc::AF_INET,
            libc::SOCK_DGRAM | libc::SOCK_CLOEXEC,
            libc::IPPROTO_ICMP,
        )
    };
    if fd >= 0 {
        info("AF_INET SOCK_DGRAM ICMP (ping) socket created; only loopback is reachable");
        // SAFETY: closing our fd.
        unsafe { libc::close(fd) };
    } else {
        contained("AF_INET SOCK_DGRAM ICMP (ping) socket", last_err());
    }
}

fn loopback() {
    let ok = loopback_tcp() && loopback_udp();
    line(if ok {
        "OK: loopback"
    } else {
        "BROKEN: loopback"
    });
}

fn loopback_tcp() -> bool {
    let run = || -> std::io::Result<bool> {
        let l = TcpListener::bind("127.0.0.1:0")?;
        let addr = l.local_addr()?;
        let mut c = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
        c.set_read_timeout(Some(Duration::from_secs(2)))?;
        let (mut s, _) = l.accept()?;
        s.set_read_timeout(Some(Duration::from_secs(2)))?;
        c.write_all(b"ping")?;
        let mut buf = [0u8; 4];
        s.read_exact(&mut buf)?;
        s.write_all(b"pong")?;
        let mut back = [0u8; 4];
        c.read_exact(&mut back)?;
        info(format!("TCP loopback via {addr} (fd {})", c.as_raw_fd()));
        Ok(&buf == b"ping" && &back == b"pong")
    };
    match run() {
        Ok(ok) => ok,
        Err(e) => {
            info(format!("TCP loopback failed: {}", io_err(&e)));
            false
        }
    }
}

fn loopback_udp() -> bool {
    let run = || -> std::io::Result<bool> {
        let a = UdpSocket::bind("127.0.0.1:0")?;
        let b = UdpSocket::bind("127.0.0.1:0")?;
        b.set_read_timeout(Some(Duration::from_secs(2)))?;
        a.send_to(b"hello", b.local_addr()?)?;
        let mut buf = [0u8; 16];
        let (n, from) = b.recv_from(&mut buf)?;
        Ok(&buf[..n] == b"hello" && from == a.local_addr()?)
    };
    match run() {
        Ok(ok) => ok,
        Err(e) => {
            info(format!("UDP loopback failed: {}", io_err(&e)));
            false
        }
    }
}

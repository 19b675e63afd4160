//! The classroom: `corral key new`, `corral bake --export` / `--import` (signed,
//! verified, reproducible), and `corral serve --offer` / `--lan` serving `/download`.

mod common;

use common::*;
use corral_rust::bake::{self, BakeMode, CrateList};
use corral_rust::toolchain::{self, Toolchain};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn temp_dir(name: &str) -> PathBuf {
    fresh_dir(&format!("corral-class-{name}"))
}

/// `corral ARGS` with `CORRAL_BAKE_DIR=store`: (exit code, stdout, stderr).
fn corral(store: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(CORRAL)
        .args(args)
        .env("CORRAL_BAKE_DIR", store)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `corral bake --import ARCHIVE --trust KEY` into `store`: (exit code, stdout, stderr).
fn import(store: &Path, archive: &Path, key: &Path) -> (i32, String, String) {
    corral(
        store,
        &[
            "bake",
            "--import",
            archive.to_str().unwrap(),
            "--trust",
            key.to_str().unwrap(),
        ],
    )
}

fn sha256_of(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A small crate list (serde with its derive proc-macro, serde_json) baked in debug
/// mode into two stores, and a key pair; made once for the tests of this file.
struct Fixture {
    dir: PathBuf,
    tc: Toolchain,
    list_dir: PathBuf,
    stores: [PathBuf; 2],
    key: PathBuf,
    public: PathBuf,
}

fn fixture() -> Option<&'static Fixture> {
    static F: OnceLock<Option<Fixture>> = OnceLock::new();
    F.get_or_init(|| {
        if !sandbox_available() {
            return None;
        }
        let tc = stable_toolchain()?;
        // Shared by this file's tests, so removed by the next run: what earlier runs left.
        for e in std::fs::read_dir(std::env::temp_dir()).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(pid) = name.strip_prefix("corral-class-fixture-")
                && !Path::new("/proc").join(pid).exists()
            {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
        let dir = temp_dir("fixture");
        let list_dir = dir.join("vetted");
        std::fs::create_dir_all(list_dir.join("src")).unwrap();
        std::fs::write(
            list_dir.join("Cargo.toml"),
            "[package]\nname = \"small-vetted\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
             [workspace]\n\n[dependencies]\n\
             serde = { version = \"=1.0.229\", features = [\"derive\"] }\n\
             serde_json = \"=1.0.154\"\n",
        )
        .unwrap();
        std::fs::write(list_dir.join("src/lib.rs"), "").unwrap();
        let stores = [dir.join("store-a"), dir.join("store-b")];
        let out = Command::new(tc.path.join("bin/cargo"))
            .args(["generate-lockfile", "--manifest-path"])
            .arg(list_dir.join("Cargo.toml"))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", std::env::var_os("HOME").unwrap_or_default())
            .env("CARGO_HOME", stores[0].join("cargo-home"))
            .env("RUSTC", tc.path.join("bin/rustc"))
            .output()
            .unwrap();
        if !out.status.success() {
            eprintln!(
                "SKIP: cannot lock a crate list (is crates.io reachable?): {}",
                String::from_utf8_lossy(&out.stderr)
            );
            return None;
        }
        let list = list_dir.to_str().unwrap();
        for store in &stores {
            let (code, _, stderr) = corral(store, &["bake", "--debug", "--crates", list]);
            assert_eq!(code, 0, "{stderr}");
        }
        let key = dir.join("keys/presenter");
        std::fs::create_dir_all(key.parent().unwrap()).unwrap();
        let (code, stdout, stderr) = corral(&stores[0], &["key", "new", "--out", key.to_str()?]);
        assert_eq!(code, 0, "{stderr}");
        assert!(stdout.starts_with("SHA256:"), "{stdout}");
        Some(Fixture {
            public: dir.join("keys/presenter.pub"),
            dir,
            tc,
            list_dir,
            stores,
            key,
        })
    })
    .as_ref()
}

impl Fixture {
    fn list(&self) -> CrateList {
        CrateList::from_path(&self.list_dir).unwrap()
    }

    /// Exports store `i`'s bake to `out` (signed unless `key` is None).
    fn export(&self, i: usize, out: &Path, key: Option<&Path>) {
        let mut args = vec![
            "bake",
            "--export",
            out.to_str().unwrap(),
            "--debug",
            "--crates",
            self.list_dir.to_str().unwrap(),
        ];
        if let Some(k) = key {
            args.extend(["--key", k.to_str().unwrap()]);
        }
        let (code, _, stderr) = corral(&self.stores[i], &args);
        assert_eq!(code, 0, "{stderr}");
    }
}

#[test]
fn a_key_is_private_and_never_overwritten() {
    let dir = temp_dir("key");
    let out = dir.join("k");
    let (code, stdout, stderr) = corral(&dir, &["key", "new", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let public = std::fs::read_to_string(dir.join("k.pub")).unwrap();
    assert!(public.starts_with("corral-ed25519-public "), "{public}");
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .starts_with("corral-ed25519-secret "),
    );
    let before = std::fs::read(&out).unwrap();
    let (code, _, stderr) = corral(&dir, &["key", "new", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 125, "{stderr}");
    assert!(stderr.contains("already exists"), "{stderr}");
    assert_eq!(std::fs::read(&out).unwrap(), before);
    assert!(stdout.starts_with("SHA256:"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn two_bakes_of_one_crate_list_export_the_same_manifest() {
    let Some(f) = fixture() else { return };
    let dir = temp_dir("repro");
    let (a, b) = (dir.join("a.tar"), dir.join("b.tar"));
    f.export(0, &a, Some(&f.key));
    f.export(1, &b, Some(&f.key));
    let (ma, mb) = (
        corral_bundle::read_manifest(&a).unwrap(),
        corral_bundle::read_manifest(&b).unwrap(),
    );
    assert_eq!(ma.to_bytes(), mb.to_bytes());
    // The compression and the signature are deterministic too: the same archive.
    assert_eq!(sha256_of(&a), sha256_of(&b));
    // No host path, build time or cargo leftovers travel.
    let text = String::from_utf8(ma.to_bytes()).unwrap();
    assert!(!text.contains(f.dir.to_str().unwrap()), "{text}");
    for f in &ma.files {
        for leftover in [".fingerprint", "/build/", "/incremental/", ".rmeta", ".d"] {
            assert!(!f.path.contains(leftover), "{} travels", f.path);
        }
    }
    assert!(
        ma.files
            .iter()
            .any(|f| f.path.ends_with(".so") && f.path.contains("libserde_derive")),
        "the proc-macro travels"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_signed_export_imports_and_a_tampered_one_is_refused() {
    let Some(f) = fixture() else { return };
    let dir = temp_dir("import");
    let archive = dir.join("bake.tar");
    f.export(0, &archive, Some(&f.key));

    // Into an empty store: the bake loads there and links into user code.
    let store = dir.join("store");
    let (code, _, stderr) = import(&store, &archive, &f.public);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("verified"), "{stderr}");
    let baked = bake::load_with(&store, &f.tc, BakeMode::Debug, &f.list())
        .unwrap()
        .expect("the imported bake loads");
    let src = dir.join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(
        src.join("main.rs"),
        "#[derive(serde::Serialize)] struct P { x: u8 }\n\
         fn main() { println!(\"{}\", serde_json::to_string(&P { x: 42 }).unwrap()); }\n",
    )
    .unwrap();
    let bake_bind = format!("{}:/bake", baked.store_mount.0.display());
    let tc_bind = format!("{}:{}", f.tc.path.display(), toolchain::TOOLCHAIN_MOUNT);
    let src_bind = format!("{}:/src", src.display());
    let path = format!("PATH={}/bin:/usr/bin:/bin", toolchain::TOOLCHAIN_MOUNT);
    let script = "rustc --edition 2024 \"$@\" /src/main.rs -o /tmp/main && /tmp/main";
    let flags = baked.rustc_flags();
    let mut args = vec![
        "exec", "--ro", &bake_bind, "--ro", &tc_bind, "--ro", &src_bind, "--env", &path,
        "--memory", "1G", "--time", "120s", "--", "sh", "-c", script, "sh",
    ];
    args.extend(flags.iter().map(String::as_str));
    let (code, stdout, stderr) = exec_raw(&args, b"");
    assert_eq!((code, stdout.as_str()), (0, "{\"x\":42}\n"), "{stderr}");
    // Nothing is left of the staging directory.
    let left: Vec<_> = std::fs::read_dir(&store)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(!left.iter().any(|n| n.starts_with(".import")), "{left:?}");

    // A byte flipped in the middle: refused, naming the file, and nothing imported.
    let mut bytes = std::fs::read(&archive).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    let bad = dir.join("bad.tar");
    std::fs::write(&bad, &bytes).unwrap();
    let refused = dir.join("refused");
    let (code, _, stderr) = import(&refused, &bad, &f.public);
    assert_eq!(code, 125, "{stderr}");
    assert!(
        stderr.contains("refused") && stderr.contains(&format!("file {}/debug/", f.tc.commit_hash)),
        "{stderr}"
    );
    assert_eq!(std::fs::read_dir(&refused).unwrap().count(), 0);

    // Another key: refused, naming the signature.
    let other = dir.join("other");
    let (code, _, _) = corral(&dir, &["key", "new", "--out", other.to_str().unwrap()]);
    assert_eq!(code, 0);
    let other_pub = dir.join("other.pub");
    let (code, _, stderr) = import(&refused, &archive, &other_pub);
    assert_eq!(code, 125, "{stderr}");
    assert!(
        stderr.contains("corral-bundle.sig") && stderr.contains("not by the trusted key"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_dir(&refused).unwrap().count(), 0);

    // Unsigned: refused unless the user says so.
    let unsigned = dir.join("unsigned.tar");
    f.export(0, &unsigned, None);
    let (code, _, stderr) = import(&refused, &unsigned, &f.public);
    assert_eq!(code, 125, "{stderr}");
    assert!(
        stderr.contains("not signed") && stderr.contains("--unsigned"),
        "{stderr}"
    );
    let (code, _, stderr) = corral(
        &refused,
        &["bake", "--import", unsigned.to_str().unwrap(), "--unsigned"],
    );
    assert_eq!(code, 0, "{stderr}");

    // Importing again over an existing bake swaps it in place.
    let (code, _, stderr) = import(&store, &archive, &f.public);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        bake::load_with(&store, &f.tc, BakeMode::Debug, &f.list())
            .unwrap()
            .is_some()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The real thing: the default crates' debug bake of this machine, exported, imported
/// into an empty store, and used by `corral run`.
#[test]
fn the_default_bake_travels_and_corral_run_uses_it() {
    if !stable_baked() {
        return;
    }
    let dir = temp_dir("default");
    let key = dir.join("k");
    let (code, _, stderr) = corral(&dir, &["key", "new", "--out", key.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let archive = dir.join("bake.tar");
    let started = Instant::now();
    let out = Command::new(CORRAL)
        .args(["bake", "--export", archive.to_str().unwrap(), "--debug"])
        .args(["--key", key.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    eprintln!("export: {:?}: {stderr}", started.elapsed());
    let store = dir.join("store");
    let public = dir.join("k.pub");
    let started = Instant::now();
    let (code, _, stderr) = import(&store, &archive, &public);
    assert_eq!(code, 0, "{stderr}");
    eprintln!("import: {:?}", started.elapsed());
    std::fs::remove_file(&archive).unwrap();
    let file = dir.join("main.rs");
    std::fs::write(
        &file,
        "use rand::{Rng, SeedableRng};\n\
         fn main() {\n\
             let mut r = rand::rngs::StdRng::seed_from_u64(7);\n\
             let n: u8 = r.gen_range(1..=6);\n\
             println!(\"{}\", serde_json::json!({ \"die\": (1..=6).contains(&n) }));\n\
         }\n",
    )
    .unwrap();
    let (code, stdout, stderr) = corral(&store, &["run", file.to_str().unwrap()]);
    assert_eq!((code, stdout.as_str()), (0, "{\"die\":true}\n"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `corral serve` ARGS with a bake store it cannot create (so it bakes nothing: the
/// downloads do not need the crates); stdout and stderr to files in `dir`.
fn serve(dir: &Path, args: &[&str]) -> std::process::Child {
    Command::new(CORRAL)
        .arg("serve")
        .args(args)
        .arg("--data-dir")
        .arg(dir.join("data"))
        .env("CORRAL_BAKE_DIR", "/proc/no-bake-store")
        .stdout(std::fs::File::create(dir.join("stdout")).unwrap())
        .stderr(std::fs::File::create(dir.join("stderr")).unwrap())
        .stdin(Stdio::null())
        .spawn()
        .unwrap()
}

/// Waits until `url` answers (any status) or the child exits; whether it answered.
fn wait_up(child: &mut std::process::Child, url: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        match ureq::get(url).call() {
            Ok(_) | Err(ureq::Error::Status(..)) => return true,
            Err(_) => {}
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

fn stop(mut child: std::process::Child) {
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn download_offers_the_files_with_their_hashes() {
    let Some(f) = fixture() else { return };
    let dir = temp_dir("download");
    let archive = dir.join("talk.tar");
    f.export(0, &archive, Some(&f.key));
    let port = server::free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut child = serve(
        &dir,
        &[
            "--listen",
            &listen,
            "--offer",
            archive.to_str().unwrap(),
            "--offer-key",
            f.public.to_str().unwrap(),
        ],
    );
    let base = format!("http://{listen}");
    assert!(
        wait_up(&mut child, &format!("{base}/healthz")),
        "{}",
        std::fs::read_to_string(dir.join("stderr")).unwrap()
    );
    let res = ureq::get(&format!("{base}/download")).call().unwrap();
    let csp = res.header("Content-Security-Policy").unwrap().to_string();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let page = res.into_string().unwrap();
    let public = std::fs::read_to_string(&f.public).unwrap();
    assert!(page.contains(public.trim()), "{page}");
    assert!(
        page.contains("bake --import talk.tar --trust presenter.pub"),
        "{page}"
    );
    for name in ["corral", "talk.tar", "presenter.pub"] {
        // The sha256sum line `<hash>  <name>` of the page.
        let shown = page
            .lines()
            .find_map(|l| l.strip_suffix(&format!("  {name}")))
            .unwrap_or_else(|| panic!("no hash of {name}: {page}"));
        assert!(page.contains(&format!("/download/{name}")), "{page}");
        let res = ureq::get(&format!("{base}/download/{name}"))
            .call()
            .unwrap();
        let mut body = vec![];
        std::io::Read::read_to_end(&mut res.into_reader(), &mut body).unwrap();
        let got: String = Sha256::digest(&body)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(got, shown, "{name}");
    }
    assert_eq!(sha256_of(&archive).len(), 64);
    assert!(matches!(
        ureq::get(&format!("{base}/download/other")).call(),
        Err(ureq::Error::Status(404, _))
    ));
    stop(child);

    // Nothing offered: 404.
    let port = server::free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut child = serve(&dir, &["--listen", &listen]);
    assert!(wait_up(&mut child, &format!("http://{listen}/healthz")));
    assert!(matches!(
        ureq::get(&format!("http://{listen}/download")).call(),
        Err(ureq::Error::Status(404, _))
    ));
    stop(child);

    // A tampered archive is not offered: the server does not start.
    let mut bytes = std::fs::read(&archive).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&archive, &bytes).unwrap();
    let mut child = serve(
        &dir,
        &[
            "--listen",
            &format!("127.0.0.1:{}", server::free_port()),
            "--offer",
            archive.to_str().unwrap(),
            "--offer-key",
            f.public.to_str().unwrap(),
        ],
    );
    let status = child.wait().unwrap();
    let stderr = std::fs::read_to_string(dir.join("stderr")).unwrap();
    assert_eq!(status.code(), Some(125), "{stderr}");
    assert!(
        stderr.contains("--offer") && stderr.contains("refused"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn lan_prints_the_url_and_a_qr_code_or_says_there_is_no_lan() {
    if !sandbox_available() {
        return;
    }
    let dir = temp_dir("lan");
    let port = server::free_port();
    let mut child = serve(&dir, &["--lan", "--listen", &format!("127.0.0.1:{port}")]);
    // The URL is printed before the server answers; wait for it, or for the exit.
    let deadline = Instant::now() + Duration::from_secs(30);
    let url = loop {
        let stdout = std::fs::read_to_string(dir.join("stdout")).unwrap();
        if let Some(url) = stdout
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .filter(|_| stdout.contains('█'))
        {
            break Some(url.to_string());
        }
        if child.try_wait().unwrap().is_some() || Instant::now() > deadline {
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    match url {
        Some(url) => {
            let stdout = std::fs::read_to_string(dir.join("stdout")).unwrap();
            let host = url
                .strip_prefix("http://")
                .and_then(|r| r.strip_suffix(&format!(":{port}/")))
                .unwrap_or_else(|| panic!("{url}"));
            let ip: std::net::Ipv4Addr = host.parse().unwrap();
            assert!(!ip.is_loopback(), "{ip}");
            // The QR code: several lines of block characters.
            assert!(
                stdout.lines().filter(|l| l.contains('▀')).count() > 5,
                "{stdout}"
            );
            assert!(wait_up(&mut child, &format!("http://{ip}:{port}/healthz")));
            stop(child);
        }
        None => {
            let status = child.wait().unwrap();
            let stderr = std::fs::read_to_string(dir.join("stderr")).unwrap();
            assert_eq!(status.code(), Some(125), "{stderr}");
            assert!(
                stderr.contains("no LAN address") && stderr.contains("--listen"),
                "{stderr}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

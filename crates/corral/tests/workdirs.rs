//! Work dirs end to end (root mode): the compile step's work dir is a capped tmpfs while
//! the request runs and gone afterwards; a build that fills it is a compile error with
//! the `disk` limit; leftovers of a crashed predecessor go when a pipeline starts.

mod common;

use corral_rust::config::StepLimits;
use corral_rust::pipeline::{Pipeline, Progress};
use corral_rust::request::Request;
use corral_rust::result::{LimitKind, Status};
use corral_sandbox::Sandbox;
use std::path::{Path, PathBuf};

const HELLO: &str = "fn main() { println!(\"hi\"); }\n";

/// A fresh base dir for one test (removed at its end).
fn base(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("corral-workdirs-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn pipeline(work_root: &Path, limits: StepLimits) -> Pipeline {
    let sandbox = Sandbox::new(env!("CARGO_BIN_EXE_corral")).expect("sandbox");
    let toolchains = corral_rust::toolchain::discover(&corral_rust::toolchain::rustup_home());
    Pipeline::new(
        sandbox,
        toolchains,
        limits,
        corral_rust::bake::default_store(),
        work_root.to_path_buf(),
    )
}

/// Root, a working sandbox and a stable toolchain; else prints `SKIP: …`.
fn ready(need_toolchain: bool) -> bool {
    if !common::is_root() {
        eprintln!("SKIP: work dir tmpfs mounts need root mode");
        return false;
    }
    if !need_toolchain {
        return true;
    }
    if !common::sandbox_available() {
        return false;
    }
    let toolchains = corral_rust::toolchain::discover(&corral_rust::toolchain::rustup_home());
    if !toolchains.iter().any(|t| t.channel == "stable") {
        eprintln!("SKIP: no stable toolchain installed");
        return false;
    }
    true
}

/// (mount point, fstype, super options) of every mount on or under `dir`.
fn mounts_under(dir: &Path) -> Vec<(PathBuf, String, String)> {
    let dir = dir.canonicalize().unwrap_or(dir.to_path_buf());
    let text = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    text.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(' ').collect();
            let point = PathBuf::from(fields.get(4)?);
            let dash = fields.iter().position(|f| *f == "-")?;
            let fstype = fields.get(dash + 1)?.to_string();
            let options = fields.get(dash + 3)?.to_string();
            point.starts_with(&dir).then_some((point, fstype, options))
        })
        .collect()
}

/// The `<pid>-<n>` entries under `root`.
fn work_dirs(root: &Path) -> Vec<String> {
    std::fs::read_dir(root)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.contains('-'))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_work_dir_is_a_capped_tmpfs_during_the_request_and_gone_after() {
    if !ready(true) {
        return;
    }
    let base = base("mount");
    let root = base.join("work");
    let limits = StepLimits::default();
    let p = pipeline(&root, limits.clone());
    let req = Request {
        code: HELLO.into(),
        extra_files: vec![("src/other.rs".into(), "// unused\n".into())],
        ..Request::default()
    };
    let mut seen = vec![];
    let result = p
        .run(&req, &mut |progress| {
            if let Progress::Compiled { .. } = progress {
                seen = mounts_under(&root);
            }
        })
        .expect("valid request");
    assert_eq!(result.status, Status::Success, "{result:?}");
    assert_eq!(result.run.as_ref().unwrap().stdout, "hi\n");
    assert_eq!(seen.len(), 1, "one mount on the work dir: {seen:?}");
    let (point, fstype, options) = &seen[0];
    assert_eq!(fstype, "tmpfs");
    assert!(
        point
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(&format!("{}-", std::process::id())),
        "{point:?}"
    );
    let kib = limits.compile.tmpfs / 1024;
    assert!(options.contains(&format!("size={kib}k")), "{options}");
    assert!(
        options.contains(&format!("nr_inodes={}", limits.compile.inodes)),
        "{options}"
    );
    assert!(
        mounts_under(&root).is_empty(),
        "unmounted after the request"
    );
    assert!(work_dirs(&root).is_empty(), "{:?}", work_dirs(&root));
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn a_build_that_fills_the_work_dir_is_a_compile_error_with_the_disk_limit() {
    if !ready(true) {
        return;
    }
    let base = base("full");
    let root = base.join("work");
    let mut limits = StepLimits::default();
    // Too small for the program's 4 MiB of data.
    limits.compile.tmpfs = 512 << 10;
    let p = pipeline(&root, limits);
    let result = p
        .run(
            &Request {
                code: "static BIG: [u8; 4 << 20] = [1; 4 << 20];\n\
                       fn main() { println!(\"{}\", BIG[std::env::args().count()]); }\n"
                    .into(),
                ..Request::default()
            },
            &mut |_| {},
        )
        .expect("valid request");
    assert_eq!(result.status, Status::CompileError, "{result:?}");
    assert_eq!(result.limit, Some(LimitKind::Disk), "{result:?}");
    assert!(result.error.is_none(), "{result:?}");
    assert!(mounts_under(&root).is_empty());
    assert!(work_dirs(&root).is_empty(), "{:?}", work_dirs(&root));
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn leftovers_of_a_crashed_server_are_removed_at_start_without_following_links() {
    if !ready(false) {
        return;
    }
    let base = base("leftovers");
    let root = base.join("work");
    std::fs::create_dir_all(&root).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o700)).unwrap();
    let outside = base.join("outside.txt");
    std::fs::write(&outside, "precious").unwrap();
    let outside_dir = base.join("outside-dir");
    std::fs::create_dir(&outside_dir).unwrap();
    std::fs::write(outside_dir.join("f"), "precious too").unwrap();

    // A crashed server (pid 999999, its lock file left) had two work dirs: one plain
    // with links out, one with its tmpfs still mounted.
    let plain = root.join("999999-3");
    std::fs::create_dir_all(plain.join("target/deps")).unwrap();
    std::fs::write(plain.join("src.rs"), "fn main() {}").unwrap();
    std::fs::write(plain.join("target/deps/big"), vec![0u8; 1 << 16]).unwrap();
    std::os::unix::fs::symlink(&outside, plain.join("link")).unwrap();
    std::os::unix::fs::symlink(&outside_dir, plain.join("target/dirlink")).unwrap();
    std::fs::write(root.join("999999.lock"), "").unwrap();
    let mounted = root.join("999999-4");
    std::fs::create_dir(&mounted).unwrap();
    let c = |s: &str| std::ffi::CString::new(s).unwrap();
    let target = c(mounted.to_str().unwrap());
    let (source, fstype, data) = (c("corral-work"), c("tmpfs"), c("size=1m"));
    // SAFETY: valid NUL-terminated strings that outlive the call.
    let rc = unsafe {
        libc::mount(
            source.as_ptr(),
            target.as_ptr(),
            fstype.as_ptr(),
            0,
            data.as_ptr().cast(),
        )
    };
    assert_eq!(rc, 0, "mount a tmpfs: {}", std::io::Error::last_os_error());
    std::fs::write(mounted.join("left.txt"), "x").unwrap();
    assert_eq!(mounts_under(&mounted).len(), 1);

    let _p = pipeline(&root, StepLimits::default());
    assert!(
        std::fs::symlink_metadata(&plain).is_err(),
        "plain leftover removed"
    );
    assert!(
        std::fs::symlink_metadata(&mounted).is_err(),
        "mounted leftover removed"
    );
    assert!(mounts_under(&root).is_empty(), "{:?}", mounts_under(&root));
    assert!(!root.join("999999.lock").exists());
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "precious");
    assert_eq!(
        std::fs::read_to_string(outside_dir.join("f")).unwrap(),
        "precious too"
    );
    // This process now holds its own lock there.
    assert!(root.join(format!("{}.lock", std::process::id())).exists());
    let _ = std::fs::remove_dir_all(&base);
}

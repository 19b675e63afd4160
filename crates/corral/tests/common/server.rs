//! A real `corral serve` on a loopback port, for the HTTP tests.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Server {
    pub base: String,
    child: Child,
    pub data_dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Server {
    /// Starts a server with `config` (TOML) and waits until it is ready. `None` (with a
    /// printed reason) when it cannot become ready here (no sandbox, no bake).
    pub fn start(config: &str, envs: &[(&str, &str)]) -> Option<Server> {
        Server::start_with_nofile(config, envs, None)
    }

    /// Like [`Server::start`], with the server's RLIMIT_NOFILE soft limit set to
    /// `nofile` when given.
    pub fn start_with_nofile(
        config: &str,
        envs: &[(&str, &str)],
        nofile: Option<u64>,
    ) -> Option<Server> {
        Server::launch(config, envs, nofile, true)
    }

    /// Starts a server; when `need_ready` is false, returns as soon as it answers
    /// /healthz at all (runs may still answer 503 while the default crates bake).
    pub fn launch(
        config: &str,
        envs: &[(&str, &str)],
        nofile: Option<u64>,
        need_ready: bool,
    ) -> Option<Server> {
        Server::launch_on(free_port(), config, envs, nofile, need_ready)
    }

    /// Like [`Server::launch`], on `port` (to start a server again where one was).
    pub fn launch_on(
        port: u16,
        config: &str,
        envs: &[(&str, &str)],
        nofile: Option<u64>,
        need_ready: bool,
    ) -> Option<Server> {
        let data_dir =
            std::env::temp_dir().join(format!("corral-server-test-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&data_dir).unwrap();
        let config_file = data_dir.join("corral.toml");
        std::fs::write(&config_file, config).unwrap();
        let mut cmd = Command::new(super::CORRAL);
        cmd.args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(&data_dir)
        .arg("--config")
        .arg(&config_file)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        for (k, v) in envs {
            cmd.env(k, v);
        }
        if let Some(soft) = nofile {
            use std::os::unix::process::CommandExt;
            // SAFETY: only async-signal-safe calls (getrlimit, setrlimit) between fork
            // and exec.
            unsafe {
                cmd.pre_exec(move || {
                    let mut l = libc::rlimit {
                        rlim_cur: 0,
                        rlim_max: 0,
                    };
                    libc::getrlimit(libc::RLIMIT_NOFILE, &mut l);
                    l.rlim_cur = soft.min(l.rlim_max);
                    if libc::setrlimit(libc::RLIMIT_NOFILE, &l) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        let child = cmd.spawn().expect("start corral serve");
        let server = Server {
            base: format!("http://127.0.0.1:{port}"),
            child,
            data_dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            match ureq::get(&format!("{}/healthz", server.base)).call() {
                Ok(_) => return Some(server),
                Err(ureq::Error::Status(503, _)) if !need_ready => return Some(server),
                Err(ureq::Error::Status(503, r)) => {
                    let body = r.into_string().unwrap_or_default();
                    if body.contains("baking") && Instant::now() > deadline {
                        eprintln!("SKIP: the server is still baking the default crates: {body}");
                        return None;
                    }
                }
                Err(_) => {}
            }
            if Instant::now() > deadline {
                eprintln!("SKIP: corral serve did not become ready");
                return None;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The server's process id (for signals).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits at most `within` for the server to exit; its status, if it did.
    pub fn wait_exit(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POST JSON; returns (status, body as JSON, Retry-After).
    pub fn post(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> (u16, serde_json::Value, Option<String>) {
        let res = ureq::post(&self.url(path))
            .set("Content-Type", "application/json")
            .send_string(&body.to_string());
        Self::read(res)
    }

    pub fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: &str,
    ) -> (u16, serde_json::Value, Option<String>) {
        Self::read(
            ureq::post(&self.url(path))
                .set("Content-Type", content_type)
                .send_string(body),
        )
    }

    pub fn get(&self, path: &str) -> (u16, serde_json::Value, Option<String>) {
        Self::read(ureq::get(&self.url(path)).call())
    }

    /// Status, JSON body and Retry-After of any ureq result (panics on transport errors).
    pub fn read_result(
        res: Result<ureq::Response, ureq::Error>,
    ) -> (u16, serde_json::Value, Option<String>) {
        Self::read(res)
    }

    fn read(res: Result<ureq::Response, ureq::Error>) -> (u16, serde_json::Value, Option<String>) {
        let r = match res {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("transport error: {e}"),
        };
        let status = r.status();
        let retry = r.header("Retry-After").map(String::from);
        let text = r.into_string().unwrap();
        let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        (status, json, retry)
    }
}

//! moto in server mode on loopback: installed into `.venv` by `scripts/moto.sh`, started by
//! `scripts/moto_server.py`, stopped when this process exits (its stdin pipe closes).

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Moto {
    pub endpoint: String,
    pub port: u16,
    _child: Mutex<Option<(Child, ChildStdin)>>,
}

/// The repository root (this crate is at `infra/local`).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

impl Moto {
    /// Installs moto if needed and starts it on `port` (0: any free port).
    pub fn start(port: u16) -> Result<Self, String> {
        let root = repo_root();
        let install = Command::new(root.join("scripts/moto.sh"))
            .output()
            .map_err(|e| format!("cannot run scripts/moto.sh: {e}"))?;
        if !install.status.success() {
            return Err(format!(
                "installing moto failed: {}",
                String::from_utf8_lossy(&install.stderr)
            ));
        }
        let mut child = Command::new(root.join(".venv/bin/python"))
            .arg(root.join("scripts/moto_server.py"))
            .arg(port.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start moto: {e}"))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| format!("moto did not start: {e}"))?;
        let port: u16 = line
            .trim()
            .strip_prefix("ready ")
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| format!("moto did not start (port {port} in use?): {line:?}"))?;
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err(format!("moto did not listen on {port}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Self {
            endpoint: format!("http://127.0.0.1:{port}"),
            port,
            _child: Mutex::new(Some((child, stdin))),
        })
    }
}

//! A real browser for the tests: headless Debian Chromium driven over WebDriver by ChromeDriver
//! (both installed by `scripts/browser.sh`, which `make test` runs), with axe-core (pinned,
//! from npm) injected to find WCAG 2.2 A/AA violations.

use super::request;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The axe-core `scripts/browser.sh` unpacks (keep the version in step with it).
pub const AXE: &str = "target/tools/axe-core-4.14.1/axe.min.js";
/// The rules axe runs: WCAG 2.0, 2.1 and 2.2, levels A and AA.
pub const WCAG_22_AA: [&str; 5] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

pub struct Driver {
    base: String,
    child: Child,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Driver {
    pub fn start() -> Self {
        let port = free_port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is installed (scripts/browser.sh)");
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { base, child }
    }

    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let headers = vec![("content-type".to_owned(), "application/json".to_owned())];
        let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        let r = request(method, &format!("{}{path}", self.base), &headers, &bytes);
        assert!(r.status < 300, "webdriver {method} {path}: {}", r.text());
        r.json()["value"].clone()
    }

    /// A headless Chromium whose language is `lang`.
    pub fn session(&self, lang: &str) -> Session<'_> {
        let profile = std::env::temp_dir().join(format!("cpor-chromium-{}", uuid::Uuid::new_v4()));
        let session = self.call(
            "POST",
            "/session",
            Some(json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": "/usr/bin/chromium",
                    "prefs": {"intl.accept_languages": lang,
                              "download.default_directory": profile.join("downloads").display().to_string(),
                              "download.prompt_for_download": false},
                    "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                             format!("--lang={lang}"),
                             "--no-first-run", "--disable-background-networking", "--window-size=1280,1024",
                             "--disable-component-update", "--disable-sync",
                             format!("--user-data-dir={}", profile.display())]
                }
            }}})),
        );
        let id = session["sessionId"].as_str().expect("session").to_owned();
        self.call(
            "POST",
            &format!("/session/{id}/timeouts"),
            Some(json!({"script": 60000})),
        );
        Session {
            driver: self,
            id,
            profile,
        }
    }
}

pub struct Session<'a> {
    driver: &'a Driver,
    id: String,
    profile: PathBuf,
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let _ = request(
            "DELETE",
            &format!("{}/session/{}", self.driver.base, self.id),
            &[],
            &[],
        );
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

impl Session<'_> {
    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.driver
            .call(method, &format!("/session/{}{path}", self.id), body)
    }

    /// Navigates and waits until the document is complete (a slow machine may otherwise hand
    /// back an empty source between two pages).
    pub fn open(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let state = self.call(
                "POST",
                "/execute/sync",
                Some(json!({"script": "return document.readyState + '|' + (document.documentElement ? document.documentElement.outerHTML.length : 0);", "args": []})),
            );
            let state = state.as_str().unwrap_or_default().to_owned();
            let (ready, len) = state.split_once('|').unwrap_or(("", "0"));
            if ready == "complete" && len.parse::<usize>().unwrap_or(0) > 100 {
                return;
            }
            assert!(Instant::now() < deadline, "{url} did not load: {state}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The WebDriver reference of the element `selector` finds.
    fn element(&self, selector: &str) -> String {
        let found = self.call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": selector})),
        );
        found
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no {selector}"))
            .to_owned()
    }

    /// Clicks the element `selector` finds.
    pub fn click(&self, selector: &str) {
        let element = self.element(selector);
        self.call(
            "POST",
            &format!("/element/{element}/click"),
            Some(json!({})),
        );
    }

    /// Replaces what the field `selector` holds with `text`, typed as keys (for a file input,
    /// `text` is the file's path: the browser reads it as a person's choice).
    pub fn type_into(&self, selector: &str, text: &str) {
        let element = self.element(selector);
        if !selector.contains("type=file") {
            self.call(
                "POST",
                &format!("/element/{element}/clear"),
                Some(json!({})),
            );
        }
        self.call(
            "POST",
            &format!("/element/{element}/value"),
            Some(json!({ "text": text })),
        );
    }

    /// Runs `script` in the page; its return value.
    pub fn run(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    /// Waits up to 20 s until the page's `condition` (a JavaScript expression) is true.
    pub fn wait_until(&self, condition: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if self.run(&format!("return Boolean({condition});")) == json!(true) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "waited for {condition}; the page says:\n{}",
                self.run("return document.body ? document.body.innerText : ''")
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The files the browser downloaded so far: (name, bytes), finished ones only.
    pub fn downloads(&self) -> Vec<(String, Vec<u8>)> {
        let Ok(dir) = std::fs::read_dir(self.profile.join("downloads")) else {
            return Vec::new();
        };
        dir.flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let done = !name.ends_with(".crdownload") && !name.starts_with('.');
                done.then(|| (name, std::fs::read(e.path()).unwrap_or_default()))
            })
            .collect()
    }

    /// Saves a PNG of the page as `target/screenshots/<name>.png` (for people; never committed).
    pub fn screenshot(&self, name: &str) {
        use base64::Engine as _;
        let png = self.call("GET", "/screenshot", None);
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        let _ = std::fs::create_dir_all(&dir);
        if let Ok(bytes) =
            base64::engine::general_purpose::STANDARD.decode(png.as_str().unwrap_or_default())
        {
            let _ = std::fs::write(dir.join(format!("{name}.png")), bytes);
        }
    }

    pub fn source(&self) -> String {
        self.call("GET", "/source", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub fn title(&self) -> String {
        self.call("GET", "/title", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Opens each `(state, path, marker)` page in every language we write, checks it is in
    /// that language and shows its marker, and collects axe-core's violations on it.
    pub fn axe_in_every_language(&self, base: &str, pages: &[(&str, String, &str)]) -> Vec<String> {
        let mut found = Vec::new();
        for lang in ["en", "es", "fr", "ja"] {
            for (state, path, marker) in pages {
                self.open(&format!("{base}{path}?lang={lang}"));
                let html = self.source();
                assert!(
                    html.contains(&format!("lang=\"{lang}\"")) && html.contains(marker),
                    "{state} in {lang}: {html}"
                );
                for violation in self.axe_violations() {
                    found.push(format!("{state} in {lang}: {violation}"));
                }
            }
        }
        found
    }

    /// axe-core's WCAG 2.2 A/AA violations on the page now, one line each.
    pub fn axe_violations(&self) -> Vec<String> {
        let axe =
            std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(AXE))
                .expect("axe-core is unpacked (scripts/browser.sh)");
        let loaded = self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": format!("{axe}\n;return typeof axe;"), "args": []})),
        );
        assert_eq!(loaded, "object", "axe-core loaded into the page");
        let found = self.call(
            "POST",
            "/execute/async",
            Some(json!({
                "script": "const done = arguments[arguments.length - 1];\
                    axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})\
                      .then(r => done({passes: r.passes.length, violations: r.violations.map(v =>\
                        v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).join(', '))}))\
                      .catch(e => done({passes: 0, violations: ['axe failed: ' + e]}));",
                "args": [WCAG_22_AA]
            })),
        );
        // A run that checked nothing would find nothing: it must have passed real rules.
        assert!(
            found["passes"].as_u64().unwrap_or_default() >= 5,
            "axe ran its rules: {found}"
        );
        found["violations"]
            .as_array()
            .expect("axe's answer")
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

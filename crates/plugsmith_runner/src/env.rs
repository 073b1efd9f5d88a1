//! Interpreters and per-plugin requirement environments.
//!
//! An environment is keyed by sha256(normalised requirements ‖ Python version ‖ base
//! interpreter ‖ target ‖ installer ‖ fingerprints of local path requirements), built with `uv`
//! when present (else `python -m venv` + pip; `--installer` picks one) into
//! `<cache>/venvs/<key>` under an exclusive `flock`, and
//! marked ready last, so a crashed build is rebuilt and concurrent runs wait for one build.
//! It is built outside the plugin's limits, as production builds at upload time.

use crate::exec::CancelToken;
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Read;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, UNIX_EPOCH};

/// The cache root: `--cache-dir`, else `$PLUGSMITH_CACHE_DIR`, else `$XDG_CACHE_HOME/plugsmith`,
/// else `~/.cache/plugsmith`.
pub fn cache_dir(given: Option<&Path>) -> PathBuf {
    if let Some(d) = given {
        return d.to_path_buf();
    }
    if let Some(d) = std::env::var_os("PLUGSMITH_CACHE_DIR") {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(d).join("plugsmith");
    }
    if let Some(h) = std::env::var_os("HOME") {
        return PathBuf::from(h).join(".cache").join("plugsmith");
    }
    std::env::temp_dir().join("plugsmith-cache")
}

fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Why an environment build stopped early: cancelled runs are reported as such, not as
/// build failures.
pub const BUILD_CANCELLED: &str = "Run cancelled";

/// Runs a command with a deadline; returns (success, stdout, stderr). A cancelled `cancel`
/// kills it and returns [`BUILD_CANCELLED`].
fn run_with_deadline(
    cmd: &mut Command,
    limit: Duration,
    cancel: Option<&CancelToken>,
) -> Result<(bool, String, String), String> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start {:?}: {e}", cmd.get_program()))?;
    let mut so = child.stdout.take();
    let mut se = child.stderr.take();
    let t1 = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(o) = so.as_mut() {
            let _ = o.read_to_string(&mut s);
        }
        s
    });
    let t2 = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(o) = se.as_mut() {
            let _ = o.read_to_string(&mut s);
        }
        s
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if cancel.is_some_and(CancelToken::is_cancelled) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(BUILD_CANCELLED.to_string());
            }
            Ok(None) if start.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{:?} did not finish within {} s",
                    cmd.get_program(),
                    limit.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("wait: {e}")),
        }
    };
    let out = t1.join().unwrap_or_default();
    let err = t2.join().unwrap_or_default();
    Ok((status.success(), out, err))
}

/// The interpreter to run, and its version when known.
#[derive(Debug, Clone)]
pub struct Interpreter {
    pub path: PathBuf,
    pub version: Option<String>,
}

/// `--python`, else `$PLUGSMITH_PYTHON`, else `python3` on PATH. A wrapper script (pyenv shim)
/// is resolved to the real binary once and cached, so each run does not pay the shim.
pub fn resolve_python(
    given: Option<&Path>,
    workdir: &Path,
    cache: &Path,
) -> Result<Interpreter, String> {
    let p = match given {
        Some(p) => {
            if p.components().count() == 1 && !p.exists() {
                which(&p.to_string_lossy()).ok_or(format!("`{}` not found on PATH", p.display()))?
            } else {
                p.to_path_buf()
            }
        }
        None => match std::env::var_os("PLUGSMITH_PYTHON") {
            Some(v) => PathBuf::from(v),
            None => which("python3")
                .or_else(|| which("python"))
                .ok_or("no python3 on PATH: pass --python")?,
        },
    };
    if !p.exists() {
        return Err(format!("interpreter {} does not exist", p.display()));
    }
    let is_script = fs::File::open(&p)
        .ok()
        .and_then(|mut f| {
            let mut b = [0u8; 2];
            f.read_exact(&mut b).ok().map(|_| &b == b"#!")
        })
        .unwrap_or(false);
    if is_script {
        let probed = probe(&p, workdir, true, cache)?;
        return Ok(probed);
    }
    Ok(Interpreter {
        path: p,
        version: None,
    })
}

/// Asks the interpreter for its real executable and version (cached by path, mtime, size and,
/// for wrapper scripts, the directory and PYENV_VERSION that select the version).
pub fn probe(
    p: &Path,
    workdir: &Path,
    is_script: bool,
    cache: &Path,
) -> Result<Interpreter, String> {
    let meta = fs::metadata(p).map_err(|e| format!("{}: {e}", p.display()))?;
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let mut h = Sha256::new();
    h.update(p.as_os_str().as_encoded_bytes());
    h.update(format!("\0{mtime}\0{}", meta.len()));
    if is_script {
        h.update(workdir.as_os_str().as_encoded_bytes());
        h.update(std::env::var("PYENV_VERSION").unwrap_or_default());
    }
    let key = hex(&h.finalize()[..12]);
    let file = cache.join("interpreters").join(format!("{key}.json"));
    if let Ok(t) = fs::read_to_string(&file)
        && let Ok(v) = serde_json::from_str::<Vec<String>>(&t)
        && v.len() == 2
        && Path::new(&v[0]).exists()
    {
        return Ok(Interpreter {
            path: PathBuf::from(&v[0]),
            version: Some(v[1].clone()),
        });
    }
    let (ok, out, err) = run_with_deadline(
        Command::new(p).current_dir(workdir).args([
            "-I",
            "-c",
            "import sys,json;print(json.dumps([sys.executable,'%d.%d.%d'%sys.version_info[:3]]))",
        ]),
        Duration::from_secs(60),
        None,
    )?;
    if !ok {
        return Err(format!("{} does not run: {}", p.display(), err.trim()));
    }
    let v: Vec<String> = serde_json::from_str(out.trim())
        .map_err(|_| format!("{} printed unexpected output: {}", p.display(), out.trim()))?;
    if v.len() != 2 {
        return Err(format!("{} printed unexpected output", p.display()));
    }
    if let Some(d) = file.parent() {
        let _ = fs::create_dir_all(d);
        let _ = fs::write(&file, serde_json::to_string(&v).unwrap_or_default());
    }
    let exe = if v[0].is_empty() {
        p.to_path_buf()
    } else {
        PathBuf::from(&v[0])
    };
    Ok(Interpreter {
        path: exe,
        version: Some(v[1].clone()),
    })
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[derive(Debug, Clone)]
pub struct Venv {
    pub python: PathBuf,
    pub dir: PathBuf,
    pub cached: bool,
    pub installer: String,
    pub build: Duration,
}

fn normalise_requirements(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.trim_end_matches('\r').trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Size and mtime of every file below a local path requirement (bounded).
fn fingerprint_local(path: &Path, h: &mut Sha256) {
    let mut stack = vec![path.to_path_buf()];
    let mut n = 0;
    while let Some(p) = stack.pop() {
        if n > 5000 {
            break;
        }
        let Ok(m) = fs::symlink_metadata(&p) else {
            continue;
        };
        n += 1;
        if m.is_dir() {
            if let Ok(rd) = fs::read_dir(&p) {
                let mut v: Vec<_> = rd.flatten().map(|e| e.path()).collect();
                v.sort();
                stack.extend(v);
            }
        } else {
            let mt = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            h.update(format!("{}\0{}\0{mt}\n", p.display(), m.len()));
        }
    }
}

/// Which tool builds requirement environments (`--installer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Installer {
    /// `uv` when found (see [`find_uv`]), else `python -m venv` + pip.
    #[default]
    Auto,
    /// `uv venv` + `uv pip install`; an error when no `uv` is found.
    Uv,
    /// `python -m venv` + `pip install`, even when `uv` is present.
    Pip,
}

/// The `uv` binary: `$PLUGSMITH_UV` when set (and nothing else then), else `uv` on PATH, else
/// `~/.local/bin/uv` or `~/.cargo/bin/uv`.
pub fn find_uv() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PLUGSMITH_UV") {
        let p = PathBuf::from(p);
        return (!p.as_os_str().is_empty() && is_executable(&p)).then_some(p);
    }
    which("uv").or_else(|| {
        let home = PathBuf::from(std::env::var_os("HOME")?);
        [home.join(".local/bin/uv"), home.join(".cargo/bin/uv")]
            .into_iter()
            .find(|p| is_executable(p))
    })
}

/// Returns the environment for `requirements`, building it with `installer` when it is not
/// cached. A build is stopped when `cancel` is cancelled (the error is then
/// [`BUILD_CANCELLED`]).
pub fn ensure_venv(
    base: &Interpreter,
    requirements: &Path,
    plugin_dir: &Path,
    cache: &Path,
    installer: Installer,
    cancel: Option<&CancelToken>,
) -> Result<Venv, String> {
    let uv = uv_for(installer)?;
    let text = fs::read_to_string(requirements)
        .map_err(|e| format!("cannot read {}: {e}", requirements.display()))?;
    let version = match &base.version {
        Some(v) => v.clone(),
        None => probe(&base.path, plugin_dir, false, cache)?
            .version
            .unwrap_or_default(),
    };
    let key = venv_key(base, &version, &text, plugin_dir, uv.is_some());
    let root = cache.join("venvs");
    fs::create_dir_all(&root).map_err(|e| format!("cannot create {}: {e}", root.display()))?;
    let dir = root.join(&key);
    if let Some(venv) = cached_venv(&dir) {
        return Ok(venv);
    }
    // One builder at a time per key; held until this function returns.
    let _lock = lock_key(&root, &key, cancel)?;
    if let Some(venv) = cached_venv(&dir) {
        return Ok(venv);
    }
    let build = Build {
        base,
        requirements,
        plugin_dir,
        python: dir.join("bin").join("python"),
        dir,
        cancel,
    };
    build.run(uv, installer)
}

/// The `uv` binary to build with, if any, for the chosen installer.
fn uv_for(installer: Installer) -> Result<Option<PathBuf>, String> {
    Ok(match installer {
        Installer::Pip => None,
        Installer::Auto => find_uv(),
        Installer::Uv => Some(find_uv().ok_or(
            "--installer uv: no uv found ($PLUGSMITH_UV, PATH, ~/.local/bin, ~/.cargo/bin); \
             install it (`pip install uv`) or use --installer pip",
        )?),
    })
}

/// The cache key of an environment: the requirements (with a fingerprint of local path
/// requirements), the base interpreter and its version, the tool and the platform.
fn venv_key(
    base: &Interpreter,
    version: &str,
    requirements: &str,
    plugin_dir: &Path,
    uv: bool,
) -> String {
    let mut h = Sha256::new();
    h.update(b"plugsmith-venv-v1\0");
    for line in normalise_requirements(requirements) {
        h.update(line.as_bytes());
        h.update(b"\n");
        let l = line.trim_start_matches("-e ").trim();
        let local = l.strip_prefix("file://").unwrap_or(l);
        if local.starts_with('.') || local.starts_with('/') {
            fingerprint_local(&plugin_dir.join(local), &mut h);
        }
    }
    // uv's environments differ from venv's (no pip inside): the tool is part of the key.
    h.update(format!(
        "\0{version}\0{}\0{}\0{}-{}",
        base.path.display(),
        if uv { "uv" } else { "pip" },
        std::env::consts::OS,
        std::env::consts::ARCH
    ));
    hex(&h.finalize()[..16])
}

/// The environment in `dir` when a complete build is there.
fn cached_venv(dir: &Path) -> Option<Venv> {
    let ready = dir.join(".plugsmith-ready");
    let python = dir.join("bin").join("python");
    (ready.exists() && python.exists()).then(|| Venv {
        python,
        dir: dir.to_path_buf(),
        cached: true,
        installer: fs::read_to_string(&ready)
            .unwrap_or_default()
            .trim()
            .to_string(),
        build: Duration::ZERO,
    })
}

/// Takes the builder lock of `key` (released when the file is dropped). Polled rather than
/// blocking, so a cancelled run does not wait for another's build.
fn lock_key(root: &Path, key: &str, cancel: Option<&CancelToken>) -> Result<fs::File, String> {
    let lock = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(root.join(format!("{key}.lock")))
        .map_err(|e| format!("lock: {e}"))?;
    loop {
        // SAFETY: flock on an fd we own; released when `lock` is dropped.
        if unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
            break;
        }
        let e = std::io::Error::last_os_error();
        if e.raw_os_error() != Some(libc::EWOULDBLOCK)
            && e.kind() != std::io::ErrorKind::Interrupted
        {
            break;
        }
        if cancel.is_some_and(CancelToken::is_cancelled) {
            return Err(BUILD_CANCELLED.to_string());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(lock)
}

/// Deadline of each step of an environment build.
const BUILD_STEP_LIMIT: Duration = Duration::from_secs(900);

/// One environment build into `dir`.
struct Build<'a> {
    base: &'a Interpreter,
    requirements: &'a Path,
    plugin_dir: &'a Path,
    dir: PathBuf,
    python: PathBuf,
    cancel: Option<&'a CancelToken>,
}

impl Build<'_> {
    /// Builds the environment from scratch with uv (when given) or venv + pip, then marks
    /// it ready. A failed build leaves no directory behind.
    fn run(self, uv: Option<PathBuf>, chosen: Installer) -> Result<Venv, String> {
        let start = Instant::now();
        let _ = fs::remove_dir_all(&self.dir);
        let installer = match uv {
            Some(uv) => {
                self.with_uv(&uv)?;
                format!("uv ({})", uv.display())
            }
            None => {
                self.with_pip()?;
                if chosen == Installer::Auto {
                    "venv + pip (uv not found)".to_string()
                } else {
                    "venv + pip".to_string()
                }
            }
        };
        let ready = self.dir.join(".plugsmith-ready");
        fs::write(&ready, &installer)
            .map_err(|e| format!("cannot mark {}: {e}", self.dir.display()))?;
        Ok(Venv {
            python: self.python,
            dir: self.dir,
            cached: false,
            installer,
            build: start.elapsed(),
        })
    }

    /// `uv venv` + `uv pip install -r`.
    fn with_uv(&self, uv: &Path) -> Result<(), String> {
        let mut venv = Command::new(uv);
        venv.args(["venv", "-q", "--python"])
            .arg(&self.base.path)
            .arg(&self.dir);
        self.step("uv venv", &mut venv, false)?;
        let mut install = Command::new(uv);
        install
            .current_dir(self.plugin_dir)
            .args(["pip", "install", "-q", "--python"])
            .arg(&self.python)
            .arg("-r")
            .arg(self.requirements);
        self.step("uv pip install", &mut install, false)
    }

    /// `python -m venv` + `pip install -r`.
    fn with_pip(&self) -> Result<(), String> {
        let mut venv = Command::new(&self.base.path);
        venv.args(["-m", "venv"]).arg(&self.dir);
        self.step("python -m venv", &mut venv, false)?;
        let mut install = Command::new(&self.python);
        install
            .current_dir(self.plugin_dir)
            .args([
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "--no-input",
                "-r",
            ])
            .arg(self.requirements);
        self.step("pip install", &mut install, true)
    }

    /// Runs one build step; on failure removes the directory and returns the error, with the
    /// step's stderr (and stdout first when `with_stdout`) as the message.
    fn step(&self, step: &str, cmd: &mut Command, with_stdout: bool) -> Result<(), String> {
        let (ok, out, err) =
            run_with_deadline(cmd, BUILD_STEP_LIMIT, self.cancel).inspect_err(|_| {
                let _ = fs::remove_dir_all(&self.dir);
            })?;
        if ok {
            return Ok(());
        }
        let _ = fs::remove_dir_all(&self.dir);
        let err = if with_stdout {
            format!("{out}\n{err}")
        } else {
            err
        };
        Err(build_failed(step, &err))
    }
}

/// The error of a failed build step: its name and the last 4000 characters of its output.
fn build_failed(step: &str, err: &str) -> String {
    let tail: String = err
        .chars()
        .rev()
        .take(4000)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!(
        "building the plugin's environment failed ({step}):\n{}",
        tail.trim()
    )
}

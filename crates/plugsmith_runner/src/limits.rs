//! Enforcement of memory limits and process-tree containment.
//!
//! Backend ladder (research/runner.md §C1), the first that works is used and reported:
//! 1. cgroup v2 with the memory controller: a fresh group per run, `memory.max`,
//!    `memory.swap.max = 0`, `memory.oom.group = 1`; peak from `memory.peak`, OOM from
//!    `memory.events` (`oom_kill`); whole-tree kill with `cgroup.kill`.
//! 2. cgroup v1 memory controller (hybrid hosts): a fresh group below the runner's own memory
//!    group, `memory.limit_in_bytes` + `memory.memsw.limit_in_bytes`; peak from
//!    `memory.max_usage_in_bytes`, OOM from `memory.oom_control` (`oom_kill`). A controller-less
//!    group in the v2 hierarchy (when mounted) provides `cgroup.kill`; otherwise a kill loop over
//!    `cgroup.procs`.
//! 3. Fallback without cgroups: `RLIMIT_DATA` per process plus polling of the tree's summed RSS
//!    (the runner becomes a child subreaper so `setsid` escapees are re-parented to it and stay
//!    visible). Figures are approximate and the report says so. A process that double-forks
//!    before the first poll *and* escapes re-parenting (another subreaper between) is not seen.

use std::collections::BTreeSet;
use std::ffi::CString;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// Which backend the caller wants; `Auto` walks the ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BackendPref {
    Auto,
    CgroupV2,
    CgroupV1,
    Rlimit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    CgroupV2,
    CgroupV1,
    Rlimit,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::CgroupV2 => "cgroup-v2",
            Backend::CgroupV1 => "cgroup-v1",
            Backend::Rlimit => "rlimit",
        }
    }
}

/// Memory figures after a run.
#[derive(Debug, Default, Clone)]
pub struct MemStats {
    pub peak: Option<u64>,
    pub oom_kills: u64,
}

/// One run's containment. Dropping it kills whatever is left and removes the groups.
pub struct Sandbox {
    pub backend: Backend,
    pub limit: Option<u64>,
    /// The group holding the memory controller (v2 group or v1 memory group).
    mem_dir: Option<PathBuf>,
    /// A v2 group with `cgroup.kill` (same as `mem_dir` on v2; the tracking group on v1).
    kill_dir: Option<PathBuf>,
    pub warnings: Vec<String>,
}

static SEQ: AtomicU32 = AtomicU32::new(0);

fn group_name() -> String {
    format!(
        "plugsmith-run-{}-{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    )
}

/// `/proc/self/cgroup` lines `id:controllers:path`.
fn own_cgroups() -> Vec<(String, String)> {
    let text = fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let mut it = l.splitn(3, ':');
            let _id = it.next()?;
            let ctrl = it.next()?;
            let path = it.next()?;
            Some((ctrl.to_string(), path.to_string()))
        })
        .collect()
}

fn join_cg(mount: &Path, rel: &str) -> PathBuf {
    let rel = rel.trim_start_matches('/');
    if rel.is_empty() {
        mount.to_path_buf()
    } else {
        mount.join(rel)
    }
}

fn write(path: &Path, value: &str) -> std::io::Result<()> {
    fs::write(path, value)
}

fn is_cgroup2_mount(path: &Path) -> bool {
    let mounts = fs::read_to_string("/proc/self/mounts").unwrap_or_default();
    let p = path.to_string_lossy();
    mounts.lines().any(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        f.len() > 2 && f[1] == p && f[2] == "cgroup2"
    })
}

fn cgroup1_mount(controller: &str) -> Option<PathBuf> {
    let mounts = fs::read_to_string("/proc/self/mounts").unwrap_or_default();
    mounts.lines().find_map(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        if f.len() > 3 && f[2] == "cgroup" && f[3].split(',').any(|o| o == controller) {
            Some(PathBuf::from(f[1]))
        } else {
            None
        }
    })
}

impl Sandbox {
    /// Builds the containment for one run. Never fails: falls back to rlimits with a warning.
    pub fn create(limit: Option<u64>, pref: BackendPref) -> Sandbox {
        let mut warnings = Vec::new();
        if matches!(pref, BackendPref::Auto | BackendPref::CgroupV2) {
            match Self::try_v2(limit) {
                Ok(sb) => return sb,
                Err(e) => {
                    if pref == BackendPref::CgroupV2 {
                        warnings.push(format!("cgroup v2 unavailable: {e}"));
                    }
                }
            }
        }
        if matches!(pref, BackendPref::Auto | BackendPref::CgroupV1) {
            match Self::try_v1(limit) {
                Ok(mut sb) => {
                    sb.warnings.splice(0..0, warnings);
                    return sb;
                }
                Err(e) => warnings.push(format!("cgroup v1 unavailable: {e}")),
            }
        }
        if pref != BackendPref::Rlimit {
            warnings.push(
                "no cgroup could be created: memory limited per process with RLIMIT_DATA and \
                 the tree's RSS polled; figures are approximate and a process that leaves the \
                 tree before it is first seen is not killed"
                    .into(),
            );
        }
        // Orphans (also `setsid` escapees) are re-parented to us rather than to PID 1, so the
        // poller keeps seeing them and the final sweep can kill them.
        // SAFETY: prctl with integer arguments has no memory-safety preconditions.
        unsafe {
            libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        }
        Sandbox {
            backend: Backend::Rlimit,
            limit,
            mem_dir: None,
            kill_dir: None,
            warnings,
        }
    }

    fn try_v2(limit: Option<u64>) -> Result<Sandbox, String> {
        let mount = Path::new("/sys/fs/cgroup");
        if !is_cgroup2_mount(mount) {
            return Err("no unified cgroup2 hierarchy at /sys/fs/cgroup".into());
        }
        let own = own_cgroups()
            .into_iter()
            .find(|(c, _)| c.is_empty())
            .map(|(_, p)| p)
            .ok_or("no v2 entry in /proc/self/cgroup")?;
        let own_dir = join_cg(mount, &own);
        // Candidates: below our own group (works when it holds no processes itself, or is the
        // root), then a sibling of it (the usual case under a delegated systemd user slice).
        let mut candidates = vec![own_dir.clone()];
        if let Some(parent) = own_dir.parent()
            && parent.starts_with(mount)
        {
            candidates.push(parent.to_path_buf());
        }
        let mut last_err = String::from("no candidate parent");
        for parent in candidates {
            let ctrl =
                fs::read_to_string(parent.join("cgroup.subtree_control")).unwrap_or_default();
            if !ctrl.split_whitespace().any(|c| c == "memory") {
                let _ = write(&parent.join("cgroup.subtree_control"), "+memory");
            }
            let dir = parent.join(group_name());
            if let Err(e) = fs::create_dir(&dir) {
                last_err = format!("mkdir {}: {e}", dir.display());
                continue;
            }
            if !dir.join("memory.max").exists() {
                let _ = fs::remove_dir(&dir);
                last_err = format!("memory controller not enabled in {}", parent.display());
                continue;
            }
            let mut warnings = Vec::new();
            if let Some(l) = limit {
                if let Err(e) = write(&dir.join("memory.max"), &l.to_string()) {
                    let _ = fs::remove_dir(&dir);
                    last_err = format!("memory.max: {e}");
                    continue;
                }
                if write(&dir.join("memory.swap.max"), "0").is_err() {
                    warnings.push(
                        "memory.swap.max could not be set: swap may absorb part of the limit"
                            .into(),
                    );
                }
            }
            let _ = write(&dir.join("memory.oom.group"), "1");
            if !dir.join("memory.peak").exists() {
                warnings
                    .push("memory.peak missing (kernel < 5.19): peak memory not reported".into());
            }
            return Ok(Sandbox {
                backend: Backend::CgroupV2,
                limit,
                kill_dir: Some(dir.clone()),
                mem_dir: Some(dir),
                warnings,
            });
        }
        Err(last_err)
    }

    fn try_v1(limit: Option<u64>) -> Result<Sandbox, String> {
        let mount = cgroup1_mount("memory").ok_or("no cgroup v1 memory controller mounted")?;
        let own = own_cgroups()
            .into_iter()
            .find(|(c, _)| c.split(',').any(|x| x == "memory"))
            .map(|(_, p)| p)
            .unwrap_or_default();
        let parent = join_cg(&mount, &own);
        let dir = parent.join(group_name());
        fs::create_dir(&dir).map_err(|e| format!("mkdir {}: {e}", dir.display()))?;
        let mut warnings = Vec::new();
        if let Some(l) = limit {
            if let Err(e) = write(&dir.join("memory.limit_in_bytes"), &l.to_string()) {
                let _ = fs::remove_dir(&dir);
                return Err(format!("memory.limit_in_bytes: {e}"));
            }
            let memsw = dir.join("memory.memsw.limit_in_bytes");
            if memsw.exists() {
                if write(&memsw, &l.to_string()).is_err() {
                    warnings.push("memory.memsw.limit_in_bytes could not be set: swap may absorb part of the limit".into());
                }
            } else {
                let _ = write(&dir.join("memory.swappiness"), "0");
            }
        }
        // A controller-less v2 group for `cgroup.kill` (hybrid mode).
        let mut kill_dir = None;
        for unified in ["/sys/fs/cgroup/unified", "/sys/fs/cgroup"] {
            let u = Path::new(unified);
            if !is_cgroup2_mount(u) {
                continue;
            }
            let own2 = own_cgroups()
                .into_iter()
                .find(|(c, _)| c.is_empty())
                .map(|(_, p)| p)
                .unwrap_or_default();
            let d = join_cg(u, &own2).join(group_name());
            if fs::create_dir(&d).is_ok() {
                if d.join("cgroup.kill").exists() {
                    kill_dir = Some(d);
                } else {
                    let _ = fs::remove_dir(&d);
                }
            }
            break;
        }
        Ok(Sandbox {
            backend: Backend::CgroupV1,
            limit,
            mem_dir: Some(dir),
            kill_dir,
            warnings,
        })
    }

    /// `cgroup.procs` files the child writes `0` to before exec (async-signal-safe join).
    pub fn procs_files(&self) -> Vec<CString> {
        let mut v = Vec::new();
        for d in [&self.mem_dir, &self.kill_dir].into_iter().flatten() {
            let p = d.join("cgroup.procs");
            if let Ok(c) = CString::new(p.as_os_str().as_encoded_bytes())
                && !v.contains(&c)
            {
                v.push(c);
            }
        }
        v
    }

    /// RLIMIT_DATA for the fallback backend.
    pub fn rlimit_data(&self) -> Option<u64> {
        match self.backend {
            Backend::Rlimit => self.limit,
            _ => None,
        }
    }

    /// Processes currently in the run's groups.
    pub fn pids(&self) -> BTreeSet<i32> {
        let mut out = BTreeSet::new();
        for d in [&self.mem_dir, &self.kill_dir].into_iter().flatten() {
            if let Ok(t) = fs::read_to_string(d.join("cgroup.procs")) {
                out.extend(t.lines().filter_map(|l| l.trim().parse::<i32>().ok()));
            }
        }
        out
    }

    /// Kills every process of the run (`extra` = pids known from elsewhere, e.g. the fallback
    /// poller) and waits up to `wait` for the groups to empty. Returns how many were signalled.
    pub fn kill_all(&self, pgid: i32, extra: &BTreeSet<i32>, wait: Duration) -> usize {
        let mut killed: BTreeSet<i32> = BTreeSet::new();
        if let Some(k) = &self.kill_dir {
            killed.extend(self.pids());
            let _ = write(&k.join("cgroup.kill"), "1");
        }
        if pgid > 1 {
            // SAFETY: plain signal syscall on the run's own process group.
            unsafe {
                libc::killpg(pgid, libc::SIGKILL);
            }
        }
        for &p in extra {
            if p > 1 {
                // SAFETY: as above.
                unsafe {
                    libc::kill(p, libc::SIGKILL);
                }
                killed.insert(p);
            }
        }
        let start = Instant::now();
        loop {
            let mut left = self.pids();
            if self.backend == Backend::Rlimit {
                // No group to watch: wait for the signalled processes themselves (SIGKILL is
                // asynchronous; a process can linger a moment before it becomes a zombie).
                left.extend(extra.iter().copied().filter(|&p| p > 1 && live(p)));
                // Reap re-parented orphans so they do not linger as zombies of the runner.
                for &p in extra {
                    if p != pgid {
                        let mut st = 0;
                        // SAFETY: waitpid on a specific pid with WNOHANG.
                        unsafe {
                            libc::waitpid(p, &mut st, libc::WNOHANG);
                        }
                    }
                }
            }
            if left.is_empty() || start.elapsed() >= wait {
                break;
            }
            for &p in &left {
                // SAFETY: as above.
                unsafe {
                    libc::kill(p, libc::SIGKILL);
                }
                killed.insert(p);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        killed.len()
    }

    pub fn stats(&self) -> MemStats {
        let Some(d) = &self.mem_dir else {
            return MemStats::default();
        };
        let read_u64 = |f: &str| {
            fs::read_to_string(d.join(f))
                .ok()
                .and_then(|s| s.trim().parse::<u64>().ok())
        };
        let counter = |f: &str, key: &str| -> u64 {
            fs::read_to_string(d.join(f))
                .unwrap_or_default()
                .lines()
                .filter_map(|l| {
                    let mut it = l.split_whitespace();
                    (it.next() == Some(key)).then(|| it.next()?.parse::<u64>().ok())?
                })
                .sum()
        };
        match self.backend {
            Backend::CgroupV2 => MemStats {
                peak: read_u64("memory.peak"),
                oom_kills: counter("memory.events", "oom_kill"),
            },
            Backend::CgroupV1 => MemStats {
                peak: read_u64("memory.max_usage_in_bytes"),
                oom_kills: counter("memory.oom_control", "oom_kill"),
            },
            Backend::Rlimit => MemStats::default(),
        }
    }

    /// A human description for the report.
    pub fn enforcement(&self) -> String {
        let what = match (self.backend, self.limit) {
            (Backend::CgroupV2, Some(_)) => "cgroup v2 memory.max (swap off), kernel-enforced",
            (Backend::CgroupV2, None) => "cgroup v2 (no limit; peak measured)",
            (Backend::CgroupV1, Some(_)) => {
                "cgroup v1 memory.limit_in_bytes (+memsw), kernel-enforced"
            }
            (Backend::CgroupV1, None) => "cgroup v1 (no limit; peak measured)",
            (Backend::Rlimit, Some(_)) => {
                "RLIMIT_DATA per process + polled tree RSS (approximate, not kernel-enforced)"
            }
            (Backend::Rlimit, None) => "none (polled tree RSS, approximate)",
        };
        what.to_string()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if self.mem_dir.is_none() && self.kill_dir.is_none() {
            return;
        }
        if !self.pids().is_empty() {
            self.kill_all(0, &BTreeSet::new(), Duration::from_secs(2));
        }
        for d in [self.kill_dir.take(), self.mem_dir.take()]
            .into_iter()
            .flatten()
        {
            // rmdir can briefly fail with EBUSY right after the last process exits.
            for _ in 0..50 {
                if fs::remove_dir(&d).is_ok() || !d.exists() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}

/// Whether `pid` is a live process (a zombie is not).
fn live(pid: i32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
        s.rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z'))
    })
}

/// A process as seen in `/proc` by the fallback poller.
#[derive(Debug, Clone, Copy)]
pub struct ProcInfo {
    pub pid: i32,
    pub ppid: i32,
    pub sid: i32,
    pub rss_bytes: u64,
}

/// Reads `/proc/<pid>/stat` for every process.
pub fn scan_procs() -> Vec<ProcInfo> {
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(4096) as u64;
    let mut out = Vec::new();
    let Ok(rd) = fs::read_dir("/proc") else {
        return out;
    };
    for e in rd.flatten() {
        let name = e.file_name();
        let Some(pid) = name.to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // The command name is in parentheses and may contain spaces.
        let Some(close) = stat.rfind(')') else {
            continue;
        };
        let rest: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        // rest[0]=state [1]=ppid [2]=pgrp [3]=session ... [21]=rss (pages)
        if rest.len() < 22 || rest[0] == "Z" {
            continue;
        }
        let ppid = rest[1].parse().unwrap_or(0);
        let sid = rest[3].parse().unwrap_or(0);
        let rss: u64 = rest[21].parse().unwrap_or(0);
        out.push(ProcInfo {
            pid,
            ppid,
            sid,
            rss_bytes: rss * page,
        })
    }
    out
}

/// The run's tree: the root, everything in its session, their descendants, and `known` pids
/// still alive (re-parented escapees). Returns (pids, summed RSS).
pub fn tree_of(root: i32, known: &BTreeSet<i32>) -> (BTreeSet<i32>, u64) {
    let procs = scan_procs();
    let mut set: BTreeSet<i32> = BTreeSet::new();
    for p in &procs {
        if p.pid == root || p.sid == root || known.contains(&p.pid) {
            set.insert(p.pid);
        }
    }
    loop {
        let before = set.len();
        for p in &procs {
            if set.contains(&p.ppid) {
                set.insert(p.pid);
            }
        }
        if set.len() == before {
            break;
        }
    }
    let rss = procs
        .iter()
        .filter(|p| set.contains(&p.pid))
        .map(|p| p.rss_bytes)
        .sum();
    (set, rss)
}

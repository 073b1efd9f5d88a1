//! Spawning the harness inside the sandbox, the deadline, output capture.

use crate::limits::{Backend, MemStats, Sandbox, tree_of};
use std::collections::BTreeSet;
use std::ffi::{CString, OsString};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::os::fd::{FromRawFd, RawFd};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// A handle to stop a run from outside (another thread, an editor's cancelled request, Ctrl-C).
///
/// Cloning shares the flag. Cancelling is sticky: once [`cancel`](CancelToken::cancel) was
/// called, every run given this token stops (or does not start) as a `cancelled` run.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A fresh token, not cancelled.
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    /// Asks the run to stop: stack dump, then the whole process tree is killed, as on a
    /// timeout. Safe to call from any thread, any number of times.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether [`cancel`](CancelToken::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// How often the supervising loop looks at a [`CancelToken`].
const CANCEL_POLL: Duration = Duration::from_millis(50);

/// What to run and under which deadlines.
pub struct ExecSpec {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    pub env: Vec<(OsString, OsString)>,
    pub cwd: PathBuf,
    /// Hard wall-clock deadline from spawn.
    pub timeout: Option<Duration>,
    /// Soft deadline: SIGUSR2, which the harness turns into an exception (Celery).
    pub soft_timeout: Option<Duration>,
    /// Time between the stack-dump signal (SIGUSR1) and the kill.
    pub stack_grace: Duration,
    /// Bytes kept of stdout and of stderr each.
    pub output_cap: usize,
    /// How long readers may take to reach EOF once the tree is dead.
    pub reader_deadline: Duration,
    /// Stops the run from outside (same kill path as the timeout).
    pub cancel: Option<CancelToken>,
}

/// Captured bytes of one stream.
#[derive(Debug, Default, Clone)]
pub struct Captured {
    pub data: Vec<u8>,
    pub total: u64,
    pub truncated: bool,
}

/// A message from the harness's result pipe with the time it arrived (from spawn).
#[derive(Debug, Clone)]
pub struct Message {
    pub at: Duration,
    pub value: serde_json::Value,
}

#[derive(Debug, Default)]
pub struct ExecOutcome {
    pub spawn_error: Option<String>,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub timed_out: bool,
    /// The run was stopped through its [`CancelToken`] (and did not time out first).
    pub cancelled: bool,
    pub soft_timed_out: bool,
    /// The fallback poller killed the tree for exceeding the limit.
    pub polled_limit_exceeded: bool,
    pub wall: Duration,
    pub stdout: Captured,
    pub stderr: Captured,
    pub messages: Vec<Message>,
    pub messages_dropped: u64,
    pub maxrss_main: Option<u64>,
    pub mem: MemStats,
    /// Peak of the polled tree RSS (fallback backend only).
    pub polled_peak: Option<u64>,
    /// Processes still alive after the main process ended, killed by the runner.
    pub orphans_killed: usize,
    /// Processes found alive after the final kill (should always be empty).
    pub survivors: Vec<i32>,
    /// Readers that did not reach EOF by their deadline (a process held the pipe).
    pub readers_abandoned: usize,
}

const MAX_MESSAGES: usize = 20_000;
const MAX_MESSAGE_LINE: usize = 4 << 20;

fn spawn_capture<R: Read + Send + 'static>(
    mut r: R,
    cap: usize,
    buf: Arc<Mutex<Captured>>,
    done: Arc<AtomicBool>,
) {
    std::thread::spawn(move || {
        let mut chunk = [0u8; 16384];
        loop {
            match r.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => {
                    let mut b = buf.lock().unwrap_or_else(|e| e.into_inner());
                    b.total += n as u64;
                    let room = cap.saturating_sub(b.data.len());
                    if room < n {
                        b.truncated = true;
                    }
                    let keep = room.min(n);
                    b.data.extend_from_slice(&chunk[..keep]);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
        done.store(true, Ordering::SeqCst);
    });
}

fn spawn_messages(
    r: File,
    start: Instant,
    out: Arc<Mutex<(Vec<Message>, u64)>>,
    done: Arc<AtomicBool>,
) {
    std::thread::spawn(move || {
        let mut rd = BufReader::new(r);
        let mut line = Vec::new();
        loop {
            line.clear();
            // Bounded read of one line.
            let n = match (&mut rd)
                .take(MAX_MESSAGE_LINE as u64)
                .read_until(b'\n', &mut line)
            {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            };
            if n == 0 {
                break;
            }
            if line.last() != Some(&b'\n') && n == MAX_MESSAGE_LINE {
                // Oversized: skip the rest of the line.
                let mut sink = Vec::new();
                let _ = rd.read_until(b'\n', &mut sink);
                out.lock().unwrap_or_else(|e| e.into_inner()).1 += 1;
                continue;
            }
            let at = start.elapsed();
            let mut o = out.lock().unwrap_or_else(|e| e.into_inner());
            match serde_json::from_slice::<serde_json::Value>(&line) {
                Ok(v) if o.0.len() < MAX_MESSAGES || is_final(&v) => {
                    o.0.push(Message { at, value: v })
                }
                _ => o.1 += 1,
            }
        }
        done.store(true, Ordering::SeqCst);
    });
}

fn is_final(v: &serde_json::Value) -> bool {
    v.get("kind").and_then(|k| k.as_str()) == Some("result")
}

fn pipe_cloexec() -> std::io::Result<(RawFd, RawFd)> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: fds is a valid 2-element array.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok((fds[0], fds[1]))
}

/// Code run in the child between fork and exec. Only async-signal-safe calls.
///
/// # Safety
/// Must only be called in the forked child.
unsafe fn child_setup(
    procs: &[CString],
    result_w: RawFd,
    rlimit_data: Option<u64>,
) -> std::io::Result<()> {
    unsafe {
        // A new session and process group: the runner kills the group; a plugin's own
        // `setsid` children are caught by the cgroup.
        if libc::setsid() < 0 {
            return Err(std::io::Error::last_os_error());
        }
        for p in procs {
            let fd = libc::open(p.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
            if fd < 0 {
                return Err(std::io::Error::last_os_error());
            }
            let ok = libc::write(fd, b"0".as_ptr() as *const libc::c_void, 1) == 1;
            libc::close(fd);
            if !ok {
                return Err(std::io::Error::last_os_error());
            }
        }
        let zero = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        libc::setrlimit(libc::RLIMIT_CORE, &zero);
        if let Some(l) = rlimit_data {
            let r = libc::rlimit {
                rlim_cur: l as libc::rlim_t,
                rlim_max: l as libc::rlim_t,
            };
            libc::setrlimit(libc::RLIMIT_DATA, &r);
        }
        if result_w == 3 {
            libc::fcntl(3, libc::F_SETFD, 0);
        } else if libc::dup2(result_w, 3) < 0 {
            return Err(std::io::Error::last_os_error());
        }
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
        Ok(())
    }
}

enum Wait {
    Exited { status: i32, maxrss_kib: i64 },
}

/// Runs the program under the sandbox; never panics on child behaviour.
pub fn execute(spec: &ExecSpec, sandbox: &Sandbox) -> ExecOutcome {
    let mut out = ExecOutcome::default();
    let Spawned {
        mut child,
        res_reader,
        start,
    } = match spawn_child(spec, sandbox) {
        Ok(s) => s,
        Err(e) => {
            out.spawn_error = Some(e);
            return out;
        }
    };
    let pid = child.id() as i32;
    let readers = Readers::start(&mut child, spec.output_cap, res_reader, start);
    let rx = spawn_waiter(pid);
    let mut supervisor = Supervisor::new(spec, sandbox, pid, start);
    let result = supervisor.run(&rx, &mut out);
    out.wall = start.elapsed();
    record_exit(&mut out, result);
    supervisor.sweep_leftovers(&mut out);
    out.mem = sandbox.stats();
    readers.collect(spec.reader_deadline, &mut out);
    out
}

/// A started child, the read end of its result pipe, and the instant of the spawn.
struct Spawned {
    child: Child,
    res_reader: File,
    start: Instant,
}

/// Creates the result pipe and spawns the program with the sandbox's setup run in the child.
fn spawn_child(spec: &ExecSpec, sandbox: &Sandbox) -> Result<Spawned, String> {
    let (res_r, res_w) = pipe_cloexec().map_err(|e| format!("pipe: {e}"))?;
    // SAFETY: res_r is a fresh fd we own.
    let res_reader = unsafe { File::from_raw_fd(res_r) };
    let procs = sandbox.procs_files();
    let rlimit_data = sandbox.rlimit_data();
    let mut cmd = command_for(spec);
    // SAFETY: child_setup only performs async-signal-safe syscalls on pre-allocated data.
    unsafe {
        cmd.pre_exec(move || child_setup(&procs, res_w, rlimit_data));
    }
    let start = Instant::now();
    let spawned = cmd.spawn();
    // SAFETY: closing our copy of the write end; the child has its own.
    unsafe {
        libc::close(res_w);
    }
    let child = spawned.map_err(|e| format!("could not start {}: {e}", spec.program.display()))?;
    Ok(Spawned {
        child,
        res_reader,
        start,
    })
}

fn command_for(spec: &ExecSpec) -> Command {
    let mut cmd = Command::new(&spec.program);
    cmd.args(&spec.args)
        .current_dir(&spec.cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in &spec.env {
        cmd.env(k, v);
    }
    cmd
}

/// The reader threads of one run (stdout, stderr, result pipe) and their EOF flags.
struct Readers {
    stdout: Arc<Mutex<Captured>>,
    stderr: Arc<Mutex<Captured>>,
    msgs: Arc<Mutex<(Vec<Message>, u64)>>,
    done: Vec<Arc<AtomicBool>>,
}

impl Readers {
    /// Starts one reader thread per pipe; a missing pipe counts as already at EOF.
    fn start(child: &mut Child, cap: usize, res_reader: File, start: Instant) -> Readers {
        let readers = Readers {
            stdout: Arc::new(Mutex::new(Captured::default())),
            stderr: Arc::new(Mutex::new(Captured::default())),
            msgs: Arc::new(Mutex::new((Vec::new(), 0u64))),
            done: (0..3).map(|_| Arc::new(AtomicBool::new(false))).collect(),
        };
        if let Some(o) = child.stdout.take() {
            spawn_capture(o, cap, readers.stdout.clone(), readers.done[0].clone());
        } else {
            readers.done[0].store(true, Ordering::SeqCst);
        }
        if let Some(e) = child.stderr.take() {
            spawn_capture(e, cap, readers.stderr.clone(), readers.done[1].clone());
        } else {
            readers.done[1].store(true, Ordering::SeqCst);
        }
        spawn_messages(
            res_reader,
            start,
            readers.msgs.clone(),
            readers.done[2].clone(),
        );
        readers
    }

    /// Gives the readers until `deadline` to reach EOF (a process outside our reach may
    /// hold a pipe open), then moves what they captured into `out`.
    fn collect(self, deadline: Duration, out: &mut ExecOutcome) {
        let reader_deadline = Instant::now() + deadline;
        while self.pending() > 0 && Instant::now() < reader_deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
        out.readers_abandoned = self.pending();
        out.stdout = self
            .stdout
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        out.stderr = self
            .stderr
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let m = self.msgs.lock().unwrap_or_else(|e| e.into_inner());
        out.messages = m.0.clone();
        out.messages_dropped = m.1;
    }

    fn pending(&self) -> usize {
        self.done
            .iter()
            .filter(|d| !d.load(Ordering::SeqCst))
            .count()
    }
}

/// Reaps the child on its own thread and sends its wait status and peak RSS.
fn spawn_waiter(pid: i32) -> mpsc::Receiver<Wait> {
    let (tx, rx) = mpsc::channel::<Wait>();
    std::thread::spawn(move || {
        let mut status = 0;
        // SAFETY: zeroed rusage is a valid out-parameter.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        loop {
            // SAFETY: valid pointers; pid is our child.
            let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
            if r == -1 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted
            {
                continue;
            }
            break;
        }
        let _ = tx.send(Wait::Exited {
            status,
            maxrss_kib: ru.ru_maxrss,
        });
    });
    rx
}

/// Records the exit code or signal and the main process's peak RSS.
fn record_exit(out: &mut ExecOutcome, result: Option<Wait>) {
    if let Some(Wait::Exited { status, maxrss_kib }) = result {
        if libc::WIFEXITED(status) {
            out.exit_code = Some(libc::WEXITSTATUS(status));
        } else if libc::WIFSIGNALED(status) {
            out.signal = Some(libc::WTERMSIG(status));
        }
        out.maxrss_main = Some((maxrss_kib.max(0) as u64) * 1024);
    }
}

/// The state of the supervising loop: which signals were sent, and (fallback backend)
/// the process tree seen so far.
struct Supervisor<'a> {
    spec: &'a ExecSpec,
    sandbox: &'a Sandbox,
    pid: i32,
    start: Instant,
    polling: bool,
    known: BTreeSet<i32>,
    polled_peak: u64,
    soft_sent: bool,
    stack_sent: Option<Instant>,
    killed_by_us: bool,
}

impl<'a> Supervisor<'a> {
    fn new(spec: &'a ExecSpec, sandbox: &'a Sandbox, pid: i32, start: Instant) -> Self {
        Supervisor {
            spec,
            sandbox,
            pid,
            start,
            polling: sandbox.backend == Backend::Rlimit,
            known: BTreeSet::from([pid]),
            polled_peak: 0,
            soft_sent: false,
            stack_sent: None,
            killed_by_us: false,
        }
    }

    /// Waits for the main process to end, acting on the deadlines, a cancellation and
    /// (fallback backend) the polled memory limit in between. `None` if the waiter vanished.
    fn run(&mut self, rx: &mpsc::Receiver<Wait>, out: &mut ExecOutcome) -> Option<Wait> {
        loop {
            match rx.recv_timeout(self.wait_for()) {
                Ok(w) => return Some(w),
                Err(mpsc::RecvTimeoutError::Disconnected) => return None,
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
            let now = self.start.elapsed();
            if self.polling {
                self.poll_tree(out);
            }
            self.check_soft_deadline(now, out);
            self.check_stop(now, out);
        }
    }

    /// How long to block on the waiter before the next check is due.
    fn wait_for(&self) -> Duration {
        let spec = self.spec;
        let now = self.start.elapsed();
        let mut wait_for = Duration::from_millis(if self.polling { 50 } else { 1000 });
        if spec.cancel.is_some() && self.stack_sent.is_none() {
            wait_for = wait_for.min(CANCEL_POLL);
        }
        if let (Some(t), None) = (spec.timeout, self.stack_sent) {
            wait_for = wait_for.min(t.saturating_sub(now));
        }
        if let (Some(s), false) = (spec.soft_timeout, self.soft_sent) {
            wait_for = wait_for.min(s.saturating_sub(now));
        }
        if let (Some(at), false) = (self.stack_sent, self.killed_by_us) {
            wait_for = wait_for.min(spec.stack_grace.saturating_sub(at.elapsed()));
        }
        wait_for
    }

    /// Fallback backend: records the tree and its peak RSS, kills it when over the limit.
    fn poll_tree(&mut self, out: &mut ExecOutcome) {
        let (set, rss) = tree_of(self.pid, &self.known);
        self.known.extend(set.iter().copied());
        self.polled_peak = self.polled_peak.max(rss);
        if let Some(limit) = self.sandbox.limit
            && rss > limit
            && !self.killed_by_us
        {
            out.polled_limit_exceeded = true;
            self.killed_by_us = true;
            self.sandbox
                .kill_all(self.pid, &self.known, Duration::from_millis(200));
        }
    }

    /// Sends SIGUSR2 once, when the soft deadline has passed.
    fn check_soft_deadline(&mut self, now: Duration, out: &mut ExecOutcome) {
        if let (Some(s), false) = (self.spec.soft_timeout, self.soft_sent)
            && now >= s
        {
            self.soft_sent = true;
            out.soft_timed_out = true;
            // SAFETY: signal to our child.
            unsafe {
                libc::kill(self.pid, libc::SIGUSR2);
            }
        }
    }

    /// The deadline and a cancellation share one stop path: stack dump, grace, whole-tree kill.
    fn check_stop(&mut self, now: Duration, out: &mut ExecOutcome) {
        match self.stack_sent {
            None => {
                let timed_out = self.spec.timeout.is_some_and(|t| now >= t);
                let cancelled = (self.spec.cancel.as_ref()).is_some_and(CancelToken::is_cancelled);
                if timed_out || cancelled {
                    out.timed_out = timed_out;
                    out.cancelled = cancelled && !timed_out;
                    self.stack_sent = Some(Instant::now());
                    // SAFETY: signal to our child; the harness's faulthandler dumps the stack.
                    unsafe {
                        libc::kill(self.pid, libc::SIGUSR1);
                    }
                }
            }
            Some(at) if at.elapsed() >= self.spec.stack_grace && !self.killed_by_us => {
                self.killed_by_us = true;
                if self.polling {
                    self.known.extend(tree_of(self.pid, &self.known).0);
                }
                self.sandbox
                    .kill_all(self.pid, &self.known, Duration::from_millis(500));
            }
            _ => {}
        }
    }

    /// Kills whatever still runs after the main process ended; records orphans and survivors.
    fn sweep_leftovers(&mut self, out: &mut ExecOutcome) {
        if self.polling {
            self.sweep_polled(out);
        } else {
            self.sweep_sandbox(out);
        }
    }

    /// Fallback backend: sweeps the polled tree.
    fn sweep_polled(&mut self, out: &mut ExecOutcome) {
        let pid = self.pid;
        self.known.extend(tree_of(pid, &self.known).0);
        self.known.remove(&pid);
        let alive: BTreeSet<i32> = (self.known.iter().copied())
            .filter(|p| std::path::Path::new(&format!("/proc/{p}")).exists())
            .collect();
        if !alive.is_empty() {
            let n = self
                .sandbox
                .kill_all(pid, &alive, Duration::from_millis(500));
            if !self.killed_by_us {
                out.orphans_killed = n;
            }
        }
        out.survivors = tree_of(pid, &alive).0.into_iter().collect();
        out.polled_peak = Some(self.polled_peak);
    }

    /// Cgroup backend: sweeps what the sandbox still lists, else the run's process group.
    fn sweep_sandbox(&self, out: &mut ExecOutcome) {
        let left = self.sandbox.pids();
        if !left.is_empty() {
            let n = (self.sandbox).kill_all(self.pid, &BTreeSet::new(), Duration::from_secs(2));
            if !self.killed_by_us {
                out.orphans_killed = n;
            }
        } else {
            // Our group may hold members the cgroup no longer lists (none), still sweep the pgid.
            // SAFETY: signal to the run's own process group.
            unsafe {
                libc::killpg(self.pid, libc::SIGKILL);
            }
        }
        out.survivors = self.sandbox.pids().into_iter().collect();
    }
}

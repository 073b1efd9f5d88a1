//! Runner overhead benchmark (a program, not a timed test).
//!
//! `cargo bench -p plugsmith_runner --bench overhead` (release build). Measures:
//! 1. a full `plugsmith run` of a Kili plugin (cgroup, harness, deadline machinery, report)
//!    against a bare `python -c 'import main'` of the same plugin in the same interpreter,
//!    interleaved; budget: median overhead < 30 ms;
//! 2. a run whose requirements environment is cached against one that builds it (cold cache).
//!
//! Environment: `PLUGSMITH_BENCH_RUNS` (default 30), `PLUGSMITH_BENCH_COLD_RUNS` (default 2).

use plugsmith_runner::report::Status;
use plugsmith_runner::{RunArgs, run};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn stats(name: &str, v: &mut [Duration]) -> f64 {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mean = v.iter().map(|d| ms(*d)).sum::<f64>() / v.len() as f64;
    let med = ms(v[v.len() / 2]);
    let p90 = ms(v[(v.len() * 9 / 10).min(v.len() - 1)]);
    println!(
        "{name:<46} n={:<3} mean {mean:8.1} ms  median {med:8.1} ms  p90 {p90:8.1} ms  min {:8.1} ms",
        v.len(),
        ms(v[0])
    );
    med
}

fn env_usize(k: &str, d: usize) -> usize {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/plugins");
    let cache = tempfile::tempdir().expect("tempdir");
    let n = env_usize("PLUGSMITH_BENCH_RUNS", 30);

    // The interpreter the runner would use (a pyenv shim resolved to the real binary).
    let python = plugsmith_runner::env::resolve_python(None, &root, cache.path())
        .expect("python3")
        .path;
    println!("python: {}", python.display());

    let plugin = root.join("bench_kili");
    let mut args = RunArgs::new(&plugin);
    args.cache_dir = Some(cache.path().to_path_buf());
    args.python = Some(python.clone());
    let warm = run(&args);
    assert_eq!(warm.status, Status::Ok, "{}", warm.render_text());
    println!(
        "enforcement: {} ({})",
        warm.memory.backend, warm.memory.enforcement
    );

    let mut bare = Vec::new();
    let mut runner = Vec::new();
    let mut startup = Vec::new();
    for _ in 0..n {
        let t = Instant::now();
        let st = Command::new(&python)
            .args(["-c", "import main"])
            .current_dir(&plugin)
            .stdout(Stdio::null())
            .status()
            .expect("python");
        bare.push(t.elapsed());
        assert!(st.success());
        let t = Instant::now();
        let r = run(&args);
        runner.push(t.elapsed());
        assert_eq!(r.status, Status::Ok);
        startup.push(Duration::from_secs_f64(
            r.durations.startup_ms.unwrap_or(0.0) / 1000.0,
        ));
    }
    println!("\n== runner overhead (Kili plugin, same interpreter) ==");
    let b = stats("bare `python -c 'import main'`", &mut bare);
    let r = stats("plugsmith run (cgroup, harness, report)", &mut runner);
    stats("  of which spawn -> harness started", &mut startup);
    println!(
        "overhead (median): {:.1} ms  -> budget 30 ms: {}",
        r - b,
        if r - b < 30.0 { "OK" } else { "OVER" }
    );

    println!("\n== requirements environment: cold vs cached ==");
    let req_plugin: PathBuf = root.join("bench_req");
    let mut cold = Vec::new();
    for _ in 0..env_usize("PLUGSMITH_BENCH_COLD_RUNS", 2) {
        let c = tempfile::tempdir().expect("tempdir");
        let mut a = RunArgs::new(&req_plugin);
        a.event = Some("review".into());
        a.python = Some(python.clone());
        a.cache_dir = Some(c.path().to_path_buf());
        let t = Instant::now();
        let rep = run(&a);
        cold.push(t.elapsed());
        assert_eq!(rep.status, Status::Ok, "{}", rep.render_text());
        println!(
            "  cold build with {}: environment {:.0} ms",
            rep.environment.installer.unwrap_or_default(),
            rep.durations.install_ms.unwrap_or(0.0)
        );
    }
    let mut a = RunArgs::new(&req_plugin);
    a.event = Some("review".into());
    a.python = Some(python.clone());
    a.cache_dir = Some(cache.path().to_path_buf());
    let first = run(&a);
    assert_eq!(first.status, Status::Ok);
    let mut cached = Vec::new();
    for _ in 0..n.min(15) {
        let t = Instant::now();
        let rep = run(&a);
        cached.push(t.elapsed());
        assert_eq!(rep.environment.venv_cached, Some(true));
    }
    let c = stats("run, cold environment (fresh cache)", &mut cold);
    let w = stats("run, cached environment", &mut cached);
    println!("cached run saves {:.0} ms ({:.0}x faster)", c - w, c / w);
}

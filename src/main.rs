//! `oneid`: command line → configuration → server or administrative command.

use clap::Parser;

fn main() {
    tune_allocator();
    let cli = oneid::cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("oneid: cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    };
    let code = runtime.block_on(oneid::cli::run(cli));
    drop(runtime);
    std::process::exit(code);
}

/// glibc raises its mmap threshold after the first large block is freed; from then on
/// argon2's 19 MiB work areas come from the heap and stay resident after each hash.
/// A fixed threshold keeps them mapped and unmapped per hash, and fewer arenas keep
/// the many database and blocking threads from each holding their own free memory.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    // SAFETY: mallopt only sets allocator parameters; no other thread exists yet.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
        libc::mallopt(libc::M_ARENA_MAX, 4);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}

//! Settings for glibc's allocator, which the executable uses (elsewhere these do
//! nothing).

/// glibc raises its mmap threshold after the first large block is freed; from then on
/// argon2's 19 MiB work areas come from the heap and stay resident after each hash.
/// A fixed threshold keeps them mapped and unmapped per hash, and fewer arenas keep
/// the many database and blocking threads from each holding their own free memory.
/// Call before any other thread starts.
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; no other thread exists yet.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
        libc::mallopt(libc::M_ARENA_MAX, 4);
    }
}

/// Hands the memory that start-up used and freed back to the system: glibc keeps
/// freed pages resident until asked (half a MiB of an idle server's memory).
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages of the heap; it is thread-safe.
    unsafe {
        libc::malloc_trim(0);
    }
}

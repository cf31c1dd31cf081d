//! Links the `oneid` executable with packed relative relocations (DT_RELR, glibc 2.36
//! and binutils 2.38 or later): the dynamic loader otherwise reads a table of 24 bytes
//! per pointer to fix up (some 27,000, 0.6 MiB), which then stays resident.

fn main() {
    let target = std::env::var("TARGET").unwrap_or_default();
    if target.ends_with("-linux-gnu") {
        println!("cargo:rustc-link-arg-bin=oneid=-Wl,-z,pack-relative-relocs");
    }
    println!("cargo:rerun-if-changed=build.rs");
}

//! Keeps the layering honest (see shared/style.md): only `src/http/` knows axum and
//! tower-http, only `src/store/` knows sea-orm.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Files outside `allowed` that mention any of `crates` as a path.
fn offenders(crates: &[&str], allowed: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    assert!(files.len() > 10, "found the sources");
    files
        .into_iter()
        .filter(|f| !f.starts_with(root.join(allowed)))
        .filter(|f| {
            let text = std::fs::read_to_string(f).expect("readable source");
            crates.iter().any(|c| text.contains(&format!("{c}::")) || text.contains(&format!("use {c};")))
        })
        .map(|f| f.strip_prefix(root).unwrap_or(&f).display().to_string())
        .collect()
}

#[test]
fn only_http_knows_axum() {
    assert_eq!(offenders(&["axum", "axum_extra", "tower"], "src/http"), Vec::<String>::new());
}

#[test]
fn only_store_knows_sea_orm() {
    assert_eq!(offenders(&["sea_orm", "sea_orm_migration", "sqlx", "migrations"], "src/store"), Vec::<String>::new());
}

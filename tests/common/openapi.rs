//! Checking OpenAPI documents with a validator that is not ours.

/// A Python with `openapi-spec-validator`: `.ci/run` prepares it; a plain `cargo test`
/// makes the same virtual environment on first use (from PyPI).
fn validator_python() -> std::path::PathBuf {
    let venv = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/openapi-venv");
    let python = venv.join("bin/python");
    let ready = |python: &std::path::Path| std::process::Command::new(python).args(["-c", "import openapi_spec_validator"]).status().is_ok_and(|s| s.success());
    if !ready(&python) {
        let made = std::process::Command::new("python3").args(["-m", "venv"]).arg(&venv).status().expect("python3 runs");
        assert!(made.success(), "python3 -m venv failed");
        let installed = std::process::Command::new(venv.join("bin/pip")).args(["install", "--quiet", "openapi-spec-validator==0.7.*"]).status().expect("pip runs");
        assert!(installed.success(), "pip install openapi-spec-validator failed");
    }
    python
}

/// Panics with the validator's report unless `doc` is a valid OpenAPI document.
pub fn assert_valid(doc: &serde_json::Value) {
    let file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(file.path(), doc.to_string()).expect("document written");
    let output = std::process::Command::new(validator_python()).args(["-m", "openapi_spec_validator"]).arg(file.path()).output().expect("validator runs");
    assert!(output.status.success(), "{}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
}

//! `oneid`: command line → configuration → server or administrative command.

use clap::Parser;

fn main() {
    oneid::allocator::tune();
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

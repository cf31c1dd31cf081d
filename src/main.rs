//! `oneid`: command line → configuration → server or administrative command.

use clap::Parser;

#[tokio::main]
async fn main() {
    let cli = oneid::cli::Cli::parse();
    std::process::exit(oneid::cli::run(cli).await);
}

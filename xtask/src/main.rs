//! `cargo xtask <command>`: the project's own commands, one module per command.
//!
//! * `bench-handshake`: process start → handshake line, and peak RSS, of our release binary vs the
//!   Go null provider 2.1.2. Writes `bench-results/handshake.md`.
//! * `bench`: every part of the benchmark in one run. Writes `bench-results/bench.md`.
//! * `docs`: the registry pages under `docs/`.
//! * `release`: the release zips, their manifest and SHA256SUMS.

mod bench;
mod bench_handshake;
mod docs;
mod markdown;
mod mutants;
mod plugin_cert;
mod release;
mod stats;
mod workspace;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  bench [--quick] [--only handshake,plan,burst] [--sizes 10,100,500] [--reps N] [--runs N]
        [--burst-n N] [--parallelism N] [--no-build] [--out FILE]
      The benchmark against the emulator on loopback with Terraform 1.0.3: (a) handshake
      time and peak RSS vs the Go null provider 2.1.2 (--runs, default 30); (b) wall time of a
      refreshing `terraform plan` with N connect configurations vs N null_resources, median of
      --reps (default 5); (c) API calls per plan and apply; (d) an apply of --burst-n (500) at
      -parallelism=50 under the default burst limit, counting failed calls. --quick: 10
      handshake runs, sizes 10,100, 2 reps, no burst part. Output bench-results/bench.md.
  bench-handshake [--runs N] [--out FILE] [--no-build]
      Time from process start to the go-plugin handshake line, and peak RSS, for our release
      binary and the Go null provider 2.1.2, launched the same way (cookie,
      PLUGIN_PROTOCOL_VERSIONS=5, a P-521 PLUGIN_CLIENT_CERT like Terraform's). Runs are
      interleaved; reports median and p90. Default 30 runs, output bench-results/handshake.md.
  docs [--check]
      Writes the registry pages in docs/ from the provider's schema and examples/; with --check,
      writes nothing and fails listing the stale pages.
  mutants [--list] [--only GROUP,...] [--copy [--jobs N]]
      Mutation testing (cargo-mutants) of the modules nothing-lost-nothing-duplicated rests on,
      each against the tests that cover it; see docs/reliability.md. Mutants are built in place
      (do not edit or build this checkout meanwhile) unless --copy. Output target/mutants/.
  release [--version X.Y.Z] [--out DIR] [--binary PATH] [--sign KEY]
      Builds the release binary (linux amd64 here; other targets where rustup has them) and
      writes dist/: the zips, the manifest and SHA256SUMS. --binary packages a built binary;
      --sign KEY (or GPG_FINGERPRINT) signs SHA256SUMS with gpg (SHA256SUMS.sig).
  help
      This text.
";

fn main() -> ExitCode {
    // Started by Terraform in place of a provider binary (the benchmark's CPU measure).
    if let Some(code) = bench::wrapper_main() {
        return code;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("bench") => bench::run(&args[1..]),
        Some("bench-handshake") => bench_handshake::run(&args[1..]),
        Some("docs") => docs::run(&args[1..]),
        Some("mutants") => mutants::run(&args[1..]),
        Some("release") => release::run(&args[1..]),
        Some("help" | "--help" | "-h") | None => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command {other:?}\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

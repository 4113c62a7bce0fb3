//! Compiles `proto/*.proto` into Rust with protox (a pure-Rust protobuf
//! compiler, so no system `protoc` is needed) and tonic-prost-build.

use std::error::Error;

const PROTOS: [&str; 2] = ["proto/tfplugin5.proto", "proto/plugin.proto"];

fn main() -> Result<(), Box<dyn Error>> {
    for proto in PROTOS {
        println!("cargo:rerun-if-changed={proto}");
    }
    // Well-known types (timestamp, empty) are bundled with protox.
    let descriptors = protox::compile(PROTOS, ["proto"])?;
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        // RPCs the provider leaves out answer UNIMPLEMENTED instead of
        // failing to compile.
        .generate_default_stubs(true)
        .emit_rerun_if_changed(false)
        .compile_fds(descriptors)?;
    Ok(())
}

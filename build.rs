//! Build script with nothing to generate: it only limits its own reruns to changes of this
//! file, so that editing the sources does not run it again.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
}

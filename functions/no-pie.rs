//! The build script of every function crate (`build = "../no-pie.rs"`): links the function's
//! binary position-dependent (ELF `EXEC`, as Go links by default). A Rust PIE applies ~50,000
//! pointer relocations at every start and dirties 2 MB of pages doing it; resolved at link time
//! instead, submit-claim's cold init went from 3.6 to 2.3 ms and its peak RSS from 11.4 to
//! 9.4 MiB (`make bench`). The executable's own address is then fixed; libraries, heap, stack
//! and mmap stay randomized. Only the binaries: a flag for every link would also reach the
//! shared libraries some dependencies build (crc-fast), which cannot be position-dependent.
//! `-no-pie` is understood by both linkers used: cc here, zig for arm64 (cargo-lambda).

fn main() {
    println!("cargo::rustc-link-arg-bins=-no-pie");
}

// Reads at 10,000 tasks allocate a few hundred thousand small values; glibc's allocator spent
// a quarter of `ready`'s time in malloc and page faults (see the scheduling benchmark).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    git_coord::cli::main()
}

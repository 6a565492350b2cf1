fn main() -> std::process::ExitCode {
    git_coord::cli::main()
}

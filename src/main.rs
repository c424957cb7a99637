fn main() -> std::process::ExitCode {
    stridekit::cli::main()
}

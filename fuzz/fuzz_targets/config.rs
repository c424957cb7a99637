//! `config.toml` on arbitrary bytes. `Config::load_from` is the only
//! public way in and reads a path, so each input is written to a file in a
//! private directory (on tmpfs when there is one) and loaded from there.
#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use stridekit::core::config::Config;

static PATH: LazyLock<PathBuf> = LazyLock::new(|| {
    let shm = std::path::Path::new("/dev/shm");
    let base = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    let dir = base.join(format!("stridekit-fuzz-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a private directory for the input");
    dir.join("config.toml")
});

fuzz_target!(|data: &[u8]| {
    let path = &*PATH;
    std::fs::write(path, data).expect("writing the input to its file");
    match Config::load_from(path) {
        Ok(config) => {
            let _ = format!("{config:?}");
        }
        Err(e) => {
            let message = e.to_string();
            assert!(
                message.contains(&*path.to_string_lossy()),
                "the error does not name the file: {message}"
            );
        }
    }
});

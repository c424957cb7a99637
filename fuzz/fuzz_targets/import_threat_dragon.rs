//! The Threat Dragon importer on arbitrary bytes, as `stridekit import
//! --from threat-dragon` reads a file (and as detection does): no
//! panic, and every session it makes is valid once written and read back.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use stridekit::core::catalog::Catalogs;
use stridekit::core::interop::{self, Format};
use stridekit::core::time::Timestamp;

static CATALOGS: LazyLock<Catalogs> =
    LazyLock::new(|| Catalogs::builtin().expect("the built-in catalogs load"));

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for format in [Some(Format::ThreatDragon), None] {
        if let Ok(imported) = interop::import(text, format, "fuzz", Timestamp::from_unix(0)) {
            check(&imported.session);
        }
    }
});

fn check(session: &stridekit::core::model::Session) {
    let text = match stridekit::core::store::to_toml(session) {
        Ok(t) => t,
        Err(e) => panic!("an imported session does not serialize: {e}"),
    };
    if let Err(e) =
        stridekit::core::store::load_text(std::path::Path::new("i.toml"), &text, &CATALOGS)
    {
        panic!("an imported session is not valid: {e:?}\n{text}");
    }
}

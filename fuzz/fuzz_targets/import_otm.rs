//! The Open Threat Model importer on arbitrary bytes, read both as JSON
//! and as YAML (as `stridekit import --from otm` and detection do): no
//! panic, and every session it makes is valid once written and read back.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use stridekit::core::catalog::Catalogs;
use stridekit::core::interop::{self, Format, otm};
use stridekit::core::time::Timestamp;

static CATALOGS: LazyLock<Catalogs> =
    LazyLock::new(|| Catalogs::builtin().expect("the built-in catalogs load"));

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let now = Timestamp::from_unix(0);
    // Whatever the text starts like, as the command reads it...
    for format in [Some(Format::Otm), None] {
        if let Ok(imported) = interop::import(text, format, "fuzz", now) {
            check(&imported.session);
        }
    }
    // ...and forced down each parser: JSON, then YAML.
    if let Ok(value) = interop::json(text)
        && let Ok(imported) = otm::import_value(&value, "fuzz", now)
    {
        check(&imported.session);
    }
    if let Ok(value) = interop::yaml(text)
        && let Ok(imported) = otm::import_value(&value, "fuzz", now)
    {
        check(&imported.session);
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

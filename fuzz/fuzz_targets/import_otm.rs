//! The Open Threat Model importer on arbitrary bytes, read both as JSON
//! and as YAML (as `stridekit import --from otm` and detection do): no
//! panic, and every session it makes is valid once written and read back.
#![no_main]

#[path = "imported.rs"]
mod imported;

use imported::check;
use libfuzzer_sys::fuzz_target;
use stridekit::core::interop::{self, Format, otm};
use stridekit::core::time::Timestamp;

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

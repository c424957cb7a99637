//! The Threat Dragon importer on arbitrary bytes, as `stridekit import
//! --from threat-dragon` reads a file (and as detection does): no
//! panic, and every session it makes is valid once written and read back.
#![no_main]

#[path = "imported.rs"]
mod imported;

use imported::check;
use libfuzzer_sys::fuzz_target;
use stridekit::core::interop::{self, Format};
use stridekit::core::time::Timestamp;

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

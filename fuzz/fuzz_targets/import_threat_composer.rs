//! The Threat Composer importer on arbitrary bytes, as `stridekit import
//! --from threat-composer` reads a file (and as detection does): no
//! panic, and every session it makes is valid once written and read back.
//! The same bytes as a threat pack (`import --as-catalog`): a catalog
//! made from it loads over the built-ins.
#![no_main]

#[path = "imported.rs"]
mod imported;

use imported::check;
use libfuzzer_sys::fuzz_target;
use stridekit::core::interop::{self, Format, threat_pack};
use stridekit::core::time::Timestamp;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for format in [Some(Format::ThreatComposer), None] {
        if let Ok(imported) = interop::import(text, format, "fuzz", Timestamp::from_unix(0)) {
            check(&imported.session);
        }
    }
    if let Ok(made) = threat_pack::to_catalog(text, None, "fuzz") {
        let mut catalogs = imported::catalogs().clone();
        if let Err(e) = catalogs.add_text(std::path::Path::new("p.toml"), &made.text, false) {
            panic!(
                "a pack made a catalog that does not load: {e:?}\n{}",
                made.text
            );
        }
    }
});

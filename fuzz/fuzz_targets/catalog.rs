//! A user catalog file on arbitrary bytes, merged over the built-ins as
//! `Catalogs::load` does; a catalog that loads is then looked through.
#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use stridekit::core::catalog::Catalogs;
use stridekit::core::files;
use stridekit::core::stride::Category;

static BUILTIN: LazyLock<Catalogs> =
    LazyLock::new(|| Catalogs::builtin().expect("the built-in catalogs load"));

fuzz_target!(|data: &[u8]| {
    let path = Path::new("c.toml");
    let Ok(text) = files::text_from_bytes(path, data.to_vec()) else {
        return;
    };
    // Alone (as the first file) and over the built-ins (an override).
    let mut alone = Catalogs::default();
    let _ = alone.add_text(path, &text, false);
    let mut catalogs = BUILTIN.clone();
    if catalogs.add_text(path, &text, false).is_err() {
        return;
    }
    for kind in catalogs.kinds() {
        let _ = kind.is_component_kind();
        let _ = kind.matches("data");
        for category in Category::ALL {
            let _ = kind.applies(category);
            let _ = kind.prompts_for(category);
            for threat in kind.threats_for(category) {
                let reference = kind.threat_ref(threat).to_string();
                let _ = catalogs.threat(&reference);
                for m in &threat.mitigations {
                    let reference = kind.mitigation_ref(threat, m).to_string();
                    let _ = catalogs.mitigation(&reference);
                }
            }
        }
        let _ = catalogs.kind(&kind.id);
    }
    let _ = catalogs.component_kinds().count();
});

//! What every importer's fuzz target asserts of a session it made: it
//! writes out and reads back as a valid session file.

use std::sync::LazyLock;

use stridekit::core::catalog::Catalogs;
use stridekit::core::model::Session;
use stridekit::core::store;

static CATALOGS: LazyLock<Catalogs> =
    LazyLock::new(|| Catalogs::builtin().expect("the built-in catalogs load"));

pub fn check(session: &Session) {
    let text = match store::to_toml(session) {
        Ok(t) => t,
        Err(e) => panic!("an imported session does not serialize: {e}"),
    };
    if let Err(e) = store::load_text(std::path::Path::new("i.toml"), &text, &CATALOGS) {
        panic!("an imported session is not valid: {e:?}\n{text}");
    }
}

/// The built-in catalogs, for targets that check more than sessions.
#[allow(dead_code)]
pub fn catalogs() -> &'static Catalogs {
    &CATALOGS
}

//! A user theme file on arbitrary bytes, added over the built-in themes;
//! a theme that loads is then read role by role.
#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use stridekit::core::files;
use stridekit::core::theme::Themes;

static BUILTIN: LazyLock<Themes> =
    LazyLock::new(|| Themes::builtin().expect("the built-in themes load"));

fuzz_target!(|data: &[u8]| {
    let path = Path::new("t.toml");
    let Ok(text) = files::text_from_bytes(path, data.to_vec()) else {
        return;
    };
    let mut themes = BUILTIN.clone();
    if themes.add_text(path, &text).is_err() {
        return;
    }
    for theme in themes.all() {
        for (role, color) in theme.roles() {
            assert_eq!(theme.color(role), color);
        }
        let _ = theme.without_color();
        let _ = themes.next_after(&theme.name);
    }
});

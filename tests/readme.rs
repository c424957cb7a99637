//! The README's key map is generated from the keymap table: this test keeps
//! it from drifting. After changing a binding, run
//! `UPDATE_README=1 cargo test --test readme`.

const START: &str = "<!-- keymap:start -->\n";
const END: &str = "<!-- keymap:end -->";

#[test]
fn readme_key_map_matches_the_keymap() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let table = stridekit::tui::keymap::markdown();
    let (Some(start), Some(end)) = (readme.find(START), readme.find(END)) else {
        panic!("README.md needs the markers {START:?} and {END:?}");
    };
    let current = &readme[start + START.len()..end];
    if std::env::var_os("UPDATE_README").is_some() {
        let updated = format!("{}{START}{table}{}", &readme[..start], &readme[end..]);
        std::fs::write("README.md", updated).unwrap();
        return;
    }
    assert_eq!(
        current, table,
        "README key map is stale: run UPDATE_README=1 cargo test --test readme"
    );
}

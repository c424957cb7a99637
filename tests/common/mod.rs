//! Helpers shared by the tests (each test file is its own crate,
//! so a helper one of them does not use is not dead code).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

pub mod browser;

use proptest::prelude::*;
use serde_json::Value;
use stridekit::core::catalog::Catalogs;
use stridekit::core::model::Session;

pub static CATALOGS: LazyLock<Catalogs> =
    LazyLock::new(|| Catalogs::builtin().expect("built-in catalogs load"));

/// The demo session as shipped.
pub fn demo_session() -> Session {
    stridekit::core::store::load_text(
        Path::new(stridekit::DEMO_FILE_NAME),
        stridekit::DEMO_SESSION,
        &CATALOGS,
    )
    .expect("the demo loads")
    .session
}

/// `../shared/samples/FOLDER` (other projects' files, never copied into the
/// repo), or `None` with a printed notice when it is absent, as in a
/// user's clone: only the fixture tests run then.
pub fn samples(folder: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/samples")
        .join(folder);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED: {} is absent (only the fixture tests run)",
            dir.display()
        );
        None
    }
}

/// Any JSON value, its object keys drawn from `keys` and many strings from
/// `texts`, so an importer meets its own field names and values (and
/// extremes: huge and negative-zero numbers, deep nesting).
pub fn arbitrary_json(
    keys: &'static [&'static str],
    texts: &'static [&'static str],
) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        prop_oneof![
            Just(1.0),
            Just(1e308),
            Just(-1e308),
            Just(-0.0),
            Just(0.5),
            -1e6f64..1e6,
            any::<f64>()
        ]
        .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop::sample::select(texts).prop_map(|s| Value::String(s.to_string())),
        ".{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 96, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(keys), inner), 0..8).prop_map(|pairs| {
                Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

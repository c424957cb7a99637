//! Benchmarks of the core on synthetic sessions of 100, 1,000 and 10,000
//! components and threats (see `stridekit::core::synth`).
//!
//! ```text
//! cargo bench                      # everything
//! cargo bench -- --quick           # a fast, rougher pass
//! cargo bench -- 'export/markdown' # one group
//! ```
//!
//! Sessions are generated once, before any timing. Larger sizes run fewer,
//! flat samples so a full run stays within a few minutes; criterion may warn
//! that the slowest (about a second per iteration) overran the target time.

use std::hint::black_box;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group,
    criterion_main, measurement::WallTime,
};
use stridekit::core::catalog::Catalogs;
use stridekit::core::export::{self, ExportContext, Format};
use stridekit::core::model::{JiraSettings, Session};
use stridekit::core::time::Timestamp;
use stridekit::core::{interop, store, suggest, synth};

/// (components, threats) per benchmarked size. The fourth is the shape of a
/// big real session: ten thousand threats against a thousand components.
const SIZES: [(usize, usize); 4] = [
    (100, 100),
    (1_000, 1_000),
    (10_000, 10_000),
    (1_000, 10_000),
];

const SEED: u64 = 1;

struct Fixture {
    /// `100c-100t` (components and threats): the benchmark parameter.
    label: String,
    session: Session,
    /// The session as saved, for the load benchmark.
    text: String,
}

struct Fixtures {
    catalogs: Catalogs,
    sizes: Vec<Fixture>,
}

/// Built on first use and shared by every group, so generation is never timed.
fn fixtures() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let catalogs = Catalogs::builtin().expect("built-in catalogs load");
        let sizes = SIZES
            .iter()
            .map(|&(components, threats)| {
                let session = synth::session(components, threats, SEED, &catalogs);
                let text = store::to_toml(&session).expect("synthetic session serializes");
                Fixture {
                    label: format!("{components}c-{threats}t"),
                    session,
                    text,
                }
            })
            .collect();
        Fixtures { catalogs, sizes }
    })
}

/// Fewer samples for bigger sessions. From 1,000 up an iteration takes
/// milliseconds to a second, so flat sampling (the same count per sample)
/// keeps the run short instead of growing each sample linearly.
fn size_group(group: &mut BenchmarkGroup<'_, WallTime>, fixture: &Fixture) {
    match fixture.session.threats.len() {
        0..=100 => {
            group.sample_size(50).sampling_mode(SamplingMode::Auto);
        }
        101..=1_000 => {
            group.sample_size(20).sampling_mode(SamplingMode::Flat);
        }
        _ => {
            group.sample_size(10).sampling_mode(SamplingMode::Flat);
        }
    }
}

fn load_validate(c: &mut Criterion) {
    let f = fixtures();
    let path = Path::new("synth.toml");
    let mut group = c.benchmark_group("load_validate");
    for fixture in &f.sizes {
        size_group(&mut group, fixture);
        group.throughput(Throughput::Bytes(fixture.text.len() as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(&fixture.label),
            &fixture.text,
            |b, text| {
                b.iter(|| store::load_text(path, black_box(text), &f.catalogs).expect("valid"));
            },
        );
    }
    group.finish();
}

/// A session whose flows all point at components that do not exist: the
/// cost of reporting problems should grow with their number, not its
/// square (issue 9, item 13).
fn invalid(c: &mut Criterion) {
    let f = fixtures();
    let path = Path::new("dangling.toml");
    let mut group = c.benchmark_group("load_invalid");
    group.sample_size(10).sampling_mode(SamplingMode::Flat);
    for flows in [1_000usize, 10_000, 50_000] {
        let mut text = String::from(
            "title = \"t\"\ncreated = 2026-01-01T00:00:00Z\nupdated = 2026-01-01T00:00:00Z\n",
        );
        for i in 0..flows {
            text.push_str(&format!(
                "[[flows]]\nid = \"F{}\"\nfrom = \"C9{i}\"\nto = \"C8{i}\"\nlabel = \"x\"\n\n",
                i + 1
            ));
        }
        group.throughput(Throughput::Elements(flows as u64));
        group.bench_with_input(
            BenchmarkId::new("dangling-flows", flows),
            &text,
            |b, text| {
                b.iter(|| {
                    let Err(e) = store::load_text(path, black_box(text), &f.catalogs) else {
                        panic!("the flows dangle");
                    };
                    black_box(e)
                });
            },
        );
    }
    group.finish();
}

/// Trust boundaries nested one inside the next, 1,000 to 20,000 deep:
/// checking for cycles in their parents was quadratic (20,000 took over
/// 20 s); one walk of the chains keeps it linear.
fn nested_boundaries(c: &mut Criterion) {
    let f = fixtures();
    let path = Path::new("nested.toml");
    let mut group = c.benchmark_group("load_nested_boundaries");
    group.sample_size(10).sampling_mode(SamplingMode::Flat);
    for depth in [1_000usize, 20_000] {
        let mut text = String::from(
            "schema = 1\ntitle = \"t\"\ncreated = 2026-01-01T00:00:00Z\nupdated = 2026-01-01T00:00:00Z\n",
        );
        for i in 1..=depth {
            text.push_str(&format!("[[boundaries]]\nid = \"B{i}\"\nname = \"b{i}\"\n"));
            if i > 1 {
                text.push_str(&format!("parent = \"B{}\"\n", i - 1));
            }
        }
        group.throughput(Throughput::Elements(depth as u64));
        group.bench_with_input(BenchmarkId::new("depth", depth), &text, |b, text| {
            b.iter(|| black_box(store::load_text(path, black_box(text), &f.catalogs).is_ok()));
        });
    }
    group.finish();
}

fn save(c: &mut Criterion) {
    let f = fixtures();
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut group = c.benchmark_group("save");
    for fixture in &f.sizes {
        let path = dir.path().join(format!("synth-{}.toml", fixture.label));
        // Saving once first means every timed save also keeps a .bak.
        store::save(&path, &fixture.session).expect("first save");
        size_group(&mut group, fixture);
        group.throughput(Throughput::Bytes(fixture.text.len() as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(&fixture.label),
            &fixture.session,
            |b, session| b.iter(|| store::save(&path, black_box(session)).expect("save")),
        );
    }
    group.finish();
}

fn exports(c: &mut Criterion) {
    let f = fixtures();
    let jira_defaults = JiraSettings::default();
    let mut group = c.benchmark_group("export");
    for format in Format::ALL {
        for fixture in &f.sizes {
            let ctx = ExportContext {
                session: &fixture.session,
                catalogs: &f.catalogs,
                jira_defaults: &jira_defaults,
                source_name: Some("synth.toml"),
            };
            size_group(&mut group, fixture);
            // Reusing one buffer keeps allocator growth out of the figures.
            let mut out = Vec::new();
            group.bench_function(BenchmarkId::new(format.key(), &fixture.label), |b| {
                b.iter(|| {
                    out.clear();
                    export::export(&ctx, format, &mut out).expect("export to memory");
                    black_box(out.len())
                });
            });
        }
    }
    group.finish();
}

fn suggestions(c: &mut Criterion) {
    let f = fixtures();
    let mut group = c.benchmark_group("suggest");
    for fixture in &f.sizes {
        size_group(&mut group, fixture);
        let mut out = Vec::new();
        group.bench_with_input(
            BenchmarkId::from_parameter(&fixture.label),
            &fixture.session,
            |b, session| {
                b.iter(|| {
                    out.clear();
                    let found = suggest::suggestions(black_box(session), &f.catalogs);
                    suggest::write_json(&mut out, &found).expect("json to memory");
                    black_box(out.len())
                });
            },
        );
    }
    group.finish();
}

fn catalogs_builtin(c: &mut Criterion) {
    c.bench_function("catalogs_builtin", |b| {
        b.iter(|| Catalogs::builtin().expect("built-in catalogs load"));
    });
}

/// Importing the largest sample of each format (and the sample threat
/// pack as a catalog), when `../shared/samples/` is there: a user's clone
/// has none, and the group is then skipped without a word.
fn imports(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/samples");
    if !dir.is_dir() {
        return;
    }
    let now = Timestamp::from_unix(1_800_000_000);
    let mut group = c.benchmark_group("import");
    for (format, file) in [
        (
            interop::Format::ThreatComposer,
            "threat-composer/GenAIChatbot.tc.json",
        ),
        (
            interop::Format::ThreatDragon,
            "threat-dragon/demo-v2-threat-model.json",
        ),
        (interop::Format::Otm, "otm/EXAMPLE.json"),
    ] {
        let Ok(text) = std::fs::read_to_string(dir.join(file)) else {
            continue;
        };
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(
            BenchmarkId::new(format.key(), file.rsplit('/').next().unwrap_or(file)),
            &text,
            |b, text| {
                b.iter(|| {
                    interop::import(black_box(text), Some(format), "bench", now)
                        .expect("the sample imports")
                });
            },
        );
    }
    // The Threat Modeling Tool's largest model, whatever its name.
    let largest = std::fs::read_dir(dir.join("ms-tmt"))
        .ok()
        .and_then(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "tm7"))
                .max_by_key(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
        });
    if let Some(largest) = largest
        && let Ok(text) = std::fs::read_to_string(largest.path())
    {
        let name = largest.file_name().to_string_lossy().into_owned();
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(BenchmarkId::new("tmt", &name), |b| {
            b.iter(|| {
                interop::import(black_box(&text), Some(interop::Format::Tmt), "bench", now)
                    .expect("the sample imports")
            });
        });
    }
    let pack =
        std::fs::read_to_string(dir.join("threat-composer/threatPack-GenAIChatbot.generated.json"));
    let mitigations = std::fs::read_to_string(
        dir.join("threat-composer/mitigationPack-GenAIChatbot.generated.json"),
    );
    if let (Ok(pack), Ok(mitigations)) = (pack, mitigations) {
        group.throughput(Throughput::Bytes((pack.len() + mitigations.len()) as u64));
        group.bench_function("threat-pack-as-catalog/GenAIChatbot", |b| {
            b.iter(|| {
                interop::threat_pack::to_catalog(black_box(&pack), Some(&mitigations), "bench")
                    .expect("the sample pack imports")
            });
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    // Short defaults keep a full run to a few minutes; the command line
    // (--warm-up-time, --measurement-time) still overrides them.
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = catalogs_builtin, imports, load_validate, invalid, nested_boundaries, save, exports, suggestions
}
criterion_main!(benches);

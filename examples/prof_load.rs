use std::time::Instant;
use stridekit::core::*;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let t = Instant::now();
    let catalogs = catalog::Catalogs::builtin().unwrap();
    println!("catalogs {:?}", t.elapsed());
    let t = Instant::now();
    let text = std::fs::read_to_string(&path).unwrap();
    println!("read {:?}", t.elapsed());
    let t = Instant::now();
    let l = store::load_text(std::path::Path::new("x"), &text, &catalogs).unwrap();
    println!("load {:?}", t.elapsed());
    let t = Instant::now();
    let s = suggest::suggestions(&l.session, &catalogs);
    println!("suggest {:?}", t.elapsed());
    let t = Instant::now();
    let mut out = Vec::new();
    suggest::write_json(&mut out, &s).unwrap();
    println!("json {:?} {} bytes", t.elapsed(), out.len());
}

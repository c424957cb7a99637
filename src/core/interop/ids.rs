//! Identifiers other tools expect (UUIDs), made from our own so that an
//! export written twice names the same item the same way: re-importing it,
//! or diffing two exports in git, finds the same ids.

/// FNV-1a, 64 bits: stable across builds and Rust versions (std's hasher
/// is not promised to be).
fn fnv1a(seed: u64, bytes: &[u8]) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325_u64 ^ seed;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// A version-4-shaped UUID (random-looking, version and variant bits set)
/// derived from `scope` and `name`, e.g. the session's creation time and
/// an item's id.
pub fn uuid_for(scope: &str, name: &str) -> String {
    let input = format!("stridekit\u{0}{scope}\u{0}{name}");
    let hi = fnv1a(0, input.as_bytes());
    let lo = fnv1a(0x9e37_79b9_7f4a_7c15, input.as_bytes());
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&hi.to_be_bytes());
    bytes[8..].copy_from_slice(&lo.to_be_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Whether `text` has the shape of a UUID (any version).
pub fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_stable_distinct_and_well_formed() {
        let a = uuid_for("2026-03-02T09:00:00Z", "T1");
        assert_eq!(a, uuid_for("2026-03-02T09:00:00Z", "T1"));
        assert_ne!(a, uuid_for("2026-03-02T09:00:00Z", "T2"));
        assert_ne!(a, uuid_for("2026-03-02T09:00:01Z", "T1"));
        assert!(is_uuid(&a), "{a}");
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4", "version 4: {a}");
        assert!("89ab".contains(&a[19..20]), "variant: {a}");
    }
}

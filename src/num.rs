//! Counts and indices as `u32`, the width of every index type.

/// A count or an index of inventory objects, or of what is made of them (groups, batches,
/// replicas, rack rows), as a `u32`. Every object has a `u32` index (making one past `u32::MAX`
/// fails), so these fit; were one ever not to, it saturates at `u32::MAX` rather than wrap to a
/// small number that would pass a limit it should fail.
pub(crate) fn u32_of(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    #[test]
    fn saturates() {
        assert_eq!(super::u32_of(7), 7);
        assert_eq!(super::u32_of(usize::MAX), u32::MAX);
    }
}

//! Typed indices of the planner and a vector indexed by them: a group index cannot be used
//! where a service index is meant, and "not assigned yet" is an `Option`, not a sentinel.

use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

/// An index type: a `u32` in a newtype.
pub(crate) trait Id: Copy {
    /// From a vector position.
    fn from_ix(i: usize) -> Self;
    /// As a vector position.
    fn ix(self) -> usize;
}

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub(crate) struct $name(pub(crate) u32);
        impl Id for $name {
            fn from_ix(i: usize) -> Self {
                Self(u32::try_from(i).expect("fewer than 2^32 objects"))
            }
            fn ix(self) -> usize {
                self.0 as usize
            }
        }
    )*};
}

ids! {
    /// A group of machines that move together (a host with its vms, joined by keep_together).
    GroupId;
    /// A service with moving replicas: an index into `Problem::services` (not the inventory's
    /// `ServiceId`).
    SvcIx;
    /// A per-batch limit (a capacity rule's dimension): an index into `Problem::limits`.
    Dim;
    /// A batch, counted from 0 here; people see it counted from 1.
    BatchIx;
}

impl BatchIx {
    /// The batch's number as printed: from 1.
    pub(crate) fn number(self) -> usize {
        self.0 as usize + 1
    }

    /// The batch before this one, if any.
    pub(crate) fn prev(self) -> Option<BatchIx> {
        self.0.checked_sub(1).map(BatchIx)
    }

    /// The batch after this one.
    pub(crate) fn next(self) -> BatchIx {
        BatchIx(self.0 + 1)
    }

    /// Batches `0..n`.
    pub(crate) fn all(n: u32) -> impl DoubleEndedIterator<Item = BatchIx> + Clone {
        (0..n).map(BatchIx)
    }
}

/// A vector indexed by a typed index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct IdVec<I, T> {
    items: Vec<T>,
    id: PhantomData<fn(I)>,
}

impl<I: Id, T> IdVec<I, T> {
    /// `n` copies of `value`.
    pub(crate) fn filled(value: T, n: usize) -> Self
    where
        T: Clone,
    {
        Self::from(vec![value; n])
    }

    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The valid indices.
    pub(crate) fn ids(&self) -> impl DoubleEndedIterator<Item = I> + Clone + use<I, T> {
        (0..self.items.len()).map(I::from_ix)
    }

    pub(crate) fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    pub(crate) fn iter_mut(&mut self) -> std::slice::IterMut<'_, T> {
        self.items.iter_mut()
    }

    /// (index, item) pairs.
    pub(crate) fn enumerate(&self) -> impl DoubleEndedIterator<Item = (I, &T)> + Clone {
        self.items.iter().enumerate().map(|(i, x)| (I::from_ix(i), x))
    }

    /// Appends and returns the new item's index.
    pub(crate) fn push(&mut self, value: T) -> I {
        self.items.push(value);
        I::from_ix(self.items.len() - 1)
    }

    pub(crate) fn as_slice(&self) -> &[T] {
        &self.items
    }
}

impl<I, T> From<Vec<T>> for IdVec<I, T> {
    fn from(items: Vec<T>) -> Self {
        IdVec { items, id: PhantomData }
    }
}

impl<I, T> Default for IdVec<I, T> {
    fn default() -> Self {
        Vec::new().into()
    }
}

impl<I: Id, T> FromIterator<T> for IdVec<I, T> {
    fn from_iter<It: IntoIterator<Item = T>>(it: It) -> Self {
        it.into_iter().collect::<Vec<T>>().into()
    }
}

impl<I: Id, T> Index<I> for IdVec<I, T> {
    type Output = T;
    fn index(&self, i: I) -> &T {
        &self.items[i.ix()]
    }
}

impl<I: Id, T> IndexMut<I> for IdVec<I, T> {
    fn index_mut(&mut self, i: I) -> &mut T {
        &mut self.items[i.ix()]
    }
}

impl<'a, I: Id, T> IntoIterator for &'a IdVec<I, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

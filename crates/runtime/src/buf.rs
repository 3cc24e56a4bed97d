//! A `f64` buffer shared between the runtime and compiled kernels.
//!
//! Kernels receive raw pointers into these buffers once per layout. Rust code must then not
//! create references in a way that would invalidate those pointers under Rust's aliasing rules,
//! so every access goes through `Vec::as_ptr`/`as_mut_ptr`, which the standard library
//! guarantees not to materialise a reference to the contents.

#[derive(Debug, Clone, Default)]
pub(crate) struct Buf {
    data: Vec<f64>,
}

impl Buf {
    pub fn new(len: usize, value: f64) -> Self {
        Buf {
            data: vec![value; len],
        }
    }

    pub fn from_vec(data: Vec<f64>) -> Self {
        Buf { data }
    }

    /// Pointer handed to kernels; valid until the buffer is resized or dropped.
    pub fn as_mut_ptr(&mut self) -> *mut f64 {
        self.data.as_mut_ptr()
    }

    pub fn as_ptr(&self) -> *const f64 {
        self.data.as_ptr()
    }

    #[inline]
    pub fn get(&self, i: usize) -> f64 {
        assert!(i < self.data.len());
        // SAFETY: bounds checked above.
        unsafe { *self.data.as_ptr().add(i) }
    }

    #[inline]
    pub fn set(&mut self, i: usize, value: f64) {
        assert!(i < self.data.len());
        // SAFETY: bounds checked above.
        unsafe { *self.data.as_mut_ptr().add(i) = value }
    }

    /// Appends one value; may move the buffer (callers rebuild kernel pointers afterwards).
    pub fn push(&mut self, value: f64) {
        self.data.push(value);
    }

    /// Short-lived view for loops in the runtime, derived from the raw pointer.
    #[inline]
    pub fn slice(&self) -> &[f64] {
        // SAFETY: pointer and length describe the live allocation.
        unsafe { std::slice::from_raw_parts(self.data.as_ptr(), self.data.len()) }
    }

    /// Short-lived mutable view for loops in the runtime, derived from the raw pointer.
    #[inline]
    pub fn slice_mut(&mut self) -> &mut [f64] {
        // SAFETY: pointer and length describe the live allocation; `&mut self` makes it unique.
        unsafe { std::slice::from_raw_parts_mut(self.data.as_mut_ptr(), self.data.len()) }
    }
}

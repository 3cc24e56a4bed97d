//! a·b + c with one rounding where the processor has FMA, and the choice made once.
//!
//! The block solver of the extracellular mechanism is mostly multiply-adds; fused, they take
//! half the instructions. Rust never fuses on its own, and `f64::mul_add` without the target
//! feature is a call into the C library, so the hot loops are generic over [`MulAdd`] and
//! compiled twice: once inside a function with the `fma` target feature (used when the
//! processor has it, see [`has_fma`]) and once plain. The two differ by round-off only.

/// How a·b + c is computed.
pub(crate) trait MulAdd {
    fn mul_add(a: f64, b: f64, c: f64) -> f64;
}

/// One fused instruction (only inside functions compiled with the `fma` feature).
pub(crate) struct Fused;

/// A multiply, then an add.
pub(crate) struct Separate;

impl MulAdd for Fused {
    #[inline(always)]
    fn mul_add(a: f64, b: f64, c: f64) -> f64 {
        a.mul_add(b, c)
    }
}

impl MulAdd for Separate {
    #[inline(always)]
    fn mul_add(a: f64, b: f64, c: f64) -> f64 {
        a * b + c
    }
}

/// Whether this processor has FMA (and AVX2, which every FMA processor we target has).
pub(crate) fn has_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        use std::sync::OnceLock;
        static HAS: OnceLock<bool> = OnceLock::new();
        *HAS.get_or_init(|| {
            std::arch::is_x86_feature_detected!("fma")
                && std::arch::is_x86_feature_detected!("avx2")
        })
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Runs `f` compiled for AVX2 where the processor has it (else as it is): `f` and what it
/// inlines (`#[inline(always)]` loops) get four-lane vectors. The instructions are AVX2's
/// forms of the same operations (no fused ones), so the values do not change. Whether `f`
/// is inlined into the AVX2 function is LLVM's choice: a `{{closure}}` symbol of the
/// caller left in the binary (`nm -C`) means it was not, and its loop runs in two-lane code
/// (`split_rows.rs` has a target-feature function of its own for that reason).
#[inline(always)]
pub(crate) fn avx2_lanes<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    if has_fma() {
        // SAFETY: has_fma checks AVX2 too.
        return unsafe { in_avx2(f) };
    }
    f()
}

/// # Safety
/// The processor has AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn in_avx2<R>(f: impl FnOnce() -> R) -> R {
    f()
}

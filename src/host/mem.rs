//! `memcpy`, `memmove` and `memset` for the shipped module, a word of 8 bytes at a time when
//! the addresses allow. Moving a value is a `memcpy` in wasm, and an interpreter (WeChat on
//! an iPhone) pays for every instruction: the standard ones, built small, copy a few bytes
//! per turn of their loop. Volatile accesses keep the compiler from turning these loops back
//! into calls of themselves.

use core::ptr::{read_volatile, write_volatile};

/// Copies `n` bytes from `src` to `dst` (the ranges do not overlap).
///
/// # Safety
/// As C's `memcpy`: both ranges are valid for `n` bytes.
#[no_mangle]
pub unsafe extern "C" fn memcpy(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    copy_forward(dst, src, n);
    dst
}

/// Copies `n` bytes from `src` to `dst`, the ranges possibly overlapping.
///
/// # Safety
/// As C's `memmove`.
#[no_mangle]
pub unsafe extern "C" fn memmove(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    if (dst as usize) <= (src as usize) || (dst as usize) >= (src as usize) + n {
        copy_forward(dst, src, n);
    } else {
        let mut i = n;
        while i > 0 {
            i -= 1;
            write_volatile(dst.add(i), read_volatile(src.add(i)));
        }
    }
    dst
}

/// Sets `n` bytes at `dst` to `byte`.
///
/// # Safety
/// As C's `memset`.
#[no_mangle]
pub unsafe extern "C" fn memset(dst: *mut u8, byte: i32, n: usize) -> *mut u8 {
    let mut i = 0;
    if (dst as usize) % 8 == 0 {
        let word = u64::from_ne_bytes([byte as u8; 8]);
        while i + 8 <= n {
            write_volatile(dst.add(i) as *mut u64, word);
            i += 8;
        }
    }
    while i < n {
        write_volatile(dst.add(i), byte as u8);
        i += 1;
    }
    dst
}

unsafe fn copy_forward(dst: *mut u8, src: *const u8, n: usize) {
    let mut i = 0;
    if (dst as usize | src as usize) % 8 == 0 {
        while i + 32 <= n {
            let (d, s) = (dst.add(i) as *mut u64, src.add(i) as *const u64);
            write_volatile(d, read_volatile(s));
            write_volatile(d.add(1), read_volatile(s.add(1)));
            write_volatile(d.add(2), read_volatile(s.add(2)));
            write_volatile(d.add(3), read_volatile(s.add(3)));
            i += 32;
        }
        while i + 8 <= n {
            write_volatile(dst.add(i) as *mut u64, read_volatile(src.add(i) as *const u64));
            i += 8;
        }
    } else if (dst as usize | src as usize) % 4 == 0 {
        while i + 16 <= n {
            let (d, s) = (dst.add(i) as *mut u32, src.add(i) as *const u32);
            write_volatile(d, read_volatile(s));
            write_volatile(d.add(1), read_volatile(s.add(1)));
            write_volatile(d.add(2), read_volatile(s.add(2)));
            write_volatile(d.add(3), read_volatile(s.add(3)));
            i += 16;
        }
        while i + 4 <= n {
            write_volatile(dst.add(i) as *mut u32, read_volatile(src.add(i) as *const u32));
            i += 4;
        }
    }
    while i < n {
        write_volatile(dst.add(i), read_volatile(src.add(i)));
        i += 1;
    }
}

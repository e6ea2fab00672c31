//! The shipped module's allocator: blocks in power-of-two sizes, each size with its own free
//! list. The core allocates a few dozen small blocks per call and frees them again; a block
//! freed is reused by the next of its size at once. Allocating or freeing is a handful of
//! instructions, where dlmalloc runs hundreds, which counts on an iPhone: WeChat runs wasm
//! there in an interpreter (no JIT). Memory is never returned to the engine (wasm cannot
//! shrink), and a block wastes at most half its size.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32::{memory_grow, memory_size};
use core::cell::UnsafeCell;
use core::ptr::null_mut;

const PAGE: usize = 65_536;
/// The smallest block: 8 bytes (a free block holds the next free block's address).
const MIN_SHIFT: u32 = 3;
/// Sizes up to 2^31 bytes: more than a 32-bit memory has.
const CLASSES: usize = 29;

/// The allocator. The module is single-threaded (wasm32 without threads), so its state needs
/// no lock.
pub(crate) struct Blocks {
    state: UnsafeCell<State>,
}

struct State {
    /// The first free block of each size, or 0.
    free: [usize; CLASSES],
    /// Where fresh memory starts, and where the memory ends.
    next: usize,
    end: usize,
}

// SAFETY: wasm32 without the atomics feature has one thread: nothing is shared.
unsafe impl Sync for Blocks {}

impl Blocks {
    pub(crate) const fn new() -> Blocks {
        Blocks {
            state: UnsafeCell::new(State {
                free: [0; CLASSES],
                next: 0,
                end: 0,
            }),
        }
    }
}

/// Where the heap starts, as the linker says.
fn heap_base() -> usize {
    extern "C" {
        static __heap_base: u8;
    }
    // Only the symbol's address is taken (no read), which is safe; the linker defines it.
    core::ptr::addr_of!(__heap_base) as usize
}

/// The size class of `layout`: blocks of `1 << (class + MIN_SHIFT)` bytes, aligned to their
/// size, which covers every alignment up to the size.
fn class(layout: &Layout) -> Option<usize> {
    let size = layout.size().max(layout.align()).max(1 << MIN_SHIFT);
    let shift = usize::BITS - (size - 1).leading_zeros();
    let class = (shift - MIN_SHIFT) as usize;
    (class < CLASSES).then_some(class)
}

unsafe impl GlobalAlloc for Blocks {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(class) = class(&layout) else {
            return null_mut();
        };
        // SAFETY: one thread, and no allocator call runs inside another.
        let state = unsafe { &mut *self.state.get() };
        let head = state.free[class];
        if head != 0 {
            // SAFETY: `head` is a free block of this class, whose first word is the next one.
            state.free[class] = unsafe { *(head as *const usize) };
            return head as *mut u8;
        }
        let size = 1usize << (class as u32 + MIN_SHIFT);
        if state.end == 0 {
            // Fresh memory starts where the linker put the heap: after the data and the stack,
            // in the pages the module starts with.
            state.next = heap_base();
            state.end = memory_size(0) * PAGE;
        }
        let start = (state.next + size - 1) & !(size - 1);
        let Some(stop) = start.checked_add(size) else {
            return null_mut();
        };
        if stop > state.end {
            let pages = (stop - state.end).div_ceil(PAGE);
            if memory_grow(0, pages) == usize::MAX {
                return null_mut();
            }
            state.end += pages * PAGE;
        }
        state.next = stop;
        start as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if let Some(class) = class(&layout) {
            // SAFETY: as in `alloc`; `ptr` is a block of this class, no longer used.
            let state = unsafe { &mut *self.state.get() };
            unsafe { *(ptr as *mut usize) = state.free[class] };
            state.free[class] = ptr as usize;
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's layout is valid, and a size that fitted it still aligns.
        let grown = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        if class(&grown) == class(&layout) {
            return ptr; // the block already has room
        }
        // SAFETY: as for any realloc: a new block, the contents copied, the old one freed.
        unsafe {
            let new = self.alloc(grown);
            if !new.is_null() {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            new
        }
    }
}

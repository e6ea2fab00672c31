//! A cached launch allocates nothing in the core: after the session is made, `ensure()` and
//! the storage read's facts run to the session handed out without one allocation (the state
//! is fixed in size, strings stay in JavaScript, the effects have room from the start).
#![cfg(not(target_arch = "wasm32"))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use mp_session::host::{create, exchange, input};
use mp_session::testing::outputs;
use mp_session::testing::script::{Described, Strings, Value};
use mp_session::wire::layout::{effect, kind, HEADER};

/// The system allocator, counting this thread's allocations.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is passed to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        System.realloc(ptr, layout, size)
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

const NOW: f64 = 1_767_225_600_000.0;

#[test]
fn a_cached_launch_allocates_nothing_in_the_core() {
    let options = Value::Object(vec![(
        "loginUrl".into(),
        Value::string("https://api.example.com/auth/login"),
    )]);
    let mut strings = Strings::default();
    let stored = Value::Object(vec![
        ("v".into(), Value::Number(1.0)),
        ("openid".into(), Value::string("o-cached")),
        ("token".into(), Value::string("tok-cached")),
        ("expiresAt".into(), Value::Number(NOW + 3_600_000.0)),
        ("obtainedAt".into(), Value::Number(NOW - 60_000.0)),
        ("userInfo".into(), Value::Null),
    ]);
    for launch in 0..3 {
        let mut facts = Described::new(None);
        facts.options(&options, None);
        exchange::put(&facts.slots, &facts.texts);
        create([launch; 16]);
        let id = exchange::take().0[HEADER + 1] as u32;
        let mut read = Described::new(Some(&mut strings));
        read.stored(&stored);
        exchange::put(&[], &[]);

        let before = allocations();
        input(id, kind::ENSURE, 1, 0, NOW, 0);
        let during_ensure = allocations() - before;
        let (slots, texts) = exchange::take();
        let ensured = outputs::effects(&slots, &texts).unwrap();
        let read_session = ensured
            .iter()
            .find(|e| e.tag == effect::READ_SESSION)
            .expect("a read");
        let op = read_session.parts.number("op").unwrap() as u32;
        exchange::put(&read.slots, &read.texts);
        let before = allocations();
        input(id, kind::SESSION_READ, op, 0, NOW, 2);
        let during_read = allocations() - before;

        let out = exchange::take().0;
        assert_eq!(
            (out[HEADER], out[HEADER + 3]),
            (effect::RESOLVE, 0.0),
            "the session is handed out"
        );
        assert_eq!(
            (during_ensure, during_read),
            (0, 0),
            "launch {launch}: allocations"
        );
        mp_session::host::close(id);
    }
}

#!/usr/bin/env node
// Removes from a .wasm file's export section every global, and the C library functions the
// module defines for itself (memcpy, memmove, memset: src/host/mem.rs), which the linker
// exports as it does every unmangled function.
//
// iOS WeChat refuses a module that exports a Global ("export 支持函数、Memory、Table，iOS 平台暂不支持
// Global"), and the linker exports `__data_end` and `__heap_base` (wasm-bindgen, since early
// 2026, `__instance_terminated` and `__abort_handler` too). The globals and functions stay in
// the module; only their export entries go. wasm-opt then drops what is unused.
//
// Usage: strip-exports.js IN.wasm OUT.wasm   (prints the names removed)
'use strict'
const fs = require('fs')

const EXPORT_SECTION = 7
const KIND_GLOBAL = 3
/** The module's own C library functions: called from inside, never from JavaScript. */
const OWN_LIBC = ['memcpy', 'memmove', 'memset']

function readU32(bytes, pos) {
  let result = 0
  let shift = 0
  for (;;) {
    if (pos >= bytes.length) throw new Error('truncated LEB128 at byte ' + pos)
    const b = bytes[pos++]
    result |= (b & 0x7f) << shift
    if ((b & 0x80) === 0) return [result >>> 0, pos]
    shift += 7
    if (shift > 28) throw new Error('LEB128 too long at byte ' + pos)
  }
}

function writeU32(value) {
  const out = []
  do {
    let b = value & 0x7f
    value >>>= 7
    if (value !== 0) b |= 0x80
    out.push(b)
  } while (value !== 0)
  return out
}

/** Returns `[newBytes, removedNames]`. */
function stripExports(bytes) {
  if (bytes.length < 8 || bytes.readUInt32LE(0) !== 0x6d736100) throw new Error('not a wasm module')
  const parts = [bytes.subarray(0, 8)]
  const removed = []
  let pos = 8
  while (pos < bytes.length) {
    const id = bytes[pos]
    const [size, bodyStart] = readU32(bytes, pos + 1)
    const bodyEnd = bodyStart + size
    if (bodyEnd > bytes.length) throw new Error('section ' + id + ' runs past the end of the file')
    if (id !== EXPORT_SECTION) {
      parts.push(bytes.subarray(pos, bodyEnd))
      pos = bodyEnd
      continue
    }
    let [count, p] = readU32(bytes, bodyStart)
    const kept = []
    for (let i = 0; i < count; i++) {
      const start = p
      const [nameLen, nameStart] = readU32(bytes, p)
      const name = bytes.subarray(nameStart, nameStart + nameLen).toString('utf8')
      const kind = bytes[nameStart + nameLen]
      const [, next] = readU32(bytes, nameStart + nameLen + 1)
      p = next
      if (kind === KIND_GLOBAL || OWN_LIBC.includes(name)) removed.push(name)
      else kept.push(bytes.subarray(start, p))
    }
    if (p !== bodyEnd) throw new Error('export section has trailing bytes')
    const body = Buffer.concat([Buffer.from(writeU32(kept.length)), ...kept])
    parts.push(Buffer.from([EXPORT_SECTION, ...writeU32(body.length)]), body)
    pos = bodyEnd
  }
  return [Buffer.concat(parts), removed]
}

module.exports = { stripExports }

if (require.main === module) {
  const [input, output] = process.argv.slice(2)
  if (!input || !output) {
    console.error('usage: strip-exports.js IN.wasm OUT.wasm')
    process.exit(2)
  }
  const [stripped, removed] = stripExports(fs.readFileSync(input))
  fs.writeFileSync(output, stripped)
  console.log('removed exports: ' + (removed.length ? removed.join(', ') : 'none'))
}

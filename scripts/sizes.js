#!/usr/bin/env node
// Prints the size of every file in a folder, raw and brotli-compressed (quality 11).
// Usage: sizes.js DIR   |   require('./sizes').measure(dir)
'use strict'
const fs = require('fs')
const path = require('path')
const zlib = require('zlib')

function brotli(bytes) {
  return zlib.brotliCompressSync(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length
}

/** `[{ file, raw, brotli }]` for every file in `dir`, sorted by name. */
function measure(dir) {
  return fs.readdirSync(dir).sort().map((file) => {
    const bytes = fs.readFileSync(path.join(dir, file))
    return { file, raw: bytes.length, brotli: brotli(bytes) }
  })
}

module.exports = { measure, brotli }

if (require.main === module) {
  const dir = process.argv[2]
  const rows = measure(dir)
  const total = rows.reduce((sum, r) => sum + r.raw, 0)
  for (const r of rows) {
    console.log(`  ${r.file.padEnd(20)} ${String(r.raw).padStart(8)} bytes   ${String(r.brotli).padStart(7)} brotli`)
  }
  console.log(`  ${'total'.padEnd(20)} ${String(total).padStart(8)} bytes`)
}

#!/usr/bin/env node
// Prints the size of every file in a folder, raw and brotli-compressed (quality 11), then
// of any extra files named (the uncompressed .wasm, say).
// Usage: sizes.js DIR [FILE...]   |   sizes.js --plain PLAIN.js WASM   |   require('./sizes').measure(dir)
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

/** The plain-JavaScript core's size, and its ratio to the raw .wasm it was made from. */
function plainRatio(plainFile, wasmFile) {
  const plain = fs.statSync(plainFile).size
  return { plain, wasm: fs.statSync(wasmFile).size, ratio: plain / fs.statSync(wasmFile).size }
}

module.exports.plainRatio = plainRatio

if (require.main === module && process.argv[2] === '--plain') {
  const { plain, wasm, ratio } = plainRatio(process.argv[3], process.argv[4])
  const br = brotli(fs.readFileSync(process.argv[3]))
  console.log(`  ${'plain/index.js'.padEnd(24)} ${String(plain).padStart(8)} bytes   ${String(br).padStart(7)} brotli   ${ratio.toFixed(2)}× the raw .wasm (${wasm})`)
} else if (require.main === module) {
  const [dir, ...extra] = process.argv.slice(2)
  const rows = measure(dir)
  const total = rows.reduce((sum, r) => sum + r.raw, 0)
  const line = (name, raw, br) => console.log(`  ${name.padEnd(24)} ${String(raw).padStart(8)} bytes   ${String(br).padStart(7)} brotli`)
  for (const r of rows) line(r.file, r.raw, r.brotli)
  console.log(`  ${'shipped in all'.padEnd(24)} ${String(total).padStart(8)} bytes`)
  for (const file of extra) {
    const bytes = fs.readFileSync(file)
    line('(' + path.basename(file) + ')', bytes.length, brotli(bytes))
  }
}

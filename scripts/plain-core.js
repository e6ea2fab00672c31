'use strict'
// Turns the shipped .wasm into JavaScript with binaryen's wasm2js, for platforms with no
// WebAssembly in the logic layer: the same module, not a second implementation. wasm2js
// ends its output with one instance made at load; this makes it export the function that
// makes an instance instead, so that a core that trapped can be replaced by a fresh one.
// Usage: node scripts/plain-core.js IN.wasm OUT.mjs
const { execFileSync } = require('child_process')
const fs = require('fs')
const path = require('path')

const [input, output] = process.argv.slice(2)
const wasm2js = path.join(__dirname, '..', 'node_modules', '.bin', 'wasm2js')
execFileSync(wasm2js, [input, '-Oz', '-o', output], { stdio: 'inherit' })
const source = fs.readFileSync(output, 'utf8')
const tail = source.indexOf('\nvar retasmFunc = asmFunc(')
if (tail < 0 || !/^function asmFunc\(imports\) \{$/m.test(source)) {
  throw new Error('wasm2js output has a shape this script does not know: update scripts/plain-core.js')
}
fs.writeFileSync(output, source.slice(0, tail) + '\nexport default asmFunc;\n')

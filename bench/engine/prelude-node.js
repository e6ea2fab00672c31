'use strict'
// Runs the engine scripts (phone.js, then the others named) in Node the way `jsc` runs them:
// in the global scope, with jsc's `print`, `readFile(path[, 'binary'])`, `preciseTime()` and
// `load(path)`. Usage: node prelude-node.js FILE...
const fs = require('fs')
const vm = require('vm')
const { performance } = require('perf_hooks')

globalThis.print = (...args) => console.log(args.join(' '))
globalThis.readFile = (file, mode) => (mode === 'binary' ? new Uint8Array(fs.readFileSync(file)) : fs.readFileSync(file, 'utf8'))
globalThis.preciseTime = () => performance.now() / 1000
globalThis.load = (file) => vm.runInThisContext(fs.readFileSync(file, 'utf8'), { filename: file })
for (const file of process.argv.slice(2)) globalThis.load(file)

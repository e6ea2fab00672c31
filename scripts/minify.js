#!/usr/bin/env node
// Minifies one bundle esbuild made (ES2017, CommonJS) with terser: three passes of its
// compressor and the module's own names mangled too (WeChat runs each file in a scope of its
// own). On an iPhone every byte of a function that runs is parsed and compiled at each cold
// start, and terser's output is smaller than esbuild's own minifier's by about 2 %. Non-ASCII
// characters are escaped, as esbuild escapes them: the file is ASCII on every platform.
//   node scripts/minify.js IN OUT
'use strict'
const fs = require('fs')
const path = require('path')
const { minify } = require('terser')

const [input, output] = process.argv.slice(2)
if (!input || !output) {
  console.error('usage: node scripts/minify.js IN OUT')
  process.exit(2)
}

minify(fs.readFileSync(input, 'utf8'), {
  ecma: 2017,
  module: false,
  toplevel: true,
  compress: { passes: 3 },
  mangle: { toplevel: true },
  format: { comments: false, ascii_only: true },
}).then((result) => {
  fs.mkdirSync(path.dirname(output), { recursive: true })
  fs.writeFileSync(output, result.code)
}, (error) => {
  console.error('scripts/minify.js: ' + input + ': ' + error.message)
  process.exit(1)
})

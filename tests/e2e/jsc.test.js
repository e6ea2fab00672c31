'use strict'
// The built package under JavaScriptCore with every JIT off (`jsc --useJIT=0`), as WeChat runs
// it on an iPhone: bench/engine/smoke.js on bench/engine/phone.js. Debian's jsc has no
// TextEncoder, no console and no require, as a phone has none.
const test = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync } = require('child_process')
const fs = require('fs')
const os = require('os')
const path = require('path')
const zlib = require('zlib')
const { REPO } = require('../support/build-example')

/** The package as a phone holds it, in a fresh folder, and the script that names it. */
function phonePackage() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-session-jsc-'))
  const shipped = path.join(REPO, 'pkg', 'miniprogram')
  fs.copyFileSync(path.join(shipped, 'index.js'), path.join(dir, 'index.js'))
  // WeChat decompresses the .wasm.br itself; the shell cannot, so it gets the bytes WeChat would.
  fs.writeFileSync(path.join(dir, 'mp_session.wasm'), zlib.brotliDecompressSync(fs.readFileSync(path.join(shipped, 'mp_session.wasm.br'))))
  fs.writeFileSync(path.join(dir, 'config.js'), 'var PACKAGE = ' + JSON.stringify(dir) + '\n')
  return dir
}

test('the built package on JavaScriptCore with no JIT: cold, warm, Chinese and emoji, 100 at once, memory, both WXWebAssembly shapes', () => {
  const dir = phonePackage()
  try {
    const engine = path.join(REPO, 'bench', 'engine')
    const output = execFileSync('jsc', ['--useJIT=0', path.join(engine, 'phone.js'), path.join(dir, 'config.js'), path.join(engine, 'smoke.js')],
      { encoding: 'utf8', timeout: 60000 })
    console.log(output.trim())
    assert.match(output, /^8 passed, 0 failed$/m)
    assert.doesNotMatch(output, /FAILED/)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

'use strict'
// When WebAssembly is not there: phones whose WXWebAssembly is missing (HarmonyOS is not
// documented to have it), or whose instantiate rejects (reported on iOS), run the same core
// as JavaScript, loaded with `require.async` from the subpackage the example's app.json
// declares (mp-session/fallback, copied there as the README says). The simulator keeps a
// subpackage's module out of reach of a plain `require` from the main package.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('fs')
const path = require('path')
const { worldPerFile, settle } = require('./fixture')

const world = worldPerFile()

/** The example app's own fallback, as app.js gives it. */
const FALLBACK = './mp-session-fallback/index.js'

function withFallback(app, options = {}) {
  return world.session(app, { fallback: () => app.require.async(FALLBACK), ...options })
}

for (const [phone, options, because] of [
  ['a phone with no WXWebAssembly', { wasm: 'absent' }, /no WebAssembly loader on wx/],
  ['a phone whose WXWebAssembly.instantiate rejects', { wasm: 'rejects' }, /WXWebAssembly\.instantiate: CompileError/],
  ['WeChat on HarmonyOS (ohos)', { platform: 'ohos' }, /no WebAssembly loader on wx/],
]) {
  test(`${phone}: the JavaScript core from the subpackage logs in, says it fell back, and a cached launch follows`, async () => {
    const storageFile = world.newStorage()
    const app = world.open({ storageFile, ...options })
    const session = withFallback(app)
    const ready = await session.ready()
    const first = await session.launch()

    assert.match(ready.fellBack, because)
    assert.equal(first.source, 'login')
    assert.match(first.openid, /^o-/)
    assert.deepEqual(app.stats.asyncRequires, ['mp-session-fallback/index.js'])
    // One try: the preload at require, which falls back once the session gives its fallback.
    assert.equal(app.stats.instantiations, options.wasm === 'rejects' ? 1 : 0)
    const answer = await session.request({ url: world.backend.base + '/api/me' })
    assert.equal(answer.statusCode, 200)
    app.close()

    const again = world.open({ storageFile, ...options })
    const cached = await withFallback(again).launch()
    assert.deepEqual([cached.source, cached.openid, again.stats.logins], ['cache', first.openid, 0])
  })
}

test('with WebAssembly there, the fallback is never loaded and ready() says so', async () => {
  const app = world.open()
  const session = withFallback(app)
  assert.equal((await session.ready()).fellBack, null)
  await session.launch()
  assert.deepEqual(app.stats.asyncRequires, [])
})

test('without fallback, a phone with no WXWebAssembly gets WASM_LOAD naming the setup step', async () => {
  const app = world.open({ wasm: 'absent' })
  const { error } = await settle(world.session(app).launch())
  assert.equal(error.code, 'WASM_LOAD')
  assert.match(error.message, /wx has no WebAssembly in the logic layer here: use the mp-session\/plain entry, the same core as JavaScript; for phones without WebAssembly: the fallback option \(README: When WebAssembly is not there\)/)
  assert.equal(app.stats.logins, 0)
})

test('a fallback that does not load: WASM_LOAD says why both failed, and the next call tries again', async () => {
  const app = world.open({ wasm: 'rejects' })
  const session = world.session(app, { fallback: () => app.require.async('./mp-session-fallback/missing.js') })
  const { error } = await settle(session.launch())
  assert.equal(error.code, 'WASM_LOAD')
  assert.equal(error.retryable, true)
  assert.match(error.message, /CompileError.*; nor did fallback: module "\.\/mp-session-fallback\/missing\.js" is not defined/)
  assert.doesNotMatch(error.message, /the fallback option/, 'the step was taken: the message says what failed in it')
  const tried = [app.stats.instantiations, app.stats.asyncRequires.length]
  assert.equal((await settle(session.launch())).error.code, 'WASM_LOAD')
  assert.ok(app.stats.instantiations > tried[0], 'the next call tries WebAssembly again')
  assert.ok(app.stats.asyncRequires.length >= tried[1], 'and the fallback')
})

test('a JavaScript core from another build is refused, naming the file to copy again', async () => {
  const stale = path.join(world.example.dir, 'mp-session-fallback', 'stale.js')
  fs.writeFileSync(stale, fs.readFileSync(path.join(world.example.dir, 'mp-session-fallback', 'index.js'), 'utf8')
    .replace(/core:"[0-9a-f]+"/, 'core:"0000000000000000"'))
  const app = world.open({ wasm: 'absent' })
  const { error } = await settle(world.session(app, { fallback: () => app.require.async('./mp-session-fallback/stale.js') }).launch())
  assert.equal(error.code, 'WASM_LOAD')
  assert.match(error.message, /the subpackage holds mp-session\/fallback of another build: copy it again/)
})

test('the example app as it is, on a phone with no WXWebAssembly: app.js falls back and the launch logs in', async () => {
  const app = world.open({ wasm: 'absent' })
  app.launch()
  await app.waitFor(() => app.app.globalData.openid, 5000, 'the launch')
  assert.match(app.app.globalData.openid, /^o-/)
  assert.deepEqual(app.stats.asyncRequires, ['mp-session-fallback/index.js'])
})

test('the main package grows by at most 1 KB with the fallback set up: the core is in the subpackage', () => {
  const app = world.open()
  const withIt = app.mainPackageBytes()
  const core = fs.statSync(path.join(world.example.dir, 'mp-session-fallback', 'index.js')).size
  assert.ok(core > 100000, 'the JavaScript core is ' + core + ' bytes')
  // The same folder with the subpackage undeclared: the core would count toward the main package.
  const appJson = path.join(world.example.dir, 'app.json')
  const declared = fs.readFileSync(appJson, 'utf8')
  try {
    const json = JSON.parse(declared)
    delete json.subPackages
    fs.writeFileSync(appJson, JSON.stringify(json))
    const undeclared = world.open().mainPackageBytes()
    assert.ok(undeclared - withIt >= core, 'undeclared, the main package carries the core')
  } finally {
    fs.writeFileSync(appJson, declared)
  }
  // What the main package holds for it: the shim's loader (its bytes: package.test.js) and
  // app.js's line.
  const shim = fs.readFileSync(path.join(world.example.npmDir, 'index.js'), 'utf8')
  assert.match(shim, /nor did fallback/)
  console.log('main package: ' + withIt + ' bytes; the JavaScript core in the subpackage: ' + core + ' bytes')
})

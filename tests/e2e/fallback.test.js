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
const { createMiniProgram } = require('../support/wechat-sim')
const { SHIPPED_SINCE } = require('../support/size-ledger')

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

test('fallback must be a function: anything else is INVALID_CONFIG before any load', async () => {
  const app = world.open({ wasm: 'absent' })
  const { error } = await settle(world.session(app, { fallback: './mp-session-fallback/index.js' }).launch())
  assert.equal(error.code, 'INVALID_CONFIG')
  assert.match(error.message, /fallback must be a function/)
  assert.deepEqual(app.stats.asyncRequires, [])
})

test('a JavaScript core from another build is refused, naming the file to copy again', async () => {
  const stale = path.join(world.example.dir, 'mp-session-fallback', 'stale.js')
  fs.writeFileSync(stale, fs.readFileSync(path.join(world.example.dir, 'mp-session-fallback', 'index.js'), 'utf8')
    .replace(/core:"[0-9a-f]+"/, 'core:"0000000000000000"'))
  const app = world.open({ wasm: 'absent' })
  const { error } = await settle(world.session(app, { fallback: () => app.require.async('./mp-session-fallback/stale.js') }).launch())
  assert.equal(error.code, 'WASM_LOAD')
  assert.match(error.message, /mp-session\/fallback is of another build: copy it again/)
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
  // Without it set up at all (no subpackage, no file, no option in app.js): the same shim.
  const bare = fs.mkdtempSync(path.join(require('os').tmpdir(), 'mp-session-bare-'))
  try {
    fs.cpSync(world.example.dir, bare, { recursive: true, filter: (src) => !/node_modules$|mp-session-fallback$/.test(src) })
    // The two lines an app adds, and nothing else (the example's comments stay in both).
    const withoutEntry = declared.replace(/,\n *"subPackages": \[[^\n]*\]/, '')
    assert.notEqual(withoutEntry, declared, "app.json's subpackage entry is found")
    fs.writeFileSync(path.join(bare, 'app.json'), withoutEntry)
    const appJs = fs.readFileSync(path.join(bare, 'app.js'), 'utf8')
    const withoutOption = appJs.replace(/\n *fallback: [^\n]*/, '')
    assert.notEqual(withoutOption, appJs, "app.js's fallback lines are found")
    fs.writeFileSync(path.join(bare, 'app.js'), withoutOption)
    const without = createMiniProgram({ root: bare, wechat: world.wechat, storageFile: world.newStorage() }).mainPackageBytes()
    console.log('main package of the example: ' + withIt + ' bytes with the fallback set up, ' + without + ' without')
    // The shim carries its part either way: what the fallback added to it (the size ledger).
    const grows = withIt - without + SHIPPED_SINCE.fallback
    console.log('the main package grows ' + grows + ' bytes for the fallback: ' + SHIPPED_SINCE.fallback + ' in the shim, ' + (withIt - without) + " in the app's two lines")
    assert.ok(grows <= 1024, grows + ' bytes')
  } finally {
    fs.rmSync(bare, { recursive: true, force: true })
  }
  // What the main package holds for it: the shim's loader (its bytes: package.test.js) and
  // app.js's line.
  const shim = fs.readFileSync(path.join(world.example.npmDir, 'index.js'), 'utf8')
  assert.match(shim, /nor did fallback/)
  console.log('main package: ' + withIt + ' bytes; the JavaScript core in the subpackage: ' + core + ' bytes')
})

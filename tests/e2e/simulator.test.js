'use strict'
// The simulator is only worth what it refuses: these tests hold it to the phone's rules, so
// that a test passing in it does not pass only because it is kinder than WeChat.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('fs')
const path = require('path')
const { worldPerFile, settle } = require('./fixture')
const { REPO } = require('../support/build-example')

const world = worldPerFile()

const wasmUrl = '/miniprogram_npm/mp-session/mp_session.wasm.br'

test('WXWebAssembly takes only an absolute package path to a .wasm', async () => {
  const app = world.open()
  const bytes = fs.readFileSync(path.join(world.example.npmDir, 'mp_session.wasm.br'))
  const wxwasm = app.context.WXWebAssembly
  for (const [what, argument] of [
    ['bytes', bytes],
    ['an ArrayBuffer', bytes.buffer],
    ['a relative path', 'miniprogram_npm/mp-session/mp_session.wasm'],
    ['an http URL', 'http://127.0.0.1/mp_session.wasm'],
    ['a wxfile path', 'wxfile://usr/mp_session.wasm'],
    ['a missing file', '/nowhere.wasm'],
    ['a .js file', '/miniprogram_npm/mp-session/index.js'],
  ]) {
    await assert.rejects(wxwasm.instantiate(argument, {}), /WXWebAssembly.instantiate/, what)
  }
})

test('on iOS, a module exporting a Global does not load', async () => {
  const app = world.open({ platform: 'ios' })
  const withGlobals = path.join(world.example.dir, 'with-globals.wasm')
  fs.copyFileSync(path.join(REPO, 'target', 'bindgen', 'mp_session_bg.wasm'), withGlobals)
  await assert.rejects(app.context.WXWebAssembly.instantiate('/with-globals.wasm', {}), /cannot export a Global/)
})

test("a subpackage's module: a plain require from the main package is refused, require.async downloads it (base library 2.11.2)", async () => {
  const app = world.open()
  // The example's app.json declares mp-session-fallback as a subpackage.
  assert.throws(() => app.require('./mp-session-fallback/index.js'), /is not defined: it is in the subpackage mp-session-fallback, reached with require\.async/)
  const core = await app.require.async('./mp-session-fallback/index.js')
  assert.equal(typeof core.instantiate, 'function')
  assert.deepEqual(app.stats.asyncRequires, ['mp-session-fallback/index.js'])
  // Once downloaded, the package's modules are there to require.
  assert.equal(app.require('./mp-session-fallback/index.js'), core)
  await assert.rejects(app.require.async('./mp-session-fallback/nothing.js'), (e) => e.errMsg === 'module "./mp-session-fallback/nothing.js" is not defined')
  const old = world.open({ baseLibrary: '2.11.1' })
  assert.equal(old.require.async, undefined, 'before 2.11.2 there is no require.async')
})

test('a phone with no WXWebAssembly (wasm: absent, or HarmonyOS), and one whose instantiate rejects', async () => {
  assert.equal(world.open({ wasm: 'absent' }).evaluate('typeof WXWebAssembly'), 'undefined')
  const ohos = world.open({ platform: 'ohos' })
  assert.equal(ohos.evaluate('typeof WXWebAssembly'), 'undefined')
  assert.equal(ohos.evaluate('wx.getDeviceInfo().platform'), 'ohos')
  await assert.rejects(world.open({ wasm: 'rejects' }).context.WXWebAssembly.instantiate(wasmUrl, {}), /WXWebAssembly\.instantiate: CompileError/)
})

test('storage: missing keys read as an empty string, writes over 1 MB throw, values survive a restart', () => {
  const storageFile = world.newStorage()
  const wx = world.open({ storageFile }).context.wx
  assert.equal(wx.getStorageSync('nothing-here'), '')
  assert.throws(() => wx.setStorageSync('big', 'x'.repeat(1024 * 1024)), /setStorageSync:fail/)
  assert.throws(() => wx.setStorageSync('undefined', undefined), /setStorageSync:fail/)
  wx.setStorageSync('kept', { a: [1, 2] })
  assert.deepEqual(JSON.parse(JSON.stringify(world.open({ storageFile }).context.wx.getStorageSync('kept'))), { a: [1, 2] })
})

test('wx.request: success for every HTTP status, fail only without an answer, callbacks never synchronous', async () => {
  const wx = world.open().context.wx
  const request = (options) => new Promise((resolve) => {
    let synchronous = true
    wx.request({ ...options, success: (r) => resolve({ ok: r, synchronous }), fail: (e) => resolve({ fail: e, synchronous }) })
    synchronous = false
  })
  world.backend.script({ status: 500, body: { oops: true } })
  const five = await request({ url: world.backend.loginUrl, method: 'POST', data: { code: 'x' } })
  assert.equal(five.ok.statusCode, 500)
  assert.equal(five.ok.data.oops, true)
  assert.equal(five.synchronous, false)

  const refused = await request({ url: 'http://127.0.0.1:9/nothing' })
  assert.match(refused.fail.errMsg, /^request:fail/)
  const outside = await request({ url: 'http://example.com/' })
  assert.match(outside.fail.errMsg, /domain list/)
})

test('wx.login codes work once, through the backend and code2Session', async () => {
  const app = world.open()
  const code = await new Promise((resolve) => app.context.wx.login({ success: (r) => resolve(r.code) }))
  const post = () => fetch(world.backend.loginUrl, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, platform: 'wx' }),
  }).then((r) => r.json())
  assert.equal((await post()).openid, 'o-sim-user')
  assert.deepEqual(await post(), { errcode: 40163, errmsg: 'code been used' })
})

test('before base library 2.13.0 there is no WXWebAssembly: the package says WASM_LOAD', async () => {
  const app = world.open({ baseLibrary: '2.12.0' })
  const { error } = await settle(world.session(app).launch())
  assert.equal(error.code, 'WASM_LOAD')
  assert.equal(error.retryable, true)
  assert.match(error.message, /no WebAssembly loader on wx/)
  assert.match(error.message, /use the mp-session\/plain entry, the same core as JavaScript; for phones without WebAssembly: the fallback option/, 'the message says what to do')
})

test('base library 2.13.x has WXWebAssembly but not .wasm.br: the package says so', async () => {
  const app = world.open({ baseLibrary: '2.13.2' })
  const { error } = await settle(world.session(app).launch())
  assert.equal(error.code, 'WASM_LOAD')
  assert.match(error.message, /\.wasm\.br needs base library 2\.14\.0/)
})

test('a wrong wasmPath is WASM_LOAD, and a later call loads again', async () => {
  const app = world.open()
  const wrong = await settle(world.session(app, { wasmPath: '/miniprogram_npm/other/mp_session.wasm.br' }).launch())
  assert.equal(wrong.error.code, 'WASM_LOAD')
  assert.match(wrong.error.message, /no such file in the code package/)
  assert.match(wrong.error.message, /Build npm/, 'the message says what to do')
  const right = await world.session(app, { wasmPath: wasmUrl }).launch()
  assert.equal(right.openid, 'o-sim-user')
})

test('the core starts loading at require; a session with a wasmPath of its own loads that one', async () => {
  const app = world.open()
  const before = app.stats.instantiations
  const { createSession } = app.require('mp-session')
  assert.equal(app.stats.instantiations - before, 1, 'the load began at require')
  // The path the preload used, named or not: the same core, loaded once.
  const named = await createSession({ loginUrl: world.backend.loginUrl, wasmPath: wasmUrl }).launch()
  const unnamed = await createSession({ loginUrl: world.backend.loginUrl, namespace: 'second' }).launch()
  assert.deepEqual([named.openid, unnamed.openid], ['o-sim-user', 'o-sim-user'])
  assert.equal(app.stats.instantiations - before, 1, 'one core for the default path')
  // Another path is that module's own load, and its failure is that session's.
  const other = await settle(createSession({ loginUrl: world.backend.loginUrl, wasmPath: '/lib/other.wasm.br' }).launch())
  assert.equal(other.error.code, 'WASM_LOAD')
  assert.equal(app.stats.instantiations - before, 2)
})

test('no unhandled promise rejection anywhere in this file', () => {
  assert.deepEqual(world.unhandled, [])
})

test('the MVP check writes the module into a folder of its own, so runs side by side never share a file', () => {
  const wasm = fs.readFileSync(path.join(REPO, 'target', 'bindgen', 'mp_session.wasm'))
  const checker = require.resolve('../support/wechat-sim/wx-wasm.js')
  delete require.cache[checker] // a fresh module: no verdict cached in this process
  const written = []
  const writeFileSync = fs.writeFileSync
  fs.writeFileSync = function (file, ...rest) {
    if (/\.wasm$/.test(String(file))) written.push(String(file))
    return writeFileSync.call(this, file, ...rest)
  }
  let verdict
  try {
    verdict = require(checker).isMvpOnly(wasm)
  } finally {
    fs.writeFileSync = writeFileSync
    delete require.cache[checker]
  }
  assert.equal(verdict, true)
  assert.equal(written.length, 1)
  const folder = path.dirname(written[0])
  assert.notEqual(folder, require('os').tmpdir(), 'the file is not directly in the shared temp folder')
  assert.match(path.basename(folder), /^mp-session-mvp-\w{6}$/, 'a mkdtemp folder')
  assert.equal(fs.existsSync(folder), false, 'removed afterwards')
})

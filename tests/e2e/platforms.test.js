'use strict'
// The same scenarios on every platform the package serves: WeChat and Douyin with the
// WebAssembly core; QQ, Baidu, Kuaishou, Alipay and WeChat before base library 2.13.0 with
// the same core as JavaScript (the plain entry, binaryen's wasm2js of the same .wasm).
const test = require('node:test')
const assert = require('node:assert/strict')
const { worldPerFile, settle } = require('./fixture')

const world = worldPerFile()

const KEY = 'mp-session:default'

/** Each platform as the simulator hosts it, and the entry an app there uses. */
const PLATFORMS = [
  { label: 'WeChat (wasm)', host: 'wx', entry: 'wasm' },
  { label: 'Douyin (wasm)', host: 'tt', entry: 'wasm' },
  { label: 'QQ (plain JS)', host: 'qq', entry: 'plain' },
  { label: 'Baidu (plain JS)', host: 'swan', entry: 'plain' },
  { label: 'Kuaishou (plain JS)', host: 'ks', entry: 'plain' },
  { label: 'Alipay (plain JS)', host: 'my', entry: 'plain' },
  { label: 'WeChat 2.12 (plain JS)', host: 'wx', entry: 'plain', baseLibrary: '2.12.0' },
]

for (const p of PLATFORMS) {
  const open = (options = {}) => world.open({ host: p.host, baseLibrary: p.baseLibrary, ...options })
  const session = (app, options) => world.session(app, options, p.entry)

  test(p.label + ': cold launch logs in once, posts once naming the platform, and stores the session', async () => {
    const app = open()
    const posts = world.backend.stats.posts
    const got = await session(app).launch()
    assert.equal(got.openid, 'o-sim-user')
    assert.equal(got.source, 'login')
    assert.equal(app.stats.logins, 1)
    assert.equal(world.backend.stats.posts - posts, 1)
    const body = world.backend.stats.bodies.at(-1)
    assert.equal(body.platform, p.host)
    assert.equal(body.code, app.stats.codes.at(-1), 'the code the platform issued, posted once')
    assert.equal(app.storage.stats.writes, 1)
    const stored = app.storage.getStorageSync(KEY)
    assert.deepEqual([stored.v, stored.openid, stored.token], [1, 'o-sim-user', got.token])
  })

  test(p.label + ': warm launch calls nothing and reads once', async () => {
    const storageFile = world.newStorage()
    await session(open({ storageFile })).launch()
    const posts = world.backend.stats.posts
    const again = open({ storageFile })
    const got = await session(again).launch()
    assert.equal(got.source, 'cache')
    assert.equal(got.openid, 'o-sim-user')
    assert.equal(again.stats.logins, 0)
    assert.equal(world.backend.stats.posts - posts, 0)
    assert.deepEqual([again.storage.stats.reads, again.storage.stats.writes], [1, 0])
  })

  test(p.label + ': a failing backend is retried with a fresh code, then the session comes', async () => {
    const app = open()
    const posts = world.backend.stats.posts
    world.backend.script({ status: 500, body: {} })
    const got = await session(app, { timeoutMs: 2000 }).launch()
    assert.equal(got.openid, 'o-sim-user')
    assert.equal(world.backend.stats.posts - posts, 2)
    assert.equal(app.stats.logins, 2)
    const [first, second] = world.backend.stats.bodies.slice(-2)
    assert.notEqual(first.code, second.code, 'no code is posted twice')
  })

  test(p.label + ': storage that refuses the write gives STORAGE with the session, usable at once', async () => {
    const app = open()
    app.storage.faults.writeThrows = true
    const { error } = await settle(session(app).launch())
    assert.equal(error.code, 'STORAGE')
    assert.equal(error.session.openid, 'o-sim-user')
    app.storage.faults.writeThrows = false
  })

  test(p.label + ': a corrupt stored record is replaced after one login', async () => {
    const storageFile = world.newStorage()
    const app = open({ storageFile })
    app.storage.setStorageSync(KEY, { v: 1, openid: 42 })
    const got = await session(app).launch()
    assert.equal(got.source, 'login')
    assert.equal(app.stats.logins, 1)
    assert.equal(app.storage.getStorageSync(KEY).openid, 'o-sim-user')
  })
}

test('Douyin: a user not logged in to Douyin sees no dialog and is posted with the anonymousCode', async () => {
  const app = world.open({ host: 'tt' })
  app.behaviour.douyinLoggedIn = false
  const got = await world.session(app).launch()
  assert.equal(got.openid, 'anon-o-sim-user')
  assert.equal(app.stats.dialogs || 0, 0, 'tt.login was asked with force: false')
  const body = world.backend.stats.bodies.at(-1)
  assert.deepEqual(Object.keys(body).sort(), ['anonymousCode', 'platform'])
  assert.equal(body.platform, 'tt')
})

test('the platform is detected from the globals, and an explicit one wins', async () => {
  const qq = world.open({ host: 'qq' })
  await world.session(qq, {}, 'plain').launch()
  assert.equal(world.backend.stats.bodies.at(-1).platform, 'qq')
  const named = world.open({ host: 'qq' })
  const { error } = await settle(world.session(named, { platform: 'tt' }, 'plain').launch())
  assert.equal(error.code, 'INVALID_CONFIG', 'there is no tt API on QQ')
  assert.match(error.message, /no tt API here/)
})

test('platform: null is no platform named: the one found is the one posted and the one whose API is used', async () => {
  const app = world.open({ host: 'tt' })
  const got = await world.session(app, { platform: null }).launch()
  assert.equal(got.openid, 'o-sim-user')
  assert.equal(world.backend.stats.bodies.at(-1).platform, 'tt')
})

test('the WebAssembly entry on a platform without WebAssembly names the plain entry', async () => {
  const qq = world.open({ host: 'qq' })
  const { error } = await settle(world.session(qq).launch())
  assert.equal(error.code, 'WASM_LOAD')
  assert.match(error.message, /qq has no WebAssembly in the logic layer here: use the mp-session\/plain entry/)
  const alipay = world.open({ host: 'my' })
  const refused = await settle(world.session(alipay).launch())
  assert.equal(refused.error.code, 'INVALID_CONFIG')
  assert.match(refused.error.message, /Alipay \(my\) has no WebAssembly.*mp-session\/plain entry/)
})

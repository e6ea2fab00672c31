'use strict'
// Each retry rule end to end: real HTTP to the development backend, real code2Session codes,
// WeChat's request semantics (every status is `success`). Backoff waits are real here, so
// retries are kept few.
const test = require('node:test')
const assert = require('node:assert/strict')
const { worldPerFile, settle } = require('./fixture')

const world = worldPerFile()

/** Launches a fresh app's session with these options and says what happened. */
async function launch(options = {}) {
  const app = world.open()
  const posts = world.backend.stats.posts
  const code2Session = world.wechat.stats.code2SessionCalls
  const outcome = await settle(world.session(app, { maxRetries: 1, ...options }).launch())
  return {
    ...outcome,
    app,
    logins: app.stats.logins,
    posts: world.backend.stats.posts - posts,
    code2Session: world.wechat.stats.code2SessionCalls - code2Session,
    stored: app.storage.raw('mp-session:default'),
  }
}

test('HTTP 5xx is retried with a fresh code', async () => {
  world.backend.script({ status: 502, body: '<html>bad gateway</html>', contentType: 'text/html' })
  const r = await launch()
  assert.equal(r.value.openid, 'o-sim-user')
  assert.deepEqual([r.logins, r.posts], [2, 2])
  assert.notEqual(r.app.stats.codes[0], r.app.stats.codes[1])
})

test('a dropped connection (wx.request fail) is retried', async () => {
  world.backend.script({ destroy: true })
  const r = await launch()
  assert.equal(r.value.openid, 'o-sim-user')
  assert.deepEqual([r.logins, r.posts], [2, 2])
})

test('a backend slower than timeoutMs times out and is retried', async () => {
  world.backend.script({ hang: true })
  const started = Date.now()
  const r = await launch({ timeoutMs: 300 })
  assert.equal(r.value.openid, 'o-sim-user')
  assert.ok(Date.now() - started >= 300)
  assert.deepEqual([r.logins, r.posts], [2, 2])
})

test('errcode -1 and 45011 from code2Session are retried', async () => {
  for (const errcode of [-1, 45011]) {
    world.wechat.failNext(errcode)
    const r = await launch()
    assert.equal(r.value.openid, 'o-sim-user', String(errcode))
    assert.deepEqual([r.logins, r.posts], [2, 2], String(errcode))
  }
})

test('retries stop at maxRetries: the error is typed and nothing is stored', async () => {
  world.backend.script({ status: 500, body: {} }, { status: 503, body: {} }, { status: 500, body: {} })
  const r = await launch({ maxRetries: 2 })
  assert.equal(r.error.code, 'BACKEND')
  assert.equal(r.error.status, 500)
  assert.equal(r.error.retryable, true)
  assert.equal(r.error.name, 'MpSessionError')
  assert.match(r.error.message, /HTTP 500/)
  assert.deepEqual([r.logins, r.posts], [3, 3])
  assert.equal(r.stored, undefined)
})

test('40029 (bad code) gets one fresh wx.login code, never the same code twice', async () => {
  world.wechat.failNext(40029)
  const r = await launch({ maxRetries: 0 })
  assert.equal(r.value.openid, 'o-sim-user')
  assert.deepEqual([r.logins, r.posts], [2, 2])
  const posted = world.backend.stats.bodies.slice(-2).map((b) => b.code)
  assert.deepEqual(posted, r.app.stats.codes)
  assert.notEqual(posted[0], posted[1])
})

test('40163 (used code) twice: one fresh code, then a failure, not a loop', async () => {
  world.wechat.failNext(40163, 2)
  const r = await launch({ maxRetries: 2 })
  assert.equal(r.error.code, 'BACKEND')
  assert.equal(r.error.errcode, 40163)
  assert.equal(r.error.retryable, false)
  assert.deepEqual([r.logins, r.posts], [2, 2])
})

test('40226 (high-risk user) fails at once', async () => {
  world.wechat.failNext(40226)
  const r = await launch({ maxRetries: 2 })
  assert.equal(r.error.code, 'BACKEND')
  assert.equal(r.error.errcode, 40226)
  assert.deepEqual([r.logins, r.posts], [1, 1])
  assert.equal(r.stored, undefined)
})

test('another 4xx fails at once', async () => {
  world.backend.script({ status: 403, body: { error: 'forbidden' } })
  const r = await launch({ maxRetries: 2 })
  assert.equal(r.error.code, 'BACKEND')
  assert.equal(r.error.status, 403)
  assert.deepEqual([r.logins, r.posts], [1, 1])
})

test('a 2xx without a usable openid fails at once with BAD_RESPONSE', async () => {
  for (const body of [{ token: 't' }, { openid: '' }, 'plain text', { openid: 'o', expires_in: 0 }]) {
    world.backend.script({ status: 200, body, contentType: 'text/plain' })
    const r = await launch({ maxRetries: 2 })
    assert.equal(r.error.code, 'BAD_RESPONSE', JSON.stringify(body))
    assert.deepEqual([r.logins, r.posts], [1, 1])
    assert.equal(r.stored, undefined)
  }
})

test('a JSON answer sent as text/plain (wx.request gives a string) is still read', async () => {
  world.backend.script({ status: 200, body: JSON.stringify({ openid: 'o-text', token: 't', expiresIn: 60 }), contentType: 'text/plain' })
  const r = await launch()
  assert.equal(r.value.openid, 'o-text')
  assert.equal(r.value.expiresAt - JSON.parse(r.stored).obtainedAt, 60000)
})

test('wx.login failing, silent or without a code gives LOGIN_FAILED or TIMEOUT after retries', async () => {
  for (const [mode, code] of [['fail', 'LOGIN_FAILED'], ['no-code', 'LOGIN_FAILED'], ['number', 'LOGIN_FAILED'], ['silent', 'TIMEOUT']]) {
    const app = world.open()
    app.behaviour.login = mode
    const { error } = await settle(world.session(app, { maxRetries: 1, timeoutMs: 200 }).launch())
    assert.equal(error.code, code, mode)
    assert.doesNotMatch(error.message, /undefined/, mode + ': nothing said is not "undefined"')
    assert.equal(error.retryable, true, mode)
    assert.equal(app.stats.logins, 2, mode)
    assert.equal(app.stats.requests, 0, mode)
  }
})

test('a full storage gives STORAGE, and the session stays usable for this launch', async () => {
  const app = world.open()
  app.storage.faults.writeThrows = true
  const session = world.session(app)
  const { error } = await settle(session.launch())

  assert.equal(error.code, 'STORAGE')
  assert.match(error.message, /the platform said: setStorageSync:fail exceed storage max size/)
  assert.equal(error.session.openid, 'o-sim-user')
  assert.equal(session.current().openid, 'o-sim-user')
  assert.equal((await session.ensure()).openid, 'o-sim-user')
  assert.equal(app.stats.logins, 1)
})

test('failureToast shows one toast when a login finally fails', async () => {
  world.backend.script({ status: 500, body: {} })
  const app = world.open()
  const session = world.session(app, { maxRetries: 0, failureToast: '登录失败，请重试' })
  await Promise.all([settle(session.launch()), settle(session.ensure())])
  assert.deepEqual(app.stats.toasts, ['登录失败，请重试'])
})

test('a login URL outside the request domain list: NETWORK, with what wx said', async () => {
  const app = world.open({ requestDomains: ['https://api.example.com'] })
  const { error } = await settle(world.session(app, { maxRetries: 0 }).launch())
  assert.equal(error.code, 'NETWORK')
  assert.match(error.message, /the platform said: request:fail url not in domain list/)
})

test('a failing wx.login: LOGIN_FAILED, with what wx said', async () => {
  const app = world.open()
  app.behaviour.login = 'fail'
  const { error } = await settle(world.session(app, { maxRetries: 0 }).launch())
  assert.equal(error.code, 'LOGIN_FAILED')
  assert.match(error.message, /wx\.login gave no code; the platform said: login:fail system error/)
})

test('no unhandled promise rejection anywhere in this file', () => {
  assert.deepEqual(world.unhandled, [])
})

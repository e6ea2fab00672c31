'use strict'
// The fault matrix: every effect of the launch flow, every way it can go wrong, and what the
// app sees. Each row is a test below (same effect and fault); a test at the end checks that
// this table and the tests agree.
//
// | effect | fault | the app sees |
// | --- | --- | --- |
// | wx.login | calls fail | LOGIN_FAILED (retryable) after maxRetries |
// | wx.login | never calls back | TIMEOUT (retryable) after maxRetries |
// | wx.login | succeeds without a code | LOGIN_FAILED (retryable) after maxRetries |
// | wx.login | gives a code that is not a string | LOGIN_FAILED (retryable) after maxRetries |
// | login request | connection refused | NETWORK (retryable) after maxRetries |
// | login request | connection reset mid-body | NETWORK (retryable) after maxRetries |
// | login request | slower than timeoutMs | TIMEOUT (retryable) after maxRetries |
// | login request | HTTP 5xx | BACKEND with status (retryable) after maxRetries |
// | login request | HTTP 4xx | BACKEND with status, at once |
// | login request | errcode -1 | BACKEND with errcode (retryable) after maxRetries |
// | login request | errcode 45011 | BACKEND with errcode (retryable) after maxRetries |
// | login request | errcode 40029 | one fresh code; BACKEND 40029 if it fails again |
// | login request | errcode 40163 | one fresh code; BACKEND 40163 if it fails again |
// | login request | errcode 40226 | BACKEND 40226, at once |
// | login request | body not JSON | BAD_RESPONSE, at once |
// | login request | JSON of the wrong shape | BAD_RESPONSE, at once |
// | login request | a 10 MB body | BAD_RESPONSE (over 65536 characters), at once |
// | login request | openid empty | BAD_RESPONSE, at once |
// | login request | openid absurdly long | BAD_RESPONSE, at once |
// | login request | expires_in negative | BAD_RESPONSE, at once |
// | login request | expires_in zero | BAD_RESPONSE, at once |
// | login request | expires_in a string | BAD_RESPONSE, at once |
// | login request | expires_in absurdly large | a session, capped at one year |
// | storage | read throws | a login; the session is stored |
// | storage | write throws (quota) | STORAGE carrying the session, usable this launch |
// | storage | value of every wrong type | treated as no session: a login |
// | storage | a record from a future version | treated as no session: a login |
// | storage | a record truncated mid-JSON | treated as no session: a login |
// | clock | jumps forward a day between calls | the session expired: a login |
// | clock | jumps back a day between calls | obtained "in the future": a login |
// | clock | jumps a day during a login | a session timed from the answer |
// | lifecycle | logout() during a login | LOGGED_OUT; nothing stored |
// | lifecycle | launch() after logout() | a fresh login |
// | lifecycle | many namespaces side by side | one session each, apart |
//
// For every cell, besides what the row says: no trap, no unhandled rejection, storage holds
// nothing or one whole record, and the next launch on the same phone, with the fault gone,
// gives a session.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('fs')
const { worldPerFile, settle } = require('./fixture')

const world = worldPerFile()
const DAY = 86400000
const KEY = 'mp-session:default'

/** A phone and a session on it: `{ app, session, storageFile, launch() }`. */
function phone(options = {}) {
  const storageFile = world.newStorage()
  const app = world.open({ storageFile })
  const session = world.session(app, { maxRetries: 1, timeoutMs: 300, ...options })
  return { app, session, storageFile, launch: () => settle(session.launch()) }
}

function assertFails(outcome, code, { retryable, status, errcode, message } = {}) {
  assert.ok(outcome.error, 'expected ' + code + ', got a session')
  assert.equal(outcome.error.name, 'MpSessionError')
  assert.equal(outcome.error.code, code, outcome.error.message)
  if (retryable !== undefined) assert.equal(outcome.error.retryable, retryable)
  if (status !== undefined) assert.equal(outcome.error.status, status)
  if (errcode !== undefined) assert.equal(outcome.error.errcode, errcode)
  if (message) assert.match(outcome.error.message, message)
}

/** Storage holds no session, or one whole record. */
function assertNothingHalfWritten(app) {
  const raw = app.storage.raw(KEY)
  if (raw === undefined) return
  const record = JSON.parse(raw)
  assert.equal(record.v, 1)
  assert.ok(typeof record.openid === 'string' && record.openid.length > 0)
  assert.ok(record.expiresAt > record.obtainedAt)
}

/** With the fault gone, the next launch on the same phone gives a session. */
async function assertNextLaunchRecovers(p) {
  world.backend.script()
  const again = world.open({ storageFile: p.storageFile })
  const session = await world.session(again).launch()
  assert.equal(session.openid, 'o-sim-user')
}

const cells = []
function cell(effect, fault, run) {
  cells.push({ effect, fault })
  test(effect + ' | ' + fault, async () => {
    const p = await run()
    assert.ok(!p.app.stats.logs.some((l) => /WASM_TRAP|RuntimeError/.test(l.text)))
    assert.equal(p.app.traps.fired, 0)
    assertNothingHalfWritten(p.app)
    await assertNextLaunchRecovers(p)
  })
}

function loginFault(mode, code) {
  return async () => {
    const p = phone()
    p.app.behaviour.login = mode
    assertFails(await p.launch(), code, { retryable: true })
    assert.equal(p.app.stats.logins, 2)
    return p
  }
}

cell('wx.login', 'calls fail', loginFault('fail', 'LOGIN_FAILED'))
cell('wx.login', 'never calls back', loginFault('silent', 'TIMEOUT'))
cell('wx.login', 'succeeds without a code', loginFault('no-code', 'LOGIN_FAILED'))
cell('wx.login', 'gives a code that is not a string', loginFault('number', 'LOGIN_FAILED'))

cell('login request', 'connection refused', async () => {
  const p = phone({ loginUrl: 'http://127.0.0.1:9/auth/login' })
  assertFails(await p.launch(), 'NETWORK', { retryable: true })
  return p
})

function scripted(responses, code, details, posts) {
  return async () => {
    const p = phone()
    world.backend.script(...responses)
    const before = world.backend.stats.posts
    assertFails(await p.launch(), code, details)
    if (posts !== undefined) assert.equal(world.backend.stats.posts - before, posts)
    return p
  }
}

cell('login request', 'connection reset mid-body',
  scripted([{ resetMidBody: true }, { resetMidBody: true }], 'NETWORK', { retryable: true }, 2))
cell('login request', 'slower than timeoutMs',
  scripted([{ hang: true }, { hang: true }], 'TIMEOUT', { retryable: true }, 2))
cell('login request', 'HTTP 5xx',
  scripted([{ status: 502, body: 'bad gateway' }, { status: 500, body: {} }], 'BACKEND', { retryable: true, status: 500 }, 2))
cell('login request', 'HTTP 4xx', scripted([{ status: 404, body: {} }], 'BACKEND', { retryable: false, status: 404 }, 1))

function errcodeFault(errcode, details, posts) {
  return async () => {
    const p = phone()
    world.wechat.failNext(errcode, posts)
    const before = world.backend.stats.posts
    assertFails(await p.launch(), 'BACKEND', { errcode, ...details })
    assert.equal(world.backend.stats.posts - before, posts)
    const codes = world.backend.stats.bodies.slice(-posts).map((b) => b.code)
    assert.equal(new Set(codes).size, codes.length, 'never the same code twice')
    return p
  }
}

cell('login request', 'errcode -1', errcodeFault(-1, { retryable: true }, 2))
cell('login request', 'errcode 45011', errcodeFault(45011, { retryable: true }, 2))
cell('login request', 'errcode 40029', errcodeFault(40029, { retryable: false }, 2))
cell('login request', 'errcode 40163', errcodeFault(40163, { retryable: false }, 2))
cell('login request', 'errcode 40226', errcodeFault(40226, { retryable: false }, 1))

function badAnswer(body, message) {
  return scripted([{ status: 200, body }], 'BAD_RESPONSE', { retryable: false, status: 200, message }, 1)
}

cell('login request', 'body not JSON', badAnswer('<html>hello</html>', /not a JSON object/))
cell('login request', 'JSON of the wrong shape', badAnswer({ openid: 42, token: ['t'] }, /not a JSON object of the documented shape/))
cell('login request', 'a 10 MB body', badAnswer('x'.repeat(10 * 1024 * 1024), /too large to read: over 65536 characters/))
cell('login request', 'openid empty', badAnswer({ openid: '', token: 't' }, /no openid/))
cell('login request', 'openid absurdly long', badAnswer({ openid: 'o'.repeat(5000), token: 't' }, /longer than 128 bytes/))
cell('login request', 'expires_in negative', badAnswer({ openid: 'o-1', expires_in: -60 }, /expires_in/))
cell('login request', 'expires_in zero', badAnswer({ openid: 'o-1', expires_in: 0 }, /expires_in/))
cell('login request', 'expires_in a string', badAnswer({ openid: 'o-1', expires_in: '7200' }, /documented shape/))

cell('login request', 'expires_in absurdly large', async () => {
  const p = phone()
  world.backend.script({ status: 200, body: { openid: 'o-sim-user', token: 't', expires_in: 1e300 } })
  const { value } = await p.launch()
  const record = JSON.parse(p.app.storage.raw(KEY))
  assert.equal(value.expiresAt - record.obtainedAt, 365 * DAY)
  return p
})

cell('storage', 'read throws', async () => {
  const p = phone()
  p.app.storage.faults.readThrows = true
  const { value } = await p.launch()
  assert.equal(value.source, 'login')
  assert.equal(JSON.parse(p.app.storage.raw(KEY)).openid, 'o-sim-user')
  return p
})

cell('storage', 'write throws (quota)', async () => {
  const p = phone()
  p.app.storage.faults.writeThrows = true
  const outcome = await p.launch()
  assertFails(outcome, 'STORAGE', { retryable: false })
  assert.equal(outcome.error.session.openid, 'o-sim-user')
  assert.equal(p.session.current().openid, 'o-sim-user')
  assert.equal(p.app.storage.raw(KEY), undefined)
  return p
})

function storedValue(values) {
  return async () => {
    let last
    for (const raw of values) {
      const p = phone()
      p.app.storage.putRaw(KEY, raw)
      const { value } = await p.launch()
      assert.equal(value.source, 'login', raw.slice(0, 60))
      last = p
    }
    return last
  }
}

cell('storage', 'value of every wrong type', storedValue([
  '42', 'true', 'false', '[]', '[{"v":1}]', '"a string"', '{}', '{"v":"1","openid":"o"}', '{"v":1,"openid":["o"]}',
  '{"v":1,"openid":"o","expiresAt":"tomorrow","obtainedAt":0}', '{"v":1,"openid":"o","expiresAt":1.5,"obtainedAt":0}',
]))
cell('storage', 'a record from a future version', storedValue([
  JSON.stringify({ v: 2, openid: 'o-old', expiresAt: Date.now() + DAY, obtainedAt: Date.now(), sessionId: 'x' }),
]))
cell('storage', 'a record truncated mid-JSON', storedValue([
  JSON.stringify('{"v":1,"openid":"o-old","expiresAt":' + (Date.now() + DAY)),
]))

cell('clock', 'jumps forward a day between calls', async () => {
  const p = phone()
  await p.launch()
  p.app.clock.offsetMs = DAY
  const again = await p.session.ensure()
  assert.equal(p.app.stats.logins, 2)
  assert.ok(again.expiresAt > Date.now() + DAY)
  return p
})

cell('clock', 'jumps back a day between calls', async () => {
  const p = phone()
  await p.launch()
  p.app.clock.offsetMs = -DAY
  await p.session.ensure()
  assert.equal(p.app.stats.logins, 2)
  p.app.clock.offsetMs = 0
  return p
})

cell('clock', 'jumps a day during a login', async () => {
  const p = phone()
  world.backend.script({ hang: true })
  await p.session.deviceId()
  const launching = p.launch()
  await p.app.waitFor(() => p.app.stats.requests === 1, 2000, 'the login request')
  p.app.clock.offsetMs = DAY
  const { value } = await launching // the hung request times out; the retry runs on the new clock
  const record = JSON.parse(p.app.storage.raw(KEY))
  assert.ok(record.obtainedAt >= Date.now() + DAY - 60000)
  assert.equal(value.expiresAt, record.expiresAt)
  p.app.clock.offsetMs = 0
  return p
})

cell('lifecycle', 'logout() during a login', async () => {
  const p = phone()
  world.backend.script({ hang: true })
  await p.session.deviceId()
  const launching = p.launch()
  await p.app.waitFor(() => p.app.stats.requests === 1, 2000, 'the login request')
  await p.session.logout()
  assertFails(await launching, 'LOGGED_OUT', { retryable: true })
  assert.equal(p.app.storage.raw(KEY), undefined)
  return p
})

cell('lifecycle', 'launch() after logout()', async () => {
  const p = phone()
  await p.launch()
  await p.session.logout()
  const { value } = await p.launch()
  assert.equal(value.source, 'login')
  assert.equal(p.app.stats.logins, 2)
  return p
})

cell('lifecycle', 'many namespaces side by side', async () => {
  const p = phone()
  const names = ['shop', 'pay', 'chat', 'maps', 'news']
  const sessions = names.map((namespace) => world.session(p.app, { namespace }))
  const results = await Promise.all(sessions.map((s) => s.launch()))
  assert.ok(results.every((s) => s.openid === 'o-sim-user'))
  assert.equal(p.app.stats.logins, names.length)
  for (const name of names) assert.equal(JSON.parse(p.app.storage.raw('mp-session:' + name)).v, 1)
  await sessions[0].logout()
  assert.equal(p.app.storage.raw('mp-session:shop'), undefined)
  assert.equal((await sessions[1].ensure()).source, 'login', 'the others are untouched')
  assert.equal(p.app.stats.logins, names.length)
  return p
})

test('the table at the top of this file lists exactly the cells tested here', () => {
  const rows = fs.readFileSync(__filename, 'utf8').split('\n')
    .filter((line) => /^\/\/ \| (?!effect|---)/.test(line))
    .map((line) => line.split('|').slice(1, 3).map((c) => c.trim()).join(' | '))
  assert.deepEqual(rows, cells.map((c) => c.effect + ' | ' + c.fault))
})

test('no unhandled promise rejection anywhere in this file', () => {
  assert.deepEqual(world.unhandled, [])
})

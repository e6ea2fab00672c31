'use strict'
// The whole flow as one product: the example mini-program in the strict simulator → the real
// mp-session-server → the mock WeChat, which checks the AppSecret and the codes the
// simulator's wx.login issued. The server keeps its sessions in SQLite, or in a redis-server
// of this test's own with MP_SESSION_TEST_STORE=redis (server-redis.test.js).
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('fs')
const os = require('os')
const path = require('path')
const { worldPerFile, settle } = require('./fixture')
const { startLoginServer, startRedis } = require('../support/login-server')

const world = worldPerFile()
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-session-server-'))
const STORE = process.env.MP_SESSION_TEST_STORE || 'sqlite'
let store = null
let redis = null
let server = null
/** Every token the server handed out in this file: their secret halves must not reach its log or store. */
const tokens = []

/** The server, started on first use (after the world's own set-up). */
async function started() {
  if (!store) {
    if (STORE === 'redis') redis = await startRedis(dir)
    store = redis ? redis.url : 'sqlite://' + path.join(dir, 'sessions.db')
  }
  if (!server) server = await startLoginServer({ wechat: world.wechat, store })
  return server
}

test.after(async () => {
  if (server) await server.stop()
  if (redis) await redis.stop()
  // The server's log and its store's files join what the leak scan reads
  // (scripts/scan-secrets.js), with the token secrets it must not find there.
  const output = process.env.MP_SESSION_TEST_OUTPUT || path.join(__dirname, '..', '..', 'test-output')
  const name = 'server-' + STORE + '-' + process.pid
  for (const folder of ['server', 'secrets']) fs.mkdirSync(path.join(output, folder), { recursive: true })
  fs.writeFileSync(path.join(output, 'server', name + '.log'), logs.join('') + (server ? server.log() : ''))
  fs.writeFileSync(path.join(output, 'secrets', name + '.tokens.json'), JSON.stringify(tokens.map((t) => t.split('.')[1])))
  fs.cpSync(dir, path.join(output, 'stores', name), { recursive: true })
  fs.rmSync(dir, { recursive: true, force: true })
})

/** The logs of servers stopped before the last. */
const logs = []

/** Restarts the server over the same store (and port, when `samePort`). */
async function restart({ crash = false, samePort = false } = {}) {
  await (crash ? server.crash() : server.stop())
  logs.push(server.log())
  const listen = samePort ? new URL(server.url).host : undefined
  server = await startLoginServer({ wechat: world.wechat, store, listen })
}

/** A launch's session, its token recorded for the leak scan. */
async function launched(s) {
  const got = await s.launch()
  tokens.push(got.token)
  return got
}

const session = (app) => world.session(app, { loginUrl: server.loginUrl, allowedOrigins: [server.url] })

test.beforeEach(() => started())

test('cold launch logs in through the server, warm launch calls nothing, and the token opens the server', async () => {
  const storageFile = world.newStorage()
  const app = world.open({ storageFile })
  const cold = await launched(session(app))
  assert.deepEqual([cold.openid, cold.unionid, cold.source], ['o-sim-user', 'u-sim-user', 'login'])
  assert.match(cold.token, /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/)
  assert.equal(app.stats.logins, 1)

  const again = world.open({ storageFile })
  const s = session(again)
  const warm = await s.launch()
  assert.equal(warm.source, 'cache')
  assert.equal(again.stats.logins, 0)
  const answer = await s.request({ url: server.url + '/auth/session', method: 'GET' })
  assert.equal(answer.statusCode, 200)
  assert.equal(answer.data.openid, 'o-sim-user')
})

test('a code WeChat refuses passes through to the client rules: one fresh code, then the session', async () => {
  const app = world.open()
  world.wechat.failNext(40029)
  const got = await session(app).launch()
  assert.equal(got.openid, 'o-sim-user')
  assert.equal(app.stats.logins, 2, 'the client asked for one fresh code')
})

test('logout ends the session on the server too', async () => {
  const app = world.open()
  const s = session(app)
  const { token } = await launched(s)
  await s.logout()
  // logout() removes the phone's copy; the server's session ends when the app tells it.
  const ended = await fetch(server.url + '/auth/logout', { method: 'POST', headers: { authorization: 'Bearer ' + token } })
  assert.equal(ended.status, 200)
  const after = await fetch(server.url + '/auth/session', { headers: { authorization: 'Bearer ' + token } })
  assert.equal(after.status, 401)
  assert.equal((await after.json()).error.code, 'SESSION_EXPIRED')
})

test('a session outlives a restart of the server, and its files hold no secret in clear (' + STORE + ')', async () => {
  const app = world.open()
  const { token } = await launched(session(app))
  await restart()
  const alive = await fetch(server.url + '/auth/session', { headers: { authorization: 'Bearer ' + token } })
  assert.equal(alive.status, 200)

  const files = fs.readdirSync(dir, { recursive: true })
    .map((f) => path.join(dir, f))
    .filter((f) => fs.statSync(f).isFile())
    .map((f) => fs.readFileSync(f, 'latin1'))
    .join('')
  assert.ok(files.includes('o-sim-user'), 'the store wrote its sessions into ' + dir)
  assert.ok(!files.includes(world.wechat.secret), 'no AppSecret in the database')
  assert.ok(!files.includes(token.split('.')[1]), 'no token secret in the database')
  assert.ok(!server.log().includes(world.wechat.secret), 'no AppSecret in the log')
  assert.ok(!server.log().includes(token.split('.')[1]), 'no token in the log')
})

test('the server answers bad input with JSON the client can show', async () => {
  const { error } = await settle(world.session(world.open(), { loginUrl: server.url + '/no-such-endpoint', maxRetries: 0 }).launch())
  assert.equal(error.code, 'BACKEND')
  const bad = await fetch(server.loginUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"code":' })
  assert.equal(bad.status, 400)
  assert.equal((await bad.json()).error.code, 'BAD_REQUEST')
})

test('a server given the wrong AppSecret: the app sees errcode 40125, the log names the settings to check', async () => {
  await started()
  const wrong = await startLoginServer({
    wechat: { ...world.wechat, secret: 'not-this-apps-secret' },
    store: 'sqlite://' + path.join(dir, 'wrong-secret.db'),
  })
  try {
    const { error } = await settle(world.session(world.open(), { loginUrl: wrong.loginUrl, maxRetries: 0 }).launch())
    assert.equal(error.code, 'BACKEND')
    assert.equal(error.errcode, 40125)
  } finally {
    await wrong.stop()
    logs.push(wrong.log())
  }
  assert.match(wrong.log(), /ERROR .*refused this server's AppID or AppSecret: check --appid \/ MP_SESSION_APPID and --secret-file \/ MP_SESSION_SECRET/)
  assert.ok(!wrong.log().includes('not-this-apps-secret'), 'no AppSecret in the log')
})

test('every errcode rule of the contract, through the server: busy and rate limits retried, a used code replaced, a blocked user refused', async () => {
  for (const errcode of [-1, 45011]) {
    const app = world.open()
    const calls = world.wechat.stats.code2SessionCalls
    world.wechat.failNext(errcode, 3) // the server's own three tries, then the client's rule
    const got = await launched(session(app))
    assert.equal(got.openid, 'o-sim-user', 'errcode ' + errcode)
    assert.equal(world.wechat.stats.code2SessionCalls - calls, 4, 'errcode ' + errcode + ': 3 tries, then the client once more')
  }
  const app = world.open()
  world.wechat.failNext(40163)
  assert.equal((await launched(session(app))).openid, 'o-sim-user')
  assert.equal(app.stats.logins, 2, 'a used code: one fresh code')

  world.wechat.failNext(40226)
  const { error } = await settle(session(world.open(), { maxRetries: 0 }).launch())
  assert.deepEqual([error.code, error.errcode, error.retryable], ['BACKEND', 40226, false])
})

test("a server's 429: a Retry-After a backoff covers is waited out; a longer one fails the launch at once, and no login goes out until it has passed", async () => {
  await started()
  const limited = async (perMinute) => startLoginServer({
    wechat: world.wechat,
    store: 'sqlite://' + path.join(dir, 'limited-' + perMinute + '.db'),
    args: ['--logins-per-minute-per-user', String(perMinute)],
  })
  // 12 logins a minute: the budget refills one every 5 s.
  const every5s = await limited(12)
  try {
    const launch = () => world.session(world.open(), { loginUrl: every5s.loginUrl, allowedOrigins: [every5s.url] }).launch()
    // The whole budget spent at once, then one more: answered 429, Retry-After up to 5, and
    // tried again after it.
    await Promise.all(Array.from({ length: 12 }, launch))
    const app = world.open()
    const started = Date.now()
    const got = await world.session(app, { loginUrl: every5s.loginUrl, allowedOrigins: [every5s.url] }).launch()
    assert.equal(got.openid, 'o-sim-user')
    assert.equal(app.stats.logins, 2, 'a fresh code after the wait')
    assert.ok(Date.now() - started >= 1000, 'waited for Retry-After, not for a short backoff: ' + (Date.now() - started) + ' ms')
  } finally {
    await every5s.stop()
    logs.push(every5s.log())
  }
  // One login a minute: Retry-After is about 60 s, longer than a backoff waits.
  const everyMinute = await limited(1)
  try {
    await world.session(world.open(), { loginUrl: everyMinute.loginUrl }).launch()
    const app = world.open()
    const s = world.session(app, { loginUrl: everyMinute.loginUrl })
    const started = Date.now()
    const { error } = await settle(s.launch())
    assert.deepEqual([error.code, error.status, error.retryable, error.backendCode], ['BACKEND', 429, true, 'RATE_LIMITED'])
    // The words the READMEs' "errors you are likely to meet first" quote.
    assert.match(error.message, /^mp-session: backend asked to wait before the next login \(HTTP 429\); the backend said: RATE_LIMITED: too many logins of this user \(--logins-per-minute-per-user\): try again in \d+ s$/)
    assert.ok(Date.now() - started < 5000, 'failed at once')
    const again = await settle(s.launch())
    assert.deepEqual([again.error.code, again.error.status], ['BACKEND', 429])
    assert.equal(again.error.message, 'mp-session: backend asked to wait before the next login (HTTP 429)')
    assert.equal(app.stats.logins, 1, 'no login while the server asks to wait')
  } finally {
    await everyMinute.stop()
    logs.push(everyMinute.log())
  }
})

test('a phone number bound through the server: the button code, posted with the session token', async () => {
  const app = world.open()
  const s = session(app)
  await launched(s)
  const code = world.wechat.issuePhoneCode('13800138000')
  const bound = await s.request({ url: server.url + '/auth/phone', method: 'POST', data: { code } })
  assert.equal(bound.statusCode, 200, JSON.stringify(bound.data))
  assert.deepEqual(bound.data, { phoneNumber: '13800138000', purePhoneNumber: '13800138000', countryCode: '86' })
  const who = await s.request({ url: server.url + '/auth/session', method: 'GET' })
  assert.equal(who.data.phone.phoneNumber, '13800138000')
  const again = await s.request({ url: server.url + '/auth/phone', method: 'POST', data: { code } })
  assert.deepEqual([again.statusCode, again.data.error.code], [400, 'PHONE_CODE_INVALID'])
  assert.equal(world.wechat.stats.stableTokenCalls, 1, 'one access_token for both')
})

test('a Douyin app logs in through the server: with a code, and anonymously', async () => {
  const known = await launched(session(world.open({ host: 'tt' }), { platform: 'tt' }))
  assert.deepEqual([known.openid, known.unionid], ['o-sim-user', 'u-sim-user'])
  const app = world.open({ host: 'tt' })
  app.behaviour.douyinLoggedIn = false
  const anonymous = await launched(session(app, { platform: 'tt' }))
  assert.equal(anonymous.openid, 'anon-o-sim-user')
  assert.equal(app.stats.dialogs || 0, 0, 'no login dialog')
})

test('a server killed in the middle of a login finishes nothing, and the client\'s retry logs in on the restarted server', async () => {
  const app = world.open()
  const logged = server.log().length
  world.wechat.delayNext(1500)
  const received = world.wechat.stats.received
  const launching = launched(session(app, { maxRetries: 3 }))
  // Killed once the server has asked WeChat, before WeChat answers.
  const deadline = Date.now() + 10000
  while (world.wechat.stats.received === received) {
    assert.ok(Date.now() < deadline, 'the login never reached WeChat')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  await restart({ crash: true, samePort: true })
  const got = await launching
  assert.equal(got.openid, 'o-sim-user')
  const alive = await fetch(server.url + '/auth/session', { headers: { authorization: 'Bearer ' + got.token } })
  assert.equal(alive.status, 200)
  assert.ok(!logs.at(-1).slice(logged).includes('logged in'), 'the killed server finished no login')
})

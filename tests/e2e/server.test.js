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
  // The server's log joins what the leak scan reads (scripts/scan-secrets.js).
  const out = path.join(process.env.MP_SESSION_TEST_OUTPUT || path.join(__dirname, '..', '..', 'test-output'), 'server')
  fs.mkdirSync(out, { recursive: true })
  fs.writeFileSync(path.join(out, 'server-' + STORE + '-' + process.pid + '.log'), server ? server.log() : '')
  fs.rmSync(dir, { recursive: true, force: true })
})

const session = (app) => world.session(app, { loginUrl: server.loginUrl, allowedOrigins: [server.url] })

test.beforeEach(() => started())

test('cold launch logs in through the server, warm launch calls nothing, and the token opens the server', async () => {
  const storageFile = world.newStorage()
  const app = world.open({ storageFile })
  const cold = await session(app).launch()
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
  const { token } = await s.launch()
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
  const { token } = await session(app).launch()
  await server.stop()
  server = await startLoginServer({ wechat: world.wechat, store })
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

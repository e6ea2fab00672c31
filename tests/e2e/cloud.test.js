'use strict'
// WeChat cloud development: `cloudFunction: 'login'` in place of loginUrl. The function is
// examples/cloudfunctions/login, run by the simulator's wx.cloud with the user's context
// injected; no wx.login code is made and nothing is posted to a backend.
const test = require('node:test')
const assert = require('node:assert/strict')
const { worldPerFile, settle } = require('./fixture')
const { loadCloudFunction } = require('../support/cloud-function')

const world = worldPerFile()
const login = loadCloudFunction('login')

/** A phone whose app calls wx.cloud.init() in app.js, as the cloud needs. */
function open(options = {}) {
  const app = world.open({ cloudFunctions: { login }, ...options })
  app.evaluate("wx.cloud.init({ env: 'test-env' })")
  return app
}

const session = (app, options = {}) => world.session(app, { loginUrl: undefined, cloudFunction: 'login', ...options })

test('cold launch: one cloud function call, no wx.login, no POST, one write', async () => {
  const app = open()
  const posts = world.backend.stats.posts
  const got = await session(app).launch()
  assert.deepEqual([got.openid, got.unionid, got.token, got.source], ['o-sim-user', 'u-sim-user', null, 'login'])
  assert.ok(got.expiresAt > Date.now() + 6 * 24 * 3600 * 1000, 'the function said 7 days')
  assert.equal(app.stats.cloudCalls, 1)
  assert.equal(app.stats.logins, 0)
  assert.equal(world.backend.stats.posts - posts, 0)
  assert.equal(app.storage.stats.writes, 1)
})

test('warm launch: nothing called', async () => {
  const storageFile = world.newStorage()
  await session(open({ storageFile })).launch()
  const again = open({ storageFile })
  const got = await session(again).launch()
  assert.equal(got.source, 'cache')
  assert.equal(again.stats.cloudCalls || 0, 0)
})

test('a failing call is retried by the same rules, then reported as NETWORK, retryable', async () => {
  const app = open()
  app.behaviour.cloud = 'fail'
  const { error } = await settle(session(app, { maxRetries: 1 }).launch())
  assert.equal(error.code, 'NETWORK')
  assert.equal(error.retryable, true)
  assert.match(error.message, /the cloud function call failed/)
  assert.match(error.detail, /cloud\.callFunction:fail functions execute fail/)
  assert.equal(app.stats.cloudCalls, 2)
  app.behaviour.cloud = 'ok'
  assert.equal((await session(app).launch()).openid, 'o-sim-user')
})

test('a function that never answers times out and is retried', async () => {
  const app = open()
  app.behaviour.cloud = 'silent'
  const { error } = await settle(session(app, { timeoutMs: 200, maxRetries: 1 }).launch())
  assert.equal(error.code, 'TIMEOUT')
  assert.match(error.message, /the cloud function took longer than timeoutMs/)
  assert.equal(app.stats.cloudCalls, 2)
})

test('a function not deployed, or wx.cloud not initialised, is reported with what the cloud said', async () => {
  const app = open()
  const missing = await settle(session(app, { cloudFunction: 'no-such-function', maxRetries: 0 }).launch())
  assert.match(missing.error.detail, /FunctionName parameter could not be found/)
  const uninitialised = world.open({ cloudFunctions: { login } })
  const early = await settle(session(uninitialised, { maxRetries: 0 }).launch())
  assert.match(early.error.detail, /please call wx\.cloud\.init first/)
})

test('calls at once share one function call', async () => {
  const app = open()
  const s = session(app)
  const all = await Promise.all(Array.from({ length: 30 }, () => s.ensure()))
  assert.ok(all.every((got) => got.openid === 'o-sim-user'))
  assert.equal(app.stats.cloudCalls, 1)
})

test('cloudFunction needs wx.cloud, and takes the place of loginUrl, not both', async () => {
  const app = world.open({ host: 'qq' })
  const noCloud = await settle(world.session(app, { loginUrl: undefined, cloudFunction: 'login' }, 'plain').launch())
  assert.equal(noCloud.error.code, 'INVALID_CONFIG')
  assert.match(noCloud.error.message, /cloudFunction needs wx\.cloud/)
  const both = await settle(world.session(open(), { cloudFunction: 'login' }).launch())
  assert.match(both.error.message, /give loginUrl or cloudFunction, not both/)
})

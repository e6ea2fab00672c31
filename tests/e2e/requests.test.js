'use strict'
// session.request end to end: the token on the wire, one shared re-login after a 401, the
// once-only retry, the concurrency limit, where the token may go, and recovery from a trap.
const test = require('node:test')
const assert = require('node:assert/strict')
const { worldPerFile, settle } = require('./fixture')

const world = worldPerFile()

async function signedIn(options = {}) {
  const app = world.open()
  const session = world.session(app, options)
  await session.launch()
  return { app, session, api: (path) => world.backend.base + path }
}

test('a request carries the session token and resolves with the answer', async () => {
  const { app, session, api } = await signedIn()
  const response = await session.request({ url: api('/api/me'), method: 'GET', header: { 'x-app': 'demo' } })

  assert.equal(response.statusCode, 200)
  assert.equal(response.data.openid, 'o-sim-user')
  assert.match(world.backend.stats.api.authorizations.at(-1), /^Bearer tok-[0-9a-f]+$/)
  assert.equal(app.stats.logins, 1)
})

test('after the backend forgets its tokens, ten requests share one re-login and each is retried once', async () => {
  const { app, session, api } = await signedIn()
  const before = world.backend.stats.api.requests
  world.backend.revokeTokens()

  const responses = await Promise.all(Array.from({ length: 10 }, () => session.request({ url: api('/api/orders') })))

  assert.ok(responses.every((r) => r.statusCode === 200))
  assert.equal(app.stats.logins, 2)
  // Nine go out at once and come back 401, and are retried once; the tenth waited in the
  // queue and goes out only with the new token.
  assert.equal(world.backend.stats.api.requests - before, 9 * 2 + 1)
  assert.equal(JSON.parse(app.storage.raw('mp-session:default')).token, world.backend.stats.api.authorizations.at(-1).slice(7))
})

test('a session rejected again after the re-login is SESSION_REJECTED, never a loop', async () => {
  const { app, session, api } = await signedIn()
  for (let i = 0; i < 3; i++) {
    const { error } = await settle(session.request({ url: api('/api/orders?reject=1') }))
    assert.equal(error.code, 'SESSION_REJECTED')
  }
  assert.equal(app.stats.logins, 2, 'the launch and one re-login; then a 60 s pause')
})

test('isSessionExpired lets a backend signal rejection in the body', async () => {
  const { app, session, api } = await signedIn({ isSessionExpired: (r) => r.data && r.data.error === 'session expired' })
  const { error } = await settle(session.request({ url: api('/api/orders?reject=body') }))
  assert.equal(error.code, 'SESSION_REJECTED')
  assert.equal(app.stats.logins, 2)
})

test('attachToken places the token where the app says', async () => {
  const { session, api } = await signedIn({
    attachToken: (options, token) => ({ ...options, url: options.url + '?token=' + encodeURIComponent(token) }),
  })
  const response = await session.request({ url: api('/api/me') })
  assert.equal(response.statusCode, 200)
  assert.equal(world.backend.stats.api.authorizations.at(-1), '')
})

test('thirty requests at once: never more than nine under way, none failed', async () => {
  const { session, api } = await signedIn()
  world.backend.stats.api.mostInFlight = 0
  const responses = await Promise.all(Array.from({ length: 30 }, () => session.request({ url: api('/api/slow?delay=30') })))
  assert.ok(responses.every((r) => r.statusCode === 200))
  assert.equal(world.backend.stats.api.mostInFlight, 9)
})

test('the token never goes to another origin or over plain http', async () => {
  const { session, api } = await signedIn()
  const before = world.backend.stats.api.requests
  for (const url of ['https://evil.example.net/steal', 'http://api.example.com/x', api('/api/me').replace('127.0.0.1', 'localhost')]) {
    const { error } = await settle(session.request({ url }))
    assert.equal(error.code, 'INVALID_ARGUMENT', url)
  }
  const { error } = await settle(session.request({ method: 'GET' }))
  assert.equal(error.code, 'INVALID_ARGUMENT')
  assert.equal(world.backend.stats.api.requests, before)
})

test('a failed request is NETWORK and costs no login', async () => {
  const { app, session } = await signedIn({ allowedOrigins: ['http://127.0.0.1:9', 'http://127.0.0.1'] })
  const { error } = await settle(session.request({ url: 'http://127.0.0.1:9/nothing-listens' }))
  assert.equal(error.code, 'NETWORK')
  assert.equal(app.stats.logins, 1)
})

test('a login answer over 64 KiB is refused unread', async () => {
  const app = world.open()
  world.backend.script({ status: 200, body: JSON.stringify({ openid: 'o', pad: 'x'.repeat(10 * 1024 * 1024) }) })
  const { error } = await settle(world.session(app, { maxRetries: 0 }).launch())
  assert.equal(error.code, 'BAD_RESPONSE')
  assert.match(error.message, /too large to read: over 65536 characters/)
})

test('a trap rejects the calls under way with WASM_TRAP, and the next call loads a fresh core', async () => {
  const app = world.open()
  const first = world.session(app)
  const second = world.session(app, { namespace: 'other' })
  await first.launch()
  await second.launch()
  world.backend.script({ hang: true })
  const waiting = settle(second.request({ url: world.backend.base + '/api/me?delay=200' }))

  app.traps.next = 'mps_input'
  const { error } = await settle(first.ensure())
  assert.equal(error.code, 'WASM_TRAP')
  assert.equal(error.retryable, true)
  assert.equal((await waiting).error.code, 'WASM_TRAP', 'the other session on the same core hears it too')
  assert.equal(first.current(), null)

  const again = await first.ensure()
  assert.equal(again.source, 'cache', 'the fresh core reads the stored session')
  assert.equal((await second.ensure()).openid, 'o-sim-user')
  assert.equal(app.stats.instantiations, 2)
  assert.equal(app.traps.fired, 1)
  world.backend.script()
})

test('a trap while a session is made in the core: WASM_TRAP, and the next call starts afresh', async () => {
  const app = world.open()
  app.traps.next = 'mps_create'
  const session = world.session(app)
  const { error } = await settle(session.launch())
  assert.equal(error.code, 'WASM_TRAP')
  assert.equal((await session.launch()).openid, 'o-sim-user')
  assert.equal(app.traps.fired, 1)
})

test('no unhandled promise rejection anywhere in this file', () => {
  assert.deepEqual(world.unhandled, [])
})

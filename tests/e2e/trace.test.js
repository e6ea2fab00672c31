'use strict'
// The flight recorder's first half: with `trace: recorder()` (mp-session/trace), a session
// keeps its exchanges with the core
// (each input as it crossed, the effects answered), redacted as it is made. A trace is taken
// through each fault of the matrix, and none holds a secret the test knows: a login code, a
// token, an openid or unionid, a nickname, a request URL's query.
const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('path')
const { worldPerFile, settle, plain } = require('./fixture')
const { installedPackage } = require('../support/tarball')

// The recorder as an app gets it (Taro, uni-app; a native project copies the file).
const { recorder } = require(path.join(installedPackage(), 'trace', 'index.js'))

const world = worldPerFile()

/** Every secret this world has handed out so far, and the ones the test adds. */
function secrets(extra) {
  return [
    ...world.wechat.secrets(),
    ...world.backend.stats.tokens.keys(),
    'o-sim-user', 'u-sim-user',
    ...extra,
  ].filter((s) => typeof s === 'string' && s.length >= 4)
}

/** The trace as JSON, held to contain none of `known`. */
function clean(trace, known) {
  const text = JSON.stringify(trace)
  for (const secret of known) assert.ok(!text.includes(secret), 'the trace holds a secret: ' + secret.slice(0, 6) + '…')
  return text
}

test('a cold launch, traced: every exchange with the core, the version and the options, and no secret', async () => {
  const app = world.open()
  const session = world.session(app, { trace: recorder() })
  const s = await session.launch()
  const trace = plain(session.trace())
  const tokens = [s.token]

  assert.equal(trace.version, '0.2.0')
  assert.deepEqual(trace.options, { loginUrl: world.backend.loginUrl })
  assert.ok(trace.entries.length >= 4, trace.entries.length + ' entries')
  assert.ok(trace.entries.every((e) => Array.isArray(e.slots) && typeof e.texts === 'string' && Array.isArray(e.effects)))
  // The stored session written: its strings as places and lengths, never their text.
  const write = trace.entries.flatMap((e) => e.effects).find((e) => e.record)
  assert.deepEqual(Object.keys(write.record.token), ['h', 'n'])
  assert.equal(write.record.token.n, s.token.length)
  const text = clean(trace, secrets(tokens))
  console.log('a traced cold launch: ' + trace.entries.length + ' exchanges, ' + text.length + ' bytes of JSON')
})

test('the fault matrix, traced: a 40029 then a fresh code, a network failure retried, a 401 and its re-login, a logout during a login, a clock moved back', async () => {
  const known = ['小明', 'SEKRET-QUERY']
  const traces = []
  const take = (session) => traces.push(plain(session.trace()))

  world.wechat.failNext(40029)
  let app = world.open()
  let session = world.session(app, { trace: recorder() })
  known.push((await session.launch()).token)
  await session.setUserInfo({ nickName: '小明' })
  take(session)

  world.backend.script({ destroy: true })
  app = world.open()
  session = world.session(app, { trace: recorder(), namespace: 'network' })
  known.push((await session.launch()).token)
  take(session)

  const storageFile = world.newStorage()
  await world.session(world.open({ storageFile }), {}).launch()
  app = world.open({ storageFile })
  session = world.session(app, { trace: recorder() })
  await session.launch()
  world.backend.revokeTokens()
  const answer = await session.request({ url: world.backend.base + '/api/me?key=SEKRET-QUERY' })
  assert.equal(answer.statusCode, 200)
  known.push((await session.ensure()).token)
  take(session)

  app = world.open()
  app.behaviour.login = 'silent'
  session = world.session(app, { trace: recorder(), timeoutMs: 200 })
  const launching = settle(session.launch())
  await new Promise((resolve) => setTimeout(resolve, 20))
  await session.logout()
  assert.equal((await launching).error.code, 'LOGGED_OUT')
  take(session)

  const later = world.newStorage()
  await world.session(world.open({ storageFile: later }), {}).launch()
  app = world.open({ storageFile: later })
  app.clock.offsetMs = -3600 * 1000
  session = world.session(app, { trace: recorder() })
  known.push((await session.launch()).token)
  take(session)

  for (const trace of traces) {
    assert.ok(trace.entries.length > 0)
    clean(trace, secrets(known))
  }
  // The request's URL crossed with its query blanked, its length kept.
  const request = traces[2].entries.find((e) => e.texts.includes('/api/me?'))
  assert.match(request.texts, /\/api\/me\?x{16}/)
})

test('without trace nothing is kept; a recorder keeps its last N; a wrong trace is INVALID_CONFIG', async () => {
  const app = world.open()
  const off = world.session(app)
  await off.launch()
  assert.equal(off.trace(), null)

  const short = world.session(world.open(), { trace: recorder(3), namespace: 'short' })
  await short.launch()
  assert.equal(plain(short.trace()).entries.length, 3)
  assert.throws(() => recorder(0), /keeps 1 to 10000 exchanges/)

  const { error } = await settle(world.session(world.open(), { trace: true }).launch())
  assert.equal(error.code, 'INVALID_CONFIG')
  assert.match(error.message, /trace must be recorder\(\) of mp-session\/trace/)
})

'use strict'
// Backends of their own shape, described by the `login` option, in the strict simulator
// against the development backend's other login endpoints (tests/support/dev-backend.js):
// an envelope answered to a GET, a Laravel/Django-style form POST, and a Spring session
// cookie. The README's page
// "your backend already has a login endpoint" shows these options.
const test = require('node:test')
const assert = require('node:assert/strict')
const { worldPerFile } = require('./fixture')

const world = worldPerFile()

/** The envelope backend: `GET /wx/login?js_code=…&appid=…` → `{ code, msg, data }`. */
function envelope() {
  return {
    loginUrl: world.backend.envelopeUrl,
    namespace: 'envelope',
    login: {
      method: 'GET',
      codeField: 'js_code',
      fields: { appid: world.wechat.appid },
      answer: { status: 'code', message: 'msg', token: 'data.token', userId: 'data.userId', expiresIn: 'data.expire' },
    },
  }
}

/** The Laravel/Django-style backend: a form POST → `{ access_token, expires_in, user: { id } }`. */
function form() {
  return {
    loginUrl: world.backend.formUrl,
    namespace: 'form',
    login: {
      body: 'form',
      fields: { grant_type: 'wechat' },
      answer: { token: 'access_token', userId: 'user.id' },
    },
  }
}

/** The Spring backend: a form POST → `{ id, nickname }`, the session in its JSESSIONID cookie. */
function spring() {
  return {
    loginUrl: world.backend.springUrl,
    namespace: 'spring',
    login: {
      body: 'form',
      answer: { token: { cookie: 'JSESSIONID' }, userId: 'id' },
    },
  }
}

test('an envelope backend: a GET with the code in the query, the user id and token read from data', async () => {
  const storageFile = world.newStorage()
  const app = world.open({ storageFile })
  const requests = world.backend.stats.requests.length
  const session = await world.session(app, envelope()).launch()

  assert.equal(session.source, 'login')
  assert.equal(session.openid, null)
  assert.equal(typeof session.userId, 'number')
  assert.match(session.token, /^tok-/)
  assert.ok(Math.abs(session.expiresAt - (Date.now() + 7200 * 1000)) < 60000)
  const sent = world.backend.stats.requests.slice(requests)
  assert.equal(sent.length, 1)
  assert.equal(sent[0].method, 'GET')
  assert.deepEqual([...new URLSearchParams(sent[0].query).keys()], ['js_code', 'appid'])
  assert.equal(new URLSearchParams(sent[0].query).get('js_code'), app.stats.codes.at(-1))

  // The token reaches the backend's API, and the next launch is a cached one.
  const answer = await world.session(app, envelope()).request({ url: world.backend.base + '/api/me' })
  assert.equal(answer.statusCode, 200)
  app.close()
  const again = world.open({ storageFile })
  const cached = await world.session(again, envelope()).launch()
  assert.deepEqual([cached.source, cached.userId, again.stats.logins], ['cache', session.userId, 0])
})

test("an envelope's failure: its message is the error's detail, its code the backendCode, not retried", async () => {
  world.backend.script({ status: 200, body: { code: 1001, msg: 'this account is banned' } })
  const app = world.open()
  const requests = world.backend.stats.requests.length
  const error = await world.session(app, envelope()).launch().then(() => null, (e) => e)

  assert.equal(error.code, 'BACKEND')
  assert.equal(error.backendCode, '1001')
  assert.equal(error.detail, 'this account is banned')
  assert.equal(error.retryable, false)
  assert.equal(world.backend.stats.requests.length - requests, 1)
})

test("WeChat's errcode passed through the envelope gets its rules: 40029 means one fresh code", async () => {
  world.wechat.failNext(40029)
  const app = world.open()
  const session = await world.session(app, envelope()).launch()

  assert.equal(typeof session.userId, 'number')
  assert.equal(app.stats.logins, 2)
})

test('a Laravel/Django-style backend: a form POST, the access_token and user.id read from its answer', async () => {
  const app = world.open()
  const requests = world.backend.stats.requests.length
  const session = await world.session(app, form()).launch()

  assert.equal(session.openid, null)
  assert.match(String(session.userId), /^u-\d+$/)
  assert.match(session.token, /^tok-/)
  const sent = world.backend.stats.requests.slice(requests)
  assert.equal(sent[0].method, 'POST')
  assert.match(sent[0].contentType, /^application\/x-www-form-urlencoded/)
  assert.deepEqual(Object.fromEntries(new URLSearchParams(sent[0].raw)), { code: app.stats.codes.at(-1), grant_type: 'wechat' })
})

test("a Spring backend: the token is the JSESSIONID cookie of the answer's Set-Cookie, sent back as Cookie, lasting the cookie's Max-Age", async () => {
  const app = world.open()
  const session = await world.session(app, spring()).launch()

  assert.equal(session.openid, null)
  assert.equal(typeof session.userId, 'number')
  // The JSESSIONID among the answer's two cookies, and nothing of its attributes.
  assert.match(session.token, /^tok-[0-9a-f]+$/)
  assert.ok(Math.abs(session.expiresAt - (Date.now() + world.backend.springCookieSeconds * 1000)) < 60000, 'Max-Age, not the default 2 hours')
  const cookies = world.backend.stats.api.cookies.length
  const answer = await world.session(app, spring()).request({ url: world.backend.base + '/api/me' })
  assert.equal(answer.statusCode, 200)
  assert.deepEqual(world.backend.stats.api.cookies.slice(cookies), ['JSESSIONID=' + session.token])
})

test('a Spring session uploads with its cookie too: upload() sends Cookie, and the server keeps the file', async () => {
  const app = world.open()
  const session = world.session(app, spring())
  const { token } = await session.launch()
  const { avatarUrl } = app.chooseAvatar('avatar bytes')
  const cookies = world.backend.stats.api.cookies.length
  const answer = await session.upload({ url: world.backend.base + '/api/upload', filePath: avatarUrl, name: 'file' })
  assert.equal(answer.statusCode, 200)
  assert.match(JSON.parse(answer.data).url, /^https:\/\/cdn\.example\.com\/avatars\//)
  assert.deepEqual(world.backend.stats.api.cookies.slice(cookies), ['JSESSIONID=' + token])
})

test('a cookie the answer does not set is BAD_RESPONSE naming login.answer.token, and a wrong carrier is INVALID_CONFIG', async () => {
  const app = world.open()
  const other = { ...spring(), login: { ...spring().login, answer: { token: { cookie: 'SESSION' }, userId: 'id' } } }
  const error = await world.session(app, other).launch().then(() => null, (e) => e)
  assert.equal(error.code, 'BAD_RESPONSE')
  assert.match(error.message, /no token where login\.answer\.token says it is/)

  const wrong = { ...spring(), login: { ...spring().login, answer: { token: { header: 'Set-Cookie' } } } }
  const refused = await world.session(world.open(), wrong).launch().then(() => null, (e) => e)
  assert.equal(refused.code, 'INVALID_CONFIG')
  assert.match(refused.message, /login\.answer\.token\.header cannot be Set-Cookie/)
})

test('a wrong login setting is INVALID_CONFIG naming it, before any wx.login', async () => {
  const app = world.open()
  const wrong = { ...envelope(), login: { ...envelope().login, answer: { token: 'data..token' } } }
  const error = await world.session(app, wrong).launch().then(() => null, (e) => e)

  assert.equal(error.code, 'INVALID_CONFIG')
  assert.match(error.message, /login\.answer\.token must be a field name or a dotted path/)
  assert.equal(app.stats.logins, 0)
})

for (const [name, options] of [['envelope', envelope], ['form', form], ['spring', spring]]) {
  test(`a ${name} backend: a rejected session means one shared re-login by its own shape, then the request again`, async () => {
    const storageFile = world.newStorage()
    const app = world.open({ storageFile })
    const first = await world.session(app, options()).launch()
    app.close()

    // A warm launch reads the stored session; then the backend forgets every token.
    const again = world.open({ storageFile })
    const session = world.session(again, options())
    const cached = await session.launch()
    assert.deepEqual([cached.source, cached.userId, again.stats.logins], ['cache', first.userId, 0])
    world.backend.revokeTokens()
    const requests = world.backend.stats.requests.length
    const answers = await Promise.all([1, 2].map(() => session.request({ url: world.backend.base + '/api/me' })))

    assert.deepEqual(answers.map((a) => a.statusCode), [200, 200])
    assert.equal(again.stats.logins, 1, 'one login shared by both requests')
    const logins = world.backend.stats.requests.slice(requests).filter((r) => !r.path.startsWith('/api/'))
    assert.equal(logins.length, 1)
    assert.equal(logins[0].method, name === 'envelope' ? 'GET' : 'POST')
    const renewed = await session.ensure()
    assert.equal(renewed.userId, first.userId, 'the same user, logged in again')
    assert.notEqual(renewed.token, first.token)
  })
}

test('a status path that is not in the answer is BAD_RESPONSE naming login.answer.status, not the backend refusing', async () => {
  const app = world.open()
  const misplaced = { ...envelope(), login: { ...envelope().login, answer: { ...envelope().login.answer, status: 'Code' } } }
  const error = await world.session(app, misplaced).launch().then(() => null, (e) => e)

  assert.equal(error.code, 'BAD_RESPONSE')
  assert.match(error.message, /no envelope status where login\.answer\.status says it is/)
  assert.equal(error.retryable, false)
})

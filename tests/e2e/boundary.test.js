'use strict'
// The shim's half of the boundary against the core's, with nothing between them: the real
// js-shim/boundary.js (bundled as the package bundles it) writes every kind of fact into the
// shipped module, whose Rust decoders read them, and reads every effect the core writes back.
// A field at the wrong slot on either side shows here as a wrong value, named.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('fs')
const os = require('os')
const path = require('path')
const zlib = require('zlib')
const { REPO } = require('../support/build-example')

const NOW = 1767225600000
const HOUR = 3600000

/** boundary.js and layout.js, bundled into a fresh folder as the package bundles them. */
function loadShim() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-session-boundary-'))
  try {
    const entry = path.join(dir, 'entry.js')
    fs.writeFileSync(entry, "export { createBoundary } from '" + path.join(REPO, 'js-shim', 'boundary.js') + "'\n" +
      "export * as layout from '" + path.join(REPO, 'js-shim', 'layout.js') + "'\n" +
      "export { newPlaces } from '" + path.join(REPO, 'js-shim', 'session.js') + "'\n" +
      "export { toError } from '" + path.join(REPO, 'js-shim', 'errors.js') + "'\n")
    const out = path.join(dir, 'shim.js')
    require('esbuild').buildSync({ entryPoints: [entry], bundle: true, format: 'cjs', platform: 'neutral', target: 'es2017', outfile: out, logLevel: 'error' })
    return require(out)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

const { createBoundary, newPlaces, toError, layout: L } = loadShim()
const wasm = new WebAssembly.Module(zlib.brotliDecompressSync(fs.readFileSync(path.join(REPO, 'pkg', 'miniprogram', 'mp_session.wasm.br'))))

/** Every input kind fed and every effect read, across the file: each must be seen. */
const fed = new Set()
const read = new Set()

/** The size of JavaScript's table of strings, as the last input told the core. */
let tableSize = 0

/** A fresh module and the boundary over it. */
function boundary() {
  const exports = new WebAssembly.Instance(wasm, {}).exports
  return createBoundary(Object.assign({}, exports, {
    mps_input(id, kind, arg, flag, now, strings) {
      tableSize = strings
      return exports.mps_input(id, kind, arg, flag, now, strings)
    },
  }), false)
}

/** A session in a fresh module: feeds inputs, gives back the effects as the shim reads them. */
function session(options, host) {
  const b = boundary()
  const made = b.create(new Uint32Array(4).fill(7), options || { loginUrl: 'https://api.example.com/auth/login' }, null, host || null)
  assert.equal(made.error, undefined, made.error && made.error.message)
  /** The paths each login request named to copy, by its op. */
  const copies = {}
  return {
    made,
    feed(kind, arg, flag, value, now, response) {
      fed.add(kind)
      // As the driver does: a login request's answer comes with the paths its effect named to
      // copy, and what wx.request's success got besides its body (its header and cookies).
      const out = b.input(made.id, kind, arg, flag, now === undefined ? NOW : now, value, kind === L.KIND_POST_RESULT ? copies[arg] : undefined, response)
      out.e.forEach((e) => {
        read.add(e.tag)
        if (e.tag === L.EFFECT_POST_CODE || e.tag === L.EFFECT_CALL_FUNCTION) copies[e.op] = e.copy
      })
      return out
    },
  }
}

function only(effects, tag) {
  const found = effects.filter((e) => e.tag === tag)
  assert.equal(found.length, 1, 'one effect ' + tag + ' in ' + JSON.stringify(effects))
  return found[0]
}

const RECORD = {
  v: 1,
  openid: 'o-cached',
  unionid: 'u-cached',
  token: 'tok-cached',
  expiresAt: NOW + HOUR,
  obtainedAt: NOW - 60000,
  userInfo: { nickName: '小明', avatarUrl: 'https://a.example.com/x.png' },
}

/** A session launched from the cached record: the resolve effect's value. */
function cached(s, record) {
  const read = only(s.feed(L.KIND_ENSURE, 1, 0).e, L.EFFECT_READ_SESSION)
  return s.feed(L.KIND_SESSION_READ, read.op, L.STORAGE_FLAG_OK, record === undefined ? RECORD : record).e
}

/** A cold launch up to the login request: the postCode effect. */
/** A session's login request, after wx.login answered `answer` (what `success` got). */
function toPost(s, answer) {
  const readSession = only(s.feed(L.KIND_ENSURE, 1, 0).e, L.EFFECT_READ_SESSION)
  const login = only(s.feed(L.KIND_SESSION_READ, readSession.op, L.STORAGE_FLAG_OK, '').e, L.EFFECT_LOGIN)
  return only(s.feed(L.KIND_LOGIN_RESULT, login.op, L.LOGIN_FLAG_ANSWERED, answer).e, L.EFFECT_POST_CODE)
}

test('every option reaches the core as the option it is: a wrong one is named, the config comes back', () => {
  const wrong = {
    loginUrl: 5, cloudFunction: 5, platform: 5, namespace: 5, leewaySeconds: 'x', defaultTtlSeconds: 'x',
    timeoutMs: 'x', maxRetries: 'x', failureToast: 5, tokenHeader: 5, allowedOrigins: 'x', login: 5,
    backgroundFetchToken: 'yes',
  }
  assert.deepEqual(Object.keys(wrong), L.OPTION_FIELDS, 'one wrong value for each option')
  for (const name of L.OPTION_FIELDS) {
    const options = { loginUrl: 'https://api.example.com/auth/login' }
    options[name] = wrong[name]
    const made = boundary().create(new Uint32Array(4), options, null, null)
    assert.equal(made.error && made.error.code, 'INVALID_CONFIG', name)
    assert.match(made.error.message, new RegExp('^options are not valid: ' + name + ' '), name)
  }
  const unknown = boundary().create(new Uint32Array(4), { loginUrl: 'https://a.example.com/l', loginURL: 'x' }, null, null)
  assert.match(unknown.error.message, /loginURL is not a known field/)
  // The shim's own options are known to the core (and left to the shim); a key whose value is
  // undefined is not there; any other key, a misspelt hook included, is named with the list.
  const own = { loginUrl: 'https://a.example.com/l', attachToken() {}, isSessionExpired() {}, api: {}, wasmPath: '/x.wasm.br', encryptStorage: true, namespace: undefined }
  assert.ok(boundary().create(new Uint32Array(4), own, null, null).id >= 0)
  for (const [key, value] of [['attachTokn', function () {}], ['wasmpath', '/x.wasm.br']]) {
    const made = boundary().create(new Uint32Array(4), { loginUrl: 'https://a.example.com/l', [key]: value }, null, null)
    assert.equal(made.error.message, 'options are not valid: ' + key + ' is not a known field; expected one of ' +
      L.OPTION_FIELDS.concat(L.SHIM_OPTION_FIELDS).join(', '), key)
  }
  // The names the core knows as the shim's are the ones the shim reads (entry.js, options.js).
  const shim = ['entry.js', 'options.js'].map((f) => fs.readFileSync(path.join(REPO, 'js-shim', f), 'utf8')).join('\n')
  for (const name of L.SHIM_OPTION_FIELDS) assert.match(shim, new RegExp("(\\.|')" + name + "\\b"), name)
  const origins = (n) => Array.from({ length: n }, (_, i) => 'https://o' + i + '.example.com')
  const tooMany = boundary().create(new Uint32Array(4), { loginUrl: 'https://a.example.com/l', allowedOrigins: origins(17) }, null, null)
  assert.match(tooMany.error.message, /allowedOrigins must list 1 to 16 origins/)
  // More entries than the slots hold: not described, and the limit is named all the same.
  const crowded = boundary().create(new Uint32Array(4), { loginUrl: 'https://a.example.com/l', allowedOrigins: origins(1000) }, null, null)
  assert.match(crowded.error.message, /allowedOrigins must list 1 to 16 origins/)

  const s = session({ loginUrl: 'https://api.example.com/auth/login', namespace: 'shop', allowedOrigins: ['https://cdn.example.com'] })
  assert.deepEqual(s.made.created, { key: 'mp-session:shop', deviceKey: 'mp-session:device-id' })
})

test('the platform the login names: the option, else the one the shim found, else wx', () => {
  const named = (options, host) => toPost(session(Object.assign({ loginUrl: 'https://api.example.com/auth/login' }, options), host), { code: 'c' }).body[1]
  assert.deepEqual(named({}, null), { name: 'platform', value: 'wx' })
  assert.deepEqual(named({}, 'qq'), { name: 'platform', value: 'qq' })
  assert.deepEqual(named({ platform: 'swan' }, 'qq'), { name: 'platform', value: 'swan' })
  assert.deepEqual(named({ platform: null }, 'ks'), { name: 'platform', value: 'ks' })
})

test('every field of the stored record reaches the session handed out, by handle', () => {
  const s = session()
  const ensured = s.feed(L.KIND_ENSURE, 1, 0).e
  assert.deepEqual(ensured.map((e) => e.tag), [L.EFFECT_WAIT, L.EFFECT_READ_SESSION], 'the call waits for the read')
  assert.deepEqual(ensured[0], { tag: L.EFFECT_WAIT, call: 1, group: 'waiting', id: 0 })
  const resolve = only(s.feed(L.KIND_SESSION_READ, ensured[1].op, L.STORAGE_FLAG_OK, RECORD).e, L.EFFECT_RESOLVE)
  assert.deepEqual({ group: resolve.group, id: resolve.id }, { group: 'waiting', id: 0 })
  assert.deepEqual(resolve.value, {
    openid: 'o-cached', unionid: 'u-cached', token: 'tok-cached', expiresAt: NOW + HOUR,
    userInfo: { nickName: '小明', avatarUrl: 'https://a.example.com/x.png' }, source: 'cache',
  })
  // v and obtainedAt are read too: another version, or a session obtained in the future, is no session.
  for (const record of [Object.assign({}, RECORD, { v: 2 }), Object.assign({}, RECORD, { obtainedAt: NOW + HOUR })]) {
    only(cached(session(), record), L.EFFECT_LOGIN)
  }
  // A stored '' is nothing stored; a read that threw is not either, and is said so.
  const empty = session()
  only(cached(empty, ''), L.EFFECT_LOGIN)
  const failed = session()
  const readSession = only(failed.feed(L.KIND_ENSURE, 1, 0).e, L.EFFECT_READ_SESSION)
  assert.ok(failed.feed(L.KIND_SESSION_READ, readSession.op, L.STORAGE_FLAG_FAILED).e.length > 0)
})

test('the code crosses by handle, and every field of the answer reaches the record written', () => {
  const s = session()
  const post = toPost(s, { code: 'code-1' })
  assert.equal(post.url, 'https://api.example.com/auth/login')
  assert.deepEqual(post.body, [{ name: 'code', value: 'code-1' }, { name: 'platform', value: 'wx' }])
  assert.equal(post.timeoutMs, 10000 + 1000, "the core's timeout, and a grace so that its own deadline decides")
  const body = JSON.stringify({
    openid: 'o-new', unionid: 'u-new', token: 'tok-new', session_key: 'SK-SECRET', expires_in: 7200,
    userInfo: { nickName: 'Ann', avatarUrl: 'https://a.example.com/a.png' },
  })
  const out = s.feed(L.KIND_POST_RESULT, post.op, 200, body).e
  const write = only(out, L.EFFECT_WRITE_SESSION)
  assert.deepEqual(write.record, {
    v: 1, openid: 'o-new', unionid: 'u-new', token: 'tok-new', expiresAt: NOW + 7200000, obtainedAt: NOW,
    userInfo: { nickName: 'Ann', avatarUrl: 'https://a.example.com/a.png' },
  })
  const hold = only(out, L.EFFECT_HOLD)
  assert.equal(hold.op, write.op)
  const done = s.feed(L.KIND_STORAGE_RESULT, write.op, L.STORAGE_FLAG_OK).e
  const resolve = only(done, L.EFFECT_RESOLVE)
  assert.deepEqual({ group: resolve.group, id: resolve.id }, { group: 'of', id: write.op })
  assert.equal(resolve.value.source, 'login')
  assert.equal(resolve.value.unionid, 'u-new')

  // expiresIn is read where it is, and errcode: 40029 asks for a fresh code.
  const camel = session()
  const camelPost = toPost(camel, { code: 'code-2' })
  const camelWrite = only(camel.feed(L.KIND_POST_RESULT, camelPost.op, 200, JSON.stringify({ openid: 'o', expiresIn: 60 })).e, L.EFFECT_WRITE_SESSION)
  assert.equal(camelWrite.record.expiresAt, NOW + 60000)
  const rejected = session()
  const rejectedPost = toPost(rejected, { code: 'code-3' })
  only(rejected.feed(L.KIND_POST_RESULT, rejectedPost.op, 200, JSON.stringify({ errcode: 40029, errmsg: 'invalid code' })).e, L.EFFECT_LOGIN)
})

test("Douyin's anonymousCode crosses as one, and a failure's errMsg and status reach the error", () => {
  const anonymous = toPost(session({ loginUrl: 'https://api.example.com/auth/login' }, 'tt'), { code: '', anonymousCode: 'anon-1', errMsg: 'login:ok' })
  assert.deepEqual(anonymous.body, [{ name: 'anonymousCode', value: 'anon-1' }, { name: 'platform', value: 'tt' }])

  const s = session({ loginUrl: 'https://api.example.com/auth/login', maxRetries: 0, failureToast: '登录失败' })
  const post = toPost(s, { code: 'code-4' })
  const out = s.feed(L.KIND_POST_RESULT, post.op, 403, '{"error":"forbidden"}').e
  const reject = only(out, L.EFFECT_REJECT)
  assert.deepEqual({ group: reject.group, id: reject.id }, { group: 'waiting', id: 0 })
  assert.equal(reject.error.code, 'BACKEND')
  assert.equal(reject.error.status, 403)
  assert.equal(reject.error.errcode, null)
  assert.equal(reject.error.retryable, false)
  assert.equal(reject.error.session, null)
  assert.equal(only(out, L.EFFECT_TOAST).text, '登录失败')

  const failed = session({ loginUrl: 'https://api.example.com/auth/login', maxRetries: 0 })
  const readSession = only(failed.feed(L.KIND_ENSURE, 1, 0).e, L.EFFECT_READ_SESSION)
  const login = only(failed.feed(L.KIND_SESSION_READ, readSession.op, L.STORAGE_FLAG_OK, null).e, L.EFFECT_LOGIN)
  const loginFailed = only(failed.feed(L.KIND_LOGIN_RESULT, login.op, L.LOGIN_FLAG_FAILED, 'login:fail 网络错误').e, L.EFFECT_REJECT)
  assert.equal(loginFailed.error.detail, 'login:fail 网络错误')

  const network = session({ loginUrl: 'https://api.example.com/auth/login', maxRetries: 0 })
  const networkPost = toPost(network, { code: 'code-5' })
  const networkFailed = only(network.feed(L.KIND_POST_RESULT, networkPost.op, L.POST_FLAG_FAILED, 'request:fail timeout').e, L.EFFECT_REJECT)
  assert.equal(networkFailed.error.code, 'NETWORK')
  assert.equal(networkFailed.error.detail, 'request:fail timeout')
})

test('a login that never answers is given up at its deadline and aborted', () => {
  const s = session({ loginUrl: 'https://api.example.com/auth/login', maxRetries: 0, timeoutMs: 1000 })
  const post = toPost(s, { code: 'code-6' })
  const out = s.feed(L.KIND_TIMEOUT, 0, 0, undefined, NOW + 60000)
  only(out.e, L.EFFECT_ABORT)
  assert.equal(only(out.e, L.EFFECT_ABORT).op, post.op)
  assert.equal(only(out.e, L.EFFECT_REJECT).error.code, 'TIMEOUT')
})

test("setUserInfo's fields reach the record written; an unknown one is named", () => {
  const s = session()
  cached(s)
  const out = s.feed(L.KIND_SET_USER_INFO, 2, 0, { nickName: 'Bob', avatarUrl: 'https://a.example.com/b.png' }).e
  const write = only(out, L.EFFECT_WRITE_SESSION)
  assert.deepEqual(write.record.userInfo, { nickName: 'Bob', avatarUrl: 'https://a.example.com/b.png' })
  assert.equal(write.record.openid, 'o-cached')
  const wrong = only(s.feed(L.KIND_SET_USER_INFO, 3, 0, { nickname: 'x' }).e, L.EFFECT_REJECT)
  assert.deepEqual({ group: wrong.group, id: wrong.id }, { group: 'one', id: 3 })
  assert.equal(wrong.error.code, 'INVALID_ARGUMENT')
  assert.match(wrong.error.message, /nickname is not a known field/)
  // The avatar's text reaches the core, which refuses a file on the phone (the handle alone
  // would not say).
  const local = only(s.feed(L.KIND_SET_USER_INFO, 4, 0, { avatarUrl: 'wxfile://tmp_5f3a.jpg' }).e, L.EFFECT_REJECT)
  assert.equal(local.error.code, 'INVALID_ARGUMENT')
  assert.match(local.error.message, /avatarUrl is a file on this phone .*upload it first \(session\.upload\)/)
})

test("an app's request: its URL is read, the token crosses, its answer's flags are read", () => {
  const s = session({ loginUrl: 'https://api.example.com/auth/login', allowedOrigins: ['https://api.example.com', 'https://other.example.com'] })
  cached(s)
  const send = only(s.feed(L.KIND_REQUEST, 2, 0, 'https://api.example.com/orders').e, L.EFFECT_SEND_REQUEST)
  assert.deepEqual([send.header, send.again], [{ name: 'Authorization', prefix: 'Bearer ', token: 'tok-cached' }, null])
  // Any status but 401 is an answer; 401 is the session rejected, unless the app's hook says.
  const answered = only(s.feed(L.KIND_SEND_RESULT, send.op, 403).e, L.EFFECT_RESOLVE)
  assert.deepEqual([answered.group, answered.id, answered.value], ['of', send.op, send.op])
  // An origin the token may not go to: the call fails before anything is sent.
  const elsewhere = only(s.feed(L.KIND_REQUEST, 3, 0, 'https://third.example.com/x').e, L.EFFECT_REJECT)
  assert.deepEqual([elsewhere.group, elsewhere.error.code], ['one', 'INVALID_ARGUMENT'])
  // No answer at all is a failed request.
  const lost = only(s.feed(L.KIND_REQUEST, 5, 0, 'https://other.example.com/y').e, L.EFFECT_SEND_REQUEST)
  const failed = only(s.feed(L.KIND_SEND_RESULT, lost.op, L.SEND_FLAG_UNANSWERED).e, L.EFFECT_REJECT)
  assert.equal(failed.error.code, 'NETWORK')
  // The session rejected: one login, and the request waits for it to be sent again.
  const hook = only(s.feed(L.KIND_REQUEST, 6, 0, 'https://api.example.com/me').e, L.EFFECT_SEND_REQUEST)
  only(s.feed(L.KIND_SEND_RESULT, hook.op, 401, false).e, L.EFFECT_RESOLVE)
  const threw = only(s.feed(L.KIND_REQUEST, 7, 0, 'https://api.example.com/me').e, L.EFFECT_SEND_REQUEST)
  only(s.feed(L.KIND_SEND_RESULT, threw.op, 401, null).e, L.EFFECT_RESOLVE)
  const again = only(s.feed(L.KIND_REQUEST, 4, 0, 'https://api.example.com/me').e, L.EFFECT_SEND_REQUEST)
  only(s.feed(L.KIND_SEND_RESULT, again.op, 401).e, L.EFFECT_LOGIN)
  const expired = session()
  cached(expired)
  const said = only(expired.feed(L.KIND_REQUEST, 2, 0, 'https://api.example.com/me').e, L.EFFECT_SEND_REQUEST)
  only(expired.feed(L.KIND_SEND_RESULT, said.op, 200, true).e, L.EFFECT_LOGIN)
})

test("a cookie session's token is found however the platform gives Set-Cookie, and goes back as Cookie", () => {
  const options = { loginUrl: 'https://api.example.com/login', login: { body: 'form', answer: { token: { cookie: 'JSESSIONID' }, userId: 'id' } } }
  const DATE = 'Wed, 21 Oct 2026 07:28:00 GMT'
  /** The record written after an answer with `response` besides its body. */
  const login = (response, opts) => {
    const s = session(opts || options)
    const post = toPost(s, { code: 'code-1' })
    const out = s.feed(L.KIND_POST_RESULT, post.op, 200, '{"id":7}', NOW, response).e
    return { s, out }
  }
  const written = (response) => only(login(response).out, L.EFFECT_WRITE_SESSION).record

  // `cookies` (base library 2.10.0), one Set-Cookie each, over the header.
  const listed = written({ header: { 'Set-Cookie': 'JSESSIONID=from-header' }, cookies: ['XSRF-TOKEN=x; Path=/', 'JSESSIONID=js-1; Max-Age=600; Expires=' + DATE + '; HttpOnly'] })
  assert.deepEqual([listed.token, listed.userId, listed.expiresAt], ['js-1', 7, NOW + 600000], "Max-Age over Expires")
  // One header string, WeChat's join with ',': the comma of an Expires date begins no cookie.
  const joined = written({ header: { 'Set-Cookie': 'XSRF-TOKEN=x; Expires=' + DATE + '; Path=/,JSESSIONID=js-2; Max-Age=900; Path=/' } })
  assert.deepEqual([joined.token, joined.expiresAt], ['js-2', NOW + 900000])
  // The header as a list (reported on iOS), under a lower-case name, and an empty `cookies`.
  const list = written({ header: { 'set-cookie': ['a=1; Path=/', 'JSESSIONID=js-3; Path=/'] }, cookies: [] })
  assert.deepEqual([list.token, list.expiresAt], ['js-3', NOW + 7200000], 'no lifetime: the default')
  // QQ on Android joins with ';': a name=value that is no attribute begins the next cookie.
  const qq = written({ header: { 'Set-Cookie': 'a=1; path=/; secure;JSESSIONID=js-4; Expires=' + DATE } })
  assert.deepEqual([qq.token, qq.expiresAt], ['js-4', Date.parse(DATE)])
  // No such cookie: no session (the core's verdict), whatever else the answer sets.
  const none = only(login({ header: { 'Set-Cookie': 'XSRF-TOKEN=x' } }).out, L.EFFECT_REJECT)
  assert.equal(none.error.code, 'BAD_RESPONSE')
  // Max-Age=0 deletes it: no session either.
  const deleted = only(login({ header: { 'Set-Cookie': 'JSESSIONID=js-5; Max-Age=0' } }).out, L.EFFECT_REJECT)
  assert.match(deleted.error.message, /Max-Age or Expires/)

  // request() sends it back as the cookie, and a header's token in the same header.
  const s = session(options)
  cached(s, Object.assign({}, RECORD, { token: 'js-cached' }))
  const send = only(s.feed(L.KIND_REQUEST, 2, 0, 'https://api.example.com/orders').e, L.EFFECT_SEND_REQUEST)
  assert.deepEqual(send.header, { name: 'Cookie', prefix: 'JSESSIONID=', token: 'js-cached' })
  const byHeader = { loginUrl: 'https://api.example.com/login', login: { answer: { token: { header: 'X-Auth-Token' }, userId: 'id' } } }
  const h = login({ header: { 'x-auth-token': 'h-1', 'Set-Cookie': 'JSESSIONID=js-6' } }, byHeader)
  assert.equal(only(h.out, L.EFFECT_WRITE_SESSION).record.token, 'h-1')
  const hs = session(byHeader)
  cached(hs)
  const sent = only(hs.feed(L.KIND_REQUEST, 2, 0, 'https://api.example.com/orders').e, L.EFFECT_SEND_REQUEST)
  assert.deepEqual(sent.header, { name: 'X-Auth-Token', prefix: '', token: 'tok-cached' })
})

test("backgroundFetchToken: a login's token is handed to pre-fetch by handle, and one too long is said, not cut", () => {
  const login = (token) => {
    const s = session({ loginUrl: 'https://api.example.com/auth/login', backgroundFetchToken: true })
    const post = toPost(s, { code: 'code-1' })
    return s.feed(L.KIND_POST_RESULT, post.op, 200, JSON.stringify({ openid: 'o', token: token })).e
  }
  assert.deepEqual(only(login('tok-pre'), L.EFFECT_SET_FETCH_TOKEN).token, 'tok-pre')
  const warned = only(login('t'.repeat(1025)), L.EFFECT_WARN)
  assert.match(warned.text, /^backgroundFetchToken: the token is 1025 bytes, over the 1024 wx\.setBackgroundFetchToken takes/)
  assert.equal(login('t'.repeat(1025)).filter((e) => e.tag === L.EFFECT_SET_FETCH_TOKEN).length, 0)
})

test('deviceId: the stored id is read, or a new one handed out and written', () => {
  const s = session()
  const readId = only(s.feed(L.KIND_DEVICE_ID, 1, 0).e, L.EFFECT_READ_DEVICE_ID)
  // A new id is handed out at once, and written (a failed write changes nothing for the call).
  const made = s.feed(L.KIND_DEVICE_ID_READ, readId.op, L.STORAGE_FLAG_OK, '').e
  const write = only(made, L.EFFECT_WRITE_DEVICE_ID)
  assert.match(write.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  const resolve = only(made, L.EFFECT_RESOLVE)
  assert.deepEqual([resolve.group, resolve.value], ['deviceIds', write.id])
  assert.deepEqual(s.feed(L.KIND_STORAGE_RESULT, write.op, L.STORAGE_FLAG_OK).e, [])
  const kept = session()
  const readKept = only(kept.feed(L.KIND_DEVICE_ID, 1, 0).e, L.EFFECT_READ_DEVICE_ID)
  const resolved = only(kept.feed(L.KIND_DEVICE_ID_READ, readKept.op, L.STORAGE_FLAG_OK, '0e0e0e0e-8a8a-4a8a-9c1c-1c1c2b2b322a').e, L.EFFECT_RESOLVE)
  assert.equal(resolved.value, '0e0e0e0e-8a8a-4a8a-9c1c-1c1c2b2b322a')
})

test("logout waits for its removal, tells the listeners, and a refused write's errMsg reaches the error", () => {
  const s = session()
  cached(s)
  assert.deepEqual(s.feed(L.KIND_LISTENERS, 0, 1).e, [])
  const out = s.feed(L.KIND_LOGOUT, 2, 0).e
  const remove = only(out, L.EFFECT_REMOVE_SESSION)
  assert.deepEqual(only(out, L.EFFECT_WAIT), { tag: L.EFFECT_WAIT, call: 2, group: 'of', id: remove.op })
  assert.equal(only(out, L.EFFECT_CHANGED).session, null)
  const done = s.feed(L.KIND_STORAGE_RESULT, remove.op, L.STORAGE_FLAG_OK).e
  const resolved = only(done, L.EFFECT_RESOLVE)
  assert.deepEqual([resolved.group, resolved.id], ['of', remove.op])
  assert.equal(only(done, L.EFFECT_RESOLVE).value, undefined)
  assert.equal(only(s.feed(L.KIND_CURRENT, 0, 0).e, L.EFFECT_CURRENT).session, null)

  const refused = session()
  cached(refused)
  const removeRefused = only(refused.feed(L.KIND_LOGOUT, 2, 0).e, L.EFFECT_REMOVE_SESSION)
  const reject = only(refused.feed(L.KIND_STORAGE_RESULT, removeRefused.op, L.STORAGE_FLAG_FAILED, 'removeStorageSync:fail quota').e, L.EFFECT_REJECT)
  assert.equal(reject.error.detail, 'removeStorageSync:fail quota')
})

test('current() reads storage on first use and hands out the session; a cloud function is called by name', () => {
  const s = session()
  const first = s.feed(L.KIND_CURRENT, 0, 0).e
  const readSession = only(first, L.EFFECT_READ_SESSION)
  assert.equal(only(first, L.EFFECT_CURRENT).session, null)
  s.feed(L.KIND_SESSION_READ, readSession.op, L.STORAGE_FLAG_OK, RECORD)
  assert.equal(only(s.feed(L.KIND_CURRENT, 0, 0).e, L.EFFECT_CURRENT).session.openid, 'o-cached')

  const cloud = session({ cloudFunction: 'login' })
  const cloudRead = only(cloud.feed(L.KIND_ENSURE, 1, 0).e, L.EFFECT_READ_SESSION)
  const call = only(cloud.feed(L.KIND_SESSION_READ, cloudRead.op, L.STORAGE_FLAG_OK, null).e, L.EFFECT_CALL_FUNCTION)
  assert.deepEqual([call.name, call.data, call.timeoutMs], ['login', [{ name: 'platform', value: 'wx' }], 10000])
  only(cloud.feed(L.KIND_POST_RESULT, call.op, 200, { openid: 'o-cloud' }).e, L.EFFECT_WRITE_SESSION)
})

test("a table grown far past what the session holds is compacted, and the session's strings still read", () => {
  const s = session()
  cached(s)
  // Each profile interns two new strings; the core keeps the last one only.
  let shrunk = 0
  for (let i = 0; i < 60; i++) {
    const before = tableSize
    const write = only(s.feed(L.KIND_SET_USER_INFO, 10 + i, 0, { nickName: 'n' + i, avatarUrl: 'https://a.example.com/' + i }).e, L.EFFECT_WRITE_SESSION)
    s.feed(L.KIND_STORAGE_RESULT, write.op, L.STORAGE_FLAG_OK)
    if (tableSize < before) shrunk++
  }
  const session2 = only(s.feed(L.KIND_CURRENT, 0, 0).e, L.EFFECT_CURRENT).session
  assert.deepEqual([session2.openid, session2.token, session2.userInfo.nickName], ['o-cached', 'tok-cached', 'n59'])
  assert.ok(shrunk > 0, 'the table was compacted')
})

test('a login on Douyin asks the platform for no dialog; elsewhere the login is asked as it is', () => {
  const loginOf = (platform) => {
    const s = session({ loginUrl: 'https://api.example.com/auth/login' }, platform)
    const read = only(s.feed(L.KIND_ENSURE, 1, 0).e, L.EFFECT_READ_SESSION)
    return only(s.feed(L.KIND_SESSION_READ, read.op, L.STORAGE_FLAG_OK, '').e, L.EFFECT_LOGIN)
  }
  assert.deepEqual([loginOf('tt').silent, loginOf('wx').silent, loginOf('qq').silent], [true, false, false])
})

test("the login contract's examples (tests/contract/login.json): what the app posts, and the verdict on every answer", () => {
  const contract = JSON.parse(fs.readFileSync(path.join(REPO, 'tests', 'contract', 'login.json'), 'utf8'))
  for (const request of contract.requests) {
    const post = toPost(session(null, request.platform), { [request.from]: '<code>' })
    const body = {}
    post.body.forEach((field) => { body[field.name] = field.value })
    assert.deepEqual(body, request.body, request.name)
  }
  for (const exchange of contract.answers) {
    // No retries: a verdict to retry fails at once, and the one fresh code still comes.
    const s = session({ loginUrl: 'https://api.example.com/auth/login', maxRetries: 0 })
    const post = toPost(s, { code: 'code-c' })
    const out = s.feed(L.KIND_POST_RESULT, post.op, exchange.answer.status, JSON.stringify(exchange.answer.body)).e
    const reject = out.find((e) => e.tag === L.EFFECT_REJECT)
    const got = out.some((e) => e.tag === L.EFFECT_WRITE_SESSION) ? 'session'
      : out.some((e) => e.tag === L.EFFECT_LOGIN) ? 'fresh-code'
        : reject && reject.error.retryable ? 'retry' : reject ? 'fail' : 'nothing'
    assert.equal(got, exchange.verdict, exchange.name + ': ' + JSON.stringify(out))
    // A failure of the server's own reaches the app with its code and its message.
    if (exchange.backendCode) {
      assert.deepEqual([reject.error.backendCode, reject.error.detail], [exchange.backendCode, exchange.answer.body.error.message], exchange.name)
    } else if (reject) assert.equal(reject.error.backendCode, null, exchange.name)
    // The message ends as the contract writes it: the core's words, as Rust's Display has them.
    if (exchange.messageEnds) assert.ok(toError(reject.error).message.endsWith(exchange.messageEnds), toError(reject.error).message)
  }
})

test("the shim keeps its waiting calls under the names the core gives their groups", () => {
  const groups = Object.keys(L).filter((k) => k.startsWith('GROUP_')).map((k) => L[k])
  // `one` is a single call the effect names, never a place.
  assert.deepEqual(Object.keys(newPlaces()).sort(), groups.filter((g) => g !== L.GROUP_ONE).sort())
})

test('every input kind was fed and every effect read (the web redirect has a test of its own, tests/browser)', () => {
  const kinds = Object.keys(L).filter((k) => k.startsWith('KIND_') && k !== 'KIND_MORE').map((k) => L[k])
  assert.deepEqual(kinds.filter((k) => !fed.has(k)), [], 'input kinds never fed')
  const skipped = [L.EFFECT_REDIRECT, L.EFFECT_TABLE, L.EFFECT_CREATED]
  const tags = Object.keys(L).filter((k) => k.startsWith('EFFECT_')).map((k) => L[k])
  assert.deepEqual(tags.filter((t) => !read.has(t) && skipped.indexOf(t) < 0), [], 'effects never read')
})

'use strict'
// The development backend: the contract mp-session documents, over the mock code2Session.
//
//   POST /auth/login  { "code": "...", "platform": "wx" | "web" | "tt" | "my" | "swan" | "qq" | "ks" }
//   ("web": an official-account OAuth code, exchanged at /sns/oauth2/access_token; Douyin's
//   `{ "anonymousCode", "platform": "tt" }` is exchanged as a code: the mock issues every
//   platform's codes)
//   → 200 { openid, unionid?, token, expires_in }          on success
//   → 400 { errcode, errmsg }                              code2Session's errcode, passed through
//
// The same login in two shapes other backends have, which mp-session's `login` option
// describes (tests/e2e/backends.test.js):
//   GET /wx/login?js_code=…&appid=…    an envelope: 200 { code: 0, msg: "ok", data: { token,
//     userId (a number), expire } }, or 200 { code: <errcode>, msg } when code2Session refused
//   POST /oauth/wechat  code=…&grant_type=wechat (a form)   Laravel/Django style: 200
//     { access_token, token_type: "Bearer", expires_in, user: { id } }, or 400 { error, error_description }
//
//   POST /spring/login  code=… (a form)   a Spring session: 200 { id, nickname } with
//     Set-Cookie: JSESSIONID=…; Max-Age=1800; Expires=…; Path=/; HttpOnly (and an XSRF-TOKEN
//     cookie besides), or 401 { status, error, message } when code2Session refused
//
//   GET|POST /api/...    Authorization: Bearer <token>, or Cookie: JSESSIONID=<token>
//     POST /api/upload (multipart, wx.uploadFile's): 200 { url } where the file is served
//   → 200 { openid, path }  for a token it issued; 401 { error } otherwise
//     ?delay=MS holds the answer that long, to keep requests under way
//     ?token=T is read when there is no Authorization header
//     ?reject=1 answers 401 whatever the token; ?reject=body answers 200 { error: 'session expired' }
//
// It calls code2Session with its AppSecret over HTTP, keeps the session_key to itself, and
// issues its own token. Tests steer it with `nextResponses` (see `respond` below).
const http = require('http')
const crypto = require('crypto')

async function startDevBackend({ wechat, ttlSeconds = 7200 }) {
  const stats = { posts: 0, bodies: [], requests: [], uploads: [], tokens: new Map(), api: { requests: 0, inFlight: 0, mostInFlight: 0, authorizations: [], cookies: [] } }
  /** Scripted behaviours for the next requests; each is used once. */
  const nextResponses = []

  async function login(body) {
    const web = body.platform === 'web'
    const url = new URL(web ? '/sns/oauth2/access_token' : '/sns/jscode2session', wechat.url)
    url.searchParams.set('appid', web ? wechat.oaAppid : wechat.appid)
    url.searchParams.set('secret', web ? wechat.oaSecret : wechat.secret)
    url.searchParams.set(web ? 'code' : 'js_code', body.code || body.anonymousCode)
    url.searchParams.set('grant_type', 'authorization_code')
    const answer = await getJson(url)
    if (answer.errcode) return { status: 400, json: { errcode: answer.errcode, errmsg: answer.errmsg } }
    const token = 'tok-' + crypto.randomBytes(12).toString('hex')
    stats.tokens.set(token, { openid: answer.openid, sessionKey: answer.session_key })
    const json = { openid: answer.openid, token, expires_in: ttlSeconds }
    if (answer.unionid) json.unionid = answer.unionid
    return { status: 200, json, sessionKey: answer.session_key }
  }

  /** The backend's own id of each user, a number: its users table. */
  const userIds = new Map()
  function userIdOf(openid) {
    if (!userIds.has(openid)) userIds.set(openid, 1000 + userIds.size)
    return userIds.get(openid)
  }

  /** The login of an envelope backend: its fields in the query. */
  async function envelopeLogin(params) {
    stats.bodies.push(Object.fromEntries(params))
    if (params.get('appid') !== wechat.appid) return { status: 200, json: { code: 4001, msg: 'unknown appid' } }
    const result = await login({ code: params.get('js_code'), platform: 'wx' })
    if (result.status !== 200) return { status: 200, json: { code: result.json.errcode, msg: result.json.errmsg } }
    const userId = userIdOf(result.json.openid)
    return { status: 200, json: { code: 0, msg: 'ok', data: { token: result.json.token, userId, expire: ttlSeconds } } }
  }

  /** The login of a Laravel/Django-style backend: a form body, an OAuth-like answer. */
  async function formLogin(raw) {
    const params = new URLSearchParams(raw)
    stats.bodies.push(Object.fromEntries(params))
    if (params.get('grant_type') !== 'wechat') return { status: 400, json: { error: 'unsupported_grant_type', error_description: 'grant_type must be wechat' } }
    const result = await login({ code: params.get('code'), platform: 'wx' })
    if (result.status !== 200) return { status: 400, json: { error: 'invalid_grant', error_description: result.json.errmsg } }
    const id = 'u-' + userIdOf(result.json.openid)
    return { status: 200, json: { access_token: result.json.token, token_type: 'Bearer', expires_in: ttlSeconds, user: { id } } }
  }

  /** The session cookie's lifetime: Spring's `server.servlet.session.cookie.max-age`. */
  const springCookieSeconds = 1800

  /** The login of a Spring backend: a form body; the session is the JSESSIONID cookie. */
  async function springLogin(raw) {
    const params = new URLSearchParams(raw)
    stats.bodies.push(Object.fromEntries(params))
    const result = await login({ code: params.get('code'), platform: 'wx' })
    if (result.status !== 200) return { status: 401, json: { status: 401, error: 'Unauthorized', message: result.json.errmsg } }
    const expires = new Date(Date.now() + springCookieSeconds * 1000).toUTCString()
    const cookies = [
      'XSRF-TOKEN=' + crypto.randomBytes(8).toString('hex') + '; Path=/',
      'JSESSIONID=' + result.json.token + '; Max-Age=' + springCookieSeconds + '; Expires=' + expires + '; Path=/; HttpOnly',
    ]
    return { status: 200, json: { id: userIdOf(result.json.openid), nickname: null }, header: { 'Set-Cookie': cookies } }
  }

  const server = http.createServer((req, res) => {
    // Web pages call from their own origin: the development backend allows any.
    res.setHeader('access-control-allow-origin', req.headers.origin || '*')
    res.setHeader('access-control-allow-headers', 'content-type, authorization, x-session')
    res.setHeader('access-control-allow-methods', 'GET, POST, PUT, DELETE, OPTIONS')
    if (req.method === 'OPTIONS') {
      res.writeHead(204)
      return res.end()
    }
    let raw = ''
    req.setEncoding('utf8')
    req.on('data', (chunk) => (raw += chunk))
    req.on('end', async () => {
      const url = new URL(req.url, 'http://x')
      if (url.pathname.startsWith('/api/')) return api(req, res, url, raw)
      const shaped = req.method === 'GET' && url.pathname === '/wx/login' ? () => envelopeLogin(url.searchParams)
        : req.method === 'POST' && url.pathname === '/oauth/wechat' ? () => formLogin(raw)
        : req.method === 'POST' && url.pathname === '/spring/login' ? () => springLogin(raw) : null
      if (shaped) {
        stats.posts++
        stats.requests.push({ method: req.method, path: url.pathname, query: url.search, contentType: req.headers['content-type'] || '', raw })
        return respond(res, nextResponses.shift(), shaped).catch((e) => {
          res.writeHead(500, { 'content-type': 'application/json' })
          res.end(JSON.stringify({ error: String(e) }))
        })
      }
      if (req.method !== 'POST' || url.pathname !== '/auth/login') {
        res.writeHead(404, { 'content-type': 'application/json' })
        return res.end('{"error":"not found"}')
      }
      stats.posts++
      let body
      try {
        body = JSON.parse(raw)
      } catch (e) {
        res.writeHead(400, { 'content-type': 'application/json' })
        return res.end('{"error":"body is not JSON"}')
      }
      stats.bodies.push(body)
      const scripted = nextResponses.shift()
      try {
        await respond(res, scripted, () => login(body))
      } catch (e) {
        res.writeHead(500, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ error: String(e) }))
      }
    })
  })
  function api(req, res, url, raw) {
    const stat = stats.api
    stat.requests++
    stat.inFlight++
    stat.mostInFlight = Math.max(stat.mostInFlight, stat.inFlight)
    const authorization = req.headers.authorization || ''
    stat.authorizations.push(authorization)
    stat.cookies.push(req.headers.cookie || '')
    const session = /(?:^|;\s*)JSESSIONID=([^;]*)/.exec(req.headers.cookie || '')
    const token = authorization ? authorization.replace(/^Bearer /, '') : session ? session[1] : url.searchParams.get('token') || ''
    const reject = url.searchParams.get('reject')
    const user = reject ? null : stats.tokens.get(token)
    setTimeout(() => {
      stat.inFlight--
      if (reject === 'body') {
        res.writeHead(200, { 'content-type': 'application/json' })
        return res.end(JSON.stringify({ error: 'session expired' }))
      }
      res.writeHead(user ? 200 : 401, { 'content-type': 'application/json' })
      if (user && url.pathname === '/api/upload') return res.end(JSON.stringify(uploaded(req, raw)))
      res.end(JSON.stringify(user ? { openid: user.openid, path: url.pathname } : { error: 'login required' }))
    }, Number(url.searchParams.get('delay')) || 0)
  }

  /**
   * A multipart upload (the body as text: the tests upload ASCII bytes): the file part's name
   * and size, kept, and the URL the avatar is served at, as a CDN would give it.
   */
  function uploaded(req, raw) {
    const boundary = /boundary=(.+)$/.exec(req.headers['content-type'] || '')
    const parts = boundary ? raw.split('--' + boundary[1]).filter((p) => /filename="/.test(p)) : []
    const file = parts.length ? parts[0].slice(parts[0].indexOf('\r\n\r\n') + 4, -2) : ''
    const name = parts.length ? /name="([^"]*)"/.exec(parts[0])[1] : null
    stats.uploads.push({ name, bytes: file.length })
    return { url: 'https://cdn.example.com/avatars/' + crypto.createHash('sha256').update(file).digest('hex').slice(0, 12) + '.png' }
  }

  const sockets = new Set()
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = 'http://127.0.0.1:' + server.address().port

  return {
    stats,
    base,
    loginUrl: base + '/auth/login',
    /** The envelope backend's login (`GET`, its fields in the query). */
    envelopeUrl: base + '/wx/login',
    /** The Laravel/Django-style backend's login (a form `POST`). */
    formUrl: base + '/oauth/wechat',
    /** The Spring backend's login (a form `POST`, answered with a JSESSIONID cookie). */
    springUrl: base + '/spring/login',
    springCookieSeconds,
    /**
     * Scripts the next request: `{ status, body }` (a raw string body, JSON content type unless
     * `contentType` says otherwise), `{ hang: true }` (never answers), `{ destroy: true }`
     * (drops the connection), `{ resetMidBody: true }` (drops it halfway through the body), or
     * `{ leakSessionKey: true }` (a real login whose answer wrongly includes session_key, as a
     * careless backend would).
     */
    script(...responses) {
      nextResponses.push(...responses)
    },
    /** Forgets every token it issued: the next API call with one is a 401. */
    revokeTokens() {
      stats.tokens.clear()
    },
    close() {
      for (const socket of sockets) socket.destroy()
      return new Promise((resolve) => server.close(resolve))
    },
  }
}

async function respond(res, scripted, login) {
  if (scripted && scripted.hang) return
  if (scripted && scripted.destroy) return res.socket.destroy()
  if (scripted && scripted.resetMidBody) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' })
    res.write('{"openid":"o-half","tok')
    return setTimeout(() => res.socket.destroy(), 20)
  }
  if (scripted && scripted.status !== undefined) {
    res.writeHead(scripted.status, { 'content-type': scripted.contentType || 'application/json' })
    return res.end(typeof scripted.body === 'string' ? scripted.body : JSON.stringify(scripted.body))
  }
  const result = await login()
  const json = scripted && scripted.leakSessionKey && result.sessionKey
    ? { ...result.json, session_key: result.sessionKey }
    : result.json
  res.writeHead(result.status, { 'content-type': 'application/json', ...result.header })
  res.end(JSON.stringify(json))
}

function getJson(url) {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let raw = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => (raw += chunk))
      res.on('end', () => {
        try {
          resolve(JSON.parse(raw))
        } catch (e) {
          reject(e)
        }
      })
    }).on('error', reject)
  })
}

module.exports = { startDevBackend }

'use strict'
// A mock of WeChat's side of login: wx.login issues single-use codes here (the phone talks to
// WeChat directly), and the backend calls code2Session over real HTTP:
//   GET /sns/jscode2session?appid&secret&js_code&grant_type=authorization_code
// For official-account pages, the OAuth authorize page and the code exchange:
//   GET /connect/oauth2/authorize?appid&redirect_uri&response_type=code&scope&state
//       → 302 to redirect_uri?code=CODE&state=STATE
//   GET /sns/oauth2/access_token?appid&secret&code&grant_type=authorization_code
// The same person has one openid per app (`o-...` in the mini-program, `oa-...` in the
// official account) and one unionid across them.
// Codes live 5 minutes and work once; every new code rotates the user's session_key, as on
// WeChat. `failNext(errcode)` makes the next code2Session calls answer with an errcode.
const http = require('http')
const crypto = require('crypto')

const CODE_TTL_MS = 5 * 60 * 1000
const ERRMSG = {
  '-1': 'system error',
  40029: 'invalid code',
  40163: 'code been used',
  45011: 'api minute-quota reach limit mustslower retry next minute',
  40226: 'invalid risky user',
}

async function startWechatServer({
  appid = 'wx-sim-app',
  secret = 'sim-app-secret-DO-NOT-LEAK',
  oaAppid = 'wxsim0ff1c1a1acc7',
  oaSecret = 'sim-oa-secret-DO-NOT-LEAK',
  oaUser = { openid: 'oa-sim-user', unionid: 'u-sim-user' },
} = {}) {
  const codes = new Map()
  const users = new Map()
  const failures = []
  const stats = { codesIssued: 0, code2SessionCalls: 0, sessionKeyRotations: 0, authorizeHits: 0, oauthExchanges: 0 }
  const oauthCodes = new Map()
  /** Everything that must never be stored, printed or shown: for the leak scan. */
  const issued = { codes: [], sessionKeys: [] }

  function issueCode(user) {
    const code = 'sim-code-' + crypto.randomBytes(8).toString('hex')
    const state = users.get(user.openid) || { ...user, sessionKey: null }
    state.sessionKey = crypto.randomBytes(16).toString('base64')
    issued.sessionKeys.push(state.sessionKey)
    stats.sessionKeyRotations++
    users.set(user.openid, state)
    codes.set(code, { openid: user.openid, issuedAt: Date.now(), used: false })
    issued.codes.push(code)
    stats.codesIssued++
    return code
  }

  function code2Session(query) {
    stats.code2SessionCalls++
    if (query.get('appid') !== appid || query.get('secret') !== secret) {
      return { errcode: 40125, errmsg: 'invalid appsecret' }
    }
    if (query.get('grant_type') !== 'authorization_code') return { errcode: 40002, errmsg: 'invalid grant_type' }
    const failure = failures.shift()
    if (failure !== undefined) return { errcode: failure, errmsg: ERRMSG[failure] || 'error' }
    const entry = codes.get(query.get('js_code') || '')
    if (!entry || Date.now() - entry.issuedAt > CODE_TTL_MS) return { errcode: 40029, errmsg: ERRMSG[40029] }
    if (entry.used) return { errcode: 40163, errmsg: ERRMSG[40163] }
    entry.used = true
    const user = users.get(entry.openid)
    const answer = { openid: user.openid, session_key: user.sessionKey }
    if (user.unionid) answer.unionid = user.unionid
    return answer
  }

  /** The OAuth authorize page: the user is already in WeChat, so it answers at once. */
  function authorize(query, res) {
    stats.authorizeHits++
    const redirect = query.get('redirect_uri') || ''
    if (query.get('appid') !== oaAppid || query.get('response_type') !== 'code' || !/^https?:\/\//.test(redirect) ||
        !['snsapi_base', 'snsapi_userinfo'].includes(query.get('scope'))) {
      res.writeHead(400, { 'content-type': 'text/plain' })
      return res.end('bad authorize request')
    }
    const code = 'sim-oauth-' + crypto.randomBytes(8).toString('hex')
    issued.codes.push(code)
    oauthCodes.set(code, { issuedAt: Date.now(), used: false })
    const back = new URL(redirect)
    back.searchParams.set('code', code)
    back.searchParams.set('state', query.get('state') || '')
    res.writeHead(302, { location: back.toString() })
    res.end()
  }

  function exchange(query) {
    stats.oauthExchanges++
    if (query.get('appid') !== oaAppid || query.get('secret') !== oaSecret) return { errcode: 40125, errmsg: 'invalid appsecret' }
    const failure = failures.shift()
    if (failure !== undefined) return { errcode: failure, errmsg: ERRMSG[failure] || 'error' }
    const entry = oauthCodes.get(query.get('code') || '')
    if (!entry || Date.now() - entry.issuedAt > CODE_TTL_MS) return { errcode: 40029, errmsg: ERRMSG[40029] }
    if (entry.used) return { errcode: 40163, errmsg: ERRMSG[40163] }
    entry.used = true
    return { access_token: 'sim-access-' + crypto.randomBytes(8).toString('hex'), expires_in: 7200, openid: oaUser.openid, unionid: oaUser.unionid, scope: 'snsapi_base' }
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1')
    if (url.pathname === '/connect/oauth2/authorize') return authorize(url.searchParams, res)
    const body = url.pathname === '/sns/jscode2session' && req.method === 'GET'
      ? code2Session(url.searchParams)
      : url.pathname === '/sns/oauth2/access_token' ? exchange(url.searchParams)
        : { errcode: 404, errmsg: 'not found' }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))

  return {
    appid,
    secret,
    oaAppid,
    oaSecret,
    stats,
    url: 'http://127.0.0.1:' + server.address().port,
    issueCode,
    /** The AppSecret, every code and every session_key so far. */
    secrets: () => [secret, oaSecret, ...issued.codes, ...issued.sessionKeys],
    /** The session_key WeChat currently holds for `openid` (to check it is never leaked). */
    sessionKeyOf: (openid) => (users.get(openid) || {}).sessionKey,
    /** The next `count` code2Session calls answer `errcode`. */
    failNext(errcode, count = 1) {
      for (let i = 0; i < count; i++) failures.push(errcode)
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

module.exports = { startWechatServer }

'use strict'
// A mock of WeChat's side of login: wx.login issues single-use codes here (the phone talks to
// WeChat directly), and the backend calls code2Session over real HTTP:
//   GET /sns/jscode2session?appid&secret&js_code&grant_type=authorization_code
// For official-account pages, the OAuth authorize page and the code exchange:
//   GET /connect/oauth2/authorize?appid&redirect_uri&response_type=code&scope&state
//       → 302 to redirect_uri?code=CODE&state=STATE
//   GET /sns/oauth2/access_token?appid&secret&code&grant_type=authorization_code
// For the server's other calls (tests/e2e/server.test.js):
//   POST /cgi-bin/stable_token { grant_type, appid, secret, force_refresh } → { access_token, expires_in }
//   POST /wxa/business/getuserphonenumber?access_token { code, openid } → { phone_info }
//   POST /api/apps/v2/jscode2session { appid, secret, code, anonymous_code }   (Douyin's)
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
  ttAppid = 'ttsim0d0u0y0i0n0',
  ttSecret = 'sim-tt-secret-DO-NOT-LEAK',
} = {}) {
  const codes = new Map()
  const users = new Map()
  const failures = []
  const stats = { codesIssued: 0, code2SessionCalls: 0, sessionKeyRotations: 0, authorizeHits: 0, oauthExchanges: 0 }
  const oauthCodes = new Map()
  /** Everything that must never be stored, printed or shown: for the leak scan. */
  const issued = { codes: [], sessionKeys: [], accessTokens: [] }
  /** getPhoneNumber codes: the number each gives, and whether it was used. */
  const phoneCodes = new Map()
  let accessToken = null

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
    const userToken = 'sim-access-' + crypto.randomBytes(8).toString('hex')
    issued.accessTokens.push(userToken)
    return { access_token: userToken, expires_in: 7200, openid: oaUser.openid, unionid: oaUser.unionid, scope: 'snsapi_base' }
  }

  /** Douyin's code2Session: a code of a user logged in to Douyin, or an anonymous code. */
  function douyin(body) {
    stats.code2SessionCalls++
    if (body.appid !== ttAppid || body.secret !== ttSecret) return { err_no: 40017, err_tips: 'bad secret' }
    const failure = failures.shift()
    if (failure !== undefined) return { err_no: failure, err_tips: ERRMSG[failure] || 'error' }
    const anonymous = !body.code
    const entry = codes.get(body.code || body.anonymous_code || '')
    if (!entry || entry.used || Date.now() - entry.issuedAt > CODE_TTL_MS) {
      return anonymous ? { err_no: 40019, err_tips: 'bad anonymous_code' } : { err_no: 40018, err_tips: 'bad code' }
    }
    entry.used = true
    const user = users.get(entry.openid)
    return {
      err_no: 0,
      err_tips: 'success',
      data: anonymous
        ? { session_key: '', openid: '', anonymous_openid: user.openid, unionid: '' }
        : { session_key: user.sessionKey, openid: user.openid, anonymous_openid: '', unionid: user.unionid || '' },
    }
  }

  function stableToken(body) {
    stats.stableTokenCalls = (stats.stableTokenCalls || 0) + 1
    if (body.appid !== appid || body.secret !== secret) return { errcode: 40125, errmsg: 'invalid appsecret' }
    if (!accessToken || body.force_refresh) {
      accessToken = 'sim-access-token-' + crypto.randomBytes(12).toString('hex')
      issued.accessTokens.push(accessToken)
    }
    return { access_token: accessToken, expires_in: 7200 }
  }

  function phoneNumber(query, body) {
    stats.phoneCalls = (stats.phoneCalls || 0) + 1
    if (!accessToken || query.get('access_token') !== accessToken) return { errcode: 40001, errmsg: 'invalid credential' }
    const entry = phoneCodes.get(body.code || '')
    if (!entry || entry.used) return { errcode: 40029, errmsg: 'invalid code' }
    entry.used = true
    return {
      errcode: 0,
      errmsg: 'ok',
      phone_info: { phoneNumber: entry.number, purePhoneNumber: entry.number, countryCode: '86', watermark: { timestamp: Math.floor(Date.now() / 1000), appid } },
    }
  }

  function answer(req, url, body) {
    if (url.pathname === '/sns/jscode2session' && req.method === 'GET') return code2Session(url.searchParams)
    if (url.pathname === '/sns/oauth2/access_token') return exchange(url.searchParams)
    if (req.method !== 'POST') return { errcode: 404, errmsg: 'not found' }
    if (url.pathname === '/api/apps/v2/jscode2session') return douyin(body)
    if (url.pathname === '/cgi-bin/stable_token') return stableToken(body)
    if (url.pathname === '/wxa/business/getuserphonenumber') return phoneNumber(url.searchParams, body)
    return { errcode: 404, errmsg: 'not found' }
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1')
    if (url.pathname === '/connect/oauth2/authorize') return authorize(url.searchParams, res)
    stats.received = (stats.received || 0) + 1
    let text = ''
    req.on('data', (chunk) => (text += chunk))
    req.on('end', () => {
      let body = {}
      try {
        body = text ? JSON.parse(text) : {}
      } catch {
        body = {}
      }
      const wait = url.pathname === '/sns/jscode2session' ? delays.shift() || 0 : 0
      setTimeout(() => {
        if (res.destroyed) return
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify(answer(req, url, body)))
      }, wait)
    })
  })
  const delays = []
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))

  return {
    appid,
    secret,
    oaAppid,
    oaSecret,
    ttAppid,
    ttSecret,
    stats,
    url: 'http://127.0.0.1:' + server.address().port,
    issueCode,
    /** What must never be stored or printed anywhere: the AppSecrets and every code. */
    secrets: () => [secret, oaSecret, ttSecret, ...issued.codes],
    /** What only the server may keep, in its store: every session_key and access_token. */
    keptByServer: () => [...issued.sessionKeys, ...issued.accessTokens],
    /** A getPhoneNumber button's code for the phone number `number`. */
    issuePhoneCode(number) {
      const code = 'sim-phone-' + crypto.randomBytes(8).toString('hex')
      issued.codes.push(code)
      phoneCodes.set(code, { number, used: false })
      return code
    },
    /** The next code2Session answer comes after `ms` milliseconds. */
    delayNext(ms) {
      delays.push(ms)
    },
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

'use strict'
// The soak of scripts/soak: three mp-session-server processes over one redis-server, in front of
// the mock WeChat, and many users at once, each doing one thing after another through the
// servers in turn: logging in, calling with one of its sessions, logging one out, binding and
// reading its phone number, each from an address of its own (as the HTTPS front forwards it),
// waiting out a 429's Retry-After as the client core does. Beside them, three clients in a loop
// that never wait: one user logging in again and again, one token calling again and again, one
// address posting codes that are not WeChat's. The abuse limits are on, and the loops reach
// them. A third of the way in, Redis is restarted; two
// thirds of the way in, one server is killed with SIGKILL and started again. Then it checks
// what must hold, prints what it did, and resolves to the summary (`violations` empty when all
// held).
const fs = require('fs')
const os = require('os')
const path = require('path')

const { startWechatServer } = require('./wechat-server')
const { startLoginServer, startRedis } = require('./login-server')

/** The most sessions a user keeps in the soak (the servers' --max-sessions-per-user). */
const CAP = 5

/** The abuse limits of the soak's servers, a minute each: the users stay under them, the loops do not. */
const LIMITS = { address: 30, user: 60, token: 120 }

/**
 * @param {{ seconds: number, users: number, log?: (line: string) => void }} o how long, how many
 *   users at once
 */
async function soak({ seconds, users, log = () => {} }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-session-soak-'))
  const counts = { requests: 0, logins: 0, calls: 0, logouts: 0, phones: 0, outageAnswers: 0, refused: 0, limited: 0 }
  /** What each budget admitted (logins of a user, requests of a token, codes from the looping client that reached WeChat). */
  const admitted = { user: new Map(), token: new Map(), loopToWechat: 0, loopLimited: { address: 0, user: 0, token: 0 } }
  const bump = (/** @type {Map<string, number>} */ map, /** @type {string} */ key) => map.set(key, (map.get(key) || 0) + 1)
  let began = 0
  const faults = []
  const violations = []
  let next = 0
  let ends = 0
  /** When Redis was down, from its stop to a moment after its start (its clients reconnect on their next call). */
  const redisDown = { from: Infinity, to: Infinity }
  /** The server killed, while it goes down. */
  let victim = null
  let wechat = null
  let redis = null
  const servers = []
  const start = () => startLoginServer({
    wechat,
    store: redis.url,
    args: ['--max-sessions-per-user', String(CAP), '--logins-per-minute-per-ip', String(LIMITS.address),
      '--logins-per-minute-per-user', String(LIMITS.user), '--calls-per-minute-per-token', String(LIMITS.token)],
  })

  /**
   * A request to the next server in turn, from the client address `from` (as a proxy on this
   * machine forwards it): `{ status, body, retryAfter, server, at }`, or `{ refused }`.
   */
  async function ask(method, route, token, body, from) {
    const server = servers[next++ % servers.length]
    const at = Date.now()
    counts.requests++
    try {
      const res = await fetch(server.url + route, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: 'Bearer ' + token } : {}),
          ...(from ? { 'x-forwarded-for': from } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10000),
      })
      const text = await res.text()
      let parsed = null
      try { parsed = JSON.parse(text) } catch (e) { /* a 5xx may have no JSON */ }
      return { status: res.status, body: parsed, retryAfter: res.headers.get('retry-after'), server, at }
    } catch (error) {
      const cause = error && error.cause && error.cause.code
      if (cause === 'ECONNREFUSED' || cause === 'ECONNRESET' || cause === 'UND_ERR_SOCKET') {
        return { refused: true, server, at }
      }
      return { failed: String(error), server, at }
    }
  }

  /**
   * Whether `answer` is one a client may see because of a fault: a connection the killed
   * server dropped or refused, or a 503 with Retry-After while Redis was down. Anything else
   * that is not the answer asked for is a violation.
   */
  function anOutage(answer) {
    if (answer.refused && answer.server === victim) {
      counts.refused++
      return true
    }
    if (answer.status === 503 && answer.retryAfter && answer.at <= redisDown.to && Date.now() >= redisDown.from) {
      counts.outageAnswers++
      return true
    }
    return false
  }

  /** Whether `answer` is a limit's refusal: 429 RATE_LIMITED with Retry-After in whole seconds. */
  function limited(answer) {
    const is = answer.status === 429 && answer.body && answer.body.error && answer.body.error.code === 'RATE_LIMITED' &&
      /^[1-9][0-9]*$/.test(answer.retryAfter || '')
    if (is) counts.limited++
    return is
  }

  /** `ask`, and after a limit's refusal the same again once its Retry-After has passed (the final checks: 3 tries). */
  async function askPatiently(method, route, token) {
    for (let tries = 0; ; tries++) {
      const answer = await ask(method, route, token)
      if (tries === 2 || !limited(answer)) return answer
      await new Promise((resolve) => setTimeout(resolve, Number(answer.retryAfter) * 1000))
    }
  }

  /** Waits out a limit's refusal, as the client core does (a Retry-After up to 8 s). */
  const waitOut = (answer) => new Promise((resolve) => setTimeout(resolve, Math.min(Number(answer.retryAfter), 8) * 1000))

  /** One user: a ledger of its sessions, and actions one after another until the end. */
  async function user(n) {
    const openid = 'o-soak-' + n
    const from = '10.1.' + (n >> 8) + '.' + (n & 255)
    const live = [] // tokens issued and not ended, in the order issued
    const ended = []
    // A login or logout answered 503 may have been written before the answer was lost: the
    // user may hold a session the ledger does not know (which the cap may end one of ours for)
    // or have ended one the ledger still holds. Those tokens are not held to "not lost".
    const doubtful = new Set()
    while (Date.now() < ends) {
      const roll = Math.random()
      if (roll < 0.35 || live.length === 0) {
        // A login; beyond the cap the oldest ends, as the server does (one action at a time).
        const answer = await ask('POST', '/auth/login', null, { code: wechat.issueCode({ openid }), platform: 'wx' }, from)
        if (answer.status === 200) {
          counts.logins++
          bump(admitted.user, openid)
          live.push(answer.body.token)
          if (live.length > CAP) ended.push(live.shift())
        } else if (anOutage(answer)) live.forEach((token) => doubtful.add(token))
        else if (limited(answer)) await waitOut(answer)
        else violations.push('login: ' + JSON.stringify(answer))
      } else if (roll < 0.75) {
        const token = live[Math.floor(Math.random() * live.length)]
        const answer = await ask('GET', '/auth/session', token)
        counts.calls++
        if (answer.status === 200) {
          bump(admitted.token, token)
          if (answer.body.openid !== openid) violations.push('a session answered for another user: ' + JSON.stringify(answer.body))
        } else if (answer.status === 401 && doubtful.has(token)) live.splice(live.indexOf(token), 1)
        else if (limited(answer)) await waitOut(answer)
        else if (!anOutage(answer)) violations.push('a live session refused: ' + JSON.stringify(answer))
      } else if (roll < 0.85) {
        const token = live.pop()
        const answer = await ask('POST', '/auth/logout', token)
        counts.logouts++
        if (answer.status === 200) {
          bump(admitted.token, token)
          ended.push(token)
        } else if (limited(answer)) {
          live.push(token)
          await waitOut(answer)
        } else if (anOutage(answer)) {
          // It may or may not have ended, and the order the cap ends them in is not known
          // any more: every session of the user is held to nothing from here.
          live.push(token)
          live.forEach((held) => doubtful.add(held))
        } else if (!(answer.status === 401 && doubtful.has(token))) violations.push('logout: ' + JSON.stringify(answer))
      } else {
        const token = live[live.length - 1]
        if (doubtful.has(token)) continue
        const answer = await ask('POST', '/auth/phone', token, { code: wechat.issuePhoneCode('1380013' + String(n).padStart(4, '0')) })
        counts.phones++
        if (answer.status === 200) bump(admitted.token, token)
        else if (limited(answer)) await waitOut(answer)
        else if (!anOutage(answer)) violations.push('phone: ' + JSON.stringify(answer))
      }
    }
    return { openid, live, ended, doubtful }
  }

  /**
   * Three clients in a loop that never wait: one address posting codes WeChat never issued
   * (each server's own budget of the address stops it before WeChat is asked: its 400s are the
   * times WeChat was); one user logging in again and again, from a new address each time (only
   * the user's budget holds it); one token calling again and again.
   */
  async function loops() {
    const garbage = async () => {
      for (let n = 0; Date.now() < ends; n++) {
        const answer = await ask('POST', '/auth/login', null, { code: 'not-from-wechat-' + n, platform: 'wx' }, '192.0.2.66')
        if (answer.status === 400 && answer.body && answer.body.errcode) admitted.loopToWechat++
        else if (limited(answer)) admitted.loopLimited.address++
        else if (!anOutage(answer)) violations.push('the looping address: ' + JSON.stringify(answer))
      }
    }
    const logins = async () => {
      const openid = 'o-soak-eager'
      for (let n = 0; Date.now() < ends; n++) {
        const from = '10.3.' + ((n >> 8) & 255) + '.' + (n & 255)
        const answer = await ask('POST', '/auth/login', null, { code: wechat.issueCode({ openid }), platform: 'wx' }, from)
        if (answer.status === 200) bump(admitted.user, openid)
        else if (limited(answer)) admitted.loopLimited.user++
        else if (!anOutage(answer)) violations.push('the looping user: ' + JSON.stringify(answer))
      }
    }
    const calls = async () => {
      const login = await ask('POST', '/auth/login', null, { code: wechat.issueCode({ openid: 'o-soak-chatty' }), platform: 'wx' }, '10.4.0.1')
      if (login.status !== 200) return violations.push('the looping token could not log in: ' + JSON.stringify(login))
      const token = login.body.token
      while (Date.now() < ends) {
        const answer = await ask('GET', '/auth/session', token)
        if (answer.status === 200) bump(admitted.token, token)
        else if (limited(answer)) admitted.loopLimited.token++
        else if (!anOutage(answer)) violations.push('the looping token: ' + JSON.stringify(answer))
      }
    }
    await Promise.all([garbage(), logins(), calls()])
  }

  /**
   * The most a budget of `perMinute` admits in `ms`: all of it at once, then one each
   * minute ÷ perMinute (rounded up, as the server does).
   */
  const most = (perMinute, ms) => perMinute + Math.floor(ms / Math.ceil(60000 / perMinute))

  /** The faults, at a third and two thirds of the run. */
  async function faultsOnTime() {
    await new Promise((resolve) => setTimeout(resolve, (seconds * 1000) / 3))
    redisDown.from = Date.now()
    await redis.stop()
    faults.push('redis-server stopped')
    await new Promise((resolve) => setTimeout(resolve, 300))
    redis = await startRedis(dir, redis.port)
    redisDown.to = Date.now() + 2000
    faults.push('redis-server started again on its port, its append-only file kept')
    await new Promise((resolve) => setTimeout(resolve, (seconds * 1000) / 3))
    victim = servers[1]
    servers.splice(1, 1)
    await victim.crash()
    faults.push('a server killed (SIGKILL)')
    await new Promise((resolve) => setTimeout(resolve, 300))
    servers.push(await start())
    faults.push('a server started again')
  }

  /** Users the load never touches, logged in before the faults: each must still authenticate after them. */
  async function witnesses() {
    const held = []
    for (let n = 0; n < 10; n++) {
      const openid = 'o-soak-witness-' + n
      const answer = await ask('POST', '/auth/login', null, { code: wechat.issueCode({ openid }), platform: 'wx' })
      if (answer.status !== 200) throw new Error('a witness could not log in: ' + JSON.stringify(answer))
      held.push({ openid, token: answer.body.token })
    }
    return held
  }

  let ledgers
  try {
    wechat = await startWechatServer()
    redis = await startRedis(dir)
    servers.push(await start(), await start(), await start())
    const witnessed = await witnesses()
    began = Date.now()
    ends = began + seconds * 1000
    const [done] = await Promise.all([Promise.all(Array.from({ length: users }, (_, n) => user(n))), faultsOnTime(), loops()])
    ledgers = done
    // The limits held across the servers: no user's logins, and no token's requests, past what
    // one budget admits in the run; the looping client reached WeChat at most what each
    // server's own budget of its address admits.
    const ran = Date.now() - began + 1000
    for (const [openid, n] of admitted.user) {
      if (n > most(LIMITS.user, ran)) violations.push('the user limit: ' + openid + ' logged in ' + n + ' times in ' + ran + ' ms')
    }
    for (const [, n] of admitted.token) {
      if (n > most(LIMITS.token, ran)) violations.push('the token limit: a token answered ' + n + ' times in ' + ran + ' ms')
    }
    // Three servers, and the one restarted with a budget of its own.
    if (admitted.loopToWechat > 4 * most(LIMITS.address, ran)) violations.push('the address limit: the looping client reached WeChat ' + admitted.loopToWechat + ' times')
    for (const [limit, n] of Object.entries(admitted.loopLimited)) {
      if (n === 0) violations.push('the ' + limit + ' limit was never reached by its loop')
    }
    // What must hold, asked of each server in turn once the faults are over.
    let checked = 0
    let unchecked = 0
    for (const { openid, token } of witnessed) {
      checked++
      const answer = await askPatiently('GET', '/auth/session', token)
      if (answer.status !== 200 || answer.body.openid !== openid) violations.push('lost: a session from before the faults no longer authenticates (' + openid + ')')
    }
    for (const { openid, live, ended, doubtful } of ledgers) {
      unchecked += live.filter((token) => doubtful.has(token)).length
      for (const token of live) {
        if (doubtful.has(token)) continue
        checked++
        const answer = await askPatiently('GET', '/auth/session', token)
        if (answer.status !== 200 || answer.body.openid !== openid) violations.push('lost: a session issued and not ended no longer authenticates (' + openid + ')')
      }
      for (const token of ended) {
        checked++
        const answer = await askPatiently('GET', '/auth/session', token)
        if (answer.status !== 401) violations.push('an ended session still authenticates (' + openid + ', ' + answer.status + ')')
      }
      if (live.length) {
        const answer = await askPatiently('GET', '/auth/sessions', live[live.length - 1])
        const held = answer.body && answer.body.sessions ? answer.body.sessions.length : -1
        if (held > CAP || held < 0) violations.push('the cap: ' + openid + ' holds ' + held + ' sessions')
      }
    }
    const stableTokenCalls = wechat.stats.stableTokenCalls || 0
    if (counts.phones > 0 && stableTokenCalls !== 1) violations.push('access_token fetched ' + stableTokenCalls + ' times for one expiry')
    const lost = violations.filter((v) => v.startsWith('lost')).length
    const limits = {
      answered429: counts.limited,
      mostLoginsOfAUser: Math.max(0, ...admitted.user.values()),
      mostRequestsOfAToken: Math.max(0, ...admitted.token.values()),
      loopReachedWechat: admitted.loopToWechat,
      loopsLimited: admitted.loopLimited,
    }
    const summary = { seconds, users, servers: 3, ...counts, faults, witnesses: witnessed.length, sessionsChecked: checked, unchecked, lost, accessTokenFetches: stableTokenCalls, limits, violations }
    log('soak: ' + seconds + ' s, ' + users + ' users at once, 3 servers over one redis-server')
    log('  ' + counts.requests + ' requests: ' + counts.logins + ' logins, ' + counts.calls + ' authenticated calls, ' + counts.logouts + ' logouts, ' + counts.phones + ' phone numbers')
    log('  faults: ' + faults.join('; '))
    log('  during them: ' + counts.outageAnswers + ' answers 503 with Retry-After, ' + counts.refused + ' refused connections, nothing else')
    log('  sessions checked: ' + checked + ' (' + witnessed.length + ' of them from before the faults, untouched by the load), lost: ' + lost + ' (' + unchecked + ' not held to it: a login or logout answered 503 may have been written); access_token fetches: ' + stableTokenCalls + ' (one expiry)')
    log('  rate limits (a minute: ' + LIMITS.user + ' logins a user, ' + LIMITS.token + ' requests a token, ' + LIMITS.address + ' logins an address): ' +
      counts.limited + ' answers 429 with Retry-After; at most ' + limits.mostLoginsOfAUser + ' logins of one user (' + most(LIMITS.user, seconds * 1000 + 1000) +
      ' allowed) and ' + limits.mostRequestsOfAToken + ' requests of one token (' + most(LIMITS.token, seconds * 1000 + 1000) + ' allowed) across the servers; the loops refused ' + JSON.stringify(limits.loopsLimited) +
      ' times; the looping address reached WeChat ' + limits.loopReachedWechat + ' times (' + 4 * most(LIMITS.address, seconds * 1000 + 1000) + ' allowed: 4 servers\' own budgets)')
    log('  ' + (violations.length ? violations.length + ' violations:\n    ' + violations.slice(0, 20).join('\n    ') : 'every check held'))
    return summary
  } finally {
    for (const server of servers) await server.stop()
    if (redis) await redis.stop()
    if (wechat) await wechat.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

module.exports = { soak, CAP, LIMITS }

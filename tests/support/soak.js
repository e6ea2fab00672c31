'use strict'
// The soak of scripts/soak: three mp-session-server processes over one redis-server, in front of
// the mock WeChat, and many users at once, each doing one thing after another through the
// servers in turn: logging in, calling with one of its sessions, logging one out, binding and
// reading its phone number. A third of the way in, Redis is restarted; two thirds of the way
// in, one server is killed with SIGKILL and started again. Then it checks what must hold, prints
// what it did, and resolves to the summary (`violations` empty when all held).
const fs = require('fs')
const os = require('os')
const path = require('path')

const { startWechatServer } = require('./wechat-server')
const { startLoginServer, startRedis } = require('./login-server')

/** The most sessions a user keeps in the soak (the servers' --max-sessions-per-user). */
const CAP = 5

/**
 * @param {{ seconds: number, users: number, log?: (line: string) => void }} o how long, how many
 *   users at once
 */
async function soak({ seconds, users, log = () => {} }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-session-soak-'))
  const counts = { requests: 0, logins: 0, calls: 0, logouts: 0, phones: 0, outageAnswers: 0, refused: 0 }
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
  const start = () => startLoginServer({ wechat, store: redis.url, args: ['--max-sessions-per-user', String(CAP)] })

  /** A request to the next server in turn: `{ status, body, retryAfter, server, at }`, or `{ refused }`. */
  async function ask(method, route, token, body) {
    const server = servers[next++ % servers.length]
    const at = Date.now()
    counts.requests++
    try {
      const res = await fetch(server.url + route, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: 'Bearer ' + token } : {}) },
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

  /** One user: a ledger of its sessions, and actions one after another until the end. */
  async function user(n) {
    const openid = 'o-soak-' + n
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
        const answer = await ask('POST', '/auth/login', null, { code: wechat.issueCode({ openid }), platform: 'wx' })
        if (answer.status === 200) {
          counts.logins++
          live.push(answer.body.token)
          if (live.length > CAP) ended.push(live.shift())
        } else if (anOutage(answer)) live.forEach((token) => doubtful.add(token))
        else violations.push('login: ' + JSON.stringify(answer))
      } else if (roll < 0.75) {
        const token = live[Math.floor(Math.random() * live.length)]
        const answer = await ask('GET', '/auth/session', token)
        counts.calls++
        if (answer.status === 200) {
          if (answer.body.openid !== openid) violations.push('a session answered for another user: ' + JSON.stringify(answer.body))
        } else if (answer.status === 401 && doubtful.has(token)) live.splice(live.indexOf(token), 1)
        else if (!anOutage(answer)) violations.push('a live session refused: ' + JSON.stringify(answer))
      } else if (roll < 0.85) {
        const token = live.pop()
        const answer = await ask('POST', '/auth/logout', token)
        counts.logouts++
        if (answer.status === 200) ended.push(token)
        else if (anOutage(answer)) {
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
        if (answer.status !== 200 && !anOutage(answer)) violations.push('phone: ' + JSON.stringify(answer))
      }
    }
    return { openid, live, ended, doubtful }
  }

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
    ends = Date.now() + seconds * 1000
    const [done] = await Promise.all([Promise.all(Array.from({ length: users }, (_, n) => user(n))), faultsOnTime()])
    ledgers = done
    // What must hold, asked of each server in turn once the faults are over.
    let checked = 0
    let unchecked = 0
    for (const { openid, token } of witnessed) {
      checked++
      const answer = await ask('GET', '/auth/session', token)
      if (answer.status !== 200 || answer.body.openid !== openid) violations.push('lost: a session from before the faults no longer authenticates (' + openid + ')')
    }
    for (const { openid, live, ended, doubtful } of ledgers) {
      unchecked += live.filter((token) => doubtful.has(token)).length
      for (const token of live) {
        if (doubtful.has(token)) continue
        checked++
        const answer = await ask('GET', '/auth/session', token)
        if (answer.status !== 200 || answer.body.openid !== openid) violations.push('lost: a session issued and not ended no longer authenticates (' + openid + ')')
      }
      for (const token of ended) {
        checked++
        const answer = await ask('GET', '/auth/session', token)
        if (answer.status !== 401) violations.push('an ended session still authenticates (' + openid + ', ' + answer.status + ')')
      }
      if (live.length) {
        const answer = await ask('GET', '/auth/sessions', live[live.length - 1])
        const held = answer.body && answer.body.sessions ? answer.body.sessions.length : -1
        if (held > CAP || held < 0) violations.push('the cap: ' + openid + ' holds ' + held + ' sessions')
      }
    }
    const stableTokenCalls = wechat.stats.stableTokenCalls || 0
    if (counts.phones > 0 && stableTokenCalls !== 1) violations.push('access_token fetched ' + stableTokenCalls + ' times for one expiry')
    const lost = violations.filter((v) => v.startsWith('lost')).length
    const summary = { seconds, users, servers: 3, ...counts, faults, witnesses: witnessed.length, sessionsChecked: checked, unchecked, lost, accessTokenFetches: stableTokenCalls, violations }
    log('soak: ' + seconds + ' s, ' + users + ' users at once, 3 servers over one redis-server')
    log('  ' + counts.requests + ' requests: ' + counts.logins + ' logins, ' + counts.calls + ' authenticated calls, ' + counts.logouts + ' logouts, ' + counts.phones + ' phone numbers')
    log('  faults: ' + faults.join('; '))
    log('  during them: ' + counts.outageAnswers + ' answers 503 with Retry-After, ' + counts.refused + ' refused connections, nothing else')
    log('  sessions checked: ' + checked + ' (' + witnessed.length + ' of them from before the faults, untouched by the load), lost: ' + lost + ' (' + unchecked + ' not held to it: a login or logout answered 503 may have been written); access_token fetches: ' + stableTokenCalls + ' (one expiry)')
    log('  rate limits: not checked (mp-session-server has none yet)')
    log('  ' + (violations.length ? violations.length + ' violations:\n    ' + violations.slice(0, 20).join('\n    ') : 'every check held'))
    return summary
  } finally {
    for (const server of servers) await server.stop()
    if (redis) await redis.stop()
    if (wechat) await wechat.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

module.exports = { soak, CAP }

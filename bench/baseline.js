'use strict'
// The plain-JS baseline: the same launch flow as mp-session, written the way a careful
// JavaScript developer would, to measure mp-session's cost against. Same record format
// (`mp-session:<namespace>`, `{ v: 1, openid, unionid, token, expiresAt, obtainedAt, userInfo }`),
// same checks (shape, version, expiry with a leeway of at most half the session's life, a clock
// that moved back), same single flight, same retry rules (backoff with jitter for network,
// timeout, 5xx, -1 and 45011; one fresh code for 40029/40163; the rest fail at once), the same
// one write, session_key never kept. It is not published and not used by the package.

var RECORD_VERSION = 1
var MAX_ID = 128
var MAX_TOKEN = 8192
var MAX_TTL_MS = 365 * 24 * 3600 * 1000

function fail(code, message, retryable, extra) {
  var error = new Error('baseline: ' + message)
  error.code = code
  error.retryable = !!retryable
  if (extra) Object.assign(error, extra)
  return error
}

function isSecureUrl(url) {
  var m = /^(https?):\/\/([^/?#@]+)/i.exec(url)
  if (!m) return false
  var host = m[2].replace(/:\d{1,5}$/, '')
  return m[1].toLowerCase() === 'https' || host === '127.0.0.1' || host.toLowerCase() === 'localhost'
}

function checkOptions(o) {
  if (!o || typeof o.loginUrl !== 'string' || !isSecureUrl(o.loginUrl)) throw fail('INVALID_CONFIG', 'loginUrl must be https', false)
  var whole = function (v, d, min, max) {
    if (v === undefined) return d
    if (typeof v !== 'number' || v % 1 !== 0 || v < min || v > max) throw fail('INVALID_CONFIG', 'bad option', false)
    return v
  }
  var ns = o.namespace === undefined ? 'default' : o.namespace
  if (typeof ns !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(ns)) throw fail('INVALID_CONFIG', 'bad namespace', false)
  return {
    loginUrl: o.loginUrl,
    key: 'mp-session:' + ns,
    leewayMs: whole(o.leewaySeconds, 300, 0, 86400) * 1000,
    ttlMs: whole(o.defaultTtlSeconds, 7200, 1, 31536000) * 1000,
    timeoutMs: whole(o.timeoutMs, 10000, 100, 60000),
    maxRetries: whole(o.maxRetries, 2, 0, 10),
  }
}

function isString(v, max) {
  return typeof v === 'string' && v.length > 0 && v.length <= max
}

/** The stored value as a record, or null when it is not one. */
function decodeRecord(value) {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null
  if (value.v !== RECORD_VERSION || !isString(value.openid, MAX_ID)) return null
  if (value.unionid != null && !isString(value.unionid, MAX_ID)) return null
  if (value.token != null && (typeof value.token !== 'string' || value.token.length > MAX_TOKEN)) return null
  var times = [value.expiresAt, value.obtainedAt]
  for (var i = 0; i < 2; i++) if (typeof times[i] !== 'number' || times[i] % 1 !== 0 || times[i] < 0) return null
  if (value.expiresAt <= value.obtainedAt || value.expiresAt > Number.MAX_SAFE_INTEGER) return null
  var info = value.userInfo
  if (info != null && (typeof info !== 'object' || (info.nickName != null && typeof info.nickName !== 'string') ||
      (info.avatarUrl != null && typeof info.avatarUrl !== 'string'))) return null
  return {
    v: 1, openid: value.openid, unionid: value.unionid || null, token: value.token == null ? null : value.token,
    expiresAt: value.expiresAt, obtainedAt: value.obtainedAt,
    userInfo: info ? { nickName: info.nickName == null ? null : info.nickName, avatarUrl: info.avatarUrl == null ? null : info.avatarUrl } : null,
  }
}

/** 'fresh', 'refresh' (usable, inside the leeway) or 'stale'. */
function standing(record, now, leewayMs) {
  if (!record || record.obtainedAt > now || now >= record.expiresAt) return 'stale'
  var leeway = Math.min(leewayMs, Math.floor((record.expiresAt - record.obtainedAt) / 2))
  return now >= record.expiresAt - leeway ? 'refresh' : 'fresh'
}

function toSession(record, source) {
  return { openid: record.openid, unionid: record.unionid, token: record.token, expiresAt: record.expiresAt, userInfo: record.userInfo, source: source }
}

/** What the backend's answer means: { record } | { retry } | { freshCode } | { error }. */
function judge(status, data, now, ttlMs) {
  if (typeof data === 'string') {
    if (data.length > 65536) return status >= 200 && status < 300 ? { error: fail('BAD_RESPONSE', 'too long', false) } : status >= 500 ? { retry: fail('BACKEND', 'failed', true) } : { error: fail('BACKEND', 'refused', false) }
    try { data = JSON.parse(data) } catch (e) { data = null }
  }
  var answer = data && typeof data === 'object' && !Array.isArray(data) ? data : null
  if (answer && answer.errcode) {
    var e = answer.errcode
    if (e === -1 || e === 45011) return { retry: fail('BACKEND', 'busy', true, { errcode: e }) }
    if (e === 40029 || e === 40163) return { freshCode: fail('BACKEND', 'bad code', false, { errcode: e }) }
    return { error: fail('BACKEND', 'refused', false, { errcode: e }) }
  }
  if (status >= 500 && status < 600) return { retry: fail('BACKEND', 'failed', true, { status: status }) }
  if (status < 200 || status >= 300) return { error: fail('BACKEND', 'refused', false, { status: status }) }
  if (!answer || !isString(answer.openid, MAX_ID)) return { error: fail('BAD_RESPONSE', 'no openid', false) }
  var ttl = answer.expires_in !== undefined ? answer.expires_in : answer.expiresIn
  var ttlMsActual = ttlMs
  if (ttl !== undefined && ttl !== null) {
    if (typeof ttl !== 'number' || !(ttl >= 1)) return { error: fail('BAD_RESPONSE', 'bad expires_in', false) }
    ttlMsActual = Math.min(ttl * 1000, MAX_TTL_MS)
  }
  if (answer.unionid != null && (typeof answer.unionid !== 'string' || answer.unionid.length > MAX_ID)) return { error: fail('BAD_RESPONSE', 'bad unionid', false) }
  if (answer.token != null && (typeof answer.token !== 'string' || answer.token.length > MAX_TOKEN)) return { error: fail('BAD_RESPONSE', 'bad token', false) }
  return { record: {
    v: 1, openid: answer.openid, unionid: answer.unionid || null, token: answer.token || null,
    expiresAt: now + Math.floor(ttlMsActual), obtainedAt: now,
    userInfo: answer.userInfo && typeof answer.userInfo === 'object' ? { nickName: answer.userInfo.nickName || null, avatarUrl: answer.userInfo.avatarUrl || null } : null,
  } }
}

function createSession(options) {
  var api = options.api
  var config = null
  var configError = null
  try { config = checkOptions(options) } catch (e) { configError = e }
  var loaded = false
  var held = null // { record, source }
  var flight = null

  function load() {
    if (loaded) return
    loaded = true
    var value
    try { value = api.getStorageSync(config.key) } catch (e) { value = '' }
    var record = decodeRecord(value === '' ? null : value)
    if (record && standing(record, Date.now(), config.leewayMs) !== 'stale') held = { record: record, source: 'cache' }
  }

  function login() {
    return new Promise(function (resolve, reject) {
      var done = false
      var timer = setTimeout(function () { if (!done) { done = true; reject(fail('TIMEOUT', 'wx.login', true)) } }, config.timeoutMs)
      api.login({
        timeout: config.timeoutMs + 1000,
        success: function (res) { if (done) return; done = true; clearTimeout(timer); if (res && typeof res.code === 'string' && res.code) resolve(res.code); else reject(fail('LOGIN_FAILED', 'no code', true)) },
        fail: function () { if (done) return; done = true; clearTimeout(timer); reject(fail('LOGIN_FAILED', 'wx.login failed', true)) },
      })
    })
  }

  function post(code) {
    return new Promise(function (resolve, reject) {
      var done = false
      var task = null
      var timer = setTimeout(function () { if (!done) { done = true; if (task && task.abort) task.abort(); reject(fail('TIMEOUT', 'request', true)) } }, config.timeoutMs)
      task = api.request({
        url: config.loginUrl, method: 'POST', data: { code: code, platform: 'wx' }, header: { 'content-type': 'application/json' },
        dataType: 'text', timeout: config.timeoutMs + 1000,
        success: function (res) { if (done) return; done = true; clearTimeout(timer); resolve(res) },
        fail: function () { if (done) return; done = true; clearTimeout(timer); reject(fail('NETWORK', 'request failed', true)) },
      })
    })
  }

  function attempt(retries, freshCodeUsed) {
    return login().then(post).then(function (res) {
      var verdict = judge(res.statusCode, res.data, Date.now(), config.ttlMs)
      if (verdict.record) return verdict.record
      if (verdict.freshCode && !freshCodeUsed) return attempt(retries, true)
      if (verdict.retry) throw verdict.retry
      throw verdict.freshCode || verdict.error
    }).catch(function (error) {
      if (!error.retryable || error.code === 'BACKEND' && (error.errcode === 40029 || error.errcode === 40163) || retries >= config.maxRetries) throw error
      var full = Math.min(500 * Math.pow(2, retries), 8000)
      var wait = full / 2 + Math.floor(Math.random() * (full / 2 + 1))
      return new Promise(function (r) { setTimeout(r, wait) }).then(function () { return attempt(retries + 1, freshCodeUsed) })
    })
  }

  function refresh() {
    if (!flight) {
      flight = attempt(0, false).then(function (record) {
        flight = null
        if (!record.userInfo && held && held.record.openid === record.openid) record.userInfo = held.record.userInfo
        held = { record: record, source: 'login' }
        var session = toSession(record, 'login')
        try {
          api.setStorageSync(config.key, record)
        } catch (e) {
          throw fail('STORAGE', 'storage refused the session', false, { session: session })
        }
        return session
      }, function (error) {
        flight = null
        if (held && standing(held.record, Date.now(), config.leewayMs) !== 'stale') return toSession(held.record, held.source)
        throw error
      })
    }
    return flight
  }

  function ensure() {
    if (configError) return Promise.reject(configError)
    load()
    if (held && standing(held.record, Date.now(), config.leewayMs) === 'fresh') return Promise.resolve(toSession(held.record, held.source))
    return refresh()
  }

  return {
    ready: function () { return configError ? Promise.reject(configError) : Promise.resolve() },
    launch: ensure,
    ensure: ensure,
    current: function () {
      if (configError) return null
      load()
      return held && standing(held.record, Date.now(), config.leewayMs) !== 'stale' ? toSession(held.record, held.source) : null
    },
    close: function () {},
  }
}

module.exports = { createSession: createSession }

'use strict'
// The `wx` object with WeChat's semantics, as far as a login flow touches it:
// - callback style only; callbacks always run later, never inside the call;
// - wx.login issues a single-use code from the mock WeChat server;
// - wx.request does real HTTP (loopback only, as in the developer tool with domain checks
//   off; `requestDomains` turns the check on, as on a phone: only those origins), calls `success` for EVERY status, `fail` only when no answer arrived; at most 10
//   requests run at once, the rest wait in a queue; `dataType: 'json'` parses when it can;
//   `data` is converted as WeChat documents it (a GET's object into the query, a POST's into
//   JSON, or `k=v&…` for application/x-www-form-urlencoded); the answer's `header` keeps each
//   name as the server sent it and joins repeated ones with ',', and `cookies` (base library
//   2.10.0) lists its Set-Cookies;
// - storage is the file-backed store of storage.js;
// - wx.uploadFile sends a file on the phone (`files`: what chooseAvatar gave) as a multipart
//   POST, `success` for every status;
// - wx.cloud (base library 2.2.3): init, then callFunction runs the named function of
//   `cloudFunctions` (name → async (event, context)) with the user's context injected
//   ({ OPENID, UNIONID, APPID }, as cloud.getWXContext() gives it); `behaviour.cloud` =
//   'fail' makes calls fail, 'silent' never answer.
const http = require('http')
const { compareVersions } = require('./wx-wasm')

const MAX_CONCURRENT_REQUESTS = 10
const DEFAULT_REQUEST_TIMEOUT_MS = 60000

function createWx({ storage, wechat, user, behaviour, stats, timers, baseLibrary, phone = 'ios', files, inProcessBackend, microtasks, requestDomains, cloudFunctions }) {
  const queue = []
  let running = 0

  /** Callbacks always run later, never inside the call: on a timer, or (for the benchmark,
   * which measures only mp-session's own time) on a microtask. */
  function later(fn) {
    if (microtasks) Promise.resolve().then(fn)
    else timers.set(fn, 0)
  }

  function call(callbacks, name, result) {
    if (typeof callbacks[name] === 'function') callbacks[name](result)
    if (typeof callbacks.complete === 'function') callbacks.complete(result)
  }

  function login(options = {}) {
    stats.logins++
    const mode = behaviour.login
    if (mode === 'silent') return
    later(() => {
      if (mode === 'fail') return call(options, 'fail', { errMsg: 'login:fail system error', errno: 1 })
      if (mode === 'no-code') return call(options, 'success', { errMsg: 'login:ok' })
      if (mode === 'number') return call(options, 'success', { code: 12345, errMsg: 'login:ok' })
      const code = wechat.issueCode(user)
      stats.codes.push(code)
      call(options, 'success', { code, errMsg: 'login:ok' })
    })
  }

  function request(options = {}) {
    stats.requests++
    const task = { aborted: false, req: null, finished: false }
    const job = () => send(options, task)
    if (running < MAX_CONCURRENT_REQUESTS) job()
    else queue.push(job)
    return {
      abort() {
        if (task.finished || task.aborted) return
        task.aborted = true
        if (task.req) task.req.destroy()
        else {
          const at = queue.indexOf(job)
          if (at >= 0) queue.splice(at, 1)
          finish(task, () => call(options, 'fail', { errMsg: 'request:fail abort', errno: 600003 }))
        }
      },
    }
  }

  function finish(task, deliver) {
    if (task.finished) return
    task.finished = true
    if (task.req) {
      running--
      const next = queue.shift()
      if (next) next()
    }
    later(deliver)
  }

  function send(options, task) {
    if (inProcessBackend) {
      const answer = inProcessBackend(options)
      return finish(task, () => call(options, 'success', { statusCode: answer.statusCode, data: answer.data, header: {}, errMsg: 'request:ok' }))
    }
    let url
    try {
      url = new URL(options.url)
    } catch (e) {
      return finish(task, () => call(options, 'fail', { errMsg: 'request:fail invalid url', errno: 600009 }))
    }
    const listed = !requestDomains || requestDomains.includes(url.origin)
    if (!listed || (url.protocol !== 'https:' && !(url.protocol === 'http:' && url.hostname === '127.0.0.1'))) {
      return finish(task, () => call(options, 'fail', { errMsg: 'request:fail url not in domain list', errno: 600002 }))
    }
    running++
    const method = (options.method || 'GET').toUpperCase()
    const header = Object.assign({}, options.header)
    // WeChat's default content-type (a JSON body) unless the app gives its own.
    if (!Object.keys(header).some((name) => name.toLowerCase() === 'content-type')) header['content-type'] = 'application/json'
    // As wx.request converts `data`: a GET's object into the query, a POST's into the body as
    // its content-type says (application/x-www-form-urlencoded: `k=v&…`; else JSON), each
    // name and value through encodeURIComponent.
    const contentType = Object.keys(header).filter((name) => name.toLowerCase() === 'content-type').map((name) => header[name])[0]
    const query = (data) => Object.keys(data).map((k) => encodeURIComponent(k) + '=' + encodeURIComponent(data[k])).join('&')
    let body = null
    if (options.data !== undefined && options.data !== null && method === 'GET' && typeof options.data === 'object') {
      const fields = query(options.data)
      if (fields) url.search = url.search ? url.search + '&' + fields : '?' + fields
    } else if (options.data !== undefined && method !== 'GET') {
      if (typeof options.data === 'string') body = options.data
      else if (/application\/x-www-form-urlencoded/i.test(contentType || '')) body = query(options.data)
      else body = JSON.stringify(options.data)
    }
    const req = http.request(url, { method, headers: header })
    task.req = req
    const timeout = options.timeout || DEFAULT_REQUEST_TIMEOUT_MS
    const timer = setTimeout(() => {
      if (task.finished) return
      req.destroy()
      finish(task, () => call(options, 'fail', { errMsg: 'request:fail timeout', errno: 5 }))
    }, timeout)
    req.on('response', (res) => {
      let raw = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => (raw += chunk))
      res.on('end', () => {
        clearTimeout(timer)
        let data = raw
        if ((options.dataType || 'json') === 'json') {
          try {
            data = JSON.parse(raw)
          } catch (e) {
            data = raw
          }
        }
        finish(task, () => call(options, 'success', { data, statusCode: res.statusCode, ...responseHeaders(res), errMsg: 'request:ok' }))
      })
      res.on('error', () => {})
      res.on('aborted', () => {
        clearTimeout(timer)
        finish(task, () => call(options, 'fail', { errMsg: 'request:fail connection reset', errno: 600001 }))
      })
    })
    req.on('error', (e) => {
      clearTimeout(timer)
      const errMsg = task.aborted ? 'request:fail abort' : 'request:fail ' + e.code
      finish(task, () => call(options, 'fail', { errMsg, errno: task.aborted ? 600003 : 600001 }))
    })
    if (body !== null) req.write(body)
    req.end()
  }

  /**
   * A response's `header` and `cookies` as wx.request gives them: each header under the name
   * the server sent, several of one name joined by ',' (a response's Set-Cookies become one
   * string: Taro #1061, weapp-cookie #28); `cookies`, one Set-Cookie each, from base library
   * 2.10.0.
   */
  function responseHeaders(res) {
    const header = {}
    for (let i = 0; i < res.rawHeaders.length; i += 2) {
      const name = res.rawHeaders[i]
      const value = res.rawHeaders[i + 1]
      header[name] = name in header ? header[name] + ',' + value : value
    }
    if (compareVersions(baseLibrary, '2.10.0') < 0) return { header }
    const set = res.headers['set-cookie']
    return { header, cookies: set ? [].concat(set) : [] }
  }

  /**
   * wx.uploadFile: the phone's file `filePath` (one `files` holds: what chooseAvatar gave) as
   * the multipart part `name`, with `formData`, POSTed over real HTTP to 127.0.0.1; `success`
   * for every status with the body as text, `fail` when the file is not on the phone or no
   * answer came.
   */
  function uploadFile(options = {}) {
    stats.uploads.push({ url: options.url, filePath: options.filePath, name: options.name })
    const task = { finished: false, req: null }
    const fail = (errMsg) => later(() => call(options, 'fail', { errMsg }))
    const bytes = files.get(options.filePath)
    if (!bytes) {
      fail('uploadFile:fail file not found')
      return { abort() {} }
    }
    let url
    try {
      url = new URL(options.url)
    } catch (e) {
      fail('uploadFile:fail invalid url')
      return { abort() {} }
    }
    const boundary = '----mp-sim-' + Math.random().toString(16).slice(2)
    const parts = Object.entries(options.formData || {}).map(([k, v]) =>
      Buffer.from('--' + boundary + '\r\ncontent-disposition: form-data; name="' + k + '"\r\n\r\n' + v + '\r\n'))
    parts.push(Buffer.from('--' + boundary + '\r\ncontent-disposition: form-data; name="' + options.name + '"; filename="' +
      options.filePath.split('/').pop() + '"\r\ncontent-type: application/octet-stream\r\n\r\n'), bytes, Buffer.from('\r\n--' + boundary + '--\r\n'))
    const body = Buffer.concat(parts)
    const header = Object.assign({}, options.header, { 'content-type': 'multipart/form-data; boundary=' + boundary, 'content-length': String(body.length) })
    const req = http.request(url, { method: 'POST', headers: header })
    task.req = req
    const timer = setTimeout(() => {
      req.destroy()
      if (!task.finished) (task.finished = true), fail('uploadFile:fail timeout')
    }, options.timeout || DEFAULT_REQUEST_TIMEOUT_MS)
    req.on('response', (res) => {
      let raw = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => (raw += chunk))
      res.on('end', () => {
        clearTimeout(timer)
        if (task.finished) return
        task.finished = true
        later(() => call(options, 'success', { data: raw, statusCode: res.statusCode, errMsg: 'uploadFile:ok' }))
      })
    })
    req.on('error', () => {
      clearTimeout(timer)
      if (task.finished) return
      task.finished = true
      fail('uploadFile:fail connection reset')
    })
    req.end(body)
    return { abort() { req.destroy() } }
  }

  /** The asynchronous storage calls: `encrypt` from base library 2.21.3. */
  function asyncStorage(name, run) {
    return (options = {}) => {
      later(() => {
        if (options.encrypt && compareVersions(baseLibrary, '2.21.3') < 0) {
          return call(options, 'fail', { errMsg: name + ':fail encrypt is not supported' })
        }
        try {
          call(options, 'success', Object.assign({ errMsg: name + ':ok' }, run(options)))
        } catch (e) {
          call(options, 'fail', { errMsg: e.message })
        }
      })
    }
  }

  /** wx.cloud: the functions of `cloudFunctions`, run in-process with the user's context. */
  function createCloud() {
    let initialised = false
    return {
      init() {
        initialised = true
      },
      callFunction(options = {}) {
        stats.cloudCalls = (stats.cloudCalls || 0) + 1
        if (behaviour.cloud === 'silent') return
        const fail = (errCode, errMsg) => later(() => call(options, 'fail', { errCode, errMsg: 'cloud.callFunction:fail ' + errMsg }))
        if (!initialised) return fail(-1, 'please call wx.cloud.init first')
        if (behaviour.cloud === 'fail') return fail(-504002, 'functions execute fail')
        const fn = (cloudFunctions || {})[options.name]
        if (!fn) return fail(-501000, 'FunctionName parameter could not be found')
        const context = { OPENID: user.openid, UNIONID: user.unionid, APPID: wechat.appid }
        Promise.resolve()
          .then(() => fn(JSON.parse(JSON.stringify(options.data || {})), context))
          .then(
            (result) => later(() => call(options, 'success', { result, errMsg: 'cloud.callFunction:ok', requestID: 'sim' })),
            (e) => fail(-504002, 'functions execute fail: ' + e.message)
          )
      },
    }
  }

  /** Data pre-fetch's token (base library 2.8.0): at most 1024 characters. */
  function setBackgroundFetchToken(options = {}) {
    const ok = typeof options.token === 'string' && options.token.length <= 1024
    if (ok) stats.fetchTokens.push(options.token)
    later(() => call(options, ok ? 'success' : 'fail', { errMsg: 'setBackgroundFetchToken:' + (ok ? 'ok' : 'fail invalid token') }))
  }

  return {
    login,
    request,
    uploadFile,
    setBackgroundFetchToken,
    cloud: createCloud(),
    getStorage: asyncStorage('getStorage', (o) => ({ data: o.encrypt ? storage.getEncrypted(o.key) : storage.getStorageSync(o.key) })),
    setStorage: asyncStorage('setStorage', (o) => {
      if (o.encrypt) storage.setEncrypted(o.key, o.data)
      else storage.setStorageSync(o.key, o.data)
    }),
    removeStorage: asyncStorage('removeStorage', (o) => storage.removeStorageSync(o.key)),
    getAppBaseInfo: () => ({ SDKVersion: baseLibrary }),
    getSystemInfoSync: () => ({ SDKVersion: baseLibrary, platform: phone }),
    getDeviceInfo: () => ({ platform: phone }),
    getStorageSync: storage.getStorageSync,
    setStorageSync: storage.setStorageSync,
    removeStorageSync: storage.removeStorageSync,
    showToast(options = {}) {
      stats.toasts.push(options.title)
      later(() => call(options, 'success', { errMsg: 'showToast:ok' }))
    },
  }
}

module.exports = { createWx, MAX_CONCURRENT_REQUESTS }

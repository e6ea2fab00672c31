// A phone's logic layer, as small as an engine shell can hold it: `wx` (wx.login with
// single-use codes, wx.request answered in-process by a code2Session-like backend, storage
// kept as JSON text as WeChat keeps it), `WXWebAssembly` (a package path only, either result
// shape), and the package loaded the way WeChat loads it: CommonJS, no `require`, no
// `TextEncoder`. Plain ES5 with no engine API but `load`, `readFile` and `setTimeout`, so that
// the same file runs in JavaScriptCore's `jsc` and, through prelude-node.js, in Node.
/* global load, readFile, print, preciseTime */
/* eslint-disable no-var */

// jsc has setTimeout but no clearTimeout. Timers run from one queue here; the engine's own
// timer is asked for at most 50 ms ahead, so that a cleared timer never keeps the shell alive.
var phoneTimers = (function () {
  var realSetTimeout = setTimeout
  var queue = []
  var nextId = 1
  var pumping = false
  function pump() {
    pumping = false
    var now = Date.now()
    queue.sort(function (a, b) { return a.at - b.at || a.id - b.id })
    while (queue.length && queue[0].at <= now) queue.shift().fn()
    arm()
  }
  function arm() {
    if (pumping || !queue.length) return
    pumping = true
    realSetTimeout(pump, Math.min(50, Math.max(0, queue[0].at - Date.now())))
  }
  return {
    set: function (fn, ms) {
      var id = nextId++
      queue.push({ id: id, at: Date.now() + (ms || 0), fn: fn })
      arm()
      return id
    },
    clear: function (id) {
      queue = queue.filter(function (t) { return t.id !== id })
    },
  }
})()
// eslint-disable-next-line no-global-assign
setTimeout = phoneTimers.set
// eslint-disable-next-line no-global-assign
clearTimeout = phoneTimers.clear

/**
 * A new phone: `root` is the package folder (index.js and the decompressed mp_session.wasm,
 * which stands in for the .wasm.br WeChat decompresses itself).
 */
function newPhone(root, options) {
  options = options || {}
  var stored = options.storage || {}
  var stats = { logins: 0, posts: 0, reads: 0, writes: 0, instantiations: 0, callsIn: 0, callsOut: 0, memory: null }
  var issued = {}
  var codes = 0
  var later = function (fn) { Promise.resolve().then(fn) }
  var wx = {
    login: function (o) {
      stats.logins++
      var code = 'code-' + ++codes
      issued[code] = true
      later(function () { o.success({ code: code, errMsg: 'login:ok' }) })
    },
    request: function (o) {
      stats.posts++
      var body = typeof o.data === 'string' ? JSON.parse(o.data) : o.data
      var answer
      if (!body || !issued[body.code]) answer = { errcode: 40163, errmsg: 'code been used' }
      else {
        delete issued[body.code]
        answer = { openid: 'o-phone-user', unionid: 'u-phone-user', token: 'tok-' + body.code, expires_in: 7200 }
      }
      later(function () { o.success({ statusCode: 200, data: JSON.stringify(answer), header: {} }) })
      return { abort: function () {} }
    },
    getStorageSync: function (key) {
      stats.reads++
      return Object.prototype.hasOwnProperty.call(stored, key) ? JSON.parse(stored[key]) : ''
    },
    setStorageSync: function (key, value) {
      stats.writes++
      stored[key] = JSON.stringify(value)
    },
    removeStorageSync: function (key) {
      delete stored[key]
    },
    showToast: function () {},
  }
  var wxWebAssembly = {
    instantiate: function (path, imports) {
      stats.instantiations++
      if (typeof path !== 'string' || path.charAt(0) !== '/') return Promise.reject(new Error('WXWebAssembly takes a package path'))
      var bytes = readFile(root + '/mp_session.wasm', 'binary')
      return WebAssembly.instantiate(bytes, counted(imports, stats, options.count)).then(function (result) {
        stats.memory = result.instance.exports.memory
        var instance = options.count ? countedInstance(result.instance, stats) : result.instance
        return options.resultShape === 'object' ? { instance: instance, module: result.module } : instance
      })
    },
  }
  return { wx: wx, WXWebAssembly: wxWebAssembly, storage: stored, stats: stats }
}

/** With `count`, the imports, each counting the calls out of the core. */
function counted(imports, stats, count) {
  if (!count) return imports
  var wrapped = {}
  Object.keys(imports || {}).forEach(function (module) {
    wrapped[module] = {}
    Object.keys(imports[module]).forEach(function (name) {
      var f = imports[module][name]
      wrapped[module][name] = typeof f !== 'function' ? f : function () { stats.callsOut++; return f.apply(this, arguments) }
    })
  })
  return wrapped
}

/** The instance with each exported function counting the calls into the core. */
function countedInstance(instance, stats) {
  var exports = {}
  Object.keys(instance.exports).forEach(function (name) {
    var f = instance.exports[name]
    exports[name] = typeof f !== 'function' ? f : function () { stats.callsIn++; return f.apply(this, arguments) }
  })
  return { exports: exports }
}

/** Loads `file` (CommonJS) afresh, as a new app would, with the phone's globals. */
function loadModule(phone, file) {
  // eslint-disable-next-line no-global-assign
  WXWebAssembly = phone.WXWebAssembly
  // A module of its own, as WeChat's CommonJS gives every file: its top-level names stay in it.
  var own = { exports: {} }
  new Function('module', 'exports', readFile(file))(own, own.exports)
  return own.exports
}

var WXWebAssembly = null

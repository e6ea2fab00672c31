// @ts-check
'use strict'
// mp-session for mini-programs: the WeChat login flow. The decisions live in the WebAssembly
// core; this file only loads it, hands it a host that speaks `wx.*`, and turns its answers
// into promises (session.js).

var coreLoader = require('./core')
var createHost = require('./host').createHost
var shared = require('./session')

/** The first base library whose wx.setStorage / getStorage take `encrypt: true`. */
var ENCRYPT_MIN_BASE_LIBRARY = '2.21.3'

/**
 * Creates the session of one namespace and starts loading the core. The options are checked
 * once it is loaded: a wrong one rejects every call with `INVALID_CONFIG`.
 *
 * @param {import('./index').SessionOptions} options
 * @returns {import('./index').MpSession}
 */
function createSession(options) {
  var read = shared.readOptions(options, ['api', 'wasmPath', 'encryptStorage'])
  var own = read.platformOptions
  var api = own.api !== undefined ? own.api : typeof wx !== 'undefined' ? wx : undefined
  var wasmPath = own.wasmPath
  if (wasmPath !== undefined && (typeof wasmPath !== 'string' || !/\.wasm(\.br)?$/.test(wasmPath))) {
    read.invalid('wasmPath must be the path of a .wasm or .wasm.br file')
  }
  if (!isWxLike(api)) {
    read.invalid('no wx API here: pass options.api (an object with login, request, showToast and the *StorageSync calls)')
  }
  var encryptStorage = own.encryptStorage === true
  if (own.encryptStorage !== undefined && typeof own.encryptStorage !== 'boolean') {
    read.invalid('encryptStorage must be true or false')
  } else if (encryptStorage && isWxLike(api)) {
    var version = baseLibraryVersion(api)
    if (!version || compareVersions(version, ENCRYPT_MIN_BASE_LIBRARY) < 0) {
      read.invalid('encryptStorage needs base library ' + ENCRYPT_MIN_BASE_LIBRARY + ' or later (this one is ' +
        (version || 'unknown') + '); create the session without it on older phones')
    }
  }
  var text = shared.json(read.coreOptions)
  if (text === undefined) read.invalid('options must be plain data: strings, numbers, booleans, arrays and objects')
  return shared.makeSession({
    loadCore: function () { return coreLoader.loadCore(/** @type {string | undefined} */ (wasmPath)) },
    kind: 0,
    options: text || '{}',
    host: createHost(/** @type {import('./index').WxLike} */ (api), encryptStorage),
  }, read.settings())
}

/** The base library version (`SDKVersion`), or '' when the API does not say. */
/** @param {any} api */
function baseLibraryVersion(api) {
  try {
    var info = typeof api.getAppBaseInfo === 'function' ? api.getAppBaseInfo()
      : typeof api.getSystemInfoSync === 'function' ? api.getSystemInfoSync() : null
    return info && typeof info.SDKVersion === 'string' ? info.SDKVersion : ''
  } catch (e) {
    return ''
  }
}

/** @param {string} a @param {string} b */
function compareVersions(a, b) {
  var pa = a.split('.')
  var pb = b.split('.')
  for (var i = 0; i < Math.max(pa.length, pb.length); i++) {
    var d = (parseInt(pa[i], 10) || 0) - (parseInt(pb[i], 10) || 0)
    if (d) return d
  }
  return 0
}

/** @param {any} api */
function isWxLike(api) {
  return !!api && ['login', 'request', 'getStorageSync', 'setStorageSync', 'removeStorageSync', 'showToast']
    .every(function (name) { return typeof api[name] === 'function' })
}

module.exports = { createSession: createSession }

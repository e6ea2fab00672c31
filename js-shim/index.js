// @ts-check
'use strict'
// mp-session: the WeChat mini-program login flow. The decisions live in the WebAssembly core;
// this file only loads it, hands it a host that speaks `wx.*`, and turns its answers into
// promises.

var loadCore = require('./loader').loadCore
var createHost = require('./host').createHost
var errors = require('./errors')

/**
 * Creates the session of one namespace and starts loading the core. The options are checked
 * once it is loaded: a wrong one rejects every call with `INVALID_CONFIG`.
 *
 * @param {import('./index').SessionOptions} options
 * @returns {import('./index').MpSession}
 */
function createSession(options) {
  var shimFailure = null
  /** @type {Record<string, unknown>} */
  var coreOptions = {}
  /** @type {any} */
  var api = typeof wx !== 'undefined' ? wx : undefined
  /** @type {string | undefined} */
  var wasmPath

  if (options !== null && typeof options === 'object') {
    Object.keys(options).forEach(function (key) {
      // `api` and `wasmPath` are the shim's; the core checks every other option.
      if (key !== 'api' && key !== 'wasmPath') coreOptions[key] = /** @type {any} */ (options)[key]
    })
    if (options.api !== undefined) api = options.api
    wasmPath = options.wasmPath
    if (wasmPath !== undefined && (typeof wasmPath !== 'string' || !/\.wasm(\.br)?$/.test(wasmPath))) {
      shimFailure = errors.shimError('INVALID_CONFIG', 'wasmPath must be the path of a .wasm or .wasm.br file', false)
    }
  } else {
    shimFailure = errors.shimError('INVALID_CONFIG', 'createSession takes an options object with loginUrl', false)
  }
  if (!shimFailure && !isWxLike(api)) {
    shimFailure = errors.shimError(
      'INVALID_CONFIG',
      'no wx API here: pass options.api (an object with login, request, showToast and the *StorageSync calls)',
      false
    )
  }

  /** @type {any} */
  var driver = null
  /** @type {Error | null} */
  var configFailure = shimFailure
  /** @type {Promise<any> | null} */
  var starting = null
  var nextCall = 1
  /** @type {Record<number, { resolve: (value: any) => void, reject: (error: Error) => void }>} */
  var pending = {}
  /** @type {Array<(session: import('./index').Session | null) => void>} */
  var listeners = []

  var host = createHost(api, function () { return driver }, {
    settle: function (call, error, value) {
      var waiting = pending[call]
      if (!waiting) return
      delete pending[call]
      if (error !== undefined) waiting.reject(errors.toError(error))
      else waiting.resolve(value)
    },
    changed: function (session) {
      listeners.slice().forEach(function (listener) {
        try {
          listener(session)
        } catch (e) {
          if (typeof console !== 'undefined') console.error('mp-session: an onChange listener threw', e)
        }
      })
    },
  })

  /** @returns {Promise<any>} */
  function ready() {
    if (driver) return Promise.resolve(driver)
    if (configFailure) return Promise.reject(configFailure)
    if (!starting) {
      starting = loadCore(wasmPath).then(
        function (core) {
          try {
            driver = new core.Driver(host, coreOptions, entropy())
          } catch (view) {
            configFailure = errors.toError(/** @type {any} */ (view))
            throw configFailure
          }
          return driver
        },
        function (error) {
          starting = null
          throw error
        }
      )
    }
    return starting
  }

  /**
   * @param {string} method
   * @param {unknown} [argument]
   */
  function call(method, argument) {
    return ready().then(function (d) {
      return new Promise(function (resolve, reject) {
        var id = nextCall++
        pending[id] = { resolve: resolve, reject: reject }
        d[method](id, argument)
      })
    })
  }

  // Start loading at once: by the time a page asks, the core is usually ready.
  ready().catch(function () {})

  return {
    launch: function () { return call('ensure') },
    ensure: function () { return call('ensure') },
    current: function () { return driver ? driver.current() : null },
    setUserInfo: function (info) { return call('setUserInfo', info) },
    logout: function () { return call('logout').then(function () {}) },
    deviceId: function () { return call('deviceId') },
    onChange: function (listener) {
      if (typeof listener !== 'function') throw new TypeError('mp-session: onChange takes a function')
      listeners.push(listener)
      return function unsubscribe() {
        var at = listeners.indexOf(listener)
        if (at >= 0) listeners.splice(at, 1)
      }
    },
  }
}

/** @param {any} api */
function isWxLike(api) {
  return !!api && ['login', 'request', 'getStorageSync', 'setStorageSync', 'removeStorageSync', 'showToast']
    .every(function (name) { return typeof api[name] === 'function' })
}

/** 16 random bytes: `crypto.getRandomValues` where it exists, else `Math.random`. */
function entropy() {
  var bytes = new Uint8Array(16)
  var cryptoApi = typeof crypto !== 'undefined' ? crypto : null
  if (cryptoApi && typeof cryptoApi.getRandomValues === 'function') {
    cryptoApi.getRandomValues(bytes)
  } else {
    for (var i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256)
  }
  return bytes
}

module.exports = { createSession: createSession }

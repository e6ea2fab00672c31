// @ts-check
'use strict'
// mp-session: the WeChat mini-program login flow. The decisions live in the WebAssembly core;
// this file only loads it, hands it a host that speaks `wx.*`, and turns its answers into
// promises.

var coreLoader = require('./core')
var createHost = require('./host').createHost
var errors = require('./errors')

/** Options this file reads itself; every other option goes to the core, which checks it. */
var SHIM_OPTIONS = ['api', 'wasmPath', 'isSessionExpired', 'attachToken', 'encryptStorage']
/** The first base library whose wx.setStorage / getStorage take `encrypt: true`. */
var ENCRYPT_MIN_BASE_LIBRARY = '2.21.3'

/**
 * @typedef {import('./index').Session} Session
 * @typedef {import('./index').RequestOptions} RequestOptions
 * @typedef {import('./index').Response} Response
 * @typedef {{ resolve: (value: any) => void, reject: (error: Error) => void, request?: RequestOptions }} Waiting
 */

/**
 * Creates the session of one namespace and starts loading the core. The options are checked
 * once it is loaded: a wrong one rejects every call with `INVALID_CONFIG`.
 *
 * @param {import('./index').SessionOptions} options
 * @returns {import('./index').MpSession}
 */
function createSession(options) {
  var settings = readShimOptions(options)
  /** @type {Error | null} */
  var failure = settings.failure

  /** @type {any} */
  var driver = null
  /** @type {coreLoader.Core | null} */
  var driverCore = null
  /** @type {ReturnType<typeof createHost> | null} */
  var host = null
  /** @type {Promise<any> | null} */
  var starting = null
  var nextCall = 1
  /** @type {Record<number, Waiting>} */
  var pending = {}
  /** @type {Record<number, Response>} */
  var responses = {}
  /** @type {Array<(session: Session | null) => void>} */
  var listeners = []
  var closed = false

  /** The core died under this session: every call under way fails, the next one reloads. */
  /** @param {unknown} cause */
  function onDeath(cause) {
    if (host) host.dispose()
    driver = null
    driverCore = null
    host = null
    starting = null
    responses = {}
    var failed = pending
    pending = {}
    var error = errors.shimError('WASM_TRAP', 'the WebAssembly core stopped (' + coreLoader.describe(cause) +
      '); the next call loads it again', true, cause)
    Object.keys(failed).forEach(function (call) { failed[/** @type {any} */ (call)].reject(error) })
  }

  /** @param {unknown} cause */
  function trapped(cause) {
    if (driverCore) coreLoader.killCore(driverCore, cause)
  }

  /** @param {coreLoader.Core} core */
  function startDriver(core) {
    var newHost = createHost(settings.api, {
      driver: function () { return driver },
      settle: settle,
      changed: changed,
      wantsChanges: function () { return listeners.length > 0 },
      trapped: trapped,
      requestOf: function (call) { return pending[call] && pending[call].request },
      answered: function (op, response) { responses[op] = response },
      isSessionExpired: settings.isSessionExpired,
      attachToken: settings.attachToken,
    })
    if (closed) throw closedError()
    try {
      driver = new core.glue.Driver(newHost, settings.coreOptions, entropy(), settings.encryptStorage)
    } catch (view) {
      failure = errors.toError(/** @type {any} */ (view))
      throw failure
    }
    host = newHost
    driverCore = core
    core.onDeath.push(onDeath)
    return driver
  }

  /** @returns {Promise<any>} */
  function ready() {
    if (closed) return Promise.reject(closedError())
    if (driver) return Promise.resolve(driver)
    if (failure) return Promise.reject(failure)
    if (!starting) {
      starting = coreLoader.loadCore(settings.wasmPath).then(startDriver, function (error) {
        starting = null
        throw error
      })
    }
    return starting
  }

  /**
   * @param {number} call
   * @param {any} error
   * @param {any} value
   */
  function settle(call, error, value) {
    var waiting = pending[call]
    if (!waiting) return
    delete pending[call]
    if (error !== undefined) return waiting.reject(errors.toError(error))
    if (waiting.request) {
      var response = responses[value]
      delete responses[value]
      return waiting.resolve(response)
    }
    // The core hands the same value to every call a login settles: each gets its own copy.
    waiting.resolve(copy(value))
  }

  /** @param {Session | null} session */
  function changed(session) {
    session = copy(session)
    listeners.slice().forEach(function (listener) {
      try {
        listener(session)
      } catch (e) {
        if (typeof console !== 'undefined') console.error('mp-session: an onChange listener threw', e)
      }
    })
  }

  /**
   * @param {string} method
   * @param {unknown} [argument]
   * @param {RequestOptions} [request]
   */
  function call(method, argument, request) {
    /** @param {any} d */
    var send = function (d) {
      return new Promise(function (resolve, reject) {
        var id = nextCall++
        pending[id] = { resolve: resolve, reject: reject, request: request }
        try {
          d[method](id, argument)
        } catch (cause) {
          trapped(cause)
        }
      })
    }
    // Once the core is up, straight in: a cached launch settles inside this very call.
    return driver ? send(driver) : ready().then(send)
  }

  // Start loading at once: by the time a page asks, the core is usually ready.
  ready().catch(function () {})

  return {
    ready: function () { return ready().then(function () {}) },
    close: function () {
      if (closed) return
      closed = true
      if (driverCore) {
        var at = driverCore.onDeath.indexOf(onDeath)
        if (at >= 0) driverCore.onDeath.splice(at, 1)
      }
      if (host) host.dispose()
      if (driver) {
        try {
          driver.free()
        } catch (e) {
          // Freeing a driver of a dead core: nothing left to free.
        }
      }
      driver = null
      host = null
      var waiting = pending
      pending = {}
      responses = {}
      listeners = []
      Object.keys(waiting).forEach(function (call) { waiting[/** @type {any} */ (call)].reject(closedError()) })
    },
    launch: function () { return call('ensure') },
    ensure: function () { return call('ensure') },
    current: function () {
      if (!driver) return null
      try {
        return copy(driver.current())
      } catch (cause) {
        trapped(cause)
        return null
      }
    },
    setUserInfo: function (info) { return call('setUserInfo', info) },
    logout: function () { return call('logout').then(function () {}) },
    deviceId: function () { return call('deviceId') },
    request: function (request) {
      if (!request || typeof request !== 'object' || typeof request.url !== 'string') {
        return Promise.reject(errors.shimError('INVALID_ARGUMENT',
          'request takes the options of wx.request: { url, method?, data?, header?, timeout?, dataType?, responseType? }', false))
      }
      return call('request', request.url, request)
    },
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

/**
 * Splits the options: the shim's own (checked here, as the core never sees them) and the
 * core's (checked there).
 *
 * @param {any} options
 */
function readShimOptions(options) {
  var api = typeof wx !== 'undefined' ? wx : undefined
  /** @type {Record<string, unknown>} */
  var coreOptions = {}
  /** @type {Error | null} */
  var failure = null
  var invalid = function (/** @type {string} */ message) {
    failure = failure || errors.shimError('INVALID_CONFIG', message, false)
  }
  if (options === null || typeof options !== 'object') {
    invalid('createSession takes an options object with loginUrl')
    options = {}
  }
  Object.keys(options).forEach(function (key) {
    if (SHIM_OPTIONS.indexOf(key) < 0) coreOptions[key] = options[key]
  })
  if (options.api !== undefined) api = options.api
  var wasmPath = options.wasmPath
  if (wasmPath !== undefined && (typeof wasmPath !== 'string' || !/\.wasm(\.br)?$/.test(wasmPath))) {
    invalid('wasmPath must be the path of a .wasm or .wasm.br file')
  }
  ;['isSessionExpired', 'attachToken'].forEach(function (name) {
    if (options[name] !== undefined && typeof options[name] !== 'function') invalid(name + ' must be a function')
  })
  if (!isWxLike(api)) {
    invalid('no wx API here: pass options.api (an object with login, request, showToast and the *StorageSync calls)')
  }
  var encryptStorage = options.encryptStorage === true
  if (options.encryptStorage !== undefined && typeof options.encryptStorage !== 'boolean') {
    invalid('encryptStorage must be true or false')
  } else if (encryptStorage && !failure) {
    var version = baseLibraryVersion(api)
    if (!version || compareVersions(version, ENCRYPT_MIN_BASE_LIBRARY) < 0) {
      invalid('encryptStorage needs base library ' + ENCRYPT_MIN_BASE_LIBRARY + ' or later (this one is ' +
        (version || 'unknown') + '); create the session without it on older phones')
    }
  }
  var isSessionExpired = options.isSessionExpired
  return {
    api: /** @type {import('./index').WxLike} */ (api),
    wasmPath: /** @type {string | undefined} */ (wasmPath),
    coreOptions: coreOptions,
    failure: failure,
    /** @param {Response} response */
    isSessionExpired: function (response) {
      if (!isSessionExpired) return response.statusCode === 401
      try {
        return !!isSessionExpired(response)
      } catch (e) {
        if (typeof console !== 'undefined') console.error('mp-session: isSessionExpired threw; treating the answer as accepted', e)
        return false
      }
    },
    /** @type {((options: RequestOptions, token: string) => RequestOptions) | undefined} */
    attachToken: options.attachToken,
    encryptStorage: encryptStorage,
  }
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

function closedError() {
  return errors.shimError('CLOSED', 'close() was called on this session', false)
}

/**
 * A deep copy of plain data (a session): what the core hands out is shared between calls.
 *
 * @template T
 * @param {T} value
 * @returns {T}
 */
function copy(value) {
  if (!value || typeof value !== 'object') return value
  /** @type {any} */
  var out = {}
  Object.keys(value).forEach(function (key) { out[key] = copy(/** @type {any} */ (value)[key]) })
  return out
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

// @ts-check
// What every platform's session shares: the calls under way, their promises, the listeners,
// the app's own requests, and what happens when the core traps or the session is closed.

import * as errors from './errors.js'
import { createDriver } from './driver.js'
import {
  GROUP_OF, GROUP_ONE, KIND_DEVICE_ID, KIND_ENSURE, KIND_LOGOUT, KIND_REQUEST, KIND_SET_USER_INFO,
} from './layout.js'

/**
 * @typedef {import('./index').Session} Session
 * @typedef {import('./index').RequestOptions} RequestOptions
 * @typedef {import('./index').Response} Response
 * @typedef {{ resolve: (value: any) => void, reject: (error: Error) => void, request?: RequestOptions,
 *   response?: Response }} Waiting a call under way; a request's, with the answer to its latest try
 */

/**
 * @typedef {{
 *   loadCore(): Promise<Core>,
 *   options: Record<string, unknown>,
 *   web: Record<string, unknown> | null,
 *   name: string | null,
 *   host: import('./driver').Host,
 * }} Platform the core to load, the session to make in it (the options the core reads, and
 *   a web page's own), the platform whose API the runtime has, and the host that carries out
 *   its effects
 * @typedef {{ boundary: ReturnType<typeof import('./boundary').createBoundary>, dead: boolean,
 *   onDeath: Array<(cause: unknown) => void>, fellBack?: string }} Core the loaded core;
 *   `fellBack`: why the JavaScript core runs where the WebAssembly one did not load
 * @typedef {{
 *   failure: Error | null,
 *   isSessionExpired(response: Response): boolean | null | undefined,
 *   attachToken: ((options: RequestOptions, token: string) => RequestOptions) | undefined,
 *   trace?: import('./trace').Recorder,
 * }} Settings
 */

/**
 * A session of one namespace on `platform` (the mini-program or a web page): loads the core,
 * gives its driver a host, and turns what the core settles into promises. The options are
 * checked once the core is loaded: a wrong one rejects every call with `INVALID_CONFIG`.
 *
 * @param {Platform} platform
 * @param {Settings} settings
 * @returns {import('./index').MpSession}
 */
function makeSession(platform, settings) {
  /** @type {Error | null} */
  var failure = settings.failure

  /** @type {ReturnType<typeof createDriver> | null} */
  var driver = null
  /** @type {Core | null} */
  var driverCore = null
  var sessionId = -1
  /** @type {Promise<any> | null} */
  var starting = null
  var nextCall = 1
  /** @type {Record<number, Waiting>} */
  var pending = {}
  /** @type {Array<(session: Session | null) => void>} */
  var listeners = []
  var closed = false
  /** Where the calls wait (the core names these groups; src/core/effect.rs, `Calls`). */
  var places = newPlaces()

  /** The core died under this session: every call under way fails, the next one reloads. */
  /** @param {unknown} cause */
  function onDeath(cause) {
    if (driver) driver.stop()
    driver = null
    driverCore = null
    starting = null
    places = newPlaces()
    var failed = pending
    pending = {}
    var error = errors.shimError('WASM_TRAP', 'the WebAssembly core stopped (' + errors.describe(cause) +
      '); the next call loads it again', true, cause)
    Object.keys(failed).forEach(function (call) { failed[/** @type {any} */ (call)].reject(error) })
  }

  /** @param {unknown} cause */
  function trapped(cause) {
    if (driverCore) killCore(driverCore, cause)
  }

  /** @param {Core} core */
  function startDriver(core) {
    if (closed) throw closedError()
    var made
    // A flight recorder sees the session created, then its inputs.
    if (settings.trace) core.boundary.tap(settings.trace.wrap)
    try {
      made = core.boundary.create(entropy(), platform.options, platform.web, platform.name)
    } catch (cause) {
      // The core trapped before this session had a place in it: the next call loads afresh.
      killCore(core, cause)
      starting = null
      throw errors.shimError('WASM_TRAP', 'the WebAssembly core stopped (' + errors.describe(cause) + '); the next call loads it again', true, cause)
    }
    if (made.error) {
      failure = errors.toError(made.error)
      throw failure
    }
    sessionId = /** @type {number} */ (made.id)
    driver = createDriver(core.boundary, sessionId, /** @type {any} */ (made.created), platform.host, {
      hold: hold, wait: wait, sending: sending, settle: settle, changed: changed, trapped: trapped, answered: answered,
    }, settings)
    driverCore = core
    core.onDeath.push(onDeath)
    if (listeners.length) driver.listen(true)
    return driver
  }

  /** The calls waiting for a session now wait for the effect `op`. @param {number} op */
  function hold(op) {
    places.of[op] = places.waiting
    places.waiting = []
  }

  /** The call waits where the core says. @param {number} call @param {{ group: string, id: number }} on */
  function wait(call, on) {
    if (on.group === GROUP_OF) (places.of[on.id] = places.of[on.id] || []).push(call)
    else places[on.group].push(call)
  }

  /**
   * A request goes out as the effect `op`: the next in line, or again the one of the effect
   * `again`. Returns what the app asked for.
   * @param {number} op @param {number | null} again @returns {RequestOptions | undefined}
   */
  function sending(op, again) {
    var calls = again === null ? places.requests.splice(0, 1) : places.of[again] || []
    if (again !== null) delete places.of[again]
    places.of[op] = calls
    var waiting = pending[calls[0]]
    return waiting && waiting.request
  }

  /**
   * The answer to the effect `op`, kept with the call it answers, and gone with it however
   * the call settles. @param {number} op @param {Response} response
   */
  function answered(op, response) {
    var calls = places.of[op]
    var waiting = calls && pending[calls[0]]
    if (waiting) waiting.response = response
  }

  /** @returns {Promise<any>} */
  function ready() {
    if (closed) return Promise.reject(closedError())
    if (driver) return Promise.resolve(driver)
    if (failure) return Promise.reject(failure)
    if (!starting) {
      starting = platform.loadCore().then(startDriver, function (error) {
        starting = null
        throw error
      })
    }
    return starting
  }

  /**
   * Settles the calls of a group (layout.js, `GROUP_*`): `one` the call `id`, `of` those of
   * the effect `id`, or every call of the place the group names (`waiting` for a session,
   * `requests` waiting to be sent, `deviceIds`).
   * @param {{ group: string, id: number }} which @param {any} error @param {any} value
   */
  function settle(which, error, value) {
    var group = which.group
    var calls
    if (group === GROUP_ONE) calls = [which.id]
    else if (group === GROUP_OF) {
      calls = places.of[which.id] || []
      delete places.of[which.id]
    } else {
      calls = places[group]
      places[group] = []
    }
    for (var i = 0; i < calls.length; i++) {
      var waiting = pending[calls[i]]
      if (!waiting) continue
      delete pending[calls[i]]
      if (error !== undefined) waiting.reject(errors.toError(error))
      else if (waiting.request) waiting.resolve(waiting.response)
      else {
        // Each call gets its own object: an app may change what it is given.
        waiting.resolve(i === 0 ? value : copy(value))
      }
    }
  }

  /** @param {any} session the listeners' own object */
  function changed(session) {
    listeners.slice().forEach(function (listener) {
      try {
        listener(session)
      } catch (e) {
        if (typeof console !== 'undefined') console.error('mp-session: an onChange listener threw', e)
      }
    })
  }

  /**
   * @param {number} kind the call's input kind (layout.js, `KIND_*`)
   * @param {unknown} [value] the call's argument (the info, or the request's URL)
   * @param {RequestOptions} [request]
   */
  function call(kind, value, request) {
    /** @param {ReturnType<typeof createDriver>} d */
    var send = function (d) {
      return new Promise(function (resolve, reject) {
        var id = nextCall++
        pending[id] = { resolve: resolve, reject: reject, request: request }
        d.call(kind, id, value)
      })
    }
    // Once the core is up, straight in: a cached launch settles inside this very call.
    return driver ? send(driver) : ready().then(send)
  }

  // Start loading at once: by the time a page asks, the core is usually ready.
  ready().catch(function () {})

  return {
    ready: function () {
      return ready().then(function () { return { fellBack: (driverCore && driverCore.fellBack) || null } })
    },
    close: function () {
      if (closed) return
      closed = true
      if (driverCore) {
        var at = driverCore.onDeath.indexOf(onDeath)
        if (at >= 0) driverCore.onDeath.splice(at, 1)
      }
      if (driver) {
        driver.stop()
        if (driverCore && !driverCore.dead) driverCore.boundary.close(sessionId)
      }
      driver = null
      var waiting = pending
      pending = {}
      places = newPlaces()
      listeners = []
      Object.keys(waiting).forEach(function (call) { waiting[/** @type {any} */ (call)].reject(closedError()) })
    },
    launch: function () { return call(KIND_ENSURE) },
    ensure: function () { return call(KIND_ENSURE) },
    current: function () {
      // A fresh object from the core's output each time.
      return driver ? driver.current() : null
    },
    setUserInfo: function (info) { return call(KIND_SET_USER_INFO, info) },
    logout: function () { return call(KIND_LOGOUT).then(function () {}) },
    deviceId: function () { return call(KIND_DEVICE_ID) },
    request: function (request) {
      if (!request || typeof request !== 'object' || typeof request.url !== 'string' || /** @type {any} */ (request).filePath !== undefined) {
        return Promise.reject(errors.shimError('INVALID_ARGUMENT',
          'request takes { url, method?, data?, header?, timeout?, dataType?, responseType? }', false))
      }
      return call(KIND_REQUEST, request.url, request)
    },
    upload: function (upload) {
      if (!upload || typeof upload !== 'object' || typeof upload.url !== 'string' ||
        typeof upload.filePath !== 'string' || typeof upload.name !== 'string') {
        return Promise.reject(errors.shimError('INVALID_ARGUMENT',
          'upload takes { url, filePath, name, formData?, header?, timeout? }', false))
      }
      if (platform.name === null) {
        return Promise.reject(errors.shimError('INVALID_ARGUMENT', 'upload is wx.uploadFile: a mini-program\'s, not a web page\'s', false))
      }
      return call(KIND_REQUEST, upload.url, /** @type {any} */ (upload))
    },
    trace: function () { return settings.trace ? settings.trace.read(platform.options) : null },
    onChange: function (listener) {
      if (typeof listener !== 'function') throw new TypeError('mp-session: onChange takes a function')
      listeners.push(listener)
      if (listeners.length === 1 && driver) driver.listen(true)
      return function unsubscribe() {
        var at = listeners.indexOf(listener)
        if (at < 0) return
        listeners.splice(at, 1)
        if (!listeners.length && driver) driver.listen(false)
      }
    },
  }
}

/**
 * Marks `core` dead after it threw from inside (a trap): every session using it is told
 * once, and the platform's next `loadCore` makes a fresh instance.
 *
 * @param {Core} core
 * @param {unknown} cause
 */
function killCore(core, cause) {
  if (core.dead) return
  core.dead = true
  var listeners = core.onDeath
  core.onDeath = []
  listeners.forEach(function (listener) { listener(cause) })
}

/**
 * Where calls wait, empty: each list under the name the core gives its group (layout.js,
 * `GROUP_*`; tests/e2e/boundary.test.js holds them equal), the calls of each effect under
 * `of`.
 * @returns {{ waiting: number[], requests: number[], deviceIds: number[], of: Record<number, number[]>, [group: string]: any }}
 */
function newPlaces() {
  return { waiting: [], requests: [], deviceIds: [], of: {} }
}

/**
 * A deep copy of plain data.
 *
 * @param {any} value
 * @returns {any}
 */
function copy(value) {
  if (!value || typeof value !== 'object') return value
  /** @type {any} */
  var out = {}
  Object.keys(value).forEach(function (key) { out[key] = copy(value[key]) })
  return out
}

function closedError() {
  return errors.shimError('CLOSED', 'close() was called on this session', false)
}

/** 4 random 32-bit words: `crypto.getRandomValues` where it exists, else `Math.random`. */
function entropy() {
  var words = new Uint32Array(4)
  if (typeof crypto !== 'undefined' && crypto && typeof crypto.getRandomValues === 'function') crypto.getRandomValues(words)
  else for (var i = 0; i < 4; i++) words[i] = Math.random() * 4294967296
  return words
}

export { makeSession, killCore, newPlaces }

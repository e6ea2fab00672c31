// @ts-check
'use strict'
// What the mini-program host and the web host do alike: call back into the driver (a throw
// from inside it is a trap), place the token on the app's request, and keep the core's one
// timer, stopped for good when the driver's core dies.

/**
 * @typedef {import('./host').Hooks} Hooks
 * @typedef {import('./host').DriverCallbacks} DriverCallbacks
 * @typedef {import('./index').RequestOptions} RequestOptions
 */

/**
 * A function that runs `fn` with the driver, unless the host was disposed; an exception
 * from inside the driver is reported as a trap.
 *
 * @param {Hooks} hooks
 * @param {() => boolean} disposed
 * @returns {(fn: (d: DriverCallbacks) => void) => void}
 */
function driverCaller(hooks, disposed) {
  return function (fn) {
    var d = disposed() ? null : hooks.driver()
    if (!d) return
    try {
      fn(d)
    } catch (cause) {
      hooks.trapped(cause)
    }
  }
}

/**
 * The options of the app's request `call`, with the token placed: by the app's
 * `attachToken`, or in the header the core named.
 *
 * @param {Hooks} hooks
 * @param {number} call
 * @param {string | undefined} name
 * @param {string | undefined} value
 * @param {string | undefined} token
 * @returns {RequestOptions}
 */
function withToken(hooks, call, name, value, token) {
  var asked = hooks.requestOf(call)
  if (!asked) throw new Error('no request options for call ' + call)
  /** @type {RequestOptions} */
  var options = Object.assign({}, asked, { header: Object.assign({}, asked.header) })
  if (token !== undefined && hooks.attachToken) return hooks.attachToken(options, token)
  if (name !== undefined && options.header) options.header[name] = /** @type {string} */ (value)
  return options
}

/**
 * The core's one timer: `set(ms)` fires `driver.timeout(now)` after `ms`, replacing any timer
 * set before; `clear` stops it; `dispose` stops it for good.
 *
 * @param {(fn: (d: DriverCallbacks) => void) => void} toDriver
 */
function createTimer(toDriver) {
  var stopped = false
  /** @type {any} */
  var handle = null
  function clear() {
    if (handle !== null) clearTimeout(handle)
    handle = null
  }
  return {
    /** @param {number} ms */
    set: function (ms) {
      clear()
      if (stopped) return
      handle = setTimeout(function () {
        handle = null
        toDriver(function (d) { d.timeout(Date.now()) })
      }, ms)
    },
    clear: clear,
    dispose: function () {
      stopped = true
      clear()
    },
  }
}

module.exports = { driverCaller: driverCaller, withToken: withToken, createTimer: createTimer }

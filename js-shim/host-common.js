// @ts-check
'use strict'
// What the mini-program host and the web host do alike: call back into the driver (a throw
// from inside it is a trap), place the token on the app's request, and keep timers that can
// all be stopped when the driver's core dies.

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
 * The core's timers: `start` fires `driver.timerFired(timer)` after `ms`; `dispose` stops
 * them all.
 *
 * @param {(fn: (d: DriverCallbacks) => void) => void} toDriver
 */
function createTimers(toDriver) {
  var stopped = false
  /** @type {Record<number, any>} */
  var timers = {}
  return {
    /** @param {number} timer @param {number} ms */
    start: function (timer, ms) {
      if (stopped) return
      timers[timer] = setTimeout(function () {
        delete timers[timer]
        toDriver(function (d) { d.timerFired(timer) })
      }, ms)
    },
    /** @param {number} timer */
    cancel: function (timer) {
      clearTimeout(timers[timer])
      delete timers[timer]
    },
    dispose: function () {
      stopped = true
      Object.keys(timers).forEach(function (id) { clearTimeout(timers[/** @type {any} */ (id)]) })
      timers = {}
    },
  }
}

module.exports = { driverCaller: driverCaller, withToken: withToken, createTimers: createTimers }

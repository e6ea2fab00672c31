// @ts-check
// The options as the shim takes them: its own (the app's hooks and the platform's names)
// checked and set apart, the rest for the core to read once it has loaded.

import * as errors from './errors.js'

/**
 * @typedef {import('./session').Settings} Settings
 * @typedef {import('./index').Response} Response
 */

/** The app's hooks, which every platform takes; the core never sees them. */
var HOOKS = ['isSessionExpired', 'attachToken']

/**
 * The shim options every platform takes (`isSessionExpired`, `attachToken`), checked, and the
 * options as given, copied: the core reads them once it has loaded (the shim's own names
 * among them are known to it, and left to the shim).
 *
 * @param {any} options
 */
function readOptions(options) {
  /** @type {Error | null} */
  var failure = null
  var invalid = function (/** @type {string} */ message) {
    failure = failure || errors.shimError('INVALID_CONFIG', message, false)
  }
  if (options === null || typeof options !== 'object') {
    invalid('createSession takes an options object with loginUrl')
    options = {}
  }
  // As they are now: the core reads them once it has loaded.
  options = Object.assign({}, options)
  for (var i = 0; i < HOOKS.length; i++) {
    if (options[HOOKS[i]] !== undefined && typeof options[HOOKS[i]] !== 'function') invalid(HOOKS[i] + ' must be a function')
  }
  if (options.trace !== undefined) checkTrace(options.trace, invalid)
  var isSessionExpired = options.isSessionExpired
  return {
    /** @type {Record<string, any>} */
    options: options,
    invalid: invalid,
    /** @returns {Settings} */
    settings: function () {
      return {
        failure: failure,
        /**
         * What the app's isSessionExpired says of an answer, for the core to judge: nothing
         * without one, null when it threw. @param {Response} response
         */
        isSessionExpired: function (response) {
          if (!isSessionExpired) return undefined
          try {
            return !!isSessionExpired(response)
          } catch (e) {
            if (typeof console !== 'undefined') console.error('mp-session: isSessionExpired threw; treating the answer as accepted', e)
            return null
          }
        },
        attachToken: options.attachToken,
        trace: options.trace,
      }
    },
  }
}

/** `trace`: a recorder of mp-session/trace. @param {any} trace @param {(message: string) => void} invalid */
function checkTrace(trace, invalid) {
  if (!trace || typeof trace.wrap !== 'function') invalid('trace must be recorder() of mp-session/trace')
}

export { readOptions, HOOKS }

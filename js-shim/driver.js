// @ts-check
// Runs one session's core: feeds it inputs (with the time: the core reads no clock), and
// carries out the effects it gives back through the platform's host, in order. Every
// decision is the core's; this file only moves values and keeps the core's one timer.

import { IN } from './boundary.js'

/** Not an effect of the core: an app's call taking its place, in line with the effects. */
var PLACE = -1

/**
 * @typedef {import('./boundary').Output} Output
 * @typedef {import('./index').RequestOptions} RequestOptions
 * @typedef {import('./index').Response} Response
 * @typedef {{ abort?: () => void } | void} Task
 * @typedef {{
 *   read(key: string, done: (failed: boolean, value?: unknown) => void): void,
 *   write(key: string, value: unknown, done: (errMsg?: string) => void): void,
 *   remove(key: string, done: (errMsg?: string) => void): void,
 *   login(timeoutMs: number, done: (code: unknown, errMsg?: string, anonymousCode?: unknown) => void): void,
 *   callFunction(name: string, data: object, timeoutMs: number, done: (status: number, result: unknown) => void): void,
 *   post(url: string, body: object, timeoutMs: number, done: (status: number, body: unknown) => void): Task,
 *   send(options: RequestOptions, done: (response: Response | null) => void): Task,
 *   toast(title: string): void,
 *   redirect(url: string): void,
 * }} Host what a platform does for the core; `done` may be called at once or later; a
 *   failed post or function call is status -1 with its errMsg as the body
 * @typedef {import('./boundary').Created & {
 *   loginUrl: string, cloudFunction: string, toast: string,
 * }} Setup the config's texts the effects are carried out with: from the core (keys, the
 *   token's header, the platform) and as the app gave them (what the core checked)
 * @typedef {{
 *   place(call: number, method: string): void,
 *   hold(op: number): void,
 *   wait(call: number, op: number): void,
 *   settle(group: number, id: number, error: any, value?: any): void,
 *   changed(session: object | null): void,
 *   sending(op: number, again: number | null): RequestOptions | undefined,
 *   answered(op: number, response: Response): void,
 *   isSessionExpired(response: Response): boolean,
 *   attachToken: ((options: RequestOptions, token: string) => RequestOptions) | undefined,
 *   trapped(cause: unknown): void,
 * }} Hooks what the session does with the calls: where each waits, and what settles them
 *   (the rules: `Calls` in src/core/effect.rs)
 */

/**
 * @param {ReturnType<typeof import('./boundary').createBoundary>} boundary
 * @param {number} id the session's id in the core
 * @param {Setup} setup
 * @param {Host} host
 * @param {Hooks} hooks
 */
function createDriver(boundary, id, setup, host, hooks) {
  /** @type {any[][]} */
  var queue = []
  var running = false
  var stopped = false
  /** @type {number | null} */
  var deadline = null
  /** @type {any} */
  var timer = null
  /** @type {Record<number, Task>} */
  var tasks = {}

  /**
   * Feeds one input and carries out what follows. A host that answers at once (synchronous
   * storage) feeds from inside; its effects wait their turn in the queue. Returns what the
   * output says `current()` is, if it says. For an app's call, `method` names it: unless its
   * output settles it at once, it takes its place before the output is carried out.
   * @param {number} kind @param {number} arg @param {number} flag @param {unknown} [value]
   * @param {string} [method]
   */
  function feed(kind, arg, flag, value, method) {
    if (stopped) return null
    var now = Date.now()
    /** @type {Output} */
    var out
    try {
      out = boundary.input(id, kind, arg, flag, now, value)
    } catch (cause) {
      // The core trapped: this driver is done; the session loads a fresh core.
      stop()
      hooks.trapped(cause)
      return null
    }
    var result = null
    var atOnce = false
    var first = queue.length
    for (var i = 0; i < out.e.length; i++) {
      var effect = out.e[i]
      if (effect[0] === 14) result = effect[1]
      else queue.push(effect)
      if ((effect[0] === 9 || effect[0] === 10) && effect[1] === 0 && effect[2] === arg) atOnce = true
    }
    // The call takes its place before its own effects and after those still in line from
    // earlier outputs (a call made by an onChange listener, inside one), which the core
    // made before this call came.
    if (method && !atOnce) queue.splice(first, 0, [PLACE, arg, method])
    if (out.t !== deadline) setTimer(out.t, now)
    if (!running) {
      running = true
      try {
        while (queue.length && !stopped) carryOut(/** @type {any[]} */ (queue.shift()))
      } finally {
        running = false
      }
    }
    return result
  }

  /** @param {number | null} at @param {number} now */
  function setTimer(at, now) {
    if (stopped) return
    deadline = at
    if (timer !== null) clearTimeout(timer)
    timer = at === null ? null : setTimeout(function () {
      timer = null
      deadline = null
      feed(IN.timeout, 0, 0)
    }, Math.max(0, at - now))
  }

  /** @param {number} op @returns {(errMsg?: string) => void} */
  function stored(op) {
    return function (errMsg) { feed(IN.storageResult, op, errMsg === undefined ? 0 : 1, errMsg) }
  }

  /** @param {number} op @returns {(status: number, body: unknown) => void} */
  function answered(op) {
    return function (status, body) {
      delete tasks[op]
      feed(IN.postResult, op, status, body)
    }
  }

  /** @param {any[]} e the effect */
  function carryOut(e) {
    var op = e[1]
    switch (e[0]) {
      case 0: return host.read(setup.key, function (failed, value) { feed(IN.sessionRead, op, failed ? 1 : 0, value) })
      case 1: return host.write(setup.key, e[2], stored(op))
      case 2: return host.remove(setup.key, stored(op))
      case 3: return host.read(setup.deviceKey, function (failed, value) { feed(IN.deviceIdRead, op, failed ? 1 : 0, value) })
      case 4: return host.write(setup.deviceKey, e[2], stored(op))
      case 5: return host.login(e[2], function (code, errMsg, anonymousCode) {
        if (typeof anonymousCode === 'string' && !code) feed(IN.loginResult, op, 2, anonymousCode)
        else if (typeof code === 'string') feed(IN.loginResult, op, 0, code)
        else feed(IN.loginResult, op, 1, errMsg)
      })
      case 6: {
        /** @type {Record<string, string>} */
        var body = {}
        body[e[3] ? 'anonymousCode' : 'code'] = e[2]
        body.platform = setup.platform
        tasks[op] = host.post(setup.loginUrl, body, e[4], answered(op))
        return
      }
      case 7: {
        var task = tasks[op]
        delete tasks[op]
        if (task && typeof task.abort === 'function') task.abort()
        return
      }
      case 8:
        tasks[op] = host.send(withToken(hooks.sending(op, e[2]), e[3]), function (response) {
          delete tasks[op]
          if (!response) return feed(IN.sendResult, op, 2)
          hooks.answered(op, response)
          feed(IN.sendResult, op, hooks.isSessionExpired(response) ? 1 : 0)
        })
        return
      // For 9 and 10, e[1] and e[2] say which calls settle.
      case 9: return hooks.settle(e[1], e[2], undefined, e[4])
      case 10: return hooks.settle(e[1], e[2], e[3])
      case 11: return hooks.changed(e[1])
      case 12: return host.toast(setup.toast)
      case 13: return host.redirect(e[1])
      case PLACE: return hooks.place(e[1], e[2])
      case 18: return hooks.hold(op)
      case 19: return hooks.wait(e[1], e[2])
      case 15: return host.callFunction(setup.cloudFunction, { platform: setup.platform }, e[2], answered(op))
    }
  }

  /**
   * The options of an app's request, with the token placed: by the app's `attachToken`, or
   * in the header the core's config names.
   * @param {RequestOptions | undefined} asked @param {string | null} token
   * @returns {RequestOptions}
   */
  function withToken(asked, token) {
    if (!asked) throw new Error('mp-session: the core sent a request the shim does not hold')
    /** @type {RequestOptions} */
    var options = Object.assign({}, asked, { header: Object.assign({}, asked.header) })
    if (token === null) return options
    if (hooks.attachToken) return hooks.attachToken(options, token)
    var header = /** @type {Record<string, string>} */ (options.header)
    header[setup.header] = setup.scheme + token
    return options
  }

  return {
    /**
     * One of the app's calls, with its argument (`setUserInfo`'s info, `request`'s URL).
     * @param {'ensure' | 'setUserInfo' | 'logout' | 'request' | 'deviceId'} method
     * @param {number} call @param {unknown} [value]
     */
    call: function (method, call, value) {
      feed(IN[method], call, 0, value, method)
    },
    /** Whether the app has `onChange` listeners: the core says what changed only then. @param {boolean} any */
    listen: function (any) {
      feed(IN.listeners, 0, any ? 1 : 0)
    },
    /** What `current()` returns (reads storage on first use). */
    current: function () {
      return feed(IN.current, 0, 0)
    },
    stop: stop,
  }

  /** Stops the timer and every request: nothing from this driver reaches the core again. */
  function stop() {
    stopped = true
    if (timer !== null) clearTimeout(timer)
    timer = null
    queue = []
    Object.keys(tasks).forEach(function (key) {
      var task = tasks[/** @type {any} */ (key)]
      if (task && typeof task.abort === 'function') task.abort()
    })
    tasks = {}
  }
}

export { createDriver }

// @ts-check
'use strict'
// Runs one session's core: feeds it inputs (with the time: the core reads no clock), and
// carries out the effects it gives back through the platform's host, in order. Every
// decision is the core's; this file only moves values and keeps the core's one timer.

/** What an input is (src/host/mod.rs, `kind`). */
var IN = {
  ensure: 0, setUserInfo: 1, logout: 2, request: 3, deviceId: 4, current: 5,
  sessionRead: 6, deviceIdRead: 7, storageResult: 8, loginResult: 9, postResult: 10, sendResult: 11, timeout: 12, listeners: 13,
}

/**
 * @typedef {import('./boundary').Output} Output
 * @typedef {import('./index').RequestOptions} RequestOptions
 * @typedef {import('./index').Response} Response
 * @typedef {{ abort?: () => void } | void} Task
 * @typedef {{
 *   read(key: string, done: (failed: boolean, text: string) => void): void,
 *   write(key: string, value: unknown, done: (errMsg?: string) => void): void,
 *   remove(key: string, done: (errMsg?: string) => void): void,
 *   login(timeoutMs: number, done: (code: unknown, errMsg?: string, anonymousCode?: unknown) => void): void,
 *   callFunction(name: string, data: object, timeoutMs: number, done: (status: number, text: string) => void): void,
 *   post(url: string, body: object, timeoutMs: number, done: (status: number, text: string) => void): Task,
 *   send(options: RequestOptions, done: (response: Response | null) => void): Task,
 *   toast(title: string): void,
 *   redirect(url: string): void,
 * }} Host what a platform does for the core; `done` may be called at once or later
 * @typedef {{
 *   settle(call: number, error: any, value?: any): void,
 *   changed(session: object | null): void,
 *   requestOf(call: number): RequestOptions | undefined,
 *   answered(op: number, response: Response): void,
 *   isSessionExpired(response: Response): boolean,
 *   attachToken: ((options: RequestOptions, token: string) => RequestOptions) | undefined,
 *   wantsChanges(): boolean,
 *   trapped(cause: unknown): void,
 * }} Hooks what the session does with what settles
 */

/**
 * @param {ReturnType<typeof import('./boundary').createBoundary>} boundary
 * @param {number} id the session's id in the core
 * @param {Host} host
 * @param {Hooks} hooks
 */
function createDriver(boundary, id, host, hooks) {
  /** @type {Array<{ effect: any[], share: (index: number | null) => any }>} */
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
   * storage) feeds from inside; its effects wait their turn in the queue.
   * @param {number} kind @param {number} arg @param {number} flag @param {string} [text]
   */
  function feed(kind, arg, flag, text) {
    if (stopped) return null
    var now = Date.now()
    /** @type {Output} */
    var out
    try {
      out = boundary.input(id, kind, arg, flag, now, text)
    } catch (cause) {
      // The core trapped: this driver is done; the session loads a fresh core.
      stop()
      hooks.trapped(cause)
      return null
    }
    var share = sharer(out.s)
    var result = null
    for (var i = 0; i < out.e.length; i++) {
      var effect = out.e[i]
      if (effect[0] === 14) result = share(effect[1])
      else queue.push({ effect: effect, share: share })
    }
    setTimer(out.t, now)
    if (!running) {
      running = true
      try {
        while (queue.length && !stopped) {
          var next = /** @type {{ effect: any[], share: (index: number | null) => any }} */ (queue.shift())
          carryOut(next.effect, next.share)
        }
      } finally {
        running = false
      }
    }
    return result
  }

  /** @param {number | null} at @param {number} now */
  function setTimer(at, now) {
    if (at === deadline || stopped) return
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

  /**
   * @param {any[]} e the effect
   * @param {(index: number | null) => any} share the output's sessions, by index
   */
  function carryOut(e, share) {
    var op = e[1]
    switch (e[0]) {
      case 0: return host.read(e[2], function (failed, text) { feed(IN.sessionRead, op, failed ? 1 : 0, text) })
      case 1: return host.write(e[2], e[3], stored(op))
      case 2: return host.remove(e[2], stored(op))
      case 3: return host.read(e[2], function (failed, text) { feed(IN.deviceIdRead, op, failed ? 1 : 0, text) })
      case 4: return host.write(e[2], e[3], stored(op))
      case 5: return host.login(e[2], function (code, errMsg, anonymousCode) {
        if (typeof anonymousCode === 'string' && !code) feed(IN.loginResult, op, 2, anonymousCode)
        else if (typeof code === 'string') feed(IN.loginResult, op, 0, code)
        else feed(IN.loginResult, op, 1, errMsg)
      })
      case 6:
        tasks[op] = host.post(e[2], e[3], e[4], function (status, text) {
          delete tasks[op]
          feed(IN.postResult, op, status, text)
        })
        return
      case 7: {
        var task = tasks[op]
        delete tasks[op]
        if (task && typeof task.abort === 'function') task.abort()
        return
      }
      case 8:
        tasks[op] = host.send(withToken(e[2], e[3], e[4], e[5]), function (response) {
          delete tasks[op]
          if (!response) return feed(IN.sendResult, op, 2)
          hooks.answered(op, response)
          feed(IN.sendResult, op, hooks.isSessionExpired(response) ? 1 : 0)
        })
        return
      // For 9 to 11, e[1] is the app's call, not an effect's id.
      case 9: return hooks.settle(e[1], undefined, e[2] === 0 ? share(e[3]) : e[3])
      case 10: return hooks.settle(e[1], e[2])
      case 11: return hooks.wantsChanges() ? hooks.changed(share(e[1])) : undefined
      case 12: return host.toast(e[1])
      case 13: return host.redirect(e[1])
      case 15: return host.callFunction(e[2], e[3], e[4], function (status, text) { feed(IN.postResult, op, status, text) })
    }
  }

  /**
   * The options of the app's request `call`, with the token placed: by the app's
   * `attachToken`, or in the header the core named.
   * @param {number} call @param {string | null} name @param {string | null} value @param {string | null} token
   * @returns {RequestOptions}
   */
  function withToken(call, name, value, token) {
    var asked = hooks.requestOf(call)
    if (!asked) throw new Error('no request options for call ' + call)
    /** @type {RequestOptions} */
    var options = Object.assign({}, asked, { header: Object.assign({}, asked.header) })
    if (token !== null && hooks.attachToken) return hooks.attachToken(options, token)
    if (name !== null && options.header) options.header[name] = /** @type {string} */ (value)
    return options
  }

  return {
    /**
     * One of the app's calls.
     * @param {'ensure' | 'setUserInfo' | 'logout' | 'request' | 'deviceId'} method
     * @param {number} call @param {string} [text]
     */
    call: function (method, call, text) {
      feed(IN[method], call, 0, text)
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

/**
 * The sessions of one output, by index: the first to take one gets the object `JSON.parse`
 * made, each later one its own copy (a session goes to every call a login settles, and an
 * app may change what it is given). A cached launch, one call, copies nothing.
 *
 * @param {object[]} sessions
 * @returns {(index: number | null) => any}
 */
function sharer(sessions) {
  /** @type {boolean[]} */
  var taken = []
  return function (index) {
    if (index === null) return null
    if (!taken[index]) {
      taken[index] = true
      return sessions[index]
    }
    return copy(sessions[index])
  }
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

module.exports = { createDriver: createDriver, IN: IN }

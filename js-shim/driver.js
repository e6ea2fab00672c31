// @ts-check
// Runs one session's core: feeds it inputs (with the time: the core reads no clock), and
// carries out the effects it gives back through the platform's host, in order, each read by
// its name (layout.js, `EFFECT`). It moves values and keeps the core's one timer.

import {
  EFFECT_ABORT, EFFECT_CALL_FUNCTION, EFFECT_CHANGED, EFFECT_CURRENT, EFFECT_HOLD, EFFECT_LOGIN,
  EFFECT_POST_CODE, EFFECT_READ_DEVICE_ID, EFFECT_READ_SESSION, EFFECT_REDIRECT, EFFECT_REJECT,
  EFFECT_REMOVE_SESSION, EFFECT_RESOLVE, EFFECT_SEND_REQUEST, EFFECT_SET_FETCH_TOKEN, EFFECT_TOAST, EFFECT_WAIT, EFFECT_WARN,
  EFFECT_WRITE_DEVICE_ID, EFFECT_WRITE_SESSION, KIND_CURRENT, KIND_DEVICE_ID_READ, KIND_LISTENERS,
  KIND_LOGIN_RESULT, KIND_POST_RESULT, KIND_SEND_RESULT, KIND_SESSION_READ, KIND_STORAGE_RESULT,
  KIND_TIMEOUT, LOGIN_FLAG_ANSWERED, LOGIN_FLAG_FAILED, POST_FLAG_FAILED,
  SEND_FLAG_UNANSWERED, STORAGE_FLAG_FAILED, STORAGE_FLAG_OK,
} from './layout.js'

/**
 * @typedef {import('./boundary').Output} Output
 * @typedef {import('./boundary').Effect} Effect
 * @typedef {import('./index').RequestOptions} RequestOptions
 * @typedef {import('./index').Response} Response
 * @typedef {{ abort?: () => void } | void} Task
 * @typedef {{
 *   read(key: string, done: (failed: boolean, value?: unknown) => void): void,
 *   write(key: string, value: unknown, done: (errMsg?: string) => void): void,
 *   remove(key: string, done: (errMsg?: string) => void): void,
 *   askCode(timeoutMs: number, silent: boolean, done: (failed: boolean, value: unknown) => void): void,
 *   callCloud(name: string, data: object, timeoutMs: number, done: (status: number, result: unknown) => void): void,
 *   post(url: string, method: string, contentType: string, body: object, timeoutMs: number,
 *     done: (status: number, body: unknown, response?: import('./boundary').Response) => void): Task,
 *   send(options: RequestOptions, done: (response: Response | null) => void): Task,
 *   toast(title: string): void,
 *   redirect?: (url: string) => void,
 *   setFetchToken?: (token: string) => void,
 * }} Host what a platform does for the core (a web page's redirects, a mini-program's
 *   pre-fetch token: the core asks each only of its own); `done` may be called at once or later; an
 *   upload's options name a file (`filePath`: the platform's uploadFile sends it); a
 *   login gives what `success` got, or its errMsg when it failed; a post's fields are sent
 *   as the method and content type say (the platform encodes them: a GET's in the query, a
 *   form's as `k=v&…`, else JSON); a failed post or function call is status -1 with its
 *   errMsg as the body
 * @typedef {import('./boundary').Created} Setup the storage keys the core named for the session
 * @typedef {{
 *   hold(op: number): void,
 *   wait(call: number, on: { group: string, id: number }): void,
 *   settle(calls: { group: string, id: number }, error: any, value?: any): void,
 *   changed(session: object | null): void,
 *   sending(op: number, again: number | null): RequestOptions | undefined,
 *   answered(op: number, response: Response): void,
 *   trapped(cause: unknown): void,
 * }} Hooks what the session does with the calls: where each waits, and what settles them,
 *   as the core names it (`Calls` in src/core/effect.rs)
 * @typedef {import('./session').Settings} Settings the app's own hooks
 */

/**
 * @param {ReturnType<typeof import('./boundary').createBoundary>} boundary
 * @param {number} id the session's id in the core
 * @param {Setup} setup
 * @param {Host} host
 * @param {Hooks} hooks
 * @param {Settings} app
 */
function createDriver(boundary, id, setup, host, hooks, app) {
  /** @type {Effect[]} */
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
   * output says `current()` is, if it says.
   * @param {number} kind @param {number} arg @param {number} flag @param {unknown} [value]
   * @param {string[]} [copy] the paths of the value whose texts the core reads
   * @param {import('./boundary').Response} [response] a login answer's headers and cookies
   */
  function feed(kind, arg, flag, value, copy, response) {
    if (stopped) return null
    var now = Date.now()
    /** @type {Output} */
    var out
    try {
      out = boundary.input(id, kind, arg, flag, now, value, copy, response)
    } catch (cause) {
      // The core trapped: this driver is done; the session loads a fresh core.
      stop()
      hooks.trapped(cause)
      return null
    }
    var result = null
    for (var i = 0; i < out.e.length; i++) {
      var effect = out.e[i]
      if (effect.tag === EFFECT_CURRENT) result = effect.session
      else queue.push(effect)
    }
    if (out.t !== deadline) setTimer(out.t, now)
    if (!running) {
      running = true
      try {
        while (queue.length && !stopped) {
          var next = /** @type {Effect} */ (queue.shift())
          carry[next.tag](next)
        }
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
      feed(KIND_TIMEOUT, 0, 0)
    }, Math.max(0, at - now))
  }

  /** @param {number} op @returns {(errMsg?: string) => void} */
  function stored(op) {
    return function (errMsg) { feed(KIND_STORAGE_RESULT, op, errMsg === undefined ? STORAGE_FLAG_OK : STORAGE_FLAG_FAILED, errMsg) }
  }

  /**
   * What answers the login request `op`: the body, the paths the core reads as text, and
   * the headers and cookies.
   * @param {number} op @param {string[]} copy
   * @returns {(status: number, body: unknown, response?: import('./boundary').Response) => void}
   */
  function answered(op, copy) {
    return function (status, body, response) {
      delete tasks[op]
      feed(KIND_POST_RESULT, op, status < 0 ? POST_FLAG_FAILED : status, body, copy, response)
    }
  }

  /** @param {number} op @param {number} kind @returns {(failed: boolean, value?: unknown) => void} */
  function read(op, kind) {
    return function (failed, value) { feed(kind, op, failed ? STORAGE_FLAG_FAILED : STORAGE_FLAG_OK, value) }
  }

  /**
   * What carries out each effect, by its tag: one small function each, so that a phone
   * compiles only those of the effects that come (a cached launch: a read and a resolve).
   * @type {Record<number, (e: Effect) => unknown>}
   */
  var carry = {
    [EFFECT_READ_SESSION]: function (e) { host.read(setup.key, read(e.op, KIND_SESSION_READ)) },
    [EFFECT_WRITE_SESSION]: function (e) { host.write(setup.key, e.record, stored(e.op)) },
    [EFFECT_REMOVE_SESSION]: function (e) { host.remove(setup.key, stored(e.op)) },
    [EFFECT_READ_DEVICE_ID]: function (e) { host.read(setup.deviceKey, read(e.op, KIND_DEVICE_ID_READ)) },
    [EFFECT_WRITE_DEVICE_ID]: function (e) { host.write(setup.deviceKey, e.id, stored(e.op)) },
    // What the platform answered, as it answered: the core takes the code from it.
    [EFFECT_LOGIN]: function (e) {
      host.askCode(e.timeoutMs, e.silent, function (failed, value) {
        feed(KIND_LOGIN_RESULT, e.op, failed ? LOGIN_FLAG_FAILED : LOGIN_FLAG_ANSWERED, value)
      })
    },
    [EFFECT_POST_CODE]: function (e) {
      tasks[e.op] = host.post(e.url, e.method, e.contentType, object(e.body), e.timeoutMs, answered(e.op, e.copy))
    },
    [EFFECT_CALL_FUNCTION]: function (e) { host.callCloud(e.name, object(e.data), e.timeoutMs, answered(e.op, e.copy)) },
    [EFFECT_ABORT]: function (e) {
      var task = tasks[e.op]
      delete tasks[e.op]
      if (task && typeof task.abort === 'function') task.abort()
    },
    // An app's request, or its upload (the options name a file): the host sends either.
    [EFFECT_SEND_REQUEST]: function (e) {
      var op = e.op
      tasks[op] = host.send(withToken(hooks.sending(op, e.again), e.header), function (response) {
        delete tasks[op]
        if (!response) return feed(KIND_SEND_RESULT, op, SEND_FLAG_UNANSWERED)
        hooks.answered(op, response)
        feed(KIND_SEND_RESULT, op, response.statusCode, app.isSessionExpired(response))
      })
    },
    // A resolve, a reject and a wait name their calls as parts of their own: group and id.
    [EFFECT_RESOLVE]: function (e) { hooks.settle(/** @type {any} */ (e), undefined, e.value) },
    [EFFECT_REJECT]: function (e) { hooks.settle(/** @type {any} */ (e), e.error) },
    [EFFECT_CHANGED]: function (e) { hooks.changed(e.session) },
    [EFFECT_TOAST]: function (e) { host.toast(e.text) },
    [EFFECT_SET_FETCH_TOKEN]: function (e) { /** @type {any} */ (host).setFetchToken(e.token) },
    [EFFECT_WARN]: function (e) {
      if (typeof console !== 'undefined') console.warn('mp-session: ' + e.text)
    },
    [EFFECT_REDIRECT]: function (e) { /** @type {any} */ (host).redirect(e.url) },
    [EFFECT_HOLD]: function (e) { hooks.hold(e.op) },
    [EFFECT_WAIT]: function (e) { hooks.wait(e.call, /** @type {any} */ (e)) },
  }

  /**
   * The options of an app's request, with the token placed: by the app's `attachToken`, or
   * in the header the core names.
   * @param {RequestOptions | undefined} asked
   * @param {{ name: string, prefix: string, token: string } | null} token
   * @returns {RequestOptions}
   */
  function withToken(asked, token) {
    if (!asked) throw new Error('mp-session: the core sent a request the shim does not hold')
    /** @type {RequestOptions} */
    var options = Object.assign({}, asked, { header: Object.assign({}, asked.header) })
    if (token === null) return options
    if (app.attachToken) return app.attachToken(options, token.token)
    var header = /** @type {Record<string, string>} */ (options.header)
    header[token.name] = token.prefix + token.token
    return options
  }

  return {
    /**
     * One of the app's calls (its input kind), with its argument (`setUserInfo`'s info,
     * `request`'s URL). @param {number} kind @param {number} call @param {unknown} [value]
     */
    call: function (kind, call, value) {
      feed(kind, call, 0, value)
    },
    /** Whether the app has `onChange` listeners: the core says what changed only then. @param {boolean} any */
    listen: function (any) {
      feed(KIND_LISTENERS, 0, any ? 1 : 0)
    },
    /** What `current()` returns (reads storage on first use). */
    current: function () {
      return feed(KIND_CURRENT, 0, 0)
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
 * A JSON body from the fields the core named. @param {{ name: string, value: string }[]} fields
 * @returns {Record<string, string>}
 */
function object(fields) {
  /** @type {Record<string, string>} */
  var body = {}
  for (var i = 0; i < fields.length; i++) body[fields[i].name] = fields[i].value
  return body
}

export { createDriver }

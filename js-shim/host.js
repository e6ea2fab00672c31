// @ts-check
'use strict'
// Carries out the core's effects with `wx.*` (or another mini-program API of the same shape).
// One host serves one driver; when that driver's core dies, `dispose()` stops its timers and
// requests so that nothing from the old instance reaches the new one.

var common = require('./host-common')
var errors = require('./errors')

/** Extra time given to wx.login and wx.request, so that the core's own timer decides. */
var GRACE_MS = 1000

/**
 * @typedef {import('./index').WxLike} WxLike
 * @typedef {import('./index').RequestOptions} RequestOptions
 * @typedef {import('./index').Response} Response
 * @typedef {{
 *   loginDone(op: number, code: unknown): void,
 *   postDone(op: number, status: number, data: unknown): void,
 *   postFailed(op: number): void,
 *   responded(op: number, rejected: boolean): void,
 *   requestFailed(op: number): void,
 *   timerFired(timer: number): void,
 *   sessionRead(op: number, value: unknown): void,
 *   deviceIdRead(op: number, value: unknown): void,
 *   saved(op: number, ok: boolean): void,
 * }} DriverCallbacks
 * @typedef {{
 *   driver(): DriverCallbacks | null,
 *   settle(call: number, error: any, value: any): void,
 *   changed(session: import('./index').Session | null): void,
 *   wantsChanges(): boolean,
 *   trapped(cause: unknown): void,
 *   requestOf(call: number): RequestOptions | undefined,
 *   answered(op: number, response: Response): void,
 *   isSessionExpired(response: Response): boolean,
 *   noteFailure(code: string, detail: string | undefined): void,
 *   attachToken: ((options: RequestOptions, token: string) => RequestOptions) | undefined,
 * }} Hooks
 */

/**
 * @param {WxLike} api
 * @param {Hooks} hooks
 */
function createHost(api, hooks) {
  /** With encryptStorage, the shim has checked that the asynchronous calls exist. */
  var asyncApi = /** @type {Required<WxLike>} */ (api)
  var disposed = false
  /** @type {Record<number, { abort?: () => void } | void>} */
  var tasks = {}
  var toDriver = common.driverCaller(hooks, function () { return disposed })
  var timers = common.createTimers(toDriver)

  /** @param {number} op @param {{ abort?: () => void } | void} task */
  function track(op, task) {
    if (!disposed) tasks[op] = task
  }

  return {
    now: function () {
      return Date.now()
    },
    /** @param {string} key */
    readStorage: function (key) {
      return api.getStorageSync(key)
    },
    /** @param {string} key @param {unknown} value */
    writeStorage: function (key, value) {
      try {
        api.setStorageSync(key, value)
      } catch (e) {
        hooks.noteFailure('STORAGE', errors.describe(e))
        throw e
      }
    },
    /** @param {string} key */
    removeStorage: function (key) {
      try {
        api.removeStorageSync(key)
      } catch (e) {
        hooks.noteFailure('STORAGE', errors.describe(e))
        throw e
      }
    },
    // encryptStorage: wx.getStorage / setStorage with `encrypt: true` (base library 2.21.3).
    // A failed read is answered as "nothing stored": the core treats both alike.
    /** @param {number} op @param {string} key @param {string} kind */
    readStorageAsync: function (op, key, kind) {
      /** @param {unknown} value */
      var answer = function (value) {
        toDriver(function (d) { if (kind === 'session') d.sessionRead(op, value); else d.deviceIdRead(op, value) })
      }
      asyncApi.getStorage({ key: key, encrypt: true, success: function (res) { answer(res.data) }, fail: function () { answer(undefined) } })
    },
    /** @param {number} op @param {string} key @param {unknown} value */
    writeStorageAsync: function (op, key, value) {
      asyncApi.setStorage({
        key: key,
        data: value,
        encrypt: true,
        success: function () { toDriver(function (d) { d.saved(op, true) }) },
        fail: function () { toDriver(function (d) { d.saved(op, false) }) },
      })
    },
    /** @param {number} op @param {string} key */
    removeStorageAsync: function (op, key) {
      asyncApi.removeStorage({
        key: key,
        success: function () { toDriver(function (d) { d.saved(op, true) }) },
        fail: function () { toDriver(function (d) { d.saved(op, false) }) },
      })
    },
    /** @param {number} op @param {number} timeoutMs */
    login: function (op, timeoutMs) {
      api.login({
        timeout: timeoutMs + GRACE_MS,
        success: function (res) {
          hooks.noteFailure('LOGIN_FAILED', undefined)
          toDriver(function (d) { d.loginDone(op, res && res.code) })
        },
        fail: function (res) {
          hooks.noteFailure('LOGIN_FAILED', res && res.errMsg)
          toDriver(function (d) { d.loginDone(op, null) })
        },
      })
    },
    /** @param {number} op @param {string} url @param {object} body @param {number} timeoutMs */
    post: function (op, url, body, timeoutMs) {
      track(op, api.request({
        url: url,
        method: 'POST',
        data: body,
        header: { 'content-type': 'application/json' },
        // The text as it came: the core checks its length before parsing it.
        dataType: 'text',
        timeout: timeoutMs + GRACE_MS,
        success: function (res) {
          delete tasks[op]
          hooks.noteFailure('NETWORK', undefined)
          toDriver(function (d) { d.postDone(op, res.statusCode, res.data) })
        },
        fail: function (res) {
          delete tasks[op]
          // The login request's URL holds no secret, so wx's words may be shown. (An app
          // request's may hold a token placed by attachToken: its failure is not noted.)
          hooks.noteFailure('NETWORK', res && res.errMsg)
          toDriver(function (d) { d.postFailed(op) })
        },
      }))
    },
    /**
     * @param {number} op @param {number} call
     * @param {string | undefined} name @param {string | undefined} value @param {string | undefined} token
     */
    send: function (op, call, name, value, token) {
      var options = common.withToken(hooks, call, name, value, token)
      track(op, api.request({
        url: options.url,
        method: options.method,
        data: options.data,
        header: options.header,
        timeout: options.timeout,
        dataType: options.dataType,
        responseType: options.responseType,
        success: function (res) {
          delete tasks[op]
          var response = { statusCode: res.statusCode, data: res.data, header: res.header || {} }
          hooks.answered(op, response)
          var rejected = hooks.isSessionExpired(response)
          toDriver(function (d) { d.responded(op, rejected) })
        },
        fail: function () {
          delete tasks[op]
          toDriver(function (d) { d.requestFailed(op) })
        },
      }))
    },
    /** @param {number} op */
    abort: function (op) {
      var task = tasks[op]
      delete tasks[op]
      if (task && typeof task.abort === 'function') task.abort()
    },
    startTimer: timers.start,
    cancelTimer: timers.cancel,
    settle: hooks.settle,
    changed: hooks.changed,
    wantsChanges: hooks.wantsChanges,
    /** @param {string} title */
    toast: function (title) {
      api.showToast({ title: title, icon: 'none' })
    },
    /** Stops every timer and request of this host; later answers go nowhere. */
    dispose: function () {
      disposed = true
      timers.dispose()
      Object.keys(tasks).forEach(function (id) {
        var task = tasks[/** @type {any} */ (id)]
        if (task && typeof task.abort === 'function') task.abort()
      })
      tasks = {}
    },
  }
}

module.exports = { createHost: createHost }

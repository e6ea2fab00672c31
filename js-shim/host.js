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
 * Every call into the driver takes the time first (`Date.now()`): the core reads no clock.
 * @typedef {{
 *   loginDone(now: number, op: number, code: unknown, errMsg: unknown): void,
 *   postDone(now: number, op: number, status: number, data: unknown): void,
 *   postFailed(now: number, op: number, errMsg: unknown): void,
 *   responded(now: number, op: number, rejected: boolean): void,
 *   requestFailed(now: number, op: number): void,
 *   timeout(now: number): void,
 *   sessionRead(now: number, op: number, value: unknown): void,
 *   deviceIdRead(now: number, op: number, value: unknown): void,
 *   saved(now: number, op: number, failed: boolean, errMsg: unknown): void,
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
  var timer = common.createTimer(toDriver)

  /** @param {number} op @param {{ abort?: () => void } | void} task */
  function track(op, task) {
    if (!disposed) tasks[op] = task
  }

  // What a failed call said: its errMsg, or a thrown value's message.
  /** @param {any} res */
  function errMsg(res) {
    return res && typeof res.errMsg === 'string' ? res.errMsg : errors.describe(res)
  }

  return {
    // A throw is a refusal: the driver catches it and keeps what it said.
    /** @param {string} key */
    readStorage: function (key) {
      return api.getStorageSync(key)
    },
    /** @param {string} key @param {unknown} value */
    writeStorage: function (key, value) {
      api.setStorageSync(key, value)
    },
    /** @param {string} key */
    removeStorage: function (key) {
      api.removeStorageSync(key)
    },
    // encryptStorage: wx.getStorage / setStorage with `encrypt: true` (base library 2.21.3).
    // A failed read is answered as "nothing stored": the core treats both alike.
    /** @param {number} op @param {string} key @param {string} kind */
    readStorageAsync: function (op, key, kind) {
      /** @param {unknown} value */
      var answer = function (value) {
        toDriver(function (d) { if (kind === 'session') d.sessionRead(Date.now(), op, value); else d.deviceIdRead(Date.now(), op, value) })
      }
      asyncApi.getStorage({ key: key, encrypt: true, success: function (res) { answer(res.data) }, fail: function () { answer(undefined) } })
    },
    /** @param {number} op @param {string} key @param {unknown} value */
    writeStorageAsync: function (op, key, value) {
      asyncApi.setStorage({
        key: key,
        data: value,
        encrypt: true,
        success: function () { toDriver(function (d) { d.saved(Date.now(), op, false, undefined) }) },
        fail: function (res) { toDriver(function (d) { d.saved(Date.now(), op, true, errMsg(res)) }) },
      })
    },
    /** @param {number} op @param {string} key */
    removeStorageAsync: function (op, key) {
      asyncApi.removeStorage({
        key: key,
        success: function () { toDriver(function (d) { d.saved(Date.now(), op, false, undefined) }) },
        fail: function (res) { toDriver(function (d) { d.saved(Date.now(), op, true, errMsg(res)) }) },
      })
    },
    /** @param {number} op @param {number} timeoutMs */
    login: function (op, timeoutMs) {
      api.login({
        timeout: timeoutMs + GRACE_MS,
        success: function (res) {
          toDriver(function (d) { d.loginDone(Date.now(), op, res && res.code, undefined) })
        },
        fail: function (res) {
          toDriver(function (d) { d.loginDone(Date.now(), op, null, errMsg(res)) })
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
          toDriver(function (d) { d.postDone(Date.now(), op, res.statusCode, res.data) })
        },
        fail: function (res) {
          delete tasks[op]
          // The login request's URL holds no secret, so wx's words may be shown. (An app
          // request's may hold a token placed by attachToken: its errMsg is not passed on.)
          toDriver(function (d) { d.postFailed(Date.now(), op, errMsg(res)) })
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
          toDriver(function (d) { d.responded(Date.now(), op, rejected) })
        },
        fail: function () {
          delete tasks[op]
          toDriver(function (d) { d.requestFailed(Date.now(), op) })
        },
      }))
    },
    /** @param {number} op */
    abort: function (op) {
      var task = tasks[op]
      delete tasks[op]
      if (task && typeof task.abort === 'function') task.abort()
    },
    setTimer: timer.set,
    clearTimer: timer.clear,
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
      timer.dispose()
      Object.keys(tasks).forEach(function (id) {
        var task = tasks[/** @type {any} */ (id)]
        if (task && typeof task.abort === 'function') task.abort()
      })
      tasks = {}
    },
  }
}

module.exports = { createHost: createHost }

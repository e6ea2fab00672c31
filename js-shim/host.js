// @ts-check
'use strict'
// Carries out the core's effects with `wx.*` (or another mini-program API of the same shape).

/** Extra time given to wx.login and wx.request, so that the core's own timer decides. */
var GRACE_MS = 1000

/**
 * @typedef {import('./index').WxLike} WxLike
 * @typedef {{
 *   loginDone(op: number, code: unknown): void,
 *   postDone(op: number, status: number, data: unknown): void,
 *   postFailed(op: number): void,
 *   timerFired(timer: number): void,
 * }} DriverCallbacks
 * @typedef {{
 *   settle(call: number, error: any, value: any): void,
 *   changed(session: import('./index').Session | null): void,
 * }} AppSide
 */

/**
 * @param {WxLike} api
 * @param {() => DriverCallbacks | null} driver the driver, once it exists
 * @param {AppSide} app where settled calls and changes go
 */
function createHost(api, driver, app) {
  /** @type {Record<number, any>} */
  var timers = {}
  /** @type {Record<number, { abort?: () => void } | void>} */
  var requests = {}

  /** @param {(d: DriverCallbacks) => void} fn */
  function toDriver(fn) {
    var d = driver()
    if (d) fn(d)
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
      api.setStorageSync(key, value)
    },
    /** @param {string} key */
    removeStorage: function (key) {
      api.removeStorageSync(key)
    },
    /** @param {number} op @param {number} timeoutMs */
    login: function (op, timeoutMs) {
      api.login({
        timeout: timeoutMs + GRACE_MS,
        success: function (res) {
          toDriver(function (d) { d.loginDone(op, res && res.code) })
        },
        fail: function () {
          toDriver(function (d) { d.loginDone(op, null) })
        },
      })
    },
    /** @param {number} op @param {string} url @param {object} body @param {number} timeoutMs */
    post: function (op, url, body, timeoutMs) {
      requests[op] = api.request({
        url: url,
        method: 'POST',
        data: body,
        header: { 'content-type': 'application/json' },
        dataType: 'json',
        timeout: timeoutMs + GRACE_MS,
        success: function (res) {
          delete requests[op]
          toDriver(function (d) { d.postDone(op, res.statusCode, parseBody(res.data)) })
        },
        fail: function () {
          delete requests[op]
          toDriver(function (d) { d.postFailed(op) })
        },
      })
    },
    /** @param {number} op */
    abort: function (op) {
      var task = requests[op]
      delete requests[op]
      if (task && typeof task.abort === 'function') task.abort()
    },
    /** @param {number} timer @param {number} ms */
    startTimer: function (timer, ms) {
      timers[timer] = setTimeout(function () {
        delete timers[timer]
        toDriver(function (d) { d.timerFired(timer) })
      }, ms)
    },
    /** @param {number} timer */
    cancelTimer: function (timer) {
      clearTimeout(timers[timer])
      delete timers[timer]
    },
    settle: app.settle,
    changed: app.changed,
    /** @param {string} title */
    toast: function (title) {
      api.showToast({ title: title, icon: 'none' })
    },
  }
}

/**
 * `wx.request` gives a string when the server's content type is not JSON: parse it if it
 * is JSON; the core judges whatever comes out.
 *
 * @param {unknown} data
 */
function parseBody(data) {
  if (typeof data !== 'string') return data
  try {
    return JSON.parse(data)
  } catch (e) {
    return data
  }
}

module.exports = { createHost: createHost }

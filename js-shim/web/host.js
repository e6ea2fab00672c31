// @ts-check
'use strict'
// Carries out the core's network, timer and redirect effects in a web page: `fetch`,
// `setTimeout`, `location.assign`. Storage is the core's own (gloo-storage), not the host's.

var common = require('../host-common')
var errors = require('../errors')

/**
 * @typedef {import('../host').Hooks} Hooks
 * @typedef {import('../index').RequestOptions} RequestOptions
 */

/**
 * @param {Hooks} hooks
 * @param {typeof fetch} fetchImpl
 */
function createWebHost(hooks, fetchImpl) {
  var disposed = false
  /** @type {Record<number, AbortController>} */
  var controllers = {}
  var toDriver = common.driverCaller(hooks, function () { return disposed })
  var timer = common.createTimer(toDriver)

  /** @param {number} op */
  function signalFor(op) {
    var controller = typeof AbortController === 'function' ? new AbortController() : null
    if (controller) controllers[op] = controller
    return controller ? controller.signal : undefined
  }

  return {
    /** @param {number} op @param {string} url @param {object} body */
    post: function (op, url, body) {
      fetchImpl(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: signalFor(op) })
        .then(function (res) {
          return res.text().then(function (text) {
            delete controllers[op]
            toDriver(function (d) { d.postDone(Date.now(), op, res.status, text) })
          })
        })
        .catch(function (cause) {
          delete controllers[op]
          toDriver(function (d) { d.postFailed(Date.now(), op, errors.describe(cause)) })
        })
    },
    /**
     * @param {number} op @param {number} call
     * @param {string | undefined} name @param {string | undefined} value @param {string | undefined} token
     */
    send: function (op, call, name, value, token) {
      var options = common.withToken(hooks, call, name, value, token)
      var method = (options.method || 'GET').toUpperCase()
      var headers = Object.assign({}, options.header)
      var body
      if (options.data !== undefined && method !== 'GET' && method !== 'HEAD') {
        if (typeof options.data === 'string') body = options.data
        else {
          body = JSON.stringify(options.data)
          if (!Object.keys(headers).some(function (h) { return h.toLowerCase() === 'content-type' })) headers['content-type'] = 'application/json'
        }
      }
      fetchImpl(options.url, { method: method, headers: headers, body: body, signal: signalFor(op) })
        .then(function (res) {
          return res.text().then(function (text) {
            delete controllers[op]
            /** @type {unknown} */
            var data = text
            if ((options.dataType || 'json') === 'json') {
              try { data = JSON.parse(text) } catch (e) { data = text }
            }
            /** @type {Record<string, string>} */
            var header = {}
            res.headers.forEach(function (v, k) { header[k] = v })
            var response = { statusCode: res.status, data: data, header: header }
            hooks.answered(op, response)
            var rejected = hooks.isSessionExpired(response)
            toDriver(function (d) { d.responded(Date.now(), op, rejected) })
          })
        })
        .catch(function () {
          delete controllers[op]
          toDriver(function (d) { d.requestFailed(Date.now(), op) })
        })
    },
    /** @param {number} op */
    abort: function (op) {
      var controller = controllers[op]
      delete controllers[op]
      if (controller) controller.abort()
    },
    setTimer: timer.set,
    clearTimer: timer.clear,
    settle: hooks.settle,
    changed: hooks.changed,
    wantsChanges: hooks.wantsChanges,
    /** @param {string} url */
    redirect: function (url) {
      location.assign(url)
    },
    /** @param {string} title */
    toast: function (title) {
      if (typeof console !== 'undefined') console.warn('mp-session: ' + title)
    },
    dispose: function () {
      disposed = true
      timer.dispose()
      Object.keys(controllers).forEach(function (id) { controllers[/** @type {any} */ (id)].abort() })
      controllers = {}
    },
  }
}

module.exports = { createWebHost: createWebHost }

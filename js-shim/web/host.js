// @ts-check
// Carries out the core's network and redirect effects in a web page: `fetch` and
// `location.assign`. Storage and login codes are the core's own (gloo-storage, the OAuth
// redirect), not the host's.

import * as errors from '../errors.js'

/** @typedef {import('../driver').Host} Host */

/**
 * @param {typeof fetch} fetchImpl
 * @returns {Host}
 */
function createWebHost(fetchImpl) {
  /** @param {AbortController | null} controller */
  function signalOf(controller) {
    return controller ? controller.signal : undefined
  }
  /** A request's controller, where the browser has them. */
  function newController() {
    return typeof AbortController === 'function' ? new AbortController() : null
  }
  /** @param {AbortController | null} controller */
  function task(controller) {
    return controller ? { abort: function () { controller.abort() } } : undefined
  }
  // Storage and login codes are the core's own on a web page (gloo-storage, the OAuth
  // redirect): these are never asked for; each answers as a refusal would, to be safe.
  return {
    read: function (key, done) { done(true, '') },
    write: function (key, value, done) { done('no storage on the page side') },
    remove: function (key, done) { done('no storage on the page side') },
    askCode: function (timeoutMs, silent, done) { done(true, 'codes come from the OAuth redirect') },
    // The fields encoded as wx.request encodes them: a GET's in the query, a form's as
    // `k=v&…`, else JSON.
    post: function (url, method, contentType, body, timeoutMs, done) {
      var controller = newController()
      var fields = /** @type {Record<string, string>} */ (body)
      var query = Object.keys(fields).map(function (k) { return encodeURIComponent(k) + '=' + encodeURIComponent(fields[k]) }).join('&')
      var get = method === 'GET'
      var target = get ? url + (url.indexOf('?') < 0 ? '?' : '&') + query : url
      var sent = get ? undefined : /form/.test(contentType) ? query : JSON.stringify(body)
      fetchImpl(target, { method: method, headers: { 'content-type': contentType }, body: sent, signal: signalOf(controller) })
        .then(function (res) {
          return res.text().then(function (text) { done(res.status, text, { header: headersOf(res) }) })
        })
        .catch(function (cause) { done(-1, errors.describe(cause)) })
      return task(controller)
    },
    send: function (options, done) {
      var controller = newController()
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
      fetchImpl(options.url, { method: method, headers: headers, body: body, signal: signalOf(controller) })
        .then(function (res) {
          return res.text().then(function (text) {
            /** @type {unknown} */
            var data = text
            if ((options.dataType || 'json') === 'json') {
              try { data = JSON.parse(text) } catch (e) { data = text }
            }
            done({ statusCode: res.status, data: data, header: headersOf(res) })
          })
        })
        .catch(function () { done(null) })
      return task(controller)
    },
    toast: function (title) {
      if (typeof console !== 'undefined') console.warn('mp-session: ' + title)
    },
    callCloud: function (name, data, timeoutMs, done) {
      done(-1, 'cloud functions are for mini-programs')
    },
    redirect: function (url) {
      location.assign(url)
    },
  }
}

/**
 * A response's headers as an object (the browser shows a script no Set-Cookie).
 * @param {Response} res @returns {Record<string, string>}
 */
function headersOf(res) {
  /** @type {Record<string, string>} */
  var header = {}
  res.headers.forEach(function (v, k) { header[k] = v })
  return header
}

export { createWebHost }

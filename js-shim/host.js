// @ts-check
// What the core needs done, with `wx.*` (or another mini-program API of the same shape):
// storage, wx.login, wx.request, wx.uploadFile, wx.showToast. Values go back as the platform gave them (a
// stored value, a body's text, a failure's errMsg): the boundary describes them, the core
// judges them.

import * as errors from './errors.js'

/**
 * @typedef {import('./index').WxLike} WxLike
 * @typedef {import('./driver').Host} Host
 */

/** What a failed call said: its errMsg, or a thrown value's message. @param {any} res */
function errMsg(res) {
  return res && typeof res.errMsg === 'string' ? res.errMsg : errors.describe(res)
}

/**
 * @param {WxLike} api the platform's API, in wx.*'s shape (platforms.js)
 * @param {boolean} encrypted storage through wx.getStorage / setStorage with `encrypt: true`
 *   (base library 2.21.3; the shim has checked that), which answer later
 * @returns {Host}
 */
function createHost(api, encrypted) {
  var asyncApi = /** @type {Required<WxLike>} */ (api)
  return {
    read: function (key, done) {
      if (encrypted) {
        asyncApi.getStorage({ key: key, encrypt: true, success: function (res) { done(false, res.data) }, fail: function () { done(true) } })
        return
      }
      var value
      try {
        value = api.getStorageSync(key)
      } catch (e) {
        return done(true)
      }
      done(false, value)
    },
    write: function (key, value, done) {
      if (encrypted) {
        asyncApi.setStorage({ key: key, data: value, encrypt: true, success: function () { done() }, fail: function (res) { done(errMsg(res)) } })
        return
      }
      try {
        api.setStorageSync(key, value)
      } catch (e) {
        return done(errMsg(e))
      }
      done()
    },
    remove: function (key, done) {
      if (encrypted) {
        asyncApi.removeStorage({ key: key, success: function () { done() }, fail: function (res) { done(errMsg(res)) } })
        return
      }
      try {
        api.removeStorageSync(key)
      } catch (e) {
        return done(errMsg(e))
      }
      done()
    },
    askCode: function (timeoutMs, silent, done) {
      /** @type {any} */
      var options = {
        timeout: timeoutMs,
        success: function (/** @type {any} */ res) { done(false, res) },
        fail: function (/** @type {any} */ res) { done(true, errMsg(res)) },
      }
      // The core asks for no dialog (Douyin's `force: false`).
      if (silent) options.force = false
      try {
        api.login(options)
      } catch (e) {
        done(true, errMsg(e))
      }
    },
    // wx.cloud.callFunction takes no timeout: the core's deadline ends a call that never answers.
    callCloud: function (name, data, timeoutMs, done) {
      try {
        /** @type {any} */ (api).cloud.callFunction({
          name: name,
          data: data,
          success: function (/** @type {any} */ res) {
            var result = res ? res.result : undefined
            // The function's value as it is: a string stays a string (the core wants an
            // object), not text to parse, as a backend's body is.
            done(200, result === undefined ? null : typeof result === 'string' ? JSON.stringify(result) : result)
          },
          fail: function (/** @type {any} */ res) { done(-1, errMsg(res)) },
        })
      } catch (e) {
        done(-1, errMsg(e))
      }
    },
    post: function (url, method, contentType, body, timeoutMs, done) {
      try {
        return api.request({
          url: url,
          method: method,
          data: body,
          header: { 'content-type': contentType },
          // The text as it came: the boundary parses it, the core checks its length.
          dataType: 'text',
          timeout: timeoutMs,
          success: function (res) { done(res.statusCode, res.data, res) },
          // The login request's URL holds no secret, so wx's words may be shown.
          fail: function (res) { done(-1, errMsg(res)) },
        })
      } catch (e) {
        done(-1, errMsg(e))
      }
    },
    send: function (options, done) {
      var file = /** @type {any} */ (options)
      try {
        // An upload (session.upload): wx.uploadFile (tt, qq, swan, ks: the same; Alipay's
        // adapted), the file as `name`; `data` is the text the server answered.
        if (file.filePath !== undefined) {
          return /** @type {any} */ (api).uploadFile({
            url: file.url,
            filePath: file.filePath,
            name: file.name,
            header: file.header,
            formData: file.formData,
            timeout: file.timeout,
            success: function (/** @type {any} */ res) { done({ statusCode: res.statusCode, data: res.data, header: res.header || {} }) },
            fail: function () { done(null) },
          })
        }
        return api.request({
          url: options.url,
          method: options.method,
          data: options.data,
          header: options.header,
          timeout: options.timeout,
          dataType: options.dataType,
          responseType: options.responseType,
          success: function (res) { done({ statusCode: res.statusCode, data: res.data, header: res.header || {} }) },
          // An app request's URL may hold a token placed by attachToken: its errMsg stays here.
          fail: function () { done(null) },
        })
      } catch (e) {
        done(null)
      }
    },
    toast: function (title) {
      try {
        api.showToast({ title: title, icon: 'none' })
      } catch (e) {
        // A toast that cannot be shown changes nothing.
      }
    },
    // WeChat's data pre-fetch and periodic updates (base library 2.8.0): a failure changes
    // nothing the session does.
    setFetchToken: function (token) {
      try {
        /** @type {any} */ (api).setBackgroundFetchToken({ token: token })
      } catch (e) {
        if (typeof console !== 'undefined') console.warn('mp-session: wx.setBackgroundFetchToken failed: ' + errMsg(e))
      }
    },
  }
}

export { createHost }

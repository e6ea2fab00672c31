// @ts-check
// Alipay's mini-program API in the shape of the others (which all follow wx.*). Only the
// plain-JavaScript entry carries it: Alipay has no WebAssembly in the logic layer.

/**
 * Alipay's `my` in the shape the host speaks (wx.*'s): `my.getAuthCode` for `wx.login`
 * (scope `auth_base`: silent), storage calls that take `{ key, data }`, `my.request`'s
 * `headers`/`status`, `my.showToast`'s `content`. Any other object is returned as it is.
 * @param {any} api @returns {any}
 */
function alipay(api) {
  if (!api || typeof api.getAuthCode !== 'function') return api
  /** What an Alipay failure said. @param {any} res */
  var said = function (res) {
    return { errMsg: res && (res.errorMessage || res.errMsg) ? String(res.errorMessage || res.errMsg) : 'fail ' + (res && res.error) }
  }
  return {
    login: function (/** @type {any} */ o) {
      api.getAuthCode({
        scopes: 'auth_base',
        success: function (/** @type {any} */ res) { o.success({ code: res && res.authCode }) },
        fail: function (/** @type {any} */ res) { o.fail(said(res)) },
      })
    },
    request: function (/** @type {any} */ o) {
      return api.request({
        url: o.url,
        method: o.method,
        data: o.data,
        headers: o.header,
        timeout: o.timeout,
        dataType: o.dataType,
        success: function (/** @type {any} */ res) {
          o.success({ statusCode: res.status !== undefined ? res.status : res.statusCode, data: res.data, header: res.headers || res.header || {} })
        },
        // Alipay calls fail for an HTTP error status too, with the answer attached.
        fail: function (/** @type {any} */ res) {
          if (res && typeof res.status === 'number') {
            return o.success({ statusCode: res.status, data: res.data, header: res.headers || {} })
          }
          o.fail(said(res))
        },
      })
    },
    // Alipay names the file's part `fileName` and asks its type.
    uploadFile: function (/** @type {any} */ o) {
      return api.uploadFile({
        url: o.url,
        filePath: o.filePath,
        fileName: o.name,
        fileType: 'image',
        header: o.header,
        formData: o.formData,
        success: function (/** @type {any} */ res) { o.success({ statusCode: res.statusCode, data: res.data }) },
        fail: function (/** @type {any} */ res) { o.fail(said(res)) },
      })
    },
    getStorageSync: function (/** @type {string} */ key) {
      var res = api.getStorageSync({ key: key })
      return res && res.data !== undefined && res.data !== null ? res.data : ''
    },
    setStorageSync: function (/** @type {string} */ key, /** @type {unknown} */ data) {
      var res = api.setStorageSync({ key: key, data: data })
      if (res && res.success === false) throw new Error(said(res).errMsg)
    },
    removeStorageSync: function (/** @type {string} */ key) {
      api.removeStorageSync({ key: key })
    },
    showToast: function (/** @type {any} */ o) {
      api.showToast({ content: o.title, type: 'none' })
    },
  }
}

export { alipay }

'use strict'
// The other mini-program platforms, each with its own semantics as far as a login flow
// touches them (PLATFORM.md, "Other mini-program platforms"):
// - tt (Douyin): tt.login gives `anonymousCode` always and `code` only to a user logged in to
//   Douyin; unless `force: false`, a user not logged in is shown Douyin's login dialog
//   (counted in stats.dialogs). TTWebAssembly loads a package path, as WXWebAssembly does.
// - qq, swan (Baidu), ks (Kuaishou): wx.*'s shape, and no WebAssembly in the logic layer.
// - my (Alipay): my.getAuthCode({ scopes }) → { authCode }; storage calls take { key, data }
//   and getStorageSync answers { data }; my.request takes `headers`, answers { status,
//   headers } and calls `fail` (error 19) for an HTTP error status; my.showToast({ content }).
//   No WebAssembly outside a Worker.
// Codes of every platform are single use, issued by the mock server as WeChat's are.

/** The platforms the simulator can host, and the global each one's API object has. */
const HOSTS = ['wx', 'tt', 'qq', 'swan', 'ks', 'my']

/**
 * The globals a mini-program on `host` sees: its API object and, where it has one, its
 * WebAssembly loader.
 *
 * @param {string} host
 * @param {object} o  { wx, wxWebAssembly (or undefined), wechat, user, behaviour, stats, later }
 */
function platformGlobals(host, o) {
  switch (host) {
    case 'wx':
      return { wx: o.wx, WXWebAssembly: o.wxWebAssembly }
    case 'tt':
      return { tt: douyin(o), TTWebAssembly: o.wxWebAssembly }
    case 'qq':
    case 'swan':
    case 'ks':
      return { [host]: withoutCloud(o.wx) }
    case 'my':
      return { my: alipay(o) }
  }
  throw new Error('the simulator hosts ' + HOSTS.join(', ') + ', not ' + host)
}

/** wx.*'s shape, without what only WeChat has. */
function withoutCloud(wx) {
  const api = Object.assign({}, wx)
  delete api.cloud
  return api
}

function douyin({ wx, wechat, user, behaviour, stats, later }) {
  const tt = withoutCloud(wx)
  tt.login = (options = {}) => {
    stats.logins++
    const loggedIn = behaviour.douyinLoggedIn !== false
    if (!loggedIn && options.force !== false) stats.dialogs = (stats.dialogs || 0) + 1
    later(() => {
      const anonymousCode = wechat.issueCode({ openid: 'anon-' + user.openid })
      stats.codes.push(anonymousCode)
      const result = { anonymousCode, isLogin: loggedIn, errMsg: 'login:ok' }
      if (loggedIn) {
        result.code = wechat.issueCode(user)
        stats.codes.push(result.code)
      }
      if (typeof options.success === 'function') options.success(result)
    })
  }
  return tt
}

function alipay({ wx, behaviour, stats, later }) {
  const failed = (options, res) => typeof options.fail === 'function' && options.fail(res)
  return {
    getAuthCode(options = {}) {
      if (options.scopes !== 'auth_base' && options.scopes !== 'auth_user') {
        return later(() => failed(options, { error: 2, errorMessage: 'invalid scopes' }))
      }
      // wx.login's single-use code, handed out under Alipay's name.
      wx.login({
        success: (res) => typeof options.success === 'function' && options.success({ authCode: res.code }),
        fail: (res) => failed(options, { error: 11, errorMessage: res.errMsg }),
      })
    },
    request(options = {}) {
      return wx.request({
        url: options.url,
        method: options.method,
        data: options.data,
        header: options.headers,
        dataType: options.dataType,
        timeout: options.timeout,
        success: (res) => {
          const answer = { status: res.statusCode, data: res.data, headers: res.header }
          if (res.statusCode >= 200 && res.statusCode < 300) return options.success && options.success(answer)
          failed(options, Object.assign({ error: 19, errorMessage: 'http status error' }, answer))
        },
        fail: () => failed(options, { error: 12, errorMessage: 'network error' }),
      })
    },
    getStorageSync({ key }) {
      const data = wx.getStorageSync(key)
      return { data: data === '' ? null : data }
    },
    setStorageSync({ key, data }) {
      try {
        wx.setStorageSync(key, data)
        return { success: true }
      } catch (e) {
        return { success: false, error: 15, errorMessage: e.message }
      }
    },
    removeStorageSync({ key }) {
      wx.removeStorageSync(key)
      return { success: true }
    },
    showToast(options = {}) {
      stats.toasts.push(options.content)
      behaviour.lastToastType = options.type
    },
  }
}

module.exports = { HOSTS, platformGlobals }

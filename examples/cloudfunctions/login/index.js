// The login cloud function for mp-session's `cloudFunction: 'login'` option. Deploy it from
// the developer tool (right-click cloudfunctions/login → 上传并部署). WeChat calls it with the
// user's identity already checked: OPENID (and UNIONID when the mini-program is bound to an
// Open Platform account) come from the call's context, so no wx.login code and no AppSecret
// are needed.
const cloud = require('wx-server-sdk')

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV })

/** How long the app may use the answer before it calls again (seconds). */
const EXPIRES_IN = 7 * 24 * 3600

exports.main = async (event) => {
  const { OPENID, UNIONID } = cloud.getWXContext()
  // `event.platform` is 'wx'. Add a token of your own here if your other servers need one.
  return { openid: OPENID, unionid: UNIONID || null, expires_in: EXPIRES_IN }
}

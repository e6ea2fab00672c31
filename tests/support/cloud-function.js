'use strict'
// Runs a cloud function of examples/cloudfunctions/ in-process, as WeChat's cloud runs it:
// `wx-server-sdk` is a stand-in whose getWXContext() gives the context of the call under way
// (the simulator's wx.cloud injects it: OPENID, UNIONID, APPID). No other module may be
// required: a cloud function that needs one must say so here.
const fs = require('fs')
const path = require('path')
const vm = require('vm')

const { REPO } = require('./build-example')

/** The function `name` as `(event, context) => Promise<result>`. */
function loadCloudFunction(name) {
  const file = path.join(REPO, 'examples', 'cloudfunctions', name, 'index.js')
  let context = null
  const sdk = {
    DYNAMIC_CURRENT_ENV: Symbol('the current environment'),
    init() {},
    getWXContext() {
      if (!context) throw new Error('getWXContext() outside a call')
      return context
    },
  }
  const module = { exports: {} }
  const wrapper = vm.runInThisContext('(function (require, module, exports) {' + fs.readFileSync(file, 'utf8') + '\n})', { filename: file })
  wrapper((request) => {
    if (request === 'wx-server-sdk') return sdk
    throw new Error('the cloud function requires ' + request + ', which the stand-in does not provide')
  }, module, module.exports)
  return async (event, callContext) => {
    context = callContext
    try {
      // getWXContext() is read before the first await of main, as the example does.
      const pending = module.exports.main(event, {})
      context = null
      return await pending
    } finally {
      context = null
    }
  }
}

module.exports = { loadCloudFunction }

// What mp-session asks of an app: create the session, launch it.
const { createSession } = require('mp-session')
const config = require('./config')

App({
  globalData: { openid: null },

  onLaunch() {
    this.session = createSession({
      loginUrl: config.loginUrl,
      // Phones whose WebAssembly is missing or fails run the same core as JavaScript, from
      // the subpackage app.json declares (node_modules/mp-session/fallback/index.js, copied).
      fallback: () => require.async('./mp-session-fallback/index.js'),
    })
    this.session.launch().then(
      (session) => {
        this.globalData.openid = session.openid
      },
      (error) => {
        // error.code is stable: NETWORK, TIMEOUT, BACKEND, ... (see the README)
        console.error('login failed', error.code, error.message)
      }
    )
  },
})

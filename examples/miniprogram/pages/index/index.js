Page({
  data: { openid: '', unionid: '', source: '', error: '' },

  onLoad() {
    // Pages ask the same session; before launch() has finished, this shares its login.
    getApp()
      .session.ensure()
      .then(
        (session) => this.setData({ openid: session.openid, unionid: session.unionid || '', source: session.source }),
        (error) => this.setData({ error: error.code + ': ' + error.message })
      )
  },
})

'use strict'
// session.upload: wx.uploadFile with the session's token, under request()'s rules (allowed
// origins, one shared re-login on a rejected session, one retry), and the avatar a user
// picks with chooseAvatar, which is a file on the phone: setUserInfo refuses it until it is
// uploaded and the server's URL is given instead.
const test = require('node:test')
const assert = require('node:assert/strict')
const { worldPerFile, settle, plain } = require('./fixture')

const world = worldPerFile()

const AVATAR = 'PNG avatar bytes, as the user picked them'

test('the avatar chooseAvatar gives is refused by setUserInfo, uploaded with the token, and its URL kept', async () => {
  const app = world.open()
  const session = world.session(app)
  await session.launch()
  const { avatarUrl } = app.chooseAvatar(AVATAR)

  const refused = await settle(session.setUserInfo({ nickName: '小明', avatarUrl }))
  assert.equal(refused.error.code, 'INVALID_ARGUMENT')
  assert.match(refused.error.message, /avatarUrl is a file on this phone .*upload it first \(session\.upload\)/)

  const uploads = world.backend.stats.uploads.length
  const answer = await session.upload({ url: world.backend.base + '/api/upload', filePath: avatarUrl, name: 'avatar', formData: { kind: 'avatar' } })
  assert.equal(answer.statusCode, 200)
  assert.equal(typeof answer.data, 'string', "wx.uploadFile's data is the text the server answered")
  const { url } = JSON.parse(answer.data)
  assert.deepEqual(world.backend.stats.uploads.slice(uploads), [{ name: 'avatar', bytes: AVATAR.length }])
  assert.match(world.backend.stats.api.authorizations.at(-1), /^Bearer tok-/)

  const updated = await session.setUserInfo({ nickName: '小明', avatarUrl: url })
  assert.deepEqual(plain(updated.userInfo), { nickName: '小明', avatarUrl: url })
})

test('an upload on a rejected session: one shared re-login with a request rejected at the same moment, then each once more', async () => {
  const storageFile = world.newStorage()
  const first = world.open({ storageFile })
  await world.session(first).launch()
  first.close()
  const app = world.open({ storageFile })
  const session = world.session(app)
  await session.launch()
  world.backend.revokeTokens()
  const { avatarUrl } = app.chooseAvatar(AVATAR)

  const [uploaded, requested] = await Promise.all([
    session.upload({ url: world.backend.base + '/api/upload', filePath: avatarUrl, name: 'file' }),
    session.request({ url: world.backend.base + '/api/me' }),
  ])
  assert.deepEqual([uploaded.statusCode, requested.statusCode], [200, 200])
  assert.equal(app.stats.logins, 1, 'one login for both')
  assert.equal(app.stats.uploads.length, 2, 'the upload, then once more after the re-login')
})

test("upload's argument is checked, and the token never goes to another origin", async () => {
  const app = world.open()
  const session = world.session(app)
  const { avatarUrl } = app.chooseAvatar(AVATAR)
  for (const wrong of [undefined, { url: world.backend.base + '/api/upload', name: 'file' }, { url: 1, filePath: avatarUrl, name: 'f' }]) {
    const { error } = await settle(session.upload(wrong))
    assert.equal(error.code, 'INVALID_ARGUMENT')
    assert.match(error.message, /upload takes \{ url, filePath, name, formData\?, header\?, timeout\? \}/)
  }
  const elsewhere = await settle(session.upload({ url: 'https://evil.example.net/upload', filePath: avatarUrl, name: 'file' }))
  assert.equal(elsewhere.error.code, 'INVALID_ARGUMENT')
  assert.equal(app.stats.uploads.length, 0)
  const missing = await settle(session.upload({ url: world.backend.base + '/api/upload', filePath: 'wxfile://tmp_gone.png', name: 'file' }))
  assert.equal(missing.error.code, 'NETWORK', 'a file no longer on the phone: wx.uploadFile failed')
})

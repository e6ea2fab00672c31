'use strict'
// What mp-session calls on the platform, read from the files it ships, held to what both
// READMEs tell a team filling in WeChat's user privacy guide (用户隐私保护指引) and the SDK
// privacy information at review: every `wx.*` API it calls is listed there, and none of the
// APIs the privacy guide covers is called.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('fs')
const path = require('path')

const REPO = path.join(__dirname, '..', '..')
const SHIPPED = [path.join(REPO, 'pkg', 'miniprogram', 'index.js'), path.join(REPO, 'pkg', 'plain', 'index.js')]
const TYPINGS = path.join(REPO, 'node_modules', 'miniprogram-api-typings', 'types', 'wx')

// Calls on standard JavaScript objects, whose names survive minifying: taken out of the text
// before it is read, so that a platform method of the same name (wx.getRandomValues) would
// still be seen.
const STANDARD = /\b(?:Promise|console|crypto)\.\w+\(/g
// Names the minified files call on objects whose names are gone, that are the shim's own
// and not the platform's: the `success` and `fail` of an options object, called back by the
// Alipay adapter. (The shim's host, which calls the platform, names its own methods apart:
// askCode, callCloud, post, send, read, write, remove, toast.)
const NOT_THE_PLATFORM = ['success', 'fail']

// APIs WeChat's user privacy guide covers (developers.weixin.qq.com/miniprogram/dev/
// framework/user-privacy/miniprogram-intro.html): a mini-program must declare each it uses.
const PRIVACY_GUIDE = [
  'authorize', 'getUserProfile', 'getUserInfo', 'getLocation', 'getFuzzyLocation', 'chooseLocation', 'choosePoi',
  'startLocationUpdate', 'startLocationUpdateBackground', 'onLocationChange', 'chooseAddress', 'chooseInvoice',
  'chooseInvoiceTitle', 'chooseImage', 'chooseMedia', 'chooseVideo', 'chooseMessageFile', 'saveImageToPhotosAlbum',
  'saveVideoToPhotosAlbum', 'addPhoneContact', 'addPhoneCalendar', 'addPhoneRepeatCalendar', 'getClipboardData',
  'setClipboardData', 'startRecord', 'getRecorderManager', 'joinVoIPChat', 'createCameraContext', 'createLivePusherContext',
  'getWeRunData', 'openBluetoothAdapter', 'createBLEPeripheralServer', 'startWifi', 'shareFileMessage',
  'shareVideoMessage', 'requestDeviceVoIP',
]

/** The method names of `wx` (and of `wx.cloud`), as the official typings declare them. */
function platformMethods() {
  const names = new Set()
  for (const [file, iface] of [['lib.wx.api.d.ts', 'interface Wx {'], ['lib.wx.cloud.d.ts', 'interface WxCloud {']]) {
    // The interface's members: its body read with the comments (and their examples) left out.
    const text = fs.readFileSync(path.join(TYPINGS, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '')
    const start = text.indexOf(iface)
    assert.ok(start >= 0, iface + ' in ' + file)
    let depth = 0
    let body = ''
    for (let k = start + iface.length - 1; k < text.length; k++) {
      const c = text[k]
      if (c === '{') depth++
      if (c === '}' && --depth === 0) break
      // Only what sits at the interface's own level: a member's name, then `(` or `<`.
      body += depth === 1 ? c : ' '
    }
    for (const m of body.matchAll(/(?:^|[;\s])(\w+)\s*[<(]/g)) names.add(m[1])
  }
  assert.ok(names.size > 400, 'the typings declare ' + names.size + ' methods')
  return names
}

/** The platform methods a shipped file calls (`.name(`), the standard ones left out. */
function called(file, methods) {
  const text = fs.readFileSync(file, 'utf8').replace(STANDARD, '')
  return [...methods].filter((name) => new RegExp('\\.' + name + '\\s*\\(').test(text) && !NOT_THE_PLATFORM.includes(name)).sort()
}

/** The platform methods a README's privacy section lists (`wx.name`, `wx.cloud.name`). */
function listed(readme) {
  const text = fs.readFileSync(path.join(REPO, readme), 'utf8')
  const section = text.split('<!-- platform-calls -->')[1]
  assert.ok(section, readme + ' has its list of platform calls between <!-- platform-calls --> markers')
  const list = section.split('<!-- /platform-calls -->')[0]
  return [...new Set([...list.matchAll(/`wx\.(?:cloud\.)?(\w+)/g)].map((m) => m[1]))].sort()
}

test('every platform API the shipped files call is the one both READMEs list, and no other', () => {
  const methods = platformMethods()
  const lists = ['README.md', 'README.zh-CN.md'].map(listed)
  assert.deepEqual(lists[0], lists[1], 'both READMEs list the same calls')
  for (const file of SHIPPED) {
    assert.deepEqual(called(file, methods), lists[0], path.relative(REPO, file) + ' calls what the READMEs list')
  }
  // The names left out as the shim's own are not the platform's (or the list would hide one).
  for (const name of NOT_THE_PLATFORM) assert.ok(!lists[0].includes(name), name)
})

test('none of the APIs the user privacy guide covers is called', () => {
  for (const file of SHIPPED) {
    const text = fs.readFileSync(file, 'utf8')
    const used = PRIVACY_GUIDE.filter((name) => new RegExp('\\.' + name + '\\b').test(text))
    assert.deepEqual(used, [], path.relative(REPO, file))
  }
})

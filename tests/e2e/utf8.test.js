'use strict'
// The UTF-8 fallback the shim injects for phones without TextEncoder / TextDecoder must agree
// with the standard classes byte for byte.
const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('path')

const load = () => import(path.join(__dirname, '..', '..', 'js-shim', 'utf8.mjs'))

const samples = [
  '', 'openid', 'o-6_bmasdasdsad6_2sgVt7hMZOPfL', '小明', 'Ünïcødé', '😀 emoji 👍🏽', '\u0000\u007f\u0080\u07ff\u0800\uffff',
  'lone \ud800 high', 'lone \udc00 low', 'end \ud83d', '\ud83d\ude00\ud83d', 'x'.repeat(20000) + '登录',
]

test('the fallback encoder gives the bytes TextEncoder gives', async () => {
  const { Utf8Encoder } = await load()
  const ours = new Utf8Encoder()
  const standard = new TextEncoder()
  for (const text of samples) assert.deepEqual(Buffer.from(ours.encode(text)), Buffer.from(standard.encode(text)), JSON.stringify(text.slice(0, 40)))
})

test('the fallback decoder reads what TextDecoder reads, malformed input included', async () => {
  const { Utf8Decoder } = await load()
  const ours = new Utf8Decoder()
  const standard = new TextDecoder('utf-8', { ignoreBOM: true })
  const malformed = [[0xff], [0xc0, 0x80], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80],
    [0xe4, 0xb8], [0x61, 0xf0, 0x9f, 0x98], [0xef, 0xbb, 0xbf, 0x61], [0xc3, 0x28], [0xf0, 0x9f, 0x98, 0x80, 0x80]]
  const inputs = samples.map((t) => new TextEncoder().encode(t)).concat(malformed.map((b) => Uint8Array.from(b)))
  for (const bytes of inputs) assert.equal(ours.decode(bytes), standard.decode(bytes), Buffer.from(bytes.slice(0, 16)).toString('hex'))
  const inner = new Uint8Array([0x61, 0xe5, 0xb0, 0x8f, 0x62]).subarray(1, 4)
  assert.equal(ours.decode(inner), '小', 'a view into a larger buffer')
  assert.equal(ours.decode(), '')
})

test('where the standard classes exist, they are used', async () => {
  const utf8 = await load()
  assert.equal(utf8.TextEncoder, TextEncoder)
  assert.equal(utf8.TextDecoder, TextDecoder)
})

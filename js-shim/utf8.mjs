// @ts-check
// UTF-8 TextEncoder / TextDecoder for the wasm-bindgen glue.
//
// WeChat on phones has neither (the desktop developer tool has both, which is how code that
// passes there fails on a device). The build injects this module in place of the globals
// `TextEncoder` and `TextDecoder` wherever the bundle names them (esbuild `inject`), so the
// native classes are used where they exist and nothing global is ever modified.

var root =
  typeof globalThis !== 'undefined' ? globalThis
    : typeof global !== 'undefined' ? global
      : typeof self !== 'undefined' ? self
        : {}

/** Encodes a string as UTF-8 (lone surrogates become U+FFFD, as the standard says). */
function Utf8Encoder() {}

/**
 * @param {string} [text]
 * @returns {Uint8Array}
 */
Utf8Encoder.prototype.encode = function encode(text) {
  var s = text === undefined ? '' : String(text)
  var out = new Uint8Array(s.length * 3)
  var n = 0
  for (var i = 0; i < s.length; i++) {
    var c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      var d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00)
        i++
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd
    if (c < 0x80) {
      out[n++] = c
    } else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6)
      out[n++] = 0x80 | (c & 0x3f)
    } else if (c < 0x10000) {
      out[n++] = 0xe0 | (c >> 12)
      out[n++] = 0x80 | ((c >> 6) & 0x3f)
      out[n++] = 0x80 | (c & 0x3f)
    } else {
      out[n++] = 0xf0 | (c >> 18)
      out[n++] = 0x80 | ((c >> 12) & 0x3f)
      out[n++] = 0x80 | ((c >> 6) & 0x3f)
      out[n++] = 0x80 | (c & 0x3f)
    }
  }
  return out.subarray(0, n)
}

/** Decodes UTF-8; malformed sequences become U+FFFD, a BOM is kept (`ignoreBOM`). */
function Utf8Decoder() {}

/**
 * @param {ArrayBufferView | ArrayBuffer} [input]
 * @returns {string}
 */
Utf8Decoder.prototype.decode = function decode(input) {
  if (input === undefined) return ''
  var bytes = input instanceof Uint8Array ? input
    : ArrayBuffer.isView(input) ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
      : new Uint8Array(input)
  // Most strings the core hands over are short and ASCII: one call, no loop of pushes.
  if (bytes.length <= 8192) {
    var ascii = true
    for (var k = 0; k < bytes.length; k++) {
      if (bytes[k] >= 0x80) {
        ascii = false
        break
      }
    }
    if (ascii) return String.fromCharCode.apply(null, /** @type {any} */ (bytes))
  }
  var parts = []
  var units = []
  for (var i = 0; i < bytes.length;) {
    var b = bytes[i]
    var c = 0xfffd
    var need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1
    if (need === 0) {
      c = b
      i++
    } else if (need < 0) {
      i++
    } else {
      var cp = b & (0x3f >> need)
      var j = 1
      for (; j <= need && i + j < bytes.length; j++) {
        var next = bytes[i + j]
        var lo = 0x80
        var hi = 0xbf
        if (j === 1) {
          if (b === 0xe0) lo = 0xa0
          else if (b === 0xed) hi = 0x9f
          else if (b === 0xf0) lo = 0x90
          else if (b === 0xf4) hi = 0x8f
        }
        if (next < lo || next > hi) break
        cp = (cp << 6) | (next & 0x3f)
      }
      if (j > need) c = cp
      i += j
    }
    if (c >= 0x10000) {
      c -= 0x10000
      units.push(0xd800 + (c >> 10), 0xdc00 + (c & 0x3ff))
    } else {
      units.push(c)
    }
    if (units.length >= 8192) {
      parts.push(String.fromCharCode.apply(null, units))
      units = []
    }
  }
  parts.push(String.fromCharCode.apply(null, units))
  return parts.join('')
}

var NativeEncoder = root.TextEncoder
var NativeDecoder = root.TextDecoder

var Encoder = typeof NativeEncoder === 'function' ? NativeEncoder : Utf8Encoder
var Decoder = typeof NativeDecoder === 'function' ? NativeDecoder : Utf8Decoder

export { Encoder as TextEncoder, Decoder as TextDecoder, Utf8Encoder, Utf8Decoder }

'use strict'
// wx storage as WeChat defines it: JSON-serialisable values, at most 1 MB per key and 10 MB
// in all, synchronous calls that throw on failure, '' for a missing key. Kept in a file, so it
// survives an app restart (a new simulator over the same file).
const fs = require('fs')
const crypto = require('crypto')

const MAX_KEY_BYTES = 1024 * 1024
const MAX_TOTAL_BYTES = 10 * 1024 * 1024

/** Storage kept in `file`; with no file, in memory only (the benchmark: no disk time). */
function createStorage(file) {
  /** key → the JSON text WeChat keeps */
  const entries = file && fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {}
  const stats = { reads: 0, writes: 0, removes: 0, readsByKey: {}, writesByKey: {} }
  const faults = { readThrows: false, writeThrows: false }
  // The phone's own encryption key, kept beside its storage (a new phone, a new key).
  const keyFile = file && file + '.key'
  if (keyFile && !fs.existsSync(keyFile)) fs.writeFileSync(keyFile, crypto.randomBytes(32))
  const phoneKey = keyFile ? fs.readFileSync(keyFile) : crypto.randomBytes(32)

  function persist() {
    if (file) fs.writeFileSync(file, JSON.stringify(entries))
  }

  return {
    stats,
    faults,
    getStorageSync(key) {
      stats.reads++
      stats.readsByKey[key] = (stats.readsByKey[key] || 0) + 1
      if (faults.readThrows) throw new Error('getStorageSync:fail storage read error')
      if (typeof key !== 'string' || key === '') throw new Error('getStorageSync:fail parameter error: key should be a non-empty string')
      return Object.prototype.hasOwnProperty.call(entries, key) ? JSON.parse(entries[key]) : ''
    },
    setStorageSync(key, data) {
      stats.writes++
      stats.writesByKey[key] = (stats.writesByKey[key] || 0) + 1
      if (typeof key !== 'string' || key === '') throw new Error('setStorageSync:fail parameter error: key should be a non-empty string')
      if (faults.writeThrows) throw new Error('setStorageSync:fail exceed storage max size 10Mb')
      const text = JSON.stringify(data)
      if (text === undefined) throw new Error('setStorageSync:fail parameter error: data should be JSON-serialisable')
      if (Buffer.byteLength(text) > MAX_KEY_BYTES) throw new Error('setStorageSync:fail entry size limit reached')
      const total = Object.keys(entries).reduce((sum, k) => sum + (k === key ? 0 : Buffer.byteLength(entries[k])), 0)
      if (total + Buffer.byteLength(text) > MAX_TOTAL_BYTES) throw new Error('setStorageSync:fail exceed storage max size 10Mb')
      entries[key] = text
      persist()
    },
    removeStorageSync(key) {
      stats.removes++
      if (faults.writeThrows) throw new Error('removeStorageSync:fail storage error')
      delete entries[key]
      persist()
    },
    // `encrypt: true` (wx.setStorage / getStorage): kept as AES-GCM ciphertext under a key
    // only this phone knows, as WeChat keeps it; the file never holds the plain value.
    setEncrypted(key, data) {
      const text = JSON.stringify(data)
      if (text === undefined) throw new Error('setStorage:fail parameter error')
      if (faults.writeThrows) throw new Error('setStorage:fail exceed storage max size 10Mb')
      const iv = crypto.randomBytes(12)
      const cipher = crypto.createCipheriv('aes-256-gcm', phoneKey, iv)
      const sealed = Buffer.concat([cipher.update(text, 'utf8'), cipher.final(), cipher.getAuthTag()])
      stats.writes++
      entries[key] = JSON.stringify({ encrypted: Buffer.concat([iv, sealed]).toString('base64') })
      persist()
    },
    getEncrypted(key) {
      stats.reads++
      if (faults.readThrows) throw new Error('getStorage:fail storage read error')
      if (!Object.prototype.hasOwnProperty.call(entries, key)) throw new Error('getStorage:fail data not found')
      const box = Buffer.from(JSON.parse(entries[key]).encrypted || '', 'base64')
      const decipher = crypto.createDecipheriv('aes-256-gcm', phoneKey, box.subarray(0, 12))
      decipher.setAuthTag(box.subarray(box.length - 16))
      return JSON.parse(Buffer.concat([decipher.update(box.subarray(12, box.length - 16)), decipher.final()]).toString('utf8'))
    },
    /** The raw JSON text under `key` (tests look at exactly what was stored). */
    raw: (key) => entries[key],
    /** Every raw entry. */
    dump: () => ({ ...entries }),
    /** Puts raw JSON text under `key`, as if something else had written it. */
    putRaw(key, text) {
      entries[key] = text
      persist()
    },
  }
}

module.exports = { createStorage, MAX_KEY_BYTES }

'use strict'
// The repository holds what people wrote or deliberately pinned (lockfiles, fuzz seeds):
// nothing under a path .gitignore lists, and no file over 1 MB.
const test = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync } = require('child_process')
const fs = require('fs')
const path = require('path')

const { REPO } = require('../support/build-example')

const MAX_FILE_BYTES = 1024 * 1024

function git(...args) {
  return execFileSync('git', args, { cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 26 })
}

const checkout = fs.existsSync(path.join(REPO, '.git'))

test('no committed file lies under a path .gitignore lists', { skip: !checkout && 'not a git checkout' }, () => {
  const ignored = git('ls-files', '--cached', '--ignored', '--exclude-standard').split('\n').filter(Boolean)
  assert.deepEqual(ignored, [], 'committed although ignored: git rm --cached them')
})

test('no committed file is over 1 MB', { skip: !checkout && 'not a git checkout' }, () => {
  const files = git('ls-files', '-z').split('\0').filter(Boolean)
  const large = files
    .filter((file) => fs.existsSync(path.join(REPO, file)))
    .map((file) => ({ file, bytes: fs.lstatSync(path.join(REPO, file)).size }))
    .filter(({ bytes }) => bytes > MAX_FILE_BYTES)
  assert.deepEqual(large, [])
})

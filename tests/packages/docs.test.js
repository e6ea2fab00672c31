'use strict'
// The three descriptions of the API say the same: the options, calls and error codes named in
// README.md's tables, in README.zh-CN.md's and in index.d.ts are the same sets; the server's
// flags in both READMEs are those of its --help; the deployment files both READMEs quote are
// the ones in examples/deploy/; and each README links the other at its top.
const test = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync } = require('child_process')
const fs = require('fs')
const path = require('path')

const { REPO } = require('../support/build-example')

const READMES = ['README.md', 'README.zh-CN.md']
const read = (file) => fs.readFileSync(path.join(REPO, file), 'utf8')

/** Each Markdown table of `text`: the cells of its first column, header and rule left out. */
function firstColumns(text) {
  const tables = []
  let rows = null
  for (const line of text.split('\n')) {
    if (!line.startsWith('|')) {
      rows = null
      continue
    }
    if (!rows) tables.push((rows = []))
    rows.push(line.split('|')[1].trim())
  }
  return tables.map((table) => table.slice(2))
}

/** The names in a first-column cell: each `code` span, a call's name without its arguments. */
function names(cell) {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1].replace(/\(.*$/s, ''))
}

/** The table of `text` whose first column names `marker`, as the set of names in it. */
function tableNaming(file, marker) {
  const found = firstColumns(read(file)).map((cells) => cells.flatMap(names)).filter((cells) => cells.includes(marker))
  assert.equal(found.length, 1, file + ': one table names `' + marker + '`, found ' + found.length)
  return new Set(found[0])
}

/** The text of index.d.ts's top-level declaration that starts with `head`, to the line that closes it. */
function declaration(dts, head, closing = '\n}') {
  const at = dts.indexOf('\n' + head)
  assert.ok(at >= 0, 'index.d.ts declares ' + head)
  return dts.slice(at, dts.indexOf(closing, at))
}

/**
 * index.d.ts (written one member a line, two spaces deep): the options, the session's calls
 * and the error codes.
 */
function declared() {
  const dts = fs.readFileSync(path.join(REPO, 'js-shim', 'index.d.ts'), 'utf8')
  const members = (text) => [...text.matchAll(/^ {2}(\w+)\??[:(]/gm)].map((m) => m[1])
  // SharedOptions & ({ loginUrl: ... } | { cloudFunction: ... }): each branch's required member.
  const branches = [...declaration(dts, 'export type SessionOptions', '\n)').matchAll(/^ +(\w+):/gm)].map((m) => m[1])
  const code = /^ {2}code:\n((?: {4}\| '\w+'\n)+)/m.exec(declaration(dts, 'export interface MpSessionError'))
  assert.ok(code, 'MpSessionError.code is a union of string literals, one a line')
  return {
    options: new Set([...members(declaration(dts, 'export interface SharedOptions')), ...branches]),
    calls: new Set(members(declaration(dts, 'export interface MpSession<S = Session> '))),
    codes: new Set([...code[1].matchAll(/'(\w+)'/g)].map((m) => m[1])),
  }
}

const sorted = (set) => [...set].sort()

test('the options, the calls and the error codes: both READMEs and index.d.ts name the same', () => {
  const types = declared()
  for (const file of READMES) {
    assert.deepEqual(sorted(tableNaming(file, 'loginUrl')), sorted(types.options), file + ': the options')
    assert.deepEqual(sorted(tableNaming(file, 'logout')), sorted(types.calls), file + ': the calls')
    assert.deepEqual(sorted(tableNaming(file, 'INVALID_CONFIG')), sorted(types.codes), file + ': the error codes')
  }
})

test("the login option's settings: both READMEs' table names those index.d.ts declares", () => {
  const dts = fs.readFileSync(path.join(REPO, 'js-shim', 'index.d.ts'), 'utf8')
  const members = (name) => [...declaration(dts, 'export interface ' + name + ' ').matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1])
  // The table's rows name `answer.token` for LoginAnswerPaths' members.
  const declared = new Set([
    ...members('LoginOptions').filter((name) => name !== 'answer'),
    ...members('LoginAnswerPaths').map((name) => 'answer.' + name),
  ])
  assert.ok(declared.has('answer.status') && declared.has('codeField'), [...declared].join(', '))
  for (const file of READMES) {
    assert.deepEqual(sorted(tableNaming(file, 'codeField')), sorted(declared), file + ': the login settings')
  }
})

test("the server's flags in both READMEs are those of its --help", () => {
  const binary = path.join(REPO, 'target', 'debug', 'mp-session-server')
  const help = fs.existsSync(binary)
    ? execFileSync(binary, ['--help'], { encoding: 'utf8' })
    : execFileSync('cargo', ['run', '--quiet', '-p', 'mp-session-server', '--', '--help'], { cwd: REPO, encoding: 'utf8' })
  const flags = new Set([...help.matchAll(/^\s+(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]))
  flags.delete('--help')
  flags.delete('--version')
  assert.ok(flags.has('--listen'), help)
  for (const file of READMES) {
    assert.deepEqual(sorted(tableNaming(file, '--listen')), sorted(flags), file + ': the flags')
  }
})

test('both READMEs quote the deployment files as they are in examples/deploy/', () => {
  for (const file of READMES) {
    const text = read(file)
    for (const name of ['mp-session.service', 'nginx.conf']) {
      const quoted = read(path.join('examples', 'deploy', name))
      assert.ok(text.includes('\n' + quoted + '```'), file + ' quotes examples/deploy/' + name + ' whole, in a code block')
    }
  }
})

test('each README links the other at its top, above the same two commands', () => {
  const [english, chinese] = READMES.map(read)
  const top = (text) => text.split('\n').slice(0, 4).join('\n')
  assert.match(top(english), /\[简体中文\]\(README\.zh-CN\.md\)/)
  assert.match(top(chinese), /\[English\]\(README\.md\)/)
  const commands = (text) => /```sh\n([\s\S]*?)```/.exec(text)[1].split('\n').filter(Boolean).map((line) => line.split('#')[0].trim())
  assert.deepEqual(commands(chinese), commands(english))
  assert.deepEqual(commands(english), ['scripts/demo', 'scripts/test'])
})

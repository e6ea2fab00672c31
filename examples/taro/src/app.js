import { Component } from 'react'
import Taro from '@tarojs/taro'
import { createSession } from 'mp-session'
import { LOGIN_URL } from './config'

class App extends Component {
  onLaunch() {
    const session = createSession({
      loginUrl: LOGIN_URL,
      // Where WebAssembly fails: the core as JavaScript, from the subpackage the plugin adds
      // (WeChat's own require: webpack leaves __non_webpack_require__ to it).
      // eslint-disable-next-line no-undef
      fallback: () => __non_webpack_require__.async('./mp-session-fallback/index.js'),
    })
    Taro.getApp().session = session
    session.launch().catch((e) => console.error('mp-session', e.code, e.message))
  }

  render() {
    return this.props.children
  }
}

export default App

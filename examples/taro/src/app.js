import { Component } from 'react'
import Taro from '@tarojs/taro'
import { createSession } from 'mp-session'
import { LOGIN_URL } from './config'

class App extends Component {
  onLaunch() {
    const session = createSession({ loginUrl: LOGIN_URL })
    Taro.getApp().session = session
    session.launch().catch((e) => console.error('mp-session', e.code, e.message))
  }

  render() {
    return this.props.children
  }
}

export default App

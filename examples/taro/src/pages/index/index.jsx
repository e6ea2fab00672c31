import { useState } from 'react'
import Taro, { useLoad } from '@tarojs/taro'
import { View, Text } from '@tarojs/components'

export default function Index() {
  const [openid, setOpenid] = useState('')
  const [error, setError] = useState('')
  useLoad(() => {
    Taro.getApp().session.ensure().then((s) => setOpenid(s.openid), (e) => setError(e.code))
  })
  return (
    <View>
      <Text>openid: {openid}</Text>
      {error ? <Text>error: {error}</Text> : null}
    </View>
  )
}
